"""The replay's forecaster: fast, vectorised over every series, re-fitted weekly, and only ever fed the
history up to its origin (the day before the simulated order day).

Why not the forecasting engine (LightGBM + statsforecast, ``boh.forecasting.engine``) itself: the replay
needs a forecast from every origin (daily ordering) for every series, and the engine is not reachable from
here (import contracts: ``boh.forecasting.api`` only). ``bench/replenish.py --engine N`` scores the engine's
daily-ordering mode (``engine.predict_short``: LightGBM fitted once, then forecasting from each origin) on
the same series, origins and latent demand: on 1,500 series and 27 origins (the test window's) it took 14 s on
this machine (2 shared cores, load 2.6-2.8, 2026-12-07) for a WAPE two days ahead of 0.311, against 0.303 for
this model (0.315 before the changes below), which does all 50,000 series, 63 origins and 11 days ahead with
weekly refits in 12 s. This model is the engine's weekday-smoothing candidate made vectorised, with the
price/promotion effect the engine learns from its features:

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

from dataclasses import dataclass
from statistics import NormalDist

import numpy as np
import pandas as pd

from boh.replenishment.simulation.data import History

DISCOUNT_EDGES = np.array([0.0, 0.5, 0.6, 0.7, 0.8, 0.9, 0.97, 10.0])
# levels the residual quantiles are tabulated at when each series has its own level (``spread`` > 0)
GRID = np.concatenate([np.linspace(0.01, 0.99, 99), [0.993, 0.996, 0.998, 0.999]])
_Z = np.linspace(0.0, 6.0, 601)
_CDF = np.array([NormalDist().cdf(float(z)) for z in _Z])  # the normal CDF tabulated (numpy has no erf)
SCALE_PRIOR = 14.0  # pseudo-days of the pooled error in each series' error scale
# the origins the forecaster's settings are chosen on (two-day-ahead WAPE; ``bench/replenish.py --forecast-only``):
# the study's first origin (27) to 55, forecast days 29-57, none of them a measured day of the test window (63-89)
SELECTION_ORIGINS = range(27, 56)


@dataclass(frozen=True)
class ForecastConfig:
    window: int = 28  # days of history the level looks at
    half_life: float = 7.0  # days: weight of a day halves every half_life days back
    shrink: float = 20.0  # pseudo-weeks of the category's weekday profile in each series' profile
    refit: int = 7  # days between refits of weekday indices, uplift and quantile bins
    promo: bool = True  # use the known discount / promotion plan
    bins: int = 10  # conformal bins by forecast size
    error_window: int = 28  # origins whose errors feed the quantiles
    fit_window: int = 56  # days of history (at most) the weekday indices and uplifts are fitted on
    category_uplift: float = 100.0  # pseudo-days of the pooled uplift in each category's (0: pooled only)
    series_uplift: float = 10.0  # pseudo-days of no own effect in each series' promotion ratio (0: off)
    stockout_weight: float = 1.0  # a day weighs (its in-stock share of the 16 open hours) ** this in the level
    momentum: float = 0.5  # exponent of the product's short / long level ratio applied to the level (0: off)
    momentum_half_lives: tuple[float, float] = (2.0, 7.0)  # days: the short and the long level
    # country (``holidays`` code) whose weekend working days (make-up workdays) count as a Monday; "": none.
    # FreshRetailNet-50K is China's (its holiday flag marks two of those days as holidays: it is not used)
    calendar: str = "CN"


def weekdays(h: History, n_days: int, calendar: str = "") -> np.ndarray:
    """(n_days,) the weekday (Mon=0) each day index from the history's first day counts as: its own, except, in
    ``calendar``'s country, a weekend day worked (a make-up working day: ``holidays``' ``weekend_workdays``),
    which counts as a Monday, and a public holiday's own day on a weekday (not the days off moved next to it,
    "Day off (substituted from ...)"), which counts as a Saturday. Public calendars are known ahead, like the
    promotion plan. Both rules were chosen on China's calendar and this data (see the module's docstring)."""
    dates = pd.date_range(h.days[0], periods=n_days, freq="D")
    out: np.ndarray = np.asarray(dates.dayofweek, dtype=np.int64)
    if calendar and n_days:
        import holidays

        years = sorted({int(y) for y in dates.year})
        cal = holidays.country_holidays(calendar, years=years, language="en_US")
        work = {pd.Timestamp(d) for d in getattr(cal, "weekend_workdays", set())}
        out[np.array([d in work and d.dayofweek >= 5 for d in dates], dtype=bool)] = 0
        named = [str(cal.get(d.date()) or "") for d in dates]
        festival = [
            bool(n) and not n.startswith("Day off") and d.dayofweek < 5 for n, d in zip(named, dates, strict=True)
        ]
        out[np.array(festival, dtype=bool)] = 5
    return out


@dataclass(frozen=True)
class _Fit:
    """Weekday indices (S, 7), uplift per category and bin (C, B), each series' promotion ratio (S,), and the
    weekday each day index counts as (``weekdays``)."""

    idx: np.ndarray
    uplift: np.ndarray
    own: np.ndarray
    wd: np.ndarray

    def factors(self, h: History, cat: np.ndarray, days: np.ndarray, promo: bool) -> np.ndarray:
        """(S, len(days)) weekday x uplift x own promotion factor of ``days`` (past the data: its last plan)."""
        inside = np.minimum(days, h.demand.shape[1] - 1)
        fac: np.ndarray = self.idx[:, self.wd[days]]
        if promo:
            act = h.activity[:, inside]
            fac = fac * self.uplift[cat[:, None], _bin(h.discount[:, inside], act)]
            fac = fac * np.where(act > 0.5, self.own[:, None], 1.0)
        return fac


def _bin(disc: np.ndarray, act: np.ndarray) -> np.ndarray:
    b = np.clip(np.searchsorted(DISCOUNT_EDGES, disc, side="right") - 1, 0, len(DISCOUNT_EDGES) - 2)
    return b * 2 + (act > 0.5).astype(np.int64)


def _uplift(y: np.ndarray, base: np.ndarray, b: np.ndarray, cat: np.ndarray, n_cat: int, k: float) -> np.ndarray:
    """(C, B) demand / base ratio per discount bin, pooled over every series (bins seen at least 200 times),
    each category's own ratio shrunk towards it with ``k`` pseudo-days (0: the pooled ratio for all)."""
    n_bins = (len(DISCOUNT_EDGES) - 1) * 2
    num = np.bincount(b.ravel(), weights=y.ravel(), minlength=n_bins)
    den = np.bincount(b.ravel(), weights=base.ravel(), minlength=n_bins)
    cnt = np.bincount(b.ravel(), minlength=n_bins)
    raw = np.where((den > 0) & (cnt >= 200), num / np.maximum(den, 1e-12), np.nan)
    ref = np.nansum(raw * cnt) / max(float(cnt[~np.isnan(raw)].sum()), 1.0)
    pooled = np.where(np.isnan(raw), 1.0, raw / (ref if ref > 0 else 1.0))
    if k <= 0:
        return np.tile(pooled, (n_cat, 1))
    cb = (cat[:, None] * n_bins + b).ravel()
    size = n_cat * n_bins
    num_c = np.bincount(cb, weights=y.ravel(), minlength=size).reshape(n_cat, n_bins)
    den_c = np.bincount(cb, weights=base.ravel(), minlength=size).reshape(n_cat, n_bins)
    cnt_c = np.bincount(cb, minlength=size).reshape(n_cat, n_bins)
    own = np.where(den_c > 0, num_c / np.maximum(den_c, 1e-12), 1.0)
    ref_c = (own * cnt_c).sum(axis=1, keepdims=True) / np.maximum(cnt_c.sum(axis=1, keepdims=True), 1)
    own = own / np.where(ref_c > 0, ref_c, 1.0)
    w = cnt_c / (cnt_c + k)
    out: np.ndarray = w * own + (1 - w) * pooled[None, :]
    return out


def _fit(h: History, r: int, cfg: ForecastConfig, cat: np.ndarray, wd: np.ndarray | None = None) -> _Fit:
    """Weekday indices, uplifts and own promotion ratios from days (r - fit_window, r]; ``wd``: ``weekdays``
    (covering every day the fit's factors are asked for; default: the history's days)."""
    if wd is None:
        wd = weekdays(h, h.demand.shape[1], cfg.calendar)
    lo = max(0, r - cfg.fit_window + 1)
    y = h.known[:, lo : r + 1]
    dow = wd[lo : r + 1]
    n_cat = int(cat.max()) + 1 if len(cat) else 1
    n_bins = (len(DISCOUNT_EDGES) - 1) * 2
    uplift = np.ones((n_cat, n_bins))
    b = _bin(h.discount[:, lo : r + 1], h.activity[:, lo : r + 1])
    idx = np.ones((h.n, 7))
    for _ in range(2):
        if cfg.promo:
            base = y.mean(axis=1, keepdims=True) * idx[:, dow]
            uplift = _uplift(y, base, b, cat, n_cat, cfg.category_uplift)
            adj = y / uplift[cat[:, None], b]
        else:
            adj = y
        means = np.stack([adj[:, dow == d].mean(axis=1) if (dow == d).any() else adj.mean(axis=1)
                          for d in range(7)], axis=1)  # fmt: skip
        overall = np.maximum(adj.mean(axis=1, keepdims=True), 1e-9)
        own = means / overall
        cat_idx = np.ones_like(own)
        for c in range(n_cat):
            m = cat == c
            if m.any():
                cat_idx[m] = means[m].sum(axis=0) / max(float(overall[m].sum()), 1e-9)
        weeks = np.array([(dow == d).sum() for d in range(7)], dtype=float)
        idx = (weeks * own + cfg.shrink * cat_idx) / (weeks + cfg.shrink)
        idx = idx / idx.mean(axis=1, keepdims=True)
    ratio = np.ones(h.n)
    if cfg.promo and cfg.series_uplift > 0:
        # each series' own promotion effect beyond its category's: log of (demand / fit) on promotion days over
        # the same on the other days, shrunk towards 0 by the fewer of the two day counts
        base = y.mean(axis=1, keepdims=True) * idx[:, dow] * uplift[cat[:, None], b]
        act = h.activity[:, lo : r + 1] > 0.5
        yp, bp, yn, bn = (y * act).sum(1), (base * act).sum(1), (y * ~act).sum(1), (base * ~act).sum(1)
        ok = (yp > 0) & (yn > 0) & (bp > 0) & (bn > 0)
        with np.errstate(divide="ignore", invalid="ignore"):
            raw = np.where(ok, np.log(yp * bn / np.where(ok, bp * yn, 1.0)), 0.0)
        n_eff = np.minimum(act.sum(axis=1), (~act).sum(axis=1))
        ratio = np.exp(n_eff / (n_eff + cfg.series_uplift) * raw)
    return _Fit(idx, uplift, ratio, wd)


def _momentum(z: np.ndarray, ago: np.ndarray, group: np.ndarray, half_lives: tuple[float, float]) -> np.ndarray:
    """(S,) each series' group's (product's) short over long exponentially weighted level of the adjusted
    demand ``z`` (S, D), ``ago`` (D,) days before the origin: how the product as a whole moved lately."""
    n_g = int(group.max()) + 1 if len(group) else 1
    lv = []
    for hl in half_lives:
        w = (0.5 ** (1.0 / hl)) ** ago
        lv.append(np.bincount(group, weights=(z * w).sum(axis=1) / w.sum(), minlength=n_g))
    short, long = lv
    out: np.ndarray = np.where(long > 0, short / np.maximum(long, 1e-12), 1.0)[group]
    return out


def forecasts(h: History, first_origin: int, horizon: int, cfg: ForecastConfig = ForecastConfig()) -> np.ndarray:
    """F[o, s, k]: the mean forecast made with data through day ``o`` for day ``o + 1 + k`` (NaN before
    ``first_origin``). Only ``h.known[:, : o + 1]`` and ``h.out_hours[:, : o + 1]`` enter F[o] (plus the promotion
    plan of the forecast days): the latent demand as known at the end of each day (``latent.known``)."""
    n_t = h.demand.shape[1]
    out = np.full((n_t, h.n, horizon), np.nan, dtype=np.float64)
    cat = np.unique(h.category, return_inverse=True)[1].reshape(-1)
    product = np.unique(h.product, return_inverse=True)[1].reshape(-1)
    wd = weekdays(h, n_t + horizon, cfg.calendar)
    fit = _Fit(np.ones((h.n, 7)), np.ones((1, (len(DISCOUNT_EDGES) - 1) * 2)), np.ones(h.n), wd)
    decay = 0.5 ** (1.0 / cfg.half_life)
    for o in range(first_origin, n_t):
        if (o - first_origin) % cfg.refit == 0:
            fit = _fit(h, o, cfg, cat, wd)
        lo = max(0, o - cfg.window + 1)
        days = np.arange(lo, o + 1)
        y = h.known[:, lo : o + 1]
        z = y / np.maximum(fit.factors(h, cat, days, cfg.promo), 1e-6)
        w = decay ** (o - days) * np.ones_like(y)
        if cfg.stockout_weight > 0:  # a day out of stock for hours says less about the demand (it is recovered)
            w = w * np.maximum(1.0 - h.out_hours[:, lo : o + 1] / 16.0, 0.05) ** cfg.stockout_weight
        level = (z * w).sum(axis=1) / w.sum(axis=1)
        if cfg.momentum > 0:
            level = level * _momentum(z, o - days, product, cfg.momentum_half_lives) ** cfg.momentum
        out[o] = level[:, None] * fit.factors(h, cat, np.arange(o + 1, o + 1 + horizon), cfg.promo)
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
