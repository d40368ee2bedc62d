"""Sales history of any chain, from a CSV or Parquet file with a column mapping, into daily latent-demand rows.

``read_history(filename, data, mapping)`` reads the file and renames its columns to BOH's: ``site`` and
``item`` (codes), ``date`` (a day) or ``timestamp`` (an hour), ``quantity``, optional ``stockout`` (hourly: 0/1;
daily: out-of-stock hours 0-24 or a 0-1 fraction, with ``stockout_unit``), ``price``, ``discount`` (price
ratio), ``promo`` (0/1). Every bad row is reported (row number as in the file, header = row 1), and nothing
is returned when there is one: the import is all-or-nothing like BOH's other imports. ``to_daily`` turns the
rows into one row per (site, item, day) with the latent demand (``domain.recover_*``), ready to store and to
forecast. Pure: no database (the service stores what it returns).
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from boh.forecasting import domain
from boh.kernel import tabular
from boh.kernel.errors import FieldError, ValidationFailed

FIELDS = ("site", "item", "date", "timestamp", "quantity", "stockout", "price", "discount", "promo")
NO_CODE = ("", "nan", "None")  # a blank cell read as text
MAX_ERRORS = 1000  # listed errors (the count says how many more)


@dataclass(frozen=True)
class Mapping_:
    """BOH field -> the file's column name; ``stockout_unit``: 'hours' (0-24 a day) or 'fraction' (0-1)."""

    columns: Mapping[str, str]
    stockout_unit: str = "hours"


def _frame(filename: str, data: bytes | pd.DataFrame) -> pd.DataFrame:
    """The file as a frame with its rows' numbers as the user sees them (``_row``; header = row 1). CSV and
    XLSX go through ``boh.kernel.tabular`` (its limits, formula-safe cells; header names lower-cased) like
    every other import; Parquet is read by pyarrow."""
    if isinstance(data, pd.DataFrame):
        return data.assign(_row=np.arange(2, len(data) + 2))
    if filename.lower().endswith((".parquet", ".pq")) or data[:4] == b"PAR1":
        try:
            frame = pd.read_parquet(io.BytesIO(data))
        except Exception as exc:  # the reader's own message says what is wrong with the file
            raise ValidationFailed([FieldError(("file",), f"not a readable Parquet file: {exc}")]) from exc
        return frame.assign(_row=np.arange(2, len(frame) + 2))
    header, rows = tabular.read_table(filename, data)
    frame = pd.DataFrame([r.values for r in rows], columns=[h for h in header if h])
    return frame.assign(_row=[r.number for r in rows])


def read_history(filename: str, data: bytes | pd.DataFrame, mapping: Mapping_) -> pd.DataFrame:
    """The file's rows under BOH's names and types, or ValidationFailed listing every bad row and column."""
    out, errors = parse_history(filename, data, mapping)
    if errors:
        raise ValidationFailed(errors[:MAX_ERRORS] + _more(len(errors)))
    return out


def parse_history(
    filename: str, data: bytes | pd.DataFrame, mapping: Mapping_
) -> tuple[pd.DataFrame, list[FieldError]]:
    """The file's rows under BOH's names and types, with the errors of every bad row (sorted by row) for the
    caller to add its own checks to (unknown codes) before reporting them all at once. A mapping that does not
    fit the file is a ValidationFailed at once (there are no rows to check)."""
    raw = _frame(filename, data)
    lower = not isinstance(data, pd.DataFrame) and not (filename.lower().endswith((".parquet", ".pq"))
                                                        or data[:4] == b"PAR1")  # fmt: skip
    cols = {k: (v.strip().lower() if lower else v) for k, v in mapping.columns.items()}
    mapping = Mapping_(cols, mapping.stockout_unit)
    errors = [FieldError(("mapping", k), f"unknown field '{k}'", "unknown_field") for k in cols if k not in FIELDS]
    errors += [FieldError(("mapping", k), f"column '{v}' is not in the file", "missing_column", row=1, column=v)
               for k, v in cols.items() if v not in raw.columns]  # fmt: skip
    need = [f for f in ("site", "item", "quantity") if f not in cols]
    if "date" not in cols and "timestamp" not in cols:
        need.append("date")
    errors += [FieldError(("mapping", f), f"field '{f}' needs a column", "missing_field") for f in need]
    if mapping.stockout_unit not in ("hours", "fraction"):
        errors.append(FieldError(("mapping", "stockout_unit"), "must be 'hours' or 'fraction'", "invalid"))
    if errors:
        raise ValidationFailed(errors)
    df = pd.DataFrame({k: raw[v] for k, v in cols.items()}).assign(_row=raw["_row"].to_numpy())
    return _convert(df, mapping)


def report(errors: list[FieldError]) -> ValidationFailed:
    """One error for the whole file: every row's errors in row order (the first MAX_ERRORS listed)."""
    errors = sorted(errors, key=lambda e: (e.row or 0, e.column or ""))
    return ValidationFailed(errors[:MAX_ERRORS] + _more(len(errors)))


def _more(n: int) -> list[FieldError]:
    if n <= MAX_ERRORS:
        return []
    return [FieldError(("file",), f"{n - MAX_ERRORS} more errors not listed", "too_many_errors")]


def _num(s: pd.Series) -> pd.Series:
    if s.dtype == object:
        s = s.astype(str).str.strip().replace("", np.nan)
    return pd.to_numeric(s, errors="coerce")


def _convert(df: pd.DataFrame, mapping: Mapping_) -> tuple[pd.DataFrame, list[FieldError]]:
    bad: list[tuple[np.ndarray, str, str]] = []
    out = pd.DataFrame(index=df.index)
    numbers = df["_row"].to_numpy()
    for key in ("site", "item"):
        out[key] = df[key].astype(str).str.strip()
        bad.append((out[key].isin(NO_CODE).to_numpy(), key, "a code is required"))
    when = "timestamp" if "timestamp" in df.columns else "date"
    ts = pd.to_datetime(df[when], errors="coerce")
    bad.append((ts.isna().to_numpy(), when, "not a date/time"))
    out["ts"] = ts
    qty = _num(df["quantity"])
    bad.append(((qty.isna() | (qty < 0)).to_numpy(), "quantity", "must be a number at or above 0"))
    out["quantity"] = qty
    if "stockout" in df.columns:
        so = _num(df["stockout"]).fillna(0.0)
        top = 1.0 if when == "timestamp" or mapping.stockout_unit == "fraction" else 24.0
        bad.append((((so < 0) | (so > top)).to_numpy(), "stockout", f"must be between 0 and {top:g}"))
        out["stockout"] = so / top
    for key, lo, hi in (("price", 0.0, None), ("discount", 0.0, 10.0), ("promo", 0.0, 1.0)):
        if key in df.columns:
            v = _num(df[key])
            wrong = v.notna() & ((v < lo) | ((v > hi) if hi is not None else False))
            bad.append(((wrong | (v.isna() & (df[key].astype(str).str.strip() != ""))).to_numpy(), key,
                        f"must be a number from {lo:g}" + (f" to {hi:g}" if hi is not None else "")))  # fmt: skip
            out[key] = v
    out["hourly"] = when == "timestamp"
    out["_row"] = numbers
    dup = out.duplicated(["site", "item", "ts"], keep="first").to_numpy()
    bad.append((dup, when, "the same site, item and date/time appear on an earlier row"))
    errors: list[FieldError] = []
    for mask, col, msg in bad:
        for i in np.flatnonzero(mask):
            row = int(numbers[i])
            errors.append(FieldError(("row", row, col), msg, "invalid", row=row, column=mapping.columns.get(col, col)))
    errors.sort(key=lambda e: (e.row or 0, e.column or ""))
    return out, errors


def to_daily(rows: pd.DataFrame) -> pd.DataFrame:
    """One row per (site, item, day): quantity (sales), stockout (share of the day out of stock), in_stock
    (uncensored), demand (latent: recovered, or NaN when too censored), price, discount, promo."""
    hourly = bool(rows["hourly"].iloc[0]) if len(rows) else False
    rows = rows.assign(day=rows["ts"].dt.normalize())
    keys = ["site", "item", "day"]
    agg: dict[str, tuple[str, str]] = {"quantity": ("quantity", "sum")}
    for k in ("price", "discount", "promo"):
        if k in rows.columns:
            agg[k] = (k, "mean") if k != "promo" else (k, "max")
    if not hourly:
        out = rows.groupby(keys, sort=True).agg(**agg).reset_index()  # type: ignore[call-overload]
        frac = rows.groupby(keys, sort=True)["stockout"].max().to_numpy() if "stockout" in rows else 0.0
        out["stockout"] = frac
        out["demand"] = domain.recover_daily(out["quantity"].to_numpy(), np.broadcast_to(frac, len(out)))
        out["in_stock"] = out["stockout"] <= 0
        return out
    rows = rows.assign(hour=rows["ts"].dt.hour)
    if "stockout" not in rows.columns:
        rows = rows.assign(stockout=0.0)
    out = rows.groupby(keys, sort=True).agg(**agg).reset_index()  # type: ignore[call-overload]
    sales = rows.pivot_table(index=keys, columns="hour", values="quantity", aggfunc="sum", fill_value=0.0)
    stock = rows.pivot_table(index=keys, columns="hour", values="stockout", aggfunc="max", fill_value=0.0)
    sales = sales.reindex(columns=range(24), fill_value=0.0)
    stock = stock.reindex(columns=range(24), fill_value=0.0)
    return _recover(out, sales.to_numpy(), stock.to_numpy() > 0)


def daily_from_wide(frame: pd.DataFrame, sales: np.ndarray, out_mask: np.ndarray) -> pd.DataFrame:
    """``to_daily`` for rows already one per (site, item, day) with their 24 hourly sales and stock flags."""
    return _recover(frame.reset_index(drop=True), sales, out_mask)


def _recover(out: pd.DataFrame, sales: np.ndarray, out_mask: np.ndarray) -> pd.DataFrame:
    ids = pd.factorize(out["site"].astype(str) + "\x1f" + out["item"].astype(str))[0]
    op = domain.OPERATING
    rec, share = domain.recover_hourly(ids, sales, out_mask)
    out = out.copy()
    out["stockout"] = out_mask.mean(axis=1)
    out["demand"] = rec
    out["in_stock"] = ~out_mask[:, op].any(axis=1)
    out["share"] = share
    return out
