"""The replay's weekday model (``boh.replenishment.simulation.forecast``) in ``bench/forecast.py``'s own frames, alone
and blended with the engine, on the validation split only (the hold-out, the last 14 days, is dropped first and
never read):

(a) the 14-day horizon from the validation origin, scored as the engine's WAPE / bias / coverage are (in-stock
    days): the engine's ``engine.run``; the weekday model from the same origin; blends ``(1 - w) x engine + w x
    weekday`` of the point forecast, whose quantiles are the engine's conformal bands recomputed the same way
    (``engine._banded``) on the blend's own backtest residuals (the weekday model forecast from the engine's two
    backtest origins as well);
(b) the 2-day frame of ``wape_2d`` (forecasts made each day for the next 2 days over the last 4 weeks, scored on
    recovered demand): the engine's ``engine.predict_short`` as ``bench/forecast.py`` runs it, the weekday model
    from each origin (re-fitted weekly from the first origin, as the replay does), blends of the two.

No leak: the weekday model's ``History`` (hourly profile, recovered and causally filled demand, stockout hours) is
built from the hourly data truncated at the origin (for (a) the training window's end; for (b) each origin); the
days after it carry only the promotion plan (discount, promotion flag: known ahead, as the engine's covariates are)
and NaN demand (a forecast that read one would be NaN). ``check_no_leak`` asserts that perturbing the data after an
origin (sales, stockouts, and the plan beyond the horizon) leaves the forecast unchanged.

    BOH_FRESHRETAIL=/path/to/freshretailnet50k PYTHONPATH=src python bench/forecast_blend.py --series 2000 --seed 0
"""

from __future__ import annotations

import argparse
import json
import os
import time
import warnings

import forecast as fb  # bench/forecast.py (the script's directory is on the path)
import numpy as np
import pandas as pd

from boh.forecasting import domain, engine, history
from boh.replenishment.simulation import data as rdata
from boh.replenishment.simulation import forecast as rfc

WEIGHTS = (0.0, 0.2, 0.3, 0.4, 0.5, 1.0)
DAY = pd.Timedelta(days=1)


def wide_frame(keys: pd.DataFrame) -> pd.DataFrame:
    """The replay's input (``data.from_frame``) for these (store, product) keys, every day of the data."""
    stores = sorted(int(s) for s in keys["store_id"].unique())
    hourly = pd.read_parquet(fb.DATA / "hourly.parquet", filters=[("store_id", "in", stores)])
    hourly = hourly.merge(keys[["store_id", "product_id"]], on=["store_id", "product_id"])
    daily = pd.read_parquet(fb.DATA / "daily.parquet", filters=[("store_id", "in", stores)],
                            columns=["store_id", "product_id", "dt", "city_id", "first_category_id", "discount",
                                     "activity_flag"])  # fmt: skip
    return hourly.merge(daily, on=["store_id", "product_id", "dt"], how="left")


def history_at(wide: pd.DataFrame, origin: pd.Timestamp, plan_days: int) -> rdata.History:
    """The replay's ``History`` from the days up to ``origin`` only, followed by ``plan_days`` days that carry only
    the promotion plan (demand, sales and stockout hours NaN)."""
    h = rdata.from_frame(wide[wide["dt"] <= origin])
    if plan_days <= 0:
        return h
    fut = wide[(wide["dt"] > origin) & (wide["dt"] <= origin + plan_days * DAY)]
    fut = fut.sort_values([*rdata.KEYS, "dt"], kind="stable")
    if len(fut) != h.n * plan_days:
        raise ValueError("the plan days must exist for every series")
    order = pd.MultiIndex.from_arrays([h.store, h.product])
    got = pd.MultiIndex.from_frame(fut[rdata.KEYS].iloc[::plan_days].astype(np.int64))
    assert (order == got).all(), "series order differs"
    disc = fut["discount"].to_numpy(dtype=float).reshape(h.n, plan_days)
    act = fut["activity_flag"].to_numpy(dtype=float).reshape(h.n, plan_days)
    nan = np.full((h.n, plan_days), np.nan)
    days = h.days.append(pd.date_range(h.days[-1] + DAY, periods=plan_days, freq="D"))
    return rdata.History(h.store, h.product, h.city, h.category, days,
                         np.hstack([h.sales, nan]), np.hstack([h.demand, nan]), np.hstack([h.known, nan]),
                         np.hstack([h.out_hours, nan]), h.profile,
                         np.hstack([h.discount, disc]), np.hstack([h.activity, act]))  # fmt: skip


def weekday_from(wide: pd.DataFrame, origin: pd.Timestamp, horizon: int, first: pd.Timestamp,
                 cfg: rfc.ForecastConfig) -> tuple[np.ndarray, dict[pd.Timestamp, np.ndarray]]:  # fmt: skip
    """The weekday model's forecasts made at every origin from ``first`` (its refits every ``cfg.refit`` days from
    there, as the replay's) to ``origin``, from the data up to ``origin`` only: (uids, {origin day: (S, horizon)})."""
    h = history_at(wide, origin, horizon)
    i0, i1 = h.days.get_loc(first), h.days.get_loc(origin)
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", category=RuntimeWarning)
        F = rfc.forecasts(h, i0, horizon, cfg)
    out = {h.days[i]: F[i] for i in range(i0, i1 + 1)}
    for day, f in out.items():
        assert not np.isnan(f).any(), f"the weekday model read a day after {day.date()}"
    uids = np.array([f"{s}|{p}" for s, p in zip(h.store, h.product, strict=True)])
    return uids, out


def check_no_leak(wide: pd.DataFrame, origin: pd.Timestamp, horizon: int, first: pd.Timestamp,
                  cfg: rfc.ForecastConfig, seed: int = 0) -> None:  # fmt: skip
    """Perturb everything after ``origin`` (hourly sales, stockout masks; the plan beyond the horizon) and check
    the forecasts made up to ``origin`` do not move."""
    rng = np.random.default_rng(seed)
    w2 = wide.copy()
    hours = [f"sale_h{h:02d}" for h in range(24)]
    w2 = w2.astype({**dict.fromkeys(hours, float), "stockout_mask": np.int64, "discount": float,
                    "activity_flag": float})  # fmt: skip
    after = (w2["dt"] > origin).to_numpy()
    w2.loc[after, hours] = w2.loc[after, hours].to_numpy() * rng.uniform(0.0, 3.0, (int(after.sum()), 24))
    w2.loc[after, "stockout_mask"] = rng.integers(0, 1 << 24, int(after.sum()))
    beyond = (w2["dt"] > origin + horizon * DAY).to_numpy()
    w2.loc[beyond, "discount"] = rng.uniform(0.3, 1.0, int(beyond.sum()))
    w2.loc[beyond, "activity_flag"] = rng.integers(0, 2, int(beyond.sum()))
    _, a = weekday_from(wide, origin, horizon, first, cfg)
    _, b = weekday_from(w2, origin, horizon, first, cfg)
    assert a.keys() == b.keys() and all(np.array_equal(a[k], b[k]) for k in a), "data after the origin leaked"


def long_frame(uids: np.ndarray, fcs: dict[pd.Timestamp, np.ndarray], key: str) -> pd.DataFrame:
    """unique_id, ds, ``key`` (the origin), wd: the weekday model's forecasts as rows."""
    parts = []
    for o, f in fcs.items():
        n, h = f.shape
        parts.append(pd.DataFrame({"unique_id": np.repeat(uids, h), key: o,
                                   "ds": np.tile(pd.date_range(o + DAY, periods=h, freq="D").to_numpy(), n),
                                   "wd": f.reshape(-1)}))  # fmt: skip
    return pd.concat(parts, ignore_index=True)


def scores_14(ok: pd.DataFrame, col: str, qcols: tuple[str, str] | None) -> dict[str, float]:
    a = ok["y_obs"].to_numpy(dtype=float)
    f = ok[col].to_numpy(dtype=float)
    week = ((ok["ds"] - ok["ds"].min()).dt.days // 7).to_numpy()
    out = {"wape": domain.wape(a, f), "bias": domain.bias(a, f)}
    if qcols:
        out |= {"cov80": domain.coverage(a, ok[qcols[0]]), "cov95": domain.coverage(a, ok[qcols[1]])}
    for w in (0, 1):
        m = week == w
        out |= {f"wape_w{w + 1}": domain.wape(a[m], f[m]), f"bias_w{w + 1}": domain.bias(a[m], f[m])}
        if qcols:
            out |= {f"cov80_w{w + 1}": domain.coverage(a[m], ok[qcols[0]].to_numpy()[m]),
                    f"cov95_w{w + 1}": domain.coverage(a[m], ok[qcols[1]].to_numpy()[m])}  # fmt: skip
    return out


def frame_a(args: argparse.Namespace, df: pd.DataFrame, static: pd.DataFrame, wide: pd.DataFrame,
            rcfg: rfc.ForecastConfig) -> dict[str, dict[str, float]]:  # fmt: skip
    """(a): the 14-day horizon from the validation origin."""
    last = df["ds"].max()
    cutoff = last - args.holdout * DAY
    train, test = df[df["ds"] <= cutoff].copy(), df[df["ds"] > cutoff]
    train["y"] = domain.latent(train, args.recovery, fill=args.fill, weeks=args.fill_weeks)
    cfg = engine.Config(horizon=args.holdout, freq="D")
    exog = [c for c in cfg.exog if c in df.columns]
    t = time.perf_counter()
    res = engine.run(train, test[["unique_id", "ds", *exog]], static, cfg, processes=args.processes)
    t_engine = time.perf_counter() - t
    h_bt = min(cfg.horizon, cfg.backtest_horizon)
    cuts = sorted(res.residuals["cutoff"].dropna().unique())
    t = time.perf_counter()
    first = pd.Timestamp(cuts[0])
    check_no_leak(wide, cutoff, args.holdout, first, rcfg, args.seed)
    uids, fcs = weekday_from(wide, cutoff, args.holdout, first, rcfg)
    t_wd = time.perf_counter() - t
    fin = long_frame(uids, {cutoff: fcs[cutoff]}, "cutoff").drop(columns="cutoff")
    bt = long_frame(uids, {pd.Timestamp(c): fcs[pd.Timestamp(c)][:, :h_bt] for c in cuts}, "cutoff")
    out_e = res.forecasts.merge(fin, on=["unique_id", "ds"], how="left")
    cv = res.residuals.merge(bt, on=["unique_id", "ds", "cutoff"], how="left")
    assert out_e["wd"].notna().all() and cv["wd"].notna().all(), "the weekday model misses rows"
    ok0 = test[test["in_stock"].astype(bool)][["unique_id", "ds", "y_obs"]]
    rows = {}
    for w in WEIGHTS:
        o = out_e.assign(mean=(1 - w) * out_e["mean"] + w * out_e["wd"]).drop(columns=[f"q{q}" for q in cfg.quantiles])
        c = cv.assign(mean=(1 - w) * cv["mean"] + w * cv["wd"])
        o = engine._banded(o[["unique_id", "ds", "model", "mean"]], c, cfg, h_bt)
        if w == 0.0:  # the bands recomputed for w = 0 are the engine's own
            chk = res.forecasts.merge(o, on=["unique_id", "ds"], suffixes=("", "_re"))
            assert np.allclose(chk["q80"], chk["q80_re"]) and np.allclose(chk["q95"], chk["q95_re"])
        ok = ok0.merge(o, on=["unique_id", "ds"], how="left")
        rows[f"w{w}"] = scores_14(ok, "mean", ("q80", "q95"))
    print(f"(a) engine.run {t_engine:.1f}s, weekday model (3 origins, with the leak check) {t_wd:.1f}s")
    return rows


def frame_b(args: argparse.Namespace, df: pd.DataFrame, static: pd.DataFrame, wide: pd.DataFrame,
            rcfg: rfc.ForecastConfig) -> dict[str, dict[str, float]]:  # fmt: skip
    """(b): the 2-day frame of ``wape_2d``."""
    sf = fb.short_frame(df, args)
    last = sf["ds"].max()
    cfg = engine.Config(horizon=args.holdout, freq="D")
    exog = [c for c in cfg.exog if c in sf.columns]
    origins = [last - pd.Timedelta(days=d) for d in range(29, 1, -1)]
    t = time.perf_counter()
    short = engine.predict_short(sf, sf[["unique_id", "ds", *exog]], static, cfg, origins, 2,
                                 refit_every=cfg.short_refit)  # fmt: skip
    t_short = time.perf_counter() - t
    t = time.perf_counter()
    check_no_leak(wide, origins[3], 2, origins[0], rcfg, args.seed)
    parts = []
    for j, o in enumerate(origins):
        anchor = origins[(j // rcfg.refit) * rcfg.refit]  # weekly refits from the first origin, as the replay's
        uids, fcs = weekday_from(wide, o, 2, anchor, rcfg)
        parts.append(long_frame(uids, {o: fcs[o]}, "origin"))
    t_wd = time.perf_counter() - t
    wd = pd.concat(parts, ignore_index=True)
    sc = short.merge(sf[["unique_id", "ds", "y", "y_obs", "demand", "in_stock"]], on=["unique_id", "ds"])
    sc = sc.merge(wd, on=["unique_id", "ds", "origin"], how="left")
    assert sc["wd"].notna().all(), "the weekday model misses rows"
    rec = sc["demand"].notna().to_numpy()
    inst = sc["in_stock"].astype(bool).to_numpy()
    week = ((sc["origin"] - origins[0]).dt.days // 7).to_numpy()
    rows = {}
    for w in WEIGHTS:
        f = ((1 - w) * sc["lgbm"].clip(lower=0) + w * sc["wd"].clip(lower=0)).to_numpy()
        d = sc["demand"].to_numpy(dtype=float)
        r = {"wape_2d": domain.wape(d[rec], f[rec]), "bias_2d": domain.bias(d[rec], f[rec]),
             "wape_2d_in_stock": domain.wape(sc["y_obs"].to_numpy()[inst], f[inst]),
             "bias_2d_in_stock": domain.bias(sc["y_obs"].to_numpy()[inst], f[inst]),
             "wape_2d_all_days": domain.wape(sc["y"].to_numpy(), f)}  # fmt: skip
        for k in range(4):
            m = rec & (week == k)
            r |= {f"wape_2d_w{k + 1}": domain.wape(d[m], f[m]), f"bias_2d_w{k + 1}": domain.bias(d[m], f[m])}
        rows[f"w{w}"] = r
    print(f"(b) predict_short {t_short:.1f}s, weekday model (28 origins, with the leak check) {t_wd:.1f}s")
    return rows


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--series", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--holdout", type=int, default=14)
    ap.add_argument("--processes", type=int, default=1)
    ap.add_argument("--only", choices=("a", "b"), help="one frame only")
    args = ap.parse_args()
    # bench/forecast.py's defaults for what ``short_frame`` and the 14-day target read
    args.recovery, args.short_recovery = "impute", "profile"
    args.fill, args.fill_weeks, args.censor_share = domain.DEFAULT_FILL, domain.FILL_WEEKS, domain.CENSOR_SHARE
    t0 = time.perf_counter()
    daily = fb._daily()
    keys = fb.sample_keys(daily, args.series, args.seed).sort_values(["store_id", "product_id"])
    long, cov = fb.load_fresh(args.series, args.seed, keys, daily)
    rows = history.read_history("fresh.parquet", long, fb.FRESH_MAP)
    del long
    df, static = fb.frames(history.to_daily(rows), cov, "CN", "D", args.recovery, args.fill, args.fill_weeks)
    # the validation split: the hold-out dropped before anything else (never read below)
    end = df["ds"].max() - args.holdout * DAY
    df = df[df["ds"] <= end]
    wide = wide_frame(keys)
    wide = wide[wide["dt"] <= end].reset_index(drop=True)
    rcfg = rfc.ForecastConfig()
    print(f"{df['unique_id'].nunique()} series loaded in {time.perf_counter() - t0:.1f}s, validation days to "
          f"{end.date()}; load average {os.getloadavg()[0]:.2f}")  # fmt: skip
    res: dict[str, object] = {"series": int(df["unique_id"].nunique()), "seed": args.seed}
    if args.only != "b":
        res["a"] = frame_a(args, df, static, wide, rcfg)
        for k, r in res["a"].items():  # type: ignore[attr-defined]
            print(f"(a) {k:<5} " + " ".join(f"{n} {v:.4f}" for n, v in r.items()))
    if args.only != "a":
        res["b"] = frame_b(args, df, static, wide, rcfg)
        for k, r in res["b"].items():  # type: ignore[attr-defined]
            print(f"(b) {k:<5} " + " ".join(f"{n} {v:.4f}" for n, v in r.items()))
    res["load_average"] = round(os.getloadavg()[0], 2)
    print(json.dumps(res, default=lambda v: round(float(v), 4)))


if __name__ == "__main__":
    main()
