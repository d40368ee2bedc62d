"""Shared, small fitted fixtures of the forecasting tests (numba and LightGBM take their time once)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from boh.forecasting import engine

DAYS = 70


def synthetic(days: int = DAYS, seed: int = 3) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Six series: four smooth with a weekly pattern (one with a promotion lift), one intermittent, and a new
    item with 10 days of history in the category of the first two."""
    rng = np.random.default_rng(seed)
    ds = pd.date_range("2024-03-01", periods=days + 7, freq="D")
    rows = []
    weekly = np.array([1.0, 0.9, 0.9, 1.0, 1.2, 1.6, 1.5])
    for k, level in enumerate((10.0, 20.0, 5.0, 40.0)):
        promo = np.zeros(len(ds))
        if k == 3:
            promo[::9] = 1.0
        y = rng.poisson(level * weekly[ds.dayofweek] * (1 + 0.5 * promo))
        rows += [(f"s{k}", d, float(v), p) for d, v, p in zip(ds, y, promo, strict=True)]
    inter = rng.poisson(0.3, len(ds)) * (rng.random(len(ds)) < 0.3)
    rows += [("slow", d, float(v), 0.0) for d, v in zip(ds, inter, strict=True)]
    rows += [("new", d, float(rng.poisson(12)), 0.0) for d in ds[days - 10 :]]
    df = pd.DataFrame(rows, columns=["unique_id", "ds", "y", "promo"])
    df["y_obs"], df["in_stock"] = df["y"], True
    df["discount"] = np.where(df["promo"] > 0, 0.8, 1.0)
    hist = df[df["ds"] < ds[days]].reset_index(drop=True)
    future = df[df["ds"] >= ds[days]][["unique_id", "ds", "promo", "discount"]].reset_index(drop=True)
    static = pd.DataFrame({"unique_id": ["s0", "s1", "s2", "s3", "slow", "new"],
                           "category": [1.0, 1.0, 2.0, 2.0, 3.0, 1.0], "group": [0.0] * 6})  # fmt: skip
    return hist, future, static


CFG = engine.Config(horizon=7, chunk_size=3, windows=2, step=7, backtest_horizon=7)


@pytest.fixture(scope="session")
def fitted() -> tuple[engine.Result, tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]]:
    frames = synthetic()
    return engine.run(*frames, CFG), frames
