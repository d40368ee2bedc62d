"""Does a level persist? The check behind ``engine.Config.bias_correction`` (docs/forecasting.md, third round).

Inside the training data only (the last ``--holdout`` days are dropped first, as ``bench/forecast.py
--validate`` does), the engine's LightGBM forecasts ``--h`` days from weekly origins (mlforecast cross-validation,
every origin refitted); for each origin the ratio of actual sales to forecast on in-stock days over the sample.
If the ratio at one origin predicted the next (non-overlapping) origin's, scaling by it (what the bias
correction does) would lower the next window's error: printed per pair, and the correlation of the log ratios.

    python bench/forecast_bias.py --seed 0 [--series 300] [--h 7] [--windows 6]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from itertools import pairwise
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))

import forecast as fb  # bench/forecast.py: loading and frames

from boh.forecasting import domain, engine, history


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--series", type=int, default=300)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--holdout", type=int, default=14)
    ap.add_argument("--h", type=int, default=7)
    ap.add_argument("--windows", type=int, default=6)
    args = ap.parse_args()
    if not fb.DATA.exists():
        sys.exit(f"no data at {fb.DATA}")
    daily = fb._daily()
    keys = fb.sample_keys(daily, args.series, args.seed)
    long, cov = fb.load_fresh(args.series, args.seed, keys, daily)
    rows = history.read_history("fresh.parquet", long, fb.FRESH_MAP)
    df, static = fb.frames(history.to_daily(rows), cov, "CN", "D", "impute")
    df = df[df["ds"] <= df["ds"].max() - pd.Timedelta(days=args.holdout)]  # the hold-out is never seen
    cfg = engine.Config(horizon=args.h)
    cv = engine._lgbm(cfg).cross_validation(
        engine._ml_frame(df, static, cfg), n_windows=args.windows, h=args.h, step_size=args.h,
        static_features=["category", "group"],
    )  # fmt: skip
    cv = engine._combine(cv).merge(df[["unique_id", "ds", "y_obs", "in_stock"]], on=["unique_id", "ds"])
    cv = cv[cv["in_stock"].astype(bool)]
    cv["lgbm"] = cv["lgbm"].clip(lower=0)
    windows = []
    for cutoff, g in cv.groupby("cutoff", sort=True):
        windows.append((cutoff, g, float(g["y_obs"].sum() / g["lgbm"].sum())))
    pairs = []
    for (_c0, _g0, r0), (c1, g1, r1) in pairwise(windows):
        plain = domain.wape(g1["y_obs"], g1["lgbm"])
        corrected = domain.wape(g1["y_obs"], g1["lgbm"] * float(np.clip(r0, 0.8, 1.25)))
        pairs.append({"origin": str(c1.date()), "ratio_before": round(r0, 3), "ratio": round(r1, 3),
                      "wape": round(plain, 4), "wape_corrected": round(corrected, 4)})  # fmt: skip
        print(f"origin {c1.date()}: ratio before {r0:.3f}, ratio {r1:.3f}; "
              f"WAPE {plain:.4f}, corrected {corrected:.4f}")  # fmt: skip
    logs = np.log([w[2] for w in windows])
    corr = float(np.corrcoef(logs[:-1], logs[1:])[0, 1]) if len(logs) > 2 else float("nan")
    better = sum(p["wape_corrected"] < p["wape"] for p in pairs)
    print(json.dumps({"series": int(df["unique_id"].nunique()), "h": args.h, "pairs": len(pairs),
                      "corrected_better": better, "log_ratio_lag1_corr": round(corr, 3),
                      "ratios": [round(w[2], 3) for w in windows],
                      "load_average": round(os.getloadavg()[0], 2)}))  # fmt: skip


if __name__ == "__main__":
    main()
