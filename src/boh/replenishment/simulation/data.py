"""Loading a demand history for the replay: FreshRetailNet-50K's ``hourly.parquet`` (read in place, never
copied), or any frame with the same columns (the demo's generated chain uses ``from_frame``).

Columns used: store_id, product_id, city_id, first_category_id, dt, sale_h00..sale_h23, stockout_mask (bit h
set: hour h out of stock), discount, activity_flag. Every series must have the same consecutive days."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from boh.replenishment.simulation import latent

HOURS = [f"sale_h{h:02d}" for h in range(24)]
KEYS = ["store_id", "product_id"]
DEFAULT_PATH = Path(__file__).resolve().parents[4].parent / "shared" / "data" / "freshretailnet50k"


@dataclass
class History:
    """One row per series, one column per day (floats inside the simulation only)."""

    store: np.ndarray  # (S,) ints
    product: np.ndarray
    city: np.ndarray
    category: np.ndarray  # first_category_id
    days: pd.DatetimeIndex  # (T,)
    sales: np.ndarray  # (S, T) recorded sales (censored by the chain's stockouts)
    demand: np.ndarray  # (S, T) latent demand: what every policy faces
    known: np.ndarray  # (S, T) the same as known at the end of each day (``latent.known``): what forecasts learn from
    out_hours: np.ndarray  # (S, T) recorded out-of-stock hours within 06-21
    profile: np.ndarray  # (S, 24) hourly demand profile
    discount: np.ndarray  # (S, T) price ratio (known ahead: promotions are planned)
    activity: np.ndarray  # (S, T) 0/1 promotion flag (known ahead)

    @property
    def n(self) -> int:
        return int(self.store.shape[0])

    @property
    def weekday0(self) -> int:
        return int(self.days[0].dayofweek)

    def take(self, idx: np.ndarray) -> History:
        return History(self.store[idx], self.product[idx], self.city[idx], self.category[idx], self.days,
                       self.sales[idx], self.demand[idx], self.known[idx], self.out_hours[idx], self.profile[idx],
                       self.discount[idx], self.activity[idx])  # fmt: skip


def from_frame(df: pd.DataFrame) -> History:
    """Series x days arrays from a long frame (one row per series and day, hourly columns)."""
    df = df.sort_values([*KEYS, "dt"], kind="stable").reset_index(drop=True)
    days = pd.DatetimeIndex(sorted(df["dt"].unique()))
    n_t = len(days)
    if len(df) % n_t or (df.groupby(KEYS).size() != n_t).any():
        raise ValueError("every series needs the same consecutive days")
    n_s = len(df) // n_t
    sales = df[HOURS].to_numpy(dtype=np.float64).reshape(n_s, n_t, 24)
    mask = df["stockout_mask"].to_numpy(dtype=np.int64).reshape(n_s, n_t)
    out = ((mask[:, :, None] >> np.arange(24)) & 1).astype(bool)
    demand, share, prof = latent.recover(sales, out, int(days[0].dayofweek))
    known = latent.known(demand, share, sales.sum(axis=2), int(days[0].dayofweek))
    first = df.iloc[::n_t]

    def col(c: str, default: float) -> np.ndarray:
        return df[c].to_numpy(dtype=np.float64).reshape(n_s, n_t) if c in df else np.full((n_s, n_t), default)

    return History(
        store=first["store_id"].to_numpy(dtype=np.int64), product=first["product_id"].to_numpy(dtype=np.int64),
        city=first["city_id"].to_numpy(dtype=np.int64) if "city_id" in df else np.zeros(n_s, dtype=np.int64),
        category=first["first_category_id"].to_numpy(dtype=np.int64) if "first_category_id" in df
        else np.zeros(n_s, dtype=np.int64),
        days=days, sales=sales.sum(axis=2), demand=demand, known=known,
        out_hours=out[:, :, latent.OPEN_HOURS].sum(axis=2).astype(np.float64), profile=prof,
        discount=col("discount", 1.0), activity=col("activity_flag", 0.0),
    )  # fmt: skip


def load(path: Path | str = DEFAULT_PATH, sample: int | None = None, seed: int = 7) -> History:
    """``sample`` series drawn at random (``seed``) from ``path``/hourly.parquet (all 50,000 when None)."""
    import pyarrow.parquet as pq

    file = Path(path) / "hourly.parquet" if Path(path).is_dir() else Path(path)
    if not file.is_file():
        raise FileNotFoundError(f"no hourly demand file at {file}")
    keys = pq.read_table(file, columns=KEYS).to_pandas().drop_duplicates().reset_index(drop=True)
    if sample is not None and sample < len(keys):  # whole stores, drawn at random until ``sample`` series
        stores = keys["store_id"].drop_duplicates().sample(frac=1.0, random_state=seed)
        sizes = keys.groupby("store_id").size().reindex(stores)
        chosen = sizes.index[: int(np.searchsorted(sizes.cumsum().to_numpy(), sample)) + 1]
        keys = keys[keys["store_id"].isin(chosen)].sort_values(KEYS).head(sample)
    stores = sorted(int(s) for s in keys["store_id"].unique())
    where = [("store_id", "in", stores)]
    hourly = pq.read_table(file, columns=[*KEYS, "dt", *HOURS, "stockout_mask"], filters=where).to_pandas()
    extra = ["city_id", "first_category_id", "discount", "activity_flag"]
    daily = pq.read_table(file.with_name("daily.parquet"), columns=[*KEYS, "dt", *extra], filters=where).to_pandas()
    df = hourly.merge(keys, on=KEYS, how="inner").merge(daily, on=[*KEYS, "dt"], how="left")
    return from_frame(df)
