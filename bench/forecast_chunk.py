"""CPU seconds of ``engine.run`` in one process on the first 4,000 series of FreshRetailNet's sorted keys (one chunk
as the 50,000-series run forms it), on the validation split's training window, and that chunk's validation WAPE and
bias on in-stock days: the per-chunk CPU measure of docs/forecasting.md (sixth and seventh rounds). Also the CPU
seconds of the weekday model the 2-day forecast blends in (``weekday.frame_forecasts``, 28 origins two days ahead,
the frame ``engine.predict_short`` gives it; eighth round).

    BOH_FRESHRETAIL=/path/to/freshretailnet50k PYTHONPATH=src python bench/forecast_chunk.py [FIELD=VALUE ...]
"""

from __future__ import annotations

import os
import sys
import time
from dataclasses import replace

import forecast as fb  # bench/forecast.py (the script's directory is on the path)
import pandas as pd

from boh.forecasting import domain, engine, history


def main() -> None:
    daily = fb._daily()
    keys = daily[["store_id", "product_id"]].drop_duplicates()
    keys["uid"] = keys["store_id"].astype(str) + "|" + keys["product_id"].astype(str)
    keys = keys.sort_values("uid").head(4000)
    long, cov = fb.load_fresh(0, 0, keys[["store_id", "product_id"]], daily)
    df, static = fb.frames(history.to_daily(history.read_history("fresh.parquet", long, fb.FRESH_MAP)), cov, "CN", "D",
                           "impute")  # fmt: skip
    day = pd.Timedelta(days=1)
    df = df[df["ds"] <= df["ds"].max() - 14 * day]  # the validation split: the hold-out dropped
    cutoff = df["ds"].max() - 14 * day
    train, test = df[df["ds"] <= cutoff].copy(), df[df["ds"] > cutoff]
    train["y"] = domain.latent(train, "impute", fill=domain.DEFAULT_FILL, weeks=domain.FILL_WEEKS)
    cfg = engine.Config(horizon=14, freq="D")
    for kv in sys.argv[1:]:
        name, value = kv.split("=", 1)
        kind = type(getattr(cfg, name))
        cfg = replace(cfg, **{name: value == "True" if kind is bool else kind(value)})
    future = test[["unique_id", "ds", *[c for c in cfg.exog if c in df.columns]]]
    load0 = os.getloadavg()[0]
    c0, t0 = time.process_time(), time.perf_counter()
    res = engine.run(train, future, static, cfg, processes=1)
    cpu, wall = time.process_time() - c0, time.perf_counter() - t0
    ok = test.merge(res.forecasts, on=["unique_id", "ds"], how="left")
    ok = ok[ok["in_stock"]]
    a = ok["y_obs"].to_numpy()
    print(f"{train['unique_id'].nunique()} series: CPU {cpu:.1f} s, wall {wall:.1f} s, load {load0:.2f} -> "
          f"{os.getloadavg()[0]:.2f}; validation WAPE {domain.wape(a, ok['mean']):.4f}, bias "
          f"{domain.bias(a, ok['mean']):+.4f}; {' '.join(sys.argv[1:]) or 'defaults'}")  # fmt: skip
    if hasattr(engine, "weekday_config"):  # since the eighth round
        from boh.forecasting import weekday

        origins = [cutoff - d * day for d in range(29, 1, -1)]
        c0 = time.process_time()
        wd = weekday.frame_forecasts(train, train, static, origins, 2, engine.weekday_config(cfg))
        print(f"weekday model, {len(origins)} origins x 2 days: CPU {time.process_time() - c0:.1f} s "
              f"({len(wd)} forecasts)")  # fmt: skip


if __name__ == "__main__":
    main()
