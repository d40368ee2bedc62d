"""Pure rules of forecasting (no I/O): censored demand and its recovery, series classification helpers and
the accuracy metrics. Arrays in, arrays out (floats: model-side code; the service converts at the boundary).

Latent demand. A period with a stockout is censored: its sales understate demand. With hourly sales and
hourly stock flags, a day's latent demand is its in-stock sales divided by the share of the series' hourly
profile that fell in its in-stock hours (the profile comes from in-stock hours only, shrunk towards the
profile of all series when a series has few of them); sales in out-of-stock hours are kept when larger. A
day in stock for less than ``MIN_SHARE`` of its demand profile is too censored to recover and is imputed
(same weekday's recovered in-stock days of the series). With daily data and a stockout fraction, the same
rule uses a flat profile; with only a stockout flag the day is imputed.
"""

from __future__ import annotations

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


def impute(frame: pd.DataFrame, col: str = "y", causal: bool = False) -> pd.Series:
    """Fill censored (NaN) periods: the series' median of the same weekday, else its median, else 0.

    ``causal``: each period is filled only from the periods before it (expanding medians, rows in date order
    within each series), as a forecast made at any origin would have seen it. A forecast run uses all of the
    history it is given (all of it is past); a backtest that holds out the end of a history must not fill the
    days before its origins with medians that include the days it scores."""
    dow = frame["ds"].dt.dayofweek
    if not causal:
        by_dow = frame.groupby([frame["unique_id"], dow])[col].transform("median")
        by_series = frame.groupby("unique_id")[col].transform("median")
        return frame[col].fillna(by_dow).fillna(by_series).fillna(0.0)
    f = pd.DataFrame({"unique_id": frame["unique_id"].to_numpy(), "ds": frame["ds"].to_numpy(),
                      "dow": dow.to_numpy(), "v": frame[col].to_numpy(dtype=float)})  # fmt: skip
    f = f.sort_values(["unique_id", "ds"], kind="stable")
    # a censored row is NaN, so the expanding median up to and including it is the median of the rows before it
    by_dow = f.groupby(["unique_id", "dow"], sort=False)["v"].expanding().median().droplevel([0, 1])
    by_series = f.groupby("unique_id", sort=False)["v"].expanding().median().droplevel(0)
    filled = f["v"].fillna(by_dow.reindex(f.index)).fillna(by_series.reindex(f.index)).fillna(0.0)
    return pd.Series(filled.sort_index().to_numpy(), index=frame.index, name=col)


RECOVERY = ("profile", "impute", "blend", "none")


def latent(frame: pd.DataFrame, how: str = "profile", causal: bool = False) -> pd.Series:
    """The demand series a model learns from: ``profile`` (recovered from in-stock hours, too-censored days
    imputed), ``impute`` (censored days excluded and imputed from the series' in-stock days), ``blend`` (the
    mean of the two), ``none`` (raw sales). ``causal``: censored days imputed from earlier days only (see
    ``impute``)."""
    if how == "none":
        return frame["y_obs"].astype(float)
    rec = impute(frame.assign(y=frame["demand"]), causal=causal)
    if how == "profile":
        return rec
    inst = impute(frame.assign(y=frame["y_obs"].where(frame["in_stock"].astype(bool))), causal=causal)
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
