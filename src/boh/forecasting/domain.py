"""Pure rules of forecasting (no I/O): censored demand and its recovery, series classification helpers and
the accuracy metrics. Arrays in, arrays out (floats: model-side code; the service converts at the boundary).

Latent demand. A period with a stockout is censored: its sales understate demand. With hourly sales and
hourly stock flags, a day's latent demand is its in-stock sales divided by the share of the series' hourly
profile that fell in its in-stock hours (the profile comes from in-stock hours only, shrunk towards the
profile of all series when a series has few of them); sales in out-of-stock hours are kept when larger. A
day in stock for less than ``MIN_SHARE`` of its demand profile is too censored to recover and is imputed
(``impute``: by default from the same weekday's days of the series in the ``FILL_WEEKS`` weeks before it).
With daily data and a stockout fraction, the same rule uses a flat profile; with only a stockout flag the day
is imputed.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np
import pandas as pd

MIN_SHARE = 0.25  # below this share of a day's demand profile in stock, the day is imputed, not scaled
SHRINK = 5.0  # pseudo-days of the pooled profile mixed into each series' hourly profile
OPERATING = slice(6, 22)  # hours 06:00-21:59: stock in the night hours says little (few sales)


def hourly_profiles(ids: np.ndarray, sales: np.ndarray, out: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each series' hourly demand profile (sums to 1) from its in-stock hours, shrunk towards the pooled profile
    of all series when it has few of them: (profiles in the order of ``np.unique(ids)``, series index per day).

    ``ids``: series id per day; ``sales``: (days, 24) hourly sales; ``out``: (days, 24) bool, out of stock."""
    sales = np.asarray(sales, dtype=float)
    inst = ~np.asarray(out, dtype=bool)
    codes, g = np.unique(ids, return_inverse=True)
    n = len(codes)
    s_in = np.zeros((n, 24))
    c_in = np.zeros((n, 24))
    np.add.at(s_in, g, np.where(inst, sales, 0.0))
    np.add.at(c_in, g, inst.astype(float))
    pooled = s_in.sum(axis=0) / np.maximum(c_in.sum(axis=0), 1.0)
    pooled = pooled / max(pooled.sum(), 1e-12)
    rate = s_in / np.maximum(c_in, 1.0)  # mean sales per in-stock hour
    level = rate.sum(axis=1, keepdims=True)
    prof = (s_in + SHRINK * pooled * level) / (c_in + SHRINK)
    total = prof.sum(axis=1, keepdims=True)
    return np.where(total > 0, prof / np.where(total > 0, total, 1.0), pooled), g


def recover_hourly(ids: np.ndarray, sales: np.ndarray, out: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Latent daily demand and the in-stock share of each day's profile.

    ``ids``: series index per day (ints); ``sales``: (days, 24) hourly sales; ``out``: (days, 24) bool, out
    of stock. Returns (recovered, share); recovered is NaN where the day is too censored (share < MIN_SHARE)."""
    sales = np.asarray(sales, dtype=float)
    inst = ~np.asarray(out, dtype=bool)
    prof, g = hourly_profiles(ids, sales, out)
    share = (prof[g] * inst).sum(axis=1)
    observed = sales.sum(axis=1)
    in_sales = np.where(inst, sales, 0.0).sum(axis=1)
    scaled = in_sales / np.maximum(share, 1e-9)
    recovered = np.where(share >= MIN_SHARE, np.maximum(observed, scaled), np.nan)
    recovered = np.where(share >= 0.999, observed, recovered)
    return recovered, share


def recover_daily(sales: np.ndarray, stockout_fraction: np.ndarray) -> np.ndarray:
    """Latent demand from daily sales and the fraction of the day out of stock (flat profile)."""
    sales = np.asarray(sales, dtype=float)
    frac = np.clip(np.nan_to_num(np.asarray(stockout_fraction, dtype=float)), 0.0, 1.0)
    share = 1.0 - frac
    return np.where(share >= 0.999, sales, np.where(share >= MIN_SHARE, sales / np.maximum(share, 1e-9), np.nan))


FILLS = ("series", "recent", "local")
DEFAULT_FILL = "recent"  # chosen on the validation split (docs/forecasting.md, "Fourth round")
FILL_WEEKS = 8  # the window of the ``recent`` and ``local`` fills, in weeks
_CHUNK = 500  # series per block of the window fills (memory: block x days x 7 x weeks floats, ~80 MB a year at 8 weeks)


def _series_fill(frame: pd.DataFrame, col: str, causal: bool) -> pd.Series:
    """The series' median of the same weekday, else its median (NaN where neither exists)."""
    dow = frame["ds"].dt.dayofweek
    if not causal:
        by_dow = frame.groupby([frame["unique_id"], dow])[col].transform("median")
        by_series = frame.groupby("unique_id")[col].transform("median")
        return frame[col].fillna(by_dow).fillna(by_series)
    f = pd.DataFrame({"unique_id": frame["unique_id"].to_numpy(), "ds": frame["ds"].to_numpy(),
                      "dow": dow.to_numpy(), "v": frame[col].to_numpy(dtype=float)})  # fmt: skip
    f = f.sort_values(["unique_id", "ds"], kind="stable")
    # a censored row is NaN, so the expanding median up to and including it is the median of the rows before it
    by_dow = f.groupby(["unique_id", "dow"], sort=False)["v"].expanding().median().droplevel([0, 1])
    by_series = f.groupby("unique_id", sort=False)["v"].expanding().median().droplevel(0)
    filled = f["v"].fillna(by_dow.reindex(f.index)).fillna(by_series.reindex(f.index))
    return pd.Series(filled.sort_index().to_numpy(), index=frame.index, name=col)


def _nanmedian(stack: np.ndarray) -> np.ndarray:
    with warnings.catch_warnings():  # all-NaN slices: NaN, the next fallback fills them
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.asarray(np.nanmedian(stack, axis=0), dtype=float)


def _window_fill(frame: pd.DataFrame, col: str, fill: str, weeks: int, causal: bool) -> np.ndarray:
    """The ``recent`` / ``local`` fill value of every row (NaN where the window has no observed day).

    ``recent``: median of the same weekday's observed days in the ``weeks`` weeks before the day, else of every
    observed day in them. ``local``: mean of the nearest observed same-weekday day before and the nearest after
    (within ``weeks`` weeks; ``causal``: before only), else the median of every observed day within ``weeks``
    weeks on both sides (``causal``: before). Only rows of ``frame`` are used: never a day outside the window."""
    codes, si = np.unique(frame["unique_id"].to_numpy(), return_inverse=True)
    day = (frame["ds"] - frame["ds"].min()).dt.days.to_numpy()
    n_days = int(day.max()) + 1 if len(day) else 0
    values = frame[col].to_numpy(dtype=float)
    out = np.full(len(frame), np.nan)
    span = 7 * weeks
    for lo in range(0, len(codes), _CHUNK):
        rows = (si >= lo) & (si < lo + _CHUNK)
        mat = np.full((min(_CHUNK, len(codes) - lo), n_days), np.nan)
        mat[si[rows] - lo, day[rows]] = values[rows]

        def lag(s: int, mat: np.ndarray = mat) -> np.ndarray:  # out[:, t] = mat[:, t - s]
            r = np.full_like(mat, np.nan)
            if s > 0:
                r[:, s:] = mat[:, :-s]
            elif s < 0:
                r[:, :s] = mat[:, -s:]
            return r

        if fill == "recent":
            same = _nanmedian(np.stack([lag(7 * k) for k in range(1, weeks + 1)]))
            near = _nanmedian(np.stack([lag(s) for s in range(1, span + 1)]))
        else:
            sides = [range(1, weeks + 1)] if causal else [range(1, weeks + 1), range(-1, -weeks - 1, -1)]
            nearest = []
            for side in sides:
                first = np.full_like(mat, np.nan)
                for k in side:  # the nearest observed same weekday on this side
                    first = np.where(np.isnan(first), lag(7 * k), first)
                nearest.append(first)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)
                same = np.nanmean(np.stack(nearest), axis=0)
            shifts = range(1, span + 1) if causal else [s for s in range(-span, span + 1) if s]
            near = _nanmedian(np.stack([lag(s) for s in shifts]))
        value = np.where(np.isnan(same), near, same)
        out[rows] = value[si[rows] - lo, day[rows]]
    return out


def impute(
    frame: pd.DataFrame, col: str = "y", causal: bool = False, fill: str = "series", weeks: int = FILL_WEEKS
) -> pd.Series:
    """Fill censored (NaN) periods from the observed periods of the same series in ``frame`` (never from
    outside it), else 0. ``fill``:

    - ``series``: the series' median of the same weekday, else its median (over the whole frame);
    - ``recent``: the same weekday's median over the ``weeks`` weeks before the day, else the median of every day
      in them (a level that follows a trend), else as ``series``;
    - ``local``: the mean of the nearest observed same weekday before and after the day (within ``weeks``
      weeks), else the median of the days within ``weeks`` weeks on both sides, else as ``series``.

    ``causal``: each period is filled only from the periods before it (``series``: expanding medians;
    ``local``: the side before only), as a forecast made at any origin would have seen it. A forecast run uses
    all of the history it is given (all of it is past); a backtest that holds out the end of a history must not
    fill the days before its origins with values that include the days it scores."""
    if fill not in FILLS:
        raise ValueError(f"unknown fill {fill!r}: one of {', '.join(FILLS)}")
    base = _series_fill(frame, col, causal)
    if fill == "series":
        return base.fillna(0.0)
    own = pd.Series(_window_fill(frame, col, fill, weeks, causal), index=frame.index)
    return frame[col].fillna(own).fillna(base).fillna(0.0).rename(col)


RECOVERY = ("profile", "impute", "blend", "none")
DEFAULT_RECOVERY = "impute"  # what a run learns from (see docs/forecasting.md, "Censored demand")
# what a run's 2-day model learns from (``engine.SHORT_TARGET``): recovered demand, chosen for it on the validation
# split (``bench/forecast.py --short-recovery``; docs/forecasting.md, "The 2-day model's target")
SHORT_RECOVERY = "profile"
# ``impute``: a censored day whose in-stock share of its demand profile is at least this learns from its recovered
# demand instead of being imputed (1.0: every censored day is imputed, as before the sixth round)
CENSOR_SHARE = 1.0


def stock_share(frame: pd.DataFrame) -> pd.Series:
    """The share of each day's demand profile that was in stock: 1 on an uncensored day; on a censored day its
    sales over its recovered demand (the in-stock hours' share of the series' hourly profile when the
    out-of-stock hours sold nothing, as they mostly do; more when they sold), NaN when too censored to recover."""
    inst = frame["in_stock"].astype(bool)
    d = frame["demand"].astype(float)
    ratio = (frame["y_obs"].astype(float) / d.where(d > 0)).clip(upper=1.0)
    return ratio.where(~inst, 1.0).where(inst | d.notna())


def latent(
    frame: pd.DataFrame, how: str = "profile", causal: bool = False, fill: str = "series", weeks: int = FILL_WEEKS,
    censor_share: float = CENSOR_SHARE,
) -> pd.Series:  # fmt: skip
    """The demand series a model learns from: ``profile`` (recovered from in-stock hours, too-censored days
    imputed), ``impute`` (censored days excluded and imputed from the series' in-stock days; with
    ``censor_share`` below 1, a censored day that kept at least that share of its demand profile in stock, e.g. a
    stockout from 20:00, keeps its recovered demand instead), ``blend`` (the mean of the two), ``none`` (raw
    sales). ``causal``, ``fill``, ``weeks``: how censored days are imputed (see ``impute``); only the rows of
    ``frame`` are used."""
    if how == "none":
        return frame["y_obs"].astype(float)
    rec = impute(frame.assign(y=frame["demand"]), causal=causal, fill=fill, weeks=weeks)
    if how == "profile":
        return rec
    obs = frame["y_obs"].where(frame["in_stock"].astype(bool))
    if censor_share < 1.0:
        mild = ~frame["in_stock"].astype(bool) & (stock_share(frame) >= censor_share)
        obs = obs.where(~mild, frame["demand"].astype(float))
    inst = impute(frame.assign(y=obs), causal=causal, fill=fill, weeks=weeks)
    inst = np.maximum(inst, frame["y_obs"].astype(float))  # never below what was sold
    return inst if how == "impute" else (rec + inst) / 2


# --- accuracy ---------------------------------------------------------------------------------------------


def wape(actual: np.ndarray, forecast: np.ndarray) -> float:
    a, f = np.asarray(actual, float), np.asarray(forecast, float)
    den = np.abs(a).sum()
    return float(np.abs(a - f).sum() / den) if den > 0 else float("nan")


def bias(actual: np.ndarray, forecast: np.ndarray) -> float:
    """Relative bias, (sum forecast - sum actual) / sum actual: negative = under-forecast."""
    a, f = np.asarray(actual, float), np.asarray(forecast, float)
    den = a.sum()
    return float((f.sum() - den) / den) if den > 0 else float("nan")


def pinball(actual: np.ndarray, quantile: np.ndarray, q: float) -> float:
    """Mean pinball (quantile) loss, scaled by the mean actual."""
    a, f = np.asarray(actual, float), np.asarray(quantile, float)
    d = a - f
    loss = np.maximum(q * d, (q - 1) * d).mean()
    m = np.abs(a).mean()
    return float(loss / m) if m > 0 else float("nan")


def coverage(actual: np.ndarray, upper: np.ndarray) -> float:
    """Share of actuals at or below the quantile (a one-sided q-quantile covers q of them)."""
    a = np.asarray(actual, float)
    return float((a <= np.asarray(upper, float) + 1e-9).mean()) if len(a) else float("nan")


def mase(actual: np.ndarray, forecast: np.ndarray, series: np.ndarray, scale: dict[str, float] | pd.Series) -> float:
    """Mean absolute scaled error: each series' MAE over its in-sample seasonal-naive MAE, averaged."""
    df = pd.DataFrame({"s": series, "e": np.abs(np.asarray(actual, float) - np.asarray(forecast, float))})
    per = df.groupby("s")["e"].mean()
    sc = pd.Series(scale).reindex(per.index)
    ok = sc > 0
    return float((per[ok] / sc[ok]).mean()) if ok.any() else float("nan")


def naive_scale(frame: pd.DataFrame, season: int, col: str = "y") -> pd.Series:
    """In-sample MAE of the seasonal naive forecast per series (the MASE denominator)."""
    f = frame.sort_values(["unique_id", "ds"])
    diff = (f[col] - f.groupby("unique_id")[col].shift(season)).abs()
    return diff.groupby(f["unique_id"]).mean()


def quantile_label(q: int) -> str:
    return f"q{q}"


def labels(qs: Sequence[int]) -> list[str]:
    return [quantile_label(q) for q in qs]


# --- granularity: what a series' quantities are counted in ---------------------------------------------------

UNIT_STEPS = (1.0, 0.5, 0.25, 0.2, 0.1, 0.05, 0.02, 0.01, 0.001)  # candidate units, coarsest first
UNIT_SHARE = 0.9  # a unit fits when at least this share of the positive values are whole multiples of it
CHAIN_SHARE = 0.2  # the chain's count unit: the coarsest unit of at least this share of its series (their own)


def on_unit(values: np.ndarray, unit: float) -> np.ndarray:
    """Whether each value is a whole multiple of ``unit`` (to a millionth of it: floats from decimal sums)."""
    v = np.asarray(values, dtype=float) / unit
    out: np.ndarray = np.abs(v - np.round(v)) < 1e-6 * np.maximum(1.0, np.abs(v))
    return out


def count_unit(values: np.ndarray, steps: Sequence[float] = UNIT_STEPS, share: float = UNIT_SHARE) -> float:
    """The unit the positive ``values`` are counted in: the coarsest of ``steps`` of which at least ``share`` of
    them are whole multiples (integer counts: 1; weights to the gram in kilograms: 0.001), 0.0 when none fits (or
    there is no positive value). Robust to a few odd values (a correction, a part unit)."""
    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v) & (v > 0)]
    if not len(v):
        return 0.0
    for step in steps:
        if on_unit(v, step).mean() >= share:
            return float(step)
    return 0.0


def chain_unit(frame: pd.DataFrame, col: str = "y_obs", share: float = CHAIN_SHARE) -> float:
    """The count unit of a chain's series (``frame``: unique_id and ``col``): each series' own unit
    (``count_unit``), and of these the coarsest that at least ``share`` of the series with a sale have (a chain
    of integer counts with many weighed items: 1, though most of its series may be weighed); 0.0 when none."""
    v = frame[col].to_numpy(dtype=float)
    pos = np.isfinite(v) & (v > 0)
    ids = frame["unique_id"].to_numpy()[pos]
    if not pos.any():
        return 0.0
    # each series' own unit (``count_unit``, vectorised): the coarsest step that fits its positive values
    codes, _ = pd.factorize(ids)
    n = np.bincount(codes).astype(float)
    units = np.zeros(len(n))
    for step in reversed(UNIT_STEPS):  # finest first: a coarser step that fits overwrites
        units[np.bincount(codes, weights=on_unit(v[pos], step), minlength=len(n)) / n >= UNIT_SHARE] = step
    for step in UNIT_STEPS:
        if (units >= step - 1e-12).mean() >= share:
            return float(step)
    return 0.0


def granularity(frame: pd.DataFrame, col: str = "y_obs", unit: float | None = None) -> pd.DataFrame:
    """Per ``unique_id`` of ``frame`` (its history: only the periods given, so only days up to an origin when
    cut there): ``unit_share``, the share of its positive ``col`` values that are whole multiples of ``unit``
    (by default the chain's count unit, ``chain_unit``), and
    ``fine``, 1.0 when some positive value is off that unit (a weighed item, or odd corrections), else 0.0
    (series without a positive value: share 1, not fine). With ``unit`` 0 (nothing fits) every series is fine.
    The engine's features and fine-series options use it (docs/forecasting.md, "Eighth round (b)")."""
    v = frame[col].to_numpy(dtype=float)
    pos = np.isfinite(v) & (v > 0)
    unit = chain_unit(frame, col) if unit is None else unit
    ids = frame["unique_id"].to_numpy()
    hit = on_unit(v, unit) if unit > 0 else np.zeros(len(v), dtype=bool)
    g = pd.DataFrame({"unique_id": ids[pos], "hit": hit[pos].astype(float)}).groupby("unique_id", sort=True)["hit"]
    share = g.mean().reindex(pd.Index(pd.unique(ids), name="unique_id")).fillna(1.0)
    out = share.rename("unit_share").reset_index()
    out["fine"] = (out["unit_share"] < 1.0).astype(float)
    return out
