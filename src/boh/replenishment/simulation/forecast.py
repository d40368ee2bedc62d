"""The replay's forecaster: fast, vectorised over every series, re-fitted weekly, and only ever fed the
history up to its origin (the day before the simulated order day). Since session 28 the model itself is the
forecasting domain's weekday model (``boh.forecasting.weekday``, through ``boh.forecasting.api``), which the engine
also blends with its 2-day LightGBM; this module feeds it the replay's ``History`` (each day's in-stock share of
the 16 open hours) and keeps the replay's quantiles. Its figures did not move with the move.

The forecasting engine's daily-ordering forecast is the replay's other forecaster since session 29
(``sweep.Study.forecaster`` = "engine", ``bench/replenish.py --forecaster engine``, ``engine_forecasts``): the
engine's LightGBM (``engine.predict_short`` through ``boh.forecasting.api.short_forecasts``, the import contracts'
door), fitted from day 35 (its lag features need 29 days of history) and refitted weekly, blended 0.5 with this
model (the engine's ``weekday_blend_2d``), for the days the policy reads (lead time + review, lead time + shelf
life); this model alone before day 35 and beyond those days. It is not the default: on the selection origins
35-55 its two-day WAPE is worse than this model's (1,500 series 0.3066 against 0.3032, 10,000 0.3109 against
0.3065; with the weekday share 0.75 0.3025 and 0.3061, a hair better), and it costs LightGBM's fits and
forecasts: 37 s for 1,500 series, 490 s wall (205 s CPU) for 10,000 at load 2-5, against 2.4 s for this model
on 10,000 (all 50,000 series in a replay: 1,653 s of forecasts, 5.4 GB). On the test origins it is level with
this model (1,500 series 0.3002 against 0.3004; 10,000 0.3120 against 0.3121; 50,000 0.3109 against 0.311), and
the ex-ante target reads the same (met on 3 of four 1,500-series samples, not on 10,000 nor 50,000: turnover
x1.131 against x1.138 there); bench/README, "Issue 14, session 29". ``bench/replenish.py --engine N`` scores
LightGBM alone, the engine's own blend and this blend on the test origins.

This model (all 50,000 series, 63 origins, 11 days ahead with weekly refits in 12 s) is the engine's
weekday-smoothing candidate made vectorised, with the price/promotion effect the engine learns from its features:

    forecast(day) = level x momentum[product] ** m x weekday_index[series, weekday(day)]
                    x uplift[category, discount bin(day), promo(day)] x own[series] ** promo(day)

(``weekday(day)``: the calendar's, except that a weekend day the country works, a make-up working day, counts as
a Monday, and a public holiday's own day on a weekday as a Saturday: ``weekdays``, ``calendar``; this data is
China's.)

* ``level``: weighted mean of the latent demand as known (``History.known``) divided by its weekday index and
  uplifts over the last ``window`` days (recomputed from every origin: uses days <= origin), each day weighted
  by recency (half-life ``half_life`` days) and by its in-stock share of the 16 open hours to the power
  ``stockout_weight`` (a day recovered from a few in-stock hours is an extrapolation and says less);
* ``momentum``: the product's (summed over the series of the sample) short over long exponentially weighted
  level (half-lives ``momentum_half_lives``), to the power ``momentum``: a product's move seen in many stores at
  once shows up before any one series' own level can tell it from noise;
* ``weekday_index``: the series' weekday means over the last ``fit_window`` days over its mean, shrunk towards
  its category's (``shrink`` pseudo-weeks); re-fitted every ``refit`` days;
* ``uplift``: demand ratio by discount bin and promotion flag, pooled over all series (bins seen 200 times),
  each category's own shrunk towards it (``category_uplift`` pseudo-days; planned promotions and prices are known
  ahead, as in the forecasting domain's features); ``own``: each series' promotion-day ratio beyond its
  category's, its log shrunk by the fewer of its promotion and other days against ``series_uplift``
  pseudo-days; both re-fitted with the weekday indices.

The settings were chosen by two-day-ahead WAPE on origins 27-55 (``SELECTION_ORIGINS``; ``bench/replenish.py
--forecast-only``: forecast days 29-57, none of the test window's measured days 63-89), on 1,500 and 10,000
series (2026-12-07; each step cumulative, 1,500 / 10,000 series seed 7): the shipped model 0.337 / 0.341; uplift
per category 0.335 / 0.338; weekday and uplift fit over 56 days instead of 28: 0.333 / 0.336; weekday shrinkage
20 pseudo-weeks instead of 5: 0.329 / 0.333; product momentum 0.5: 0.326 / 0.329; own promotion ratio: 0.324 /
0.327; stockout-hour weights: 0.316 / 0.321 (all 50,000 series: 0.340 -> 0.321; 10,000 series seed 1: 0.343 ->
0.324). The stockout-hour weights lower the mean forecast (forecast / demand 0.977 -> 0.947 on 10,000 series):
the days out of stock for hours are the busy ones; the conformal quantiles absorb that bias, the mean still
feeds the expiry estimate and the cap. Tried and left out (no gain on the selection origins): weather
(precipitation, temperature against the week before, humidity, wind; per category and pooled), the holiday flag
(its own effect or a holiday on a weekday treated as a weekend day: worse; the data flags two of China's 2024
make-up workdays as holidays), a trimmed level, a damped trend, a second half-life, the mean of the same weekday
averaged in, an L1-fitted stack of five variants, a product's weekday profile as the prior (worse), a store's
blended in (0.0004 less on 10,000 series: too little to add).

Session 27 (2026-12-07, same origins and rule; 1,500 series seeds 7 and 1 / 10,000 / all 50,000 series; WAPE with
forecast / demand in brackets): China's weekend working days (two in the selection days: Sunday 28 April and
Saturday 11 May 2024; the data's holiday flag marks both as holidays) forecast and fitted as Mondays (``calendar``
"CN", from the ``holidays`` package's ``weekend_workdays``): 0.3162 / 0.3291 / 0.3211 / 0.3206 (0.948) -> 0.3149 /
0.3279 / 0.3186 / 0.3180 (0.947); as Fridays 0.3147 / 0.3286 / 0.3187 (Monday kept: best or tied on three). Then a
public holiday's own day on a weekday (Labour Day, Wednesday 1 May, in the selection days; Tomb-Sweeping Day,
Thursday 4 April, in the first fits; not the days off moved next to them, 5 April and 2-3 May, which sold like
ordinary days) as a Saturday: 0.3149 / 0.3269 / 0.3174 / 0.3171 (0.946); as a Sunday 0.3167 / 0.3287 / 0.3193; every
holiday day off on a weekday as a Saturday, the moved ones included, 0.3231 on 1,500 series. Tried and left out
(1,500 / 10,000 series seed 7 against 0.3162 / 0.3211 before the calendar, 0.3149 / 0.3186 with its weekend working
days where marked *): the last day's deviation from the model as an AR(1) correction of the level (share 0.1:
0.3168; 0.2: 0.3188; -0.1: 0.3172; the last two days 0.2: 0.3183), pooled per product (exponent 0.2: 0.3179) or per
store (0.2: 0.3172; -0.2: 0.3168); a store's momentum (all its products, 2 / 7 days; exponent 0.25: 0.3165, 0.5:
0.3171), category x store (0.3165), category x city (0.3165), product x city in place of product (0.3168); the
previous day's late-hour (16-21 h) in-stock sales rate against its hourly profile (exponent 0.1: 0.3181; against the
level 0.3180; 19-21 h 0.3194; pooled per store 0.3187); half-life 7 is best in every third of the series by volume
and by variability (10,000: 4 / 7 / 14 days 0.3236 / 0.3211 / 0.3236); a global rescaling (x0.95: 0.3174; x1.05:
0.3213); a recent-error calibration (the last 28 origins' two-day errors, weighted median or ratio per group; per
category 0.3158, per weekday, category x weekday, product or store 0.3172-0.3255); a factor for the first day of a
promotion and the first day after one (* 10,000: 0.3183-0.3191); weekday indices from stockout-weighted days
(0.3167) or recency-weighted (0.3172); weekday shrinkage scaled by the series' volume (* 10,000: 0.3184-0.3222);
in-stock weights in the momentum (* 0.3152 / 0.3188); holidays on a weekday as a Saturday (* 0.3231) or Sunday
(0.3264), holidays and working weekend days down-weighted in the level (0.3174); a weekly-refitted global LightGBM
(L1, 60 trees of 15 leaves) on the ratio of demand to this forecast, trained on the origins whose target day is
known (from origin 20: earlier fits are unstable), features the last 7 days' deviations, in-stock shares, the target
day's weekday, index, promotion and discount, momentum, pooled deviations, variability: 0.3167 / 0.3198 (seed 1:
0.3291 both) for 58 s of CPU on 10,000 series (this model 2.4 s), with the day of the month among its features it
learns the dates' own shocks. A day-of-month (payday) effect cannot be estimated here: at the first origin the
errors of past origins cover a week of days and a month's cycle is seen twice before the test window.

Quantiles of demand over a protection period of P days come from the forecaster's own realised errors of
P-day sums over the previous four weeks (origins whose P days are all in the past), pooled in bins of
forecast size (Mondrian conformal, as the engine does), re-fitted weekly.

Service spread (``spread`` > 0): the count of stockout item-days is what the target counts, stock in units is
what turnover pays for. Holding the same service level on every series is not the cheapest way to a given
count: protecting an erratic series one more notch costs more units than protecting a steady one. The
stock that minimises expected stockout item-days for a given stock has equal demand density at every
series' order-up-to level; for normal errors of scale u that is z^2 = z_ref^2 - 2 ln(u / u_median).
``spread`` is the share of that reallocation applied (0: one level for all; 1: the full rule), u the
series' own recent one-day-ahead error (``series_scale``, data up to the origin only), z_ref the swept level's
normal score; per-series levels never go below 0.5 (no series is left without its mean)."""

from __future__ import annotations

from statistics import NormalDist

import numpy as np

from boh.forecasting.api import (
    DISCOUNT_EDGES,
    WeekdayConfig,
    WeekdayFit,
    discount_bin,
    fit_weekday,
    short_forecasts,
    weekday_forecasts,
    weekdays,
)
from boh.replenishment.simulation.data import History

__all__ = [
    "DISCOUNT_EDGES", "FORECASTERS", "ForecastConfig", "actual_sums", "engine_forecasts", "forecasts",
    "protection_sums", "quantile_sums", "series_scale",
    "spread_levels", "wape", "weekdays",
]  # fmt: skip
# levels the residual quantiles are tabulated at when each series has its own level (``spread`` > 0)
GRID = np.concatenate([np.linspace(0.01, 0.99, 99), [0.993, 0.996, 0.998, 0.999]])
_Z = np.linspace(0.0, 6.0, 601)
_CDF = np.array([NormalDist().cdf(float(z)) for z in _Z])  # the normal CDF tabulated (numpy has no erf)
SCALE_PRIOR = 14.0  # pseudo-days of the pooled error in each series' error scale
# the origins the forecaster's settings are chosen on (two-day-ahead WAPE; ``bench/replenish.py --forecast-only``):
# the study's first origin (27) to 55, forecast days 29-57, none of them a measured day of the test window (63-89)
SELECTION_ORIGINS = range(27, 56)


# the model itself lives in the forecasting domain since session 28 (``boh.forecasting.weekday``, through its api),
# where the engine blends it with LightGBM; these names are the replay's
ForecastConfig = WeekdayConfig
_Fit = WeekdayFit
_bin = discount_bin
_fit = fit_weekday
OPEN_HOURS_N = 16.0  # the operating hours (06-21) whose stockout share weighs a day in the level


def forecasts(h: History, first_origin: int, horizon: int, cfg: ForecastConfig = ForecastConfig()) -> np.ndarray:
    """F[o, s, k]: the mean forecast made with data through day ``o`` for day ``o + 1 + k`` (NaN before
    ``first_origin``). Only ``h.known[:, : o + 1]`` and ``h.out_hours[:, : o + 1]`` enter F[o] (plus the promotion
    plan of the forecast days): the latent demand as known at the end of each day (``latent.known``), each day
    weighted by its in-stock share of the 16 open hours (``weekday.forecasts``)."""
    return weekday_forecasts(h, first_origin, horizon, cfg, in_share=1.0 - h.out_hours / OPEN_HOURS_N)


# the replay's forecasters (``sweep.Study.forecaster``): "weekday", the model above (the default); "engine", the
# forecasting engine's daily-ordering forecast (``engine_forecasts``)
FORECASTERS = ("weekday", "engine")
ENGINE_REFIT = 7  # origins between the engine's LightGBM refits (the weekday model's weekly refits)
# days of history LightGBM's first fit needs: its lag features read 29 days back (rows with a missing one are
# dropped), plus a week of rows to learn from; from earlier origins the engine forecaster is the weekday model alone
ENGINE_MIN_DAYS = 36


def engine_forecasts(h: History, first_origin: int, horizon: int, days: int, cfg: ForecastConfig = ForecastConfig(),
                     blend: float | None = None, weekday: np.ndarray | None = None) -> np.ndarray:  # fmt: skip
    """F[o, s, k] as ``forecasts``, its first ``days`` days ahead (the days the policy reads: protection period
    and shelf-life cap) from the forecasting engine's daily-ordering forecast (``engine.predict_short`` through
    ``boh.forecasting.api.short_forecasts``): LightGBM, fitted at ``first_origin`` and refitted every
    ``ENGINE_REFIT`` origins on ``h.known`` up to the origin (from the first origin with ``ENGINE_MIN_DAYS`` days
    of history: before it, the weekday model alone) (the promotion plan known ahead; static features the
    category and the city), blended with this module's weekday model (``forecasts``, ``cfg``; or ``weekday``,
    those forecasts already made) by ``blend`` (None: the engine's ``weekday_blend_2d``, 0.5); the later days
    the weekday model's alone. Only data through day ``o`` enter F[o] (``tests/replenishment/simulation/
    test_forecast.py``)."""
    W = forecasts(h, first_origin, horizon, cfg) if weekday is None else weekday
    k = max(1, min(days, horizon))
    start = max(first_origin, ENGINE_MIN_DAYS - 1)
    E = short_forecasts(h, start, k, weekday=W[:, :, :k], group=h.city, refit_every=ENGINE_REFIT, blend=blend,
                        calendar=cfg.calendar)  # fmt: skip
    out = W.copy()
    out[:, :, :k] = np.where(np.isnan(E), W[:, :, :k], E)
    return out


def protection_sums(F: np.ndarray, p: int, skip: int = 0) -> np.ndarray:
    """S[o, s]: forecast of demand over days o+1+skip .. o+skip+p (from the forecasts made at ``o``)."""
    out: np.ndarray = F[:, :, skip : skip + p].sum(axis=2)
    return out


def actual_sums(demand: np.ndarray, p: int, skip: int = 0) -> np.ndarray:
    """A[o, s]: demand over days o+1+skip .. o+skip+p (NaN where it runs past the data)."""
    n_s, n_t = demand.shape
    out = np.full((n_t, n_s), np.nan)
    c = np.concatenate([np.zeros((n_s, 1)), np.cumsum(demand, axis=1)], axis=1)
    for o in range(n_t):
        a, b = o + 1 + skip, o + 1 + skip + p
        if b <= n_t:
            out[o] = c[:, b] - c[:, a]
    return out


def series_scale(F: np.ndarray, demand: np.ndarray, first_origin: int, window: int,
                 prior: float = SCALE_PRIOR) -> np.ndarray:  # fmt: skip
    """U[o, s]: series s's typical one-day-ahead absolute error as of origin ``o`` (the errors of days up to
    ``o`` only, the last ``window`` of them), shrunk towards the pooled error per unit forecast times its own
    forecast (``prior`` pseudo-days). NaN before ``first_origin``."""
    n_t, n_s = F.shape[0], F.shape[1]
    err = np.zeros((n_t, n_s))  # err[d]: |error| of the forecast made at d - 1 for day d
    seen = np.zeros((n_t, n_s))
    for d in range(first_origin + 1, n_t):
        e = np.abs(demand[:, d] - F[d - 1, :, 0])
        ok = ~np.isnan(e)
        err[d], seen[d] = np.where(ok, e, 0.0), ok
    ce, cn = np.cumsum(err, axis=0), np.cumsum(seen, axis=0)
    out = np.full((n_t, n_s), np.nan)
    for o in range(first_origin, n_t):
        lo = max(0, o - window)
        s_e, s_n = ce[o] - ce[lo], cn[o] - cn[lo]
        mu = np.nan_to_num(F[o, :, 0])
        tot = float((mu * s_n).sum())
        per_unit = float(s_e.sum()) / tot if tot > 0 else 1.0
        out[o] = (s_e + prior * np.maximum(per_unit * mu, 1e-3)) / (s_n + prior)
    return out


def spread_levels(level: float, unit: np.ndarray, spread: float) -> np.ndarray:
    """Per-series service levels around the reference ``level`` (see the module's "service spread"): higher
    for series with a smaller error scale ``unit`` (S,) than the median, lower (not below 0.5) for larger."""
    if spread <= 0 or level <= 0.5:
        return np.full(unit.shape, level)
    z_ref = NormalDist().inv_cdf(level)
    ratio = np.nan_to_num(unit / max(float(np.nanmedian(unit)), 1e-12), nan=1.0)
    z = np.sqrt(np.maximum(z_ref**2 - 2.0 * spread * np.log(np.maximum(ratio, 1e-12)), 0.0))
    out: np.ndarray = np.clip(np.interp(z, _Z, _CDF), 0.5, GRID[-1])
    return out


def quantile_sums(F: np.ndarray, demand: np.ndarray, p: int, levels: list[float], first_origin: int,
                  cfg: ForecastConfig = ForecastConfig(), skip: int = 0,
                  spread: float = 0.0) -> dict[float, np.ndarray]:  # fmt: skip
    """Q[level][o, s]: the ``level`` quantile of demand over the protection period from origin ``o``: the
    mean P-day sum plus the residual quantile of its forecast-size bin, the residuals those of origins whose
    period had ended by ``o`` (within ``error_window``), bins re-fitted every ``refit`` days. ``spread`` > 0:
    each series at its own level around ``level`` (``spread_levels``, error scales as of ``o``), read off the
    bin's residual quantiles tabulated on ``GRID``."""
    mu = protection_sums(F, p, skip)
    act = actual_sums(demand, p, skip)
    n_t = F.shape[0]
    unit = series_scale(F, demand, first_origin, cfg.error_window) if spread > 0 else None
    table = list(GRID) if spread > 0 else list(levels)
    out = {lv: np.full_like(mu, np.nan) for lv in levels}
    edges = np.array([-np.inf, np.inf])
    offs = np.zeros((1, len(table)))
    for o in range(first_origin, n_t):
        if (o - first_origin) % cfg.refit == 0:
            last = o - p - skip  # the latest origin whose period is over by day o
            lo = max(first_origin, last - cfg.error_window + 1)
            if last >= lo:
                m, a = mu[lo : last + 1].ravel(), act[lo : last + 1].ravel()
                ok = ~np.isnan(m) & ~np.isnan(a)
                m, r = m[ok], a[ok] - m[ok]
                if len(m) >= 50:
                    nb = max(1, min(cfg.bins, len(m) // 50))
                    edges = np.unique(np.quantile(m, np.linspace(0, 1, nb + 1)))
                    edges[0], edges[-1] = -np.inf, np.inf
                    which = np.clip(np.searchsorted(edges, m, side="right") - 1, 0, len(edges) - 2)
                    offs = np.array([np.quantile(r[which == b] if (which == b).any() else r, table)
                                     for b in range(len(edges) - 1)]).reshape(len(edges) - 1, len(table))  # fmt: skip
        which = np.clip(np.searchsorted(edges, mu[o], side="right") - 1, 0, len(edges) - 2)
        for i, lv in enumerate(levels):
            if unit is None:
                off = offs[which, i]
            else:
                own = spread_levels(lv, unit[o], spread)
                off = np.zeros(len(own))
                for b in np.unique(which):
                    m_b = which == b
                    off[m_b] = np.interp(own[m_b], GRID, offs[b])
            out[lv][o] = np.maximum(mu[o] + off, 0.0)
    return out


def wape(F: np.ndarray, demand: np.ndarray, ahead: int, origins: range) -> float:
    """WAPE of the ``ahead``-day-ahead forecast (ahead=2: made at o for o+2) over the given origins."""
    num = den = 0.0
    for o in origins:
        d = o + ahead
        if d < demand.shape[1]:
            num += float(np.abs(demand[:, d] - F[o, :, ahead - 1]).sum())
            den += float(demand[:, d].sum())
    return num / den if den > 0 else float("nan")
