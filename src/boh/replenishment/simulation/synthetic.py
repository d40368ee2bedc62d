"""A small generated chain with the hourly shape of FreshRetailNet (weekday and hour-of-day patterns,
promotions, stockout hours that censor sales), for the demo and the tests: the simulation page works without
the shared data."""

from __future__ import annotations

import numpy as np
import pandas as pd

from boh.replenishment.simulation.data import HOURS, History, from_frame

_HOUR_SHAPE = np.array([0, 0, 0, 0, 0, 0, 2, 5, 8, 9, 8, 9, 10, 9, 7, 6, 7, 9, 11, 10, 7, 4, 0, 0], dtype=float)


def frame(stores: int = 3, products: int = 8, days: int = 90, seed: int = 3, start: str = "2026-08-01") -> pd.DataFrame:
    """Long frame (one row per store, product and day) with hourly sales and stockout masks."""
    rng = np.random.default_rng(seed)
    dates = pd.date_range(start, periods=days, freq="D")
    shape = _HOUR_SHAPE / _HOUR_SHAPE.sum()
    rows = []
    for s in range(stores):
        for p in range(products):
            level = rng.gamma(2.0, 0.5) + 0.2
            weekly = 1 + 0.25 * np.sin(2 * np.pi * (np.arange(7) + p) / 7)
            for d in dates:
                disc = 0.8 if rng.random() < 0.1 else 1.0
                mean = level * weekly[d.dayofweek] * (1.4 if disc < 1 else 1.0)
                day = rng.gamma(4.0, mean / 4.0)
                hourly = np.round(rng.multinomial(1000, shape) / 1000 * day, 2)
                out = np.zeros(24, dtype=bool)
                if rng.random() < 0.3:  # the shelf empties at some hour: later hours sell nothing
                    h0 = int(rng.integers(12, 22))
                    out[h0:22] = True
                    hourly[out] = 0.0
                mask = int(sum(1 << h for h in range(24) if out[h]))
                rows.append((s, p, s % 2, p % 3, d, *hourly, mask, disc, int(disc < 1)))
    cols = ["store_id", "product_id", "city_id", "first_category_id", "dt", *HOURS, "stockout_mask", "discount",
            "activity_flag"]  # fmt: skip
    return pd.DataFrame(rows, columns=cols)


def history(stores: int = 3, products: int = 8, days: int = 90, seed: int = 3) -> History:
    return from_frame(frame(stores, products, days, seed))
