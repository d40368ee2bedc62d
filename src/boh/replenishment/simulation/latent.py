"""Latent (true) demand of the FreshRetailNet-style hourly data: the demand every simulated policy faces.

The forecasting domain's rule (``boh.forecasting.api.recover_hourly`` and ``hourly_profiles``), applied
per series of the (series, days, 24) arrays; what is added here is the imputation. A day's latent demand
is its in-stock sales divided by the share of the
series' hourly profile that fell in its in-stock hours (the profile comes from in-stock hours only, shrunk
towards the pooled profile of all series when a series has few of them); sales in stocked-out hours are kept
when larger. A day in stock for less than ``MIN_SHARE`` of its profile is too censored to scale and is
imputed: the median of the series' recovered days on the same weekday (else of all its days), and never
below what that day sold.

Arrays are (series, days, 24) in the data's order; the series' hourly demand profile is returned too (the
replay uses it to place a stockout within the day and count stockout hours)."""

from __future__ import annotations

import numpy as np

from boh.forecasting.api import MIN_SHARE, hourly_profiles, recover_hourly

OPEN_HOURS = slice(6, 22)  # operating hours 06:00-21:59 (night hours say little: few sales)
__all__ = ["MIN_SHARE", "OPEN_HOURS", "impute", "impute_causal", "known", "profiles", "recover"]


def _flat(sales: np.ndarray, out: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    n_series, n_days = sales.shape[:2]
    ids = np.repeat(np.arange(n_series), n_days)
    return ids, sales.reshape(-1, 24), out.reshape(-1, 24)


def profiles(sales: np.ndarray, out: np.ndarray) -> np.ndarray:
    """(series, 24) hourly demand profile (sums to 1) from in-stock hours, shrunk to the pooled profile."""
    sales = np.asarray(sales, dtype=np.float64)
    prof, _ = hourly_profiles(*_flat(sales, np.asarray(out, dtype=bool)))
    result: np.ndarray = prof
    return result


def recover(sales: np.ndarray, out: np.ndarray, weekday0: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Latent daily demand (series, days), the in-stock share of each day's profile, and the profiles.

    ``sales``: (series, days, 24) hourly sales; ``out``: same shape, True where the hour was out of stock;
    ``weekday0``: weekday (Mon=0) of day 0, for the imputation of too-censored days."""
    sales = np.asarray(sales, dtype=np.float64)
    out = np.asarray(out, dtype=bool)
    shape = sales.shape[:2]
    ids, flat_sales, flat_out = _flat(sales, out)
    rec, share = recover_hourly(ids, flat_sales, flat_out)
    prof, _ = hourly_profiles(ids, flat_sales, flat_out)
    observed = sales.sum(axis=2)
    return np.maximum(impute(rec.reshape(shape), weekday0), observed), share.reshape(shape), prof


def known(demand: np.ndarray, share: np.ndarray, observed: np.ndarray, weekday0: int = 0) -> np.ndarray:
    """The latent demand as a forecaster knows it at the end of each day, from ``recover``'s demand and share:
    too-censored days (share < ``MIN_SHARE``) filled from the days before them only (``impute_causal``), never
    below what sold.
    ``recover``'s demand fills them from the whole history (the truth every policy faces); the forecaster and
    its error quantiles must not learn from it on those days, which would carry later days' demand."""
    recovered = np.where(share >= MIN_SHARE, demand, np.nan)
    result: np.ndarray = np.maximum(impute_causal(recovered, weekday0), observed)
    return result


def impute_causal(rec: np.ndarray, weekday0: int = 0) -> np.ndarray:
    """Fill NaN days from earlier days only: the series' median of its earlier days on the same weekday, else
    of all its earlier days, else 0."""
    out = rec.copy()
    n_days = rec.shape[1]
    dow = (np.arange(n_days) + weekday0) % 7
    import warnings

    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", category=RuntimeWarning)
        for t in range(n_days):
            rows = np.isnan(rec[:, t])
            if not rows.any():
                continue
            if t == 0:
                out[rows, t] = 0.0
                continue
            past = rec[rows, :t]
            med = (
                np.nanmedian(past[:, dow[:t] == dow[t]], axis=1)
                if (dow[:t] == dow[t]).any()
                else np.full(int(rows.sum()), np.nan)
            )
            med = np.where(np.isnan(med), np.nanmedian(past, axis=1), med)
            out[rows, t] = np.where(np.isnan(med), 0.0, med)
    return out


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
