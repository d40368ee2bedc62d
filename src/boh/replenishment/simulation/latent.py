"""Latent (true) demand of the FreshRetailNet-style hourly data: the demand every simulated policy faces.

Same rule as the forecasting domain's ``domain.recover_hourly`` (not reachable from here: the import
contracts allow ``boh.forecasting.api`` only, and it does not export it; ``tests/replenishment/simulation``
holds the two equal on real data). A day's latent demand is its in-stock sales divided by the share of the
series' hourly profile that fell in its in-stock hours (the profile comes from in-stock hours only, shrunk
towards the pooled profile of all series when a series has few of them); sales in stocked-out hours are kept
when larger. A day in stock for less than ``MIN_SHARE`` of its profile is too censored to scale and is
imputed: the median of the series' recovered days on the same weekday (else of all its days), and never
below what that day sold.

Arrays are (series, days, 24) in the data's order; the series' hourly demand profile is returned too (the
replay uses it to place a stockout within the day and count stockout hours)."""

from __future__ import annotations

import numpy as np

MIN_SHARE = 0.25  # below this share of a day's demand profile in stock, the day is imputed, not scaled
SHRINK = 5.0  # pseudo-days of the pooled profile mixed into each series' hourly profile
OPEN_HOURS = slice(6, 22)  # operating hours 06:00-21:59 (night hours say little: few sales)


def profiles(sales: np.ndarray, out: np.ndarray) -> np.ndarray:
    """(series, 24) hourly demand profile (sums to 1) from in-stock hours, shrunk to the pooled profile."""
    inst = ~out
    s_in = np.where(inst, sales, 0.0).sum(axis=1, dtype=np.float64)
    c_in = inst.sum(axis=1, dtype=np.float64)
    pooled = s_in.sum(axis=0) / np.maximum(c_in.sum(axis=0), 1.0)
    pooled = pooled / max(float(pooled.sum()), 1e-12)
    rate = s_in / np.maximum(c_in, 1.0)
    level = rate.sum(axis=1, keepdims=True)
    prof = (s_in + SHRINK * pooled * level) / (c_in + SHRINK)
    total = prof.sum(axis=1, keepdims=True)
    out_prof: np.ndarray = np.where(total > 0, prof / np.where(total > 0, total, 1.0), pooled)
    return out_prof


def recover(sales: np.ndarray, out: np.ndarray, weekday0: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Latent daily demand (series, days), the in-stock share of each day's profile, and the profiles.

    ``sales``: (series, days, 24) hourly sales; ``out``: same shape, True where the hour was out of stock;
    ``weekday0``: weekday (Mon=0) of day 0, for the imputation of too-censored days."""
    sales = np.asarray(sales, dtype=np.float64)
    out = np.asarray(out, dtype=bool)
    prof = profiles(sales, out)
    inst = ~out
    share = (prof[:, None, :] * inst).sum(axis=2)
    observed = sales.sum(axis=2)
    in_sales = np.where(inst, sales, 0.0).sum(axis=2)
    scaled = in_sales / np.maximum(share, 1e-9)
    rec = np.where(share >= MIN_SHARE, np.maximum(observed, scaled), np.nan)
    rec = np.where(share >= 0.999, observed, rec)
    return np.maximum(impute(rec, weekday0), observed), share, prof


def impute(rec: np.ndarray, weekday0: int = 0) -> np.ndarray:
    """Fill NaN days: the series' median of the same weekday, else its median, else 0."""
    out = rec.copy()
    n_days = rec.shape[1]
    dow = (np.arange(n_days) + weekday0) % 7
    with np.errstate(all="ignore"):
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", category=RuntimeWarning)
            overall = np.nanmedian(rec, axis=1)
            for d in range(7):
                cols = dow == d
                med = np.nanmedian(rec[:, cols], axis=1)
                med = np.where(np.isnan(med), overall, med)
                med = np.where(np.isnan(med), 0.0, med)
                block = out[:, cols]
                out[:, cols] = np.where(np.isnan(block), med[:, None], block)
    return out
