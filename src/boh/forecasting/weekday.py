"""The weekday model: a fast level x weekday-index forecaster, vectorised over every series, re-fitted weekly and
forecasting from every origin; beside LightGBM in the engine's 2-day (daily-ordering) forecast
(``engine.Config.weekday_blend_2d``) and optionally its 14-day forecast (``weekday_blend``), and the replenishment
replay's own forecaster (``boh.replenishment.simulation.forecast`` uses it from here through ``boh.forecasting.api``;
its settings were chosen there, on the replay's selection origins: see that module's docstring). Since session 28
(docs/forecasting.md, "Eighth round").

    forecast(day) = level x momentum[product] ** m x weekday_index[series, weekday(day)]
                    x uplift[category, discount bin(day), promo(day)] x own[series] ** promo(day)

(``weekday(day)``: the calendar's, except that a weekend day the country works, a make-up working day, counts as
a Monday, and a public holiday's own day on a weekday as a Saturday: ``weekdays``, ``calendar``.)

* ``level``: weighted mean of the demand as known (``known``) divided by its weekday index and uplifts over the
  last ``window`` days (recomputed from every origin: uses days <= origin), each day weighted by recency (half-life
  ``half_life`` days) and by its in-stock share to the power ``stockout_weight`` (a day recovered from a few
  in-stock hours is an extrapolation and says less);
* ``momentum``: the product's (summed over the series given) short over long exponentially weighted level
  (half-lives ``momentum_half_lives``), to the power ``momentum``;
* ``weekday_index``: the series' weekday means over the last ``fit_window`` days over its mean, shrunk towards its
  category's (``shrink`` pseudo-weeks); re-fitted every ``refit`` days;
* ``uplift``: demand ratio by discount bin and promotion flag, pooled over all series (bins seen 200 times), each
  category's own shrunk towards it (``category_uplift`` pseudo-days); ``own``: each series' promotion-day ratio
  beyond its category's, its log shrunk by the fewer of its promotion and other days against ``series_uplift``
  pseudo-days; both re-fitted with the weekday indices.

Arrays in, arrays out (``forecasts``): one row per series, one column per day, every series the same consecutive
days (``WeekdayData``: the replay's ``History`` is one). ``frame_forecasts`` is the engine's door: long frames
(``unique_id``, ``ds``, the target, ``in_stock``/``demand``/``y_obs``, ``discount``/``promo``) in, one row per
series, origin and day out. Only the days up to an origin enter its forecast (plus the promotion plan of the days
forecast, known ahead like the engine's covariates)."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np
import pandas as pd

DISCOUNT_EDGES = np.array([0.0, 0.5, 0.6, 0.7, 0.8, 0.9, 0.97, 10.0])


class WeekdayData(Protocol):
    """What the model reads: (S, T) arrays over the same consecutive ``days`` for every series."""

    days: pd.DatetimeIndex  # (T,)
    known: np.ndarray  # (S, T) demand as known at the end of each day (NaN after an origin is never read for it)
    discount: np.ndarray  # (S, T) price ratio (the plan: known ahead)
    activity: np.ndarray  # (S, T) 0/1 promotion flag (the plan)
    category: np.ndarray  # (S,) any labels
    product: np.ndarray  # (S,) any labels (the momentum's groups)


@dataclass
class Arrays:
    """A ``WeekdayData`` built from frames (``frame_forecasts``)."""

    days: pd.DatetimeIndex
    known: np.ndarray
    discount: np.ndarray
    activity: np.ndarray
    category: np.ndarray
    product: np.ndarray


@dataclass(frozen=True)
class WeekdayConfig:
    window: int = 28  # days of history the level looks at
    half_life: float = 7.0  # days: weight of a day halves every half_life days back
    shrink: float = 20.0  # pseudo-weeks of the category's weekday profile in each series' profile
    refit: int = 7  # days between refits of weekday indices, uplift and quantile bins
    promo: bool = True  # use the known discount / promotion plan
    bins: int = 10  # conformal bins by forecast size (the replay's quantiles)
    error_window: int = 28  # origins whose errors feed the quantiles (the replay's)
    fit_window: int = 56  # days of history (at most) the weekday indices and uplifts are fitted on
    category_uplift: float = 100.0  # pseudo-days of the pooled uplift in each category's (0: pooled only)
    series_uplift: float = 10.0  # pseudo-days of no own effect in each series' promotion ratio (0: off)
    stockout_weight: float = 1.0  # a day weighs (its in-stock share, ``forecasts``' in_share) ** this in the level
    momentum: float = 0.5  # exponent of the product's short / long level ratio applied to the level (0: off)
    momentum_half_lives: tuple[float, float] = (2.0, 7.0)  # days: the short and the long level
    # country (``holidays`` code) whose weekend working days (make-up workdays) count as a Monday; "": none.
    # FreshRetailNet-50K is China's (its holiday flag marks two of those days as holidays: it is not used)
    calendar: str = "CN"


@functools.cache
def known_calendar(country: str) -> str:
    """``country`` (a ``holidays`` code, upper case) when the ``holidays`` package has its calendar, else "" (the
    plain weekday): a site's country in production may be one it does not know."""
    code = (country or "").strip().upper()
    if not code:
        return ""
    import holidays

    try:
        holidays.country_holidays(code)
    except (NotImplementedError, KeyError, AttributeError):
        return ""
    return code


def weekdays(h: WeekdayData, n_days: int, calendar: str = "") -> np.ndarray:
    """(n_days,) the weekday (Mon=0) each day index from the history's first day counts as (``calendar_weekdays``)."""
    return calendar_weekdays(pd.date_range(h.days[0], periods=n_days, freq="D"), calendar)


def calendar_weekdays(dates: pd.DatetimeIndex, calendar: str = "") -> np.ndarray:
    """The weekday (Mon=0) each of ``dates`` counts as: its own, except, in ``calendar``'s country, a weekend day
    worked (a make-up working day: ``holidays``' ``weekend_workdays``), which counts as a Monday, and a public
    holiday's own day on a weekday (not the days off moved next to it, "Day off (substituted from ...)"), which
    counts as a Saturday. Public calendars are known ahead, like the promotion plan. Both rules were chosen on
    China's calendar and FreshRetailNet-50K (``boh.replenishment.simulation.forecast``)."""
    dates = pd.DatetimeIndex(dates)
    out: np.ndarray = np.asarray(dates.dayofweek, dtype=np.int64).copy()
    if calendar and len(dates):
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
class WeekdayFit:
    """Weekday indices (S, 7), uplift per category and bin (C, B), each series' promotion ratio (S,), and the
    weekday each day index counts as (``weekdays``)."""

    idx: np.ndarray
    uplift: np.ndarray
    own: np.ndarray
    wd: np.ndarray

    def factors(self, h: WeekdayData, cat: np.ndarray, days: np.ndarray, promo: bool) -> np.ndarray:
        """(S, len(days)) weekday x uplift x own promotion factor of ``days`` (past the data: its last plan)."""
        inside = np.minimum(days, h.known.shape[1] - 1)
        fac: np.ndarray = self.idx[:, self.wd[days]]
        if promo:
            act = h.activity[:, inside]
            fac = fac * self.uplift[cat[:, None], discount_bin(h.discount[:, inside], act)]
            fac = fac * np.where(act > 0.5, self.own[:, None], 1.0)
        return fac


def discount_bin(disc: np.ndarray, act: np.ndarray) -> np.ndarray:
    b = np.clip(np.searchsorted(DISCOUNT_EDGES, disc, side="right") - 1, 0, len(DISCOUNT_EDGES) - 2)
    return b * 2 + (act > 0.5).astype(np.int64)


def uplift_ratios(y: np.ndarray, base: np.ndarray, b: np.ndarray, cat: np.ndarray, n_cat: int, k: float) -> np.ndarray:
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


def fit(h: WeekdayData, r: int, cfg: WeekdayConfig, cat: np.ndarray, wd: np.ndarray | None = None) -> WeekdayFit:
    """Weekday indices, uplifts and own promotion ratios from days (r - fit_window, r]; ``wd``: ``weekdays``
    (covering every day the fit's factors are asked for; default: the history's days)."""
    if wd is None:
        wd = weekdays(h, h.known.shape[1], cfg.calendar)
    lo = max(0, r - cfg.fit_window + 1)
    y = h.known[:, lo : r + 1]
    dow = wd[lo : r + 1]
    n_cat = int(cat.max()) + 1 if len(cat) else 1
    n_bins = (len(DISCOUNT_EDGES) - 1) * 2
    uplift = np.ones((n_cat, n_bins))
    b = discount_bin(h.discount[:, lo : r + 1], h.activity[:, lo : r + 1])
    idx = np.ones((h.known.shape[0], 7))
    for _ in range(2):
        if cfg.promo:
            base = y.mean(axis=1, keepdims=True) * idx[:, dow]
            uplift = uplift_ratios(y, base, b, cat, n_cat, cfg.category_uplift)
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
    ratio = np.ones(h.known.shape[0])
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
    return WeekdayFit(idx, uplift, ratio, wd)


def momentum(z: np.ndarray, ago: np.ndarray, group: np.ndarray, half_lives: tuple[float, float]) -> np.ndarray:
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


def forecasts(h: WeekdayData, first_origin: int, horizon: int, cfg: WeekdayConfig = WeekdayConfig(),
              in_share: np.ndarray | None = None, last_origin: int | None = None) -> np.ndarray:  # fmt: skip
    """F[o, s, k]: the mean forecast made with data through day ``o`` for day ``o + 1 + k`` (NaN before
    ``first_origin`` and after ``last_origin``, default the last day). Only ``h.known[:, : o + 1]`` and
    ``in_share[:, : o + 1]`` (each day's in-stock share, weighting it in the level; None: every day weighs the same)
    enter F[o], plus the promotion plan of the forecast days (``h.discount``, ``h.activity``: known ahead; past the
    arrays' last day, that day's)."""
    n_t = h.known.shape[1]
    n_s = h.known.shape[0]
    stop = n_t if last_origin is None else min(n_t, last_origin + 1)
    out = np.full((n_t, n_s, horizon), np.nan, dtype=np.float64)
    cat = np.unique(h.category, return_inverse=True)[1].reshape(-1)
    product = np.unique(h.product, return_inverse=True)[1].reshape(-1)
    wd = weekdays(h, n_t + horizon, cfg.calendar)
    model = WeekdayFit(np.ones((n_s, 7)), np.ones((1, (len(DISCOUNT_EDGES) - 1) * 2)), np.ones(n_s), wd)
    decay = 0.5 ** (1.0 / cfg.half_life)
    for o in range(first_origin, stop):
        if (o - first_origin) % cfg.refit == 0:
            model = fit(h, o, cfg, cat, wd)
        lo = max(0, o - cfg.window + 1)
        days = np.arange(lo, o + 1)
        y = h.known[:, lo : o + 1]
        z = y / np.maximum(model.factors(h, cat, days, cfg.promo), 1e-6)
        w = decay ** (o - days) * np.ones_like(y)
        if cfg.stockout_weight > 0 and in_share is not None:  # a day out of stock for hours says less (recovered)
            w = w * np.maximum(in_share[:, lo : o + 1], 0.05) ** cfg.stockout_weight
        level = (z * w).sum(axis=1) / w.sum(axis=1)
        if cfg.momentum > 0:
            level = level * momentum(z, o - days, product, cfg.momentum_half_lives) ** cfg.momentum
        out[o] = level[:, None] * model.factors(h, cat, np.arange(o + 1, o + 1 + horizon), cfg.promo)
    return out


def in_stock_share(frame: pd.DataFrame) -> pd.Series:
    """Each day's in-stock share for the level's weights, from a forecasting frame: 1 on a day in stock; on a
    censored day its sales over its recovered demand (``domain.stock_share``: the in-stock hours' share of the
    series' hourly profile), 0 when too censored to recover (weighted at the floor, 0.05)."""
    from boh.forecasting.domain import stock_share

    if "in_stock" not in frame.columns:
        return pd.Series(1.0, index=frame.index)
    if "demand" not in frame.columns or "y_obs" not in frame.columns:
        return frame["in_stock"].astype(bool).astype(float)
    return stock_share(frame).fillna(0.0)


def frame_forecasts(hist: pd.DataFrame, plan: pd.DataFrame, static: pd.DataFrame, origins: Sequence[pd.Timestamp],
                    horizon: int, cfg: WeekdayConfig, target: str = "y") -> pd.DataFrame:  # fmt: skip
    """The weekday model from long frames (daily periods): from each origin (re-fitted every ``cfg.refit`` origin
    days from the first origin), the next ``horizon`` days: unique_id, origin, ds, weekday.

    ``hist``: unique_id, ds, ``target`` (the demand the model learns: what the engine's model of that horizon
    learns), optionally in_stock, y_obs, demand (the level's in-stock weights: ``in_stock_share``), discount, promo;
    ``plan``: unique_id, ds, discount, promo of any days (the future's: known ahead); ``static``: unique_id,
    category, item (the momentum's product). A forecast from origin o reads ``target`` and the in-stock shares of
    days <= o only; a series' days missing from ``hist`` count as 0 at the floor weight, and a series with fewer
    than ``cfg.window`` days up to an origin (a new item or store) gets no forecast from it (NaN)."""
    ids = np.array(sorted(hist["unique_id"].unique()))
    origins = sorted(pd.Timestamp(o) for o in origins)
    if not len(ids) or not origins:
        return pd.DataFrame(columns=["unique_id", "origin", "ds", "weekday"])
    day = pd.Timedelta(days=1)
    days = pd.date_range(hist["ds"].min(), origins[-1] + horizon * day, freq="D")

    def wide(frame: pd.DataFrame, col: str, fill: float) -> np.ndarray:
        p = frame.pivot_table(index="unique_id", columns="ds", values=col, aggfunc="last", dropna=False)
        out: np.ndarray = p.reindex(index=ids, columns=days).to_numpy(dtype=float)
        return np.where(np.isnan(out), fill, out)

    past = hist[hist["ds"] <= origins[-1]]
    known = wide(past.assign(_v=past[target].astype(float)), "_v", 0.0)
    share = wide(past.assign(_v=in_stock_share(past).to_numpy(dtype=float)), "_v", 0.0)
    cols = [c for c in ("discount", "promo") if c in hist.columns or c in plan.columns]
    both = pd.concat([plan[plan["unique_id"].isin(ids)].reindex(columns=["unique_id", "ds", *cols]),
                      hist.reindex(columns=["unique_id", "ds", *cols])], ignore_index=True)  # fmt: skip
    both = both.drop_duplicates(["unique_id", "ds"], keep="first")  # the plan first (it is what is known ahead)
    discount = wide(both, "discount", 1.0) if "discount" in cols else np.ones_like(known)
    activity = wide(both, "promo", 0.0) if "promo" in cols else np.zeros_like(known)
    st = static.drop_duplicates("unique_id").set_index("unique_id").reindex(ids)

    def labels(col: str) -> np.ndarray:
        if col not in st.columns:
            return np.zeros(len(ids), dtype=np.int64)
        return np.asarray(pd.factorize(st[col].astype(str))[0], dtype=np.int64)

    data = Arrays(days, known, discount, activity, labels("category"), labels("item"))
    idx = [days.get_loc(o) for o in origins]
    F = forecasts(data, idx[0], horizon, cfg, in_share=share, last_origin=idx[-1])
    n = len(ids)
    first = hist.groupby("unique_id")["ds"].min().reindex(ids).to_numpy()
    parts = []
    for o, i in zip(origins, idx, strict=True):
        young = first > (o - (cfg.window - 1) * day).to_datetime64()
        f = np.where(young[:, None], np.nan, F[i])
        parts.append(pd.DataFrame({"unique_id": np.repeat(ids, horizon), "origin": o,
                                   "ds": np.tile(days[i + 1 : i + 1 + horizon].to_numpy(), n),
                                   "weekday": f.reshape(-1)}))  # fmt: skip
    return pd.concat(parts, ignore_index=True)
