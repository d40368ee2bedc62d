"""The replenishment policy simulation (``boh replenish simulate``, ``bench/replenish.py``, the page
/replenishment/simulation): replay a real demand history day by day under BOH's ordering policy and under
the "experience" rule chains use today, on the same latent demand, and compare their trade-off curves.

Modules (pure numpy except the last four):

* ``data``: FreshRetailNet-50K's hourly file (read in place from ../shared/data) or any frame with the same
  columns -> series x days arrays; ``synthetic``: a small generated chain (demo, tests);
* ``latent``: the true demand in stocked-out hours, recovered from the series' hourly profile of in-stock
  hours (the forecasting domain's rule, held equal to it by a test); every policy faces this same demand;
* ``forecast``: a vectorised weekday x level x promotion-uplift forecaster fed only the history up to its
  origin, re-fitted weekly, with conformal quantiles of the protection-period demand (as accurate as the
  forecasting engine's LightGBM on the same origins, and fast enough for every origin: see its docstring);
* ``engine``: the replay (lots aged first-expiring-first-out, lead time, order days, case packs, shelf life,
  lost sales, stockout hours inside the day) and the metrics (turnover, stock and days of cover, fill rate,
  stockout item-days, lost units and hours, waste, order lines, bullwhip per echelon: store and a DC
  echelon = the stores of a city ordering one product together);
* ``policies``: BOH's order-up-to and the baseline, vectorised; ``sweep``: a whole study (both windows, both
  curves, the comparison, the operating point, sample traces);
* ``models``, ``service``, ``queries``, ``cli``, ``pages``: stored runs, the chosen operating point per
  category, the CLI and the console page.

Defaults for fresh goods (``sweep.CategoryParams``; per category with ``--categories``): shelf life 3 days,
lead time 1 day (ordered in the morning, on the shelf the next morning), daily ordering, case pack 0.1 of the
data's abstract unit (the publisher normalised the quantities; the median series sells 0.7 a day).

Periods: the forecaster starts from day 27 (four weeks of history); the validation window replays days
35-62 and the test window days 56-89, each measuring after a 7-day warm-up (42-62 and 63-89). The
forecaster's settings (window 28 days, half-life 7, shrinkage 5 weeks) were chosen by two-day-ahead WAPE on
origins 27-55, before both windows; the baseline's best cover (fewest lost plus wasted units) is chosen on
the validation window. The comparison on the test window reads BOH's measured curve at the baseline's
stockout and waste levels and replays BOH at that level (a measured operating point).

Measured on all 50,000 series (``bench/replenish.py --series 50000``; 2 cores shared with other work, 8
minutes with the what-if sweeps):
two-day-ahead WAPE 0.326 on latent demand (0.345 on fully in-stock days). Baseline's best cover 3.5 days:
turnover 222/yr, stockout item-days 10.1%, waste 5.3% of units disposed. BOH at 10% fewer stockout
item-days (level 0.908, replayed): turnover x1.199, stockout item-days x0.896, waste x0.759, fill rate 95.7%
vs 95.3% (the target, +15% and -10% with no more waste, is met on the test curves). At strictly equal waste:
turnover x1.099 and stockout item-days x0.704. The vendor's +35% / -22% together is not reached. A level
read on the validation window and replayed on the test window lands elsewhere on the curve (x1.33 turnover,
x1.24 stockouts): the service level must follow demand (the baseline's own position moves with trends), so
the page lets a planner pick the operating point per category. The chain as recorded was out of stock 17.8%
of operating hours (41% of item-days had a stockout hour); BOH's replay 2.7% of hours. Bullwhip (variance
of orders / of demand) at the operating point: BOH 1.14 at the stores, 1.17 at the city (DC) echelon; the
baseline at 3.5 days 0.85 and 0.76 (smoothing a 4-week average damps it). Mixing a quarter of
the true future into the forecasts (WAPE 0.244) lifts BOH to x1.43 turnover at x0.90 stockouts with x0.30
waste: forecast error is the lever.

Other shelf lives (10,000 series, same method): 2 days: baseline's best cover 3.0; BOH at 10% fewer
stockout item-days turnover x1.124, waste x0.81 (target NOT met; at equal waste x1.035 / x0.701). 5 days:
best cover 5.0; BOH turnover x1.300, stockouts x0.894, waste x0.82 (met; at equal waste x1.232 / x0.772).
Case pack 0.5 units (shelf life 3): x1.149, x0.879, waste x0.83 (just short on turnover).

Known simplifications: the policy's history is the latent demand recovered from the chain's recorded hours,
not from its own simulated sales (the baseline does see its own simulated sales, censored by its own
stockouts); the hourly profile that recovers the latent demand is estimated over the whole 90 days (the
hour-of-day shape only); the DC echelon is measured (bullwhip of the city's summed store orders), not
replenished itself.
"""
