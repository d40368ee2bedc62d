"""Forecast accuracy on real data: FreshRetailNet-50K (../shared/data/freshretailnet50k, read from the repo's
parent folder) or another chain's history (``--history FILE``, CSV or Parquet, ``--map field=column,...``).

The history goes through BOH's own sales-history import (``boh.forecasting.history``: column mapping, every
bad row listed, latent demand recovered from in-stock hours), then ``boh.forecasting.engine.run`` (the code
behind ``boh forecast run``) forecasts the last 14 days from the days before. Scored on in-stock days of the
hold-out (censored days excluded) against seasonal naive (weekly) and plain AutoETS fitted on the same raw
sales; also ``wape_2d``: forecasts made each day for the next 2 days over the last 4 weeks, scored on recovered
demand. Last line: one JSON object.

    python bench/forecast.py --series 2000         # the issue's sample
    python bench/forecast.py --quick               # 300 series, under a minute
    python bench/forecast.py --quick --validate    # the validation split settings are chosen on (no hold-out)
    python bench/forecast.py --series 50000 --parts 10 --no-baselines   # BOH's run time on all series
    python bench/forecast.py --history chain.csv --map site=store,item=sku,date=day,quantity=units
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pandas as pd

from boh.forecasting import calendar, domain, engine, history

ROOT = Path(__file__).resolve().parents[1]
# the data folder: beside the repo, or BOH_FRESHRETAIL (a git worktree elsewhere)
DATA = Path(os.environ.get("BOH_FRESHRETAIL") or ROOT.parent / "shared" / "data" / "freshretailnet50k")


def _daily() -> pd.DataFrame:
    return pd.read_parquet(DATA / "daily.parquet", columns=["store_id", "product_id", "third_category_id",
                           "city_id", "discount", "activity_flag", "precpt", "avg_temperature", "dt"])  # fmt: skip


def sample_keys(daily: pd.DataFrame, n_series: int, seed: int) -> pd.DataFrame:
    """The (store, product) pairs of the sample (all of them when ``n_series`` is 0)."""
    keys = daily[["store_id", "product_id"]].drop_duplicates()
    return keys.sample(n=min(n_series, len(keys)), random_state=seed) if n_series else keys


def load_fresh(n_series: int, seed: int, keys: pd.DataFrame | None = None,
               daily: pd.DataFrame | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:  # fmt: skip
    """A sample of FreshRetailNet series (or these ``keys``) as a chain's hourly history file (long: one row
    per hour) and its per-day covariates (category, weather)."""
    daily = _daily() if daily is None else daily
    keys = sample_keys(daily, n_series, seed) if keys is None else keys
    daily = daily.merge(keys, on=["store_id", "product_id"])
    hourly = pd.read_parquet(DATA / "hourly.parquet", filters=[("store_id", "in", sorted(keys["store_id"].unique()))])
    hourly = hourly.merge(keys, on=["store_id", "product_id"])
    wide = hourly.merge(daily[["store_id", "product_id", "dt", "discount", "activity_flag"]],
                        on=["store_id", "product_id", "dt"])  # fmt: skip
    sales = wide[[f"sale_h{h:02d}" for h in range(24)]].to_numpy(dtype=float)
    mask = ((wide["stockout_mask"].to_numpy()[:, None] >> np.arange(24)) & 1).astype(float)
    n = len(wide)
    long = pd.DataFrame({
        "store": np.repeat(wide["store_id"].astype(str).to_numpy(), 24),
        "product": np.repeat(wide["product_id"].astype(str).to_numpy(), 24),
        "hour": (np.repeat(wide["dt"].to_numpy(), 24) + np.tile(np.arange(24), n) * np.timedelta64(1, "h")),
        "units": sales.reshape(-1),
        "out": mask.reshape(-1),
        "discount": np.repeat(wide["discount"].to_numpy(dtype=float), 24),
        "activity": np.repeat(wide["activity_flag"].to_numpy(dtype=float), 24),
    })  # fmt: skip
    cov = daily.rename(columns={"store_id": "site", "product_id": "item", "dt": "day"})
    cov["site"], cov["item"] = cov["site"].astype(str), cov["item"].astype(str)
    return long, cov


FRESH_MAP = history.Mapping_({"site": "store", "item": "product", "timestamp": "hour", "quantity": "units",
                              "stockout": "out", "discount": "discount", "promo": "activity"})  # fmt: skip


def frames(daily: pd.DataFrame, cov: pd.DataFrame | None, country: str, freq: str, recovery: str = "profile",  # type: ignore[no-untyped-def]
           fill: str = domain.DEFAULT_FILL, weeks: int = domain.FILL_WEEKS,
           censor_share: float = domain.CENSOR_SHARE):  # fmt: skip
    df = daily.rename(columns={"day": "ds", "quantity": "y_obs"}).copy()
    df["unique_id"] = df["site"] + "|" + df["item"]
    # the 2-day backtest's target: censored days filled from earlier days only (its origins are every day of
    # the last four weeks); the 14-day hold-out refills its training window on its own (``evaluate``)
    df["y"] = domain.latent(df, recovery, causal=True, fill=fill, weeks=weeks, censor_share=censor_share)
    cal = calendar.calendar_frame(country, df["ds"].min().date(), df["ds"].max().date())
    df = df.merge(cal, on="ds", how="left")
    static = df[["unique_id", "site", "item"]].drop_duplicates("unique_id")
    static = static.assign(group=pd.factorize(static["site"])[0], category=-1)
    if cov is not None:
        c = cov.rename(columns={"day": "ds", "precpt": "precipitation", "avg_temperature": "temperature"})
        df = df.merge(c[["site", "item", "ds", "precipitation", "temperature"]], on=["site", "item", "ds"], how="left")
        cat = cov.drop_duplicates(["site", "item"])[["site", "item", "third_category_id", "city_id"]]
        static = static.drop(columns=["category", "group"]).merge(cat, on=["site", "item"], how="left")
        static = static.rename(columns={"third_category_id": "category", "city_id": "group"})
    if "discount" not in df.columns:
        df["discount"] = 1.0
    df["promo"] = df.get("promo", pd.Series(0.0, index=df.index)).fillna(0.0)
    return df, static[["unique_id", "site", "item", "category", "group"]]


def score(test: pd.DataFrame, fc: pd.Series, scale: pd.Series) -> dict[str, float]:
    a = test["y_obs"].to_numpy()
    return {"wape": domain.wape(a, fc), "bias": domain.bias(a, fc),
            "mase": domain.mase(a, fc.to_numpy(), test["unique_id"].to_numpy(), scale)}  # fmt: skip


def short_frame(df: pd.DataFrame, args: argparse.Namespace) -> pd.DataFrame:
    """The frame of the 2-day backtest: its training target from ``--short-recovery`` (default ``profile``, the
    recovered demand it is scored on: chosen on the validation split), filled causally as its origins need."""
    how = args.short_recovery or args.recovery
    if how == args.recovery:
        return df
    return df.assign(
        y=domain.latent(df, how, causal=True, fill=args.fill, weeks=args.fill_weeks, censor_share=args.censor_share)
    )


# the one-sided quantiles of AutoETS's intervals: the upper end of the 60 % interval is its 80 % quantile
ETS_BANDS = {80: "AutoETS-hi-60", 95: "AutoETS-hi-90"}
# the hold-out's first days, scored apart: the 2-day model's in a run (``engine.Config.short_horizon``)
FIRST_DAYS = 2
TWO_DAY_KEYS = (*(f"wape_2d{frame}{model}" for model in ("", "_dow_ses") for frame in ("", "_in_stock", "_all_days")),
                "wape_2d_lgbm", "bias_2d")  # fmt: skip


def two_day(df: pd.DataFrame, static: pd.DataFrame, cfg: engine.Config, last: pd.Timestamp) -> dict[str, float]:
    """Forecasts made each day for the next 2 days over the last 4 weeks, scored on recovered demand: the days
    in stock (their sales) and the days recovered from their in-stock hours; days too censored to recover
    (imputed, not observed) are not scored. Also scored: in-stock days only, and every day against the
    training target (imputed days included, the frame of earlier figures)."""
    t3 = time.perf_counter()
    exog = [c for c in cfg.exog if c in df.columns]
    origins = [last - pd.Timedelta(days=d) for d in range(29, 1, -1)]
    short = engine.predict_short(df, df[["unique_id", "ds", *exog]], static, cfg, origins, 2,
                                 refit_every=cfg.short_refit)  # fmt: skip
    secs = time.perf_counter() - t3
    # the reference in the same frame: the weekday smoothing model (the kind the study scored at 0.27),
    # refitted at every origin on the same training target
    from statsforecast import StatsForecast
    from statsforecast.models import SeasonalExponentialSmoothingOptimized

    ses = SeasonalExponentialSmoothingOptimized(season_length=7, alias="dow_ses")
    ref = StatsForecast(models=[ses], freq="D", n_jobs=1).cross_validation(
        df=df[["unique_id", "ds", "y"]], h=2, n_windows=len(origins), step_size=1
    )
    ref = ref.reset_index() if "unique_id" not in ref.columns else ref
    sc = short.merge(df[["unique_id", "ds", "y", "y_obs", "demand", "in_stock"]], on=["unique_id", "ds"])
    sc = sc.merge(ref[["unique_id", "ds", "cutoff", "dow_ses"]].rename(columns={"cutoff": "origin"}),
                  on=["unique_id", "ds", "origin"], how="left")  # fmt: skip
    rec = sc["demand"].notna()
    inst = sc["in_stock"].astype(bool)
    out: dict[str, float] = {}
    # "mean": the 2-day forecast (LightGBM blended with the weekday model, ``weekday_blend_2d``); "lgbm": LightGBM alone
    out["wape_2d_lgbm"] = domain.wape(sc.loc[rec, "demand"], sc.loc[rec, "lgbm"].clip(lower=0))
    out["bias_2d"] = domain.bias(sc.loc[rec, "demand"], sc.loc[rec, "mean"])
    for col, suffix in (("mean", ""), ("dow_ses", "_dow_ses")):
        f = sc[col].clip(lower=0)
        out[f"wape_2d{suffix}"] = domain.wape(sc.loc[rec, "demand"], f[rec])
        out[f"wape_2d_in_stock{suffix}"] = domain.wape(sc.loc[inst, "y_obs"], f[inst])
        out[f"wape_2d_all_days{suffix}"] = domain.wape(sc["y"], f)
    print(f"wape_2d {out['wape_2d']:.3f} on recovered demand ({rec.mean():.0%} of days; weekday smoothing "
          f"{out['wape_2d_dow_ses']:.3f}), in stock {out['wape_2d_in_stock']:.3f} ({inst.mean():.0%}; "
          f"{out['wape_2d_in_stock_dow_ses']:.3f}), all days against the training target "
          f"{out['wape_2d_all_days']:.3f} ({out['wape_2d_all_days_dow_ses']:.3f}); LightGBM alone "
          f"{out['wape_2d_lgbm']:.3f}, bias {out['bias_2d']:+.3f}; {len(origins)} origins "
          f"({secs:.1f}s, the reference {time.perf_counter() - t3 - secs:.1f}s)")  # fmt: skip
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--series", type=int, default=2000)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--history", type=Path)
    ap.add_argument("--map", default="", help="field=column,... for --history")
    ap.add_argument("--stockout-unit", default="hours")
    ap.add_argument("--country", default="CN")
    ap.add_argument("--holdout", type=int, default=14)
    ap.add_argument("--processes", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--no-2d", action="store_true")
    ap.add_argument("--only-2d", action="store_true", help="only wape_2d (a comparison of 2-day model settings)")
    ap.add_argument("--no-baselines", action="store_true", help="skip seasonal naive and AutoETS (comparisons)")
    ap.add_argument("--recovery", default="impute", choices=domain.RECOVERY)
    ap.add_argument("--short-recovery", choices=domain.RECOVERY, default=domain.SHORT_RECOVERY,
                    help="the 2-day model's training target (chosen on the validation split)")  # fmt: skip
    ap.add_argument("--fill", default=domain.DEFAULT_FILL, choices=domain.FILLS, help="how censored days are imputed")
    ap.add_argument("--fill-weeks", type=int, default=domain.FILL_WEEKS, help="the window of --fill recent / local")
    ap.add_argument("--censor-share", type=float, default=domain.CENSOR_SHARE,
                    help="--recovery impute: a censored day with at least this share of its demand profile in stock "
                         "keeps its recovered demand (1: every censored day imputed)")  # fmt: skip
    ap.add_argument("--validate", action="store_true",
                    help="drop the last --holdout days first (never seen) and score the ones before: the split on "
                         "which the engine's settings are chosen, never the hold-out")  # fmt: skip
    ap.add_argument(
        "--dump", type=Path, help="write the scored rows (in-stock days: actual, mean, quantiles, baselines) here"
    )
    ap.add_argument("--set", action="append", default=[], metavar="FIELD=VALUE",
                    help="override an engine.Config field for a comparison (on --validate only)")  # fmt: skip
    ap.add_argument("--parts", type=int, default=1,
                    help="load, forecast and score the sample in this many parts of whole stores (all 50,000 series "
                         "do not fit in memory at once as hourly history); BOH's run time is the parts' sum; "
                         "no wape_2d")  # fmt: skip
    args = ap.parse_args()
    n = 300 if args.quick else args.series
    if args.history:
        t0 = time.perf_counter()
        cols = dict(kv.split("=", 1) for kv in args.map.split(",") if kv) or {f: f for f in history.FIELDS}
        raw = args.history.read_bytes()
        rows = history.read_history(args.history.name, raw, history.Mapping_(cols, args.stockout_unit))
        parts = [evaluate(args, rows, None, time.perf_counter() - t0)]
    else:
        if not DATA.exists():
            sys.exit(f"no data at {DATA}")
        daily = _daily()
        keys = sample_keys(daily, n, args.seed).sort_values(["store_id", "product_id"])
        stores = keys["store_id"].unique()
        parts = []
        for k, chunk in enumerate(np.array_split(stores, max(1, args.parts))):
            t0 = time.perf_counter()
            long, cov = load_fresh(n, args.seed, keys[keys["store_id"].isin(chunk)], daily)
            rows = history.read_history("fresh.parquet", long, FRESH_MAP)
            del long
            if args.parts > 1:
                print(f"part {k + 1}/{args.parts}: {len(chunk)} stores")
            parts.append(evaluate(args, rows, cov, time.perf_counter() - t0))
    report(args, parts)


@dataclass
class Part:
    """One part's scored hold-out: in-stock days with BOH's forecast, quantiles and the baselines."""

    ok: pd.DataFrame
    scale: pd.Series
    choice: pd.DataFrame
    series: int
    seconds: float  # BOH's run (engine.run): the time the issue sets a target for
    load_s: float
    base_s: float
    wape_2d: dict[str, float]
    # the hold-out's first days with recovered demand (the 2-day frame's key: in stock, or recovered from the
    # in-stock hours): unique_id, ds, demand, mean, q80, q95
    first: pd.DataFrame = field(default_factory=pd.DataFrame)


def evaluate(args: argparse.Namespace, rows: object, cov: pd.DataFrame | None, t_load: float) -> Part:
    daily = history.to_daily(rows)  # type: ignore[arg-type]
    freq = pd.infer_freq(pd.DatetimeIndex(sorted(daily["day"].unique())[:10])) or "D"
    freq = "W" if freq.startswith("W") else freq
    df, static = frames(daily, cov, args.country, freq, args.recovery, args.fill, args.fill_weeks, args.censor_share)
    del daily
    step = pd.Timedelta(days=7 if freq == "W" else 1)
    if args.validate:
        df = df[df["ds"] <= df["ds"].max() - args.holdout * step]
    last = df["ds"].max()
    cutoff = last - args.holdout * step
    train, test = df[df["ds"] <= cutoff].copy(), df[df["ds"] > cutoff]
    # the training target as a run at the cutoff computes it: censored days filled from the training window
    # (all of it past at the cutoff), never from the held-out days
    train["y"] = domain.latent(
        train, args.recovery, fill=args.fill, weeks=args.fill_weeks, censor_share=args.censor_share
    )
    # the 2-day model's target, as a production run builds it (``series.frames``): the run's first days are its
    train[engine.SHORT_TARGET] = domain.latent(
        train, args.short_recovery or args.recovery, fill=args.fill, weeks=args.fill_weeks,
        censor_share=args.censor_share,
    )  # fmt: skip
    cfg = engine.Config(horizon=args.holdout, freq=freq, weekday_calendar=args.country)
    for kv in args.set:
        name, value = kv.split("=", 1)
        kind = type(getattr(cfg, name))
        cfg = replace(cfg, **{name: value == "True" if kind is bool else kind(value)})
    exog = [c for c in cfg.exog if c in df.columns]
    future = test[["unique_id", "ds", *exog]]
    print(f"{df['unique_id'].nunique()} series, {len(df)} days loaded through the history import in {t_load:.1f}s; "
          f"censored days {1 - df['in_stock'].mean():.1%}, imputed {df['demand'].isna().mean():.1%}; "
          f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")  # fmt: skip
    if args.only_2d:
        two = {k: round(v, 4) for k, v in two_day(short_frame(df, args), static, cfg, last).items()}
        print(json.dumps({"series": int(df["unique_id"].nunique()), **two,
                          "load_average": round(os.getloadavg()[0], 2)}))  # fmt: skip
        sys.exit(0)
    t1 = time.perf_counter()
    res = engine.run(train, future, static, cfg, processes=args.processes)
    seconds = time.perf_counter() - t1
    print(f"  BOH's run: {seconds:.1f}s ({df['unique_id'].nunique() / seconds:.1f} series/s)")
    # the run's demand forecast (``demand``, ``demand_q<q>``: the days ordering reads) as ``fc_*``: ``demand`` here is
    # the data's recovered demand, what it is scored against
    fcs = res.forecasts.rename(columns={c: f"fc_{c}" for c in res.forecasts.columns if c.startswith("demand")})
    fc = test.merge(fcs, on=["unique_id", "ds"], how="left")
    ok = fc[fc["in_stock"]]
    scale = domain.naive_scale(train, cfg.season, "y_obs")
    # baselines on the same raw sales
    t2 = time.perf_counter()
    from statsforecast import StatsForecast
    from statsforecast.models import AutoETS, SeasonalNaive

    sf = StatsForecast(models=[SeasonalNaive(season_length=cfg.season), AutoETS(season_length=cfg.season)],
                       freq=freq, n_jobs=args.processes)  # fmt: skip
    models = ["SeasonalNaive", "AutoETS"]
    if args.no_baselines:  # NaN baselines: a comparison of engine settings, same split
        base = test[["unique_id", "ds"]].assign(**{m: np.nan for m in (*models, *ETS_BANDS.values())})
    else:
        # AutoETS's own 80 % and 95 % quantiles (the upper ends of its 60 % and 90 % intervals): how a plain
        # model's bands cover the same hold-out
        base = sf.forecast(
            df=train[["unique_id", "ds", "y_obs"]].rename(columns={"y_obs": "y"}), h=args.holdout, level=[60, 90]
        )
    base = base.reset_index() if "unique_id" not in base.columns else base
    okb = ok.merge(base, on=["unique_id", "ds"], how="left")
    t_base = time.perf_counter() - t2
    run_2d = not args.no_2d and args.parts <= 1 and freq == "D"
    nan = float("nan")
    wape_2d = two_day(short_frame(df, args), static, cfg, last) if run_2d else dict.fromkeys(TWO_DAY_KEYS, nan)
    choice = res.choice[["unique_id", "model", "cls"]].rename(columns={"model": "chosen"})
    # what ordering reads on the first days: the demand forecast where the run has one, else the sales forecast
    first = fc[(fc["ds"] <= cutoff + FIRST_DAYS * step) & fc["demand"].notna()]
    first = first.assign(**{c: first[f"fc_demand{s}"].fillna(first[c]) if f"fc_demand{s}" in first else first[c]
                            for c, s in (("mean", ""), ("q80", "_q80"), ("q95", "_q95"))})[
        ["unique_id", "ds", "demand", "mean", "q80", "q95"]
    ]  # fmt: skip
    return Part(okb, scale, choice, int(df["unique_id"].nunique()), seconds, t_load, t_base, wape_2d, first)


def report(args: argparse.Namespace, parts: list[Part]) -> None:
    ok = pd.concat([p.ok for p in parts], ignore_index=True)
    if args.dump:  # the scored rows, for analyses outside the bench (e.g. how a rescaled forecast would score)
        cols = ["unique_id", "ds", "y_obs", "mean", *[f"q{q}" for q in engine.Config().quantiles]]
        ok[cols + [c for c in ("SeasonalNaive", "AutoETS") if c in ok.columns]].to_parquet(args.dump)
    scale = pd.concat([p.scale for p in parts])
    choice = pd.concat([p.choice for p in parts], ignore_index=True)
    series, seconds = sum(p.series for p in parts), sum(p.seconds for p in parts)
    quantiles = engine.Config().quantiles
    main_s = score(ok, ok["mean"], scale)
    a = ok["y_obs"].to_numpy()
    pin = float(np.mean([domain.pinball(a, ok[f"q{q}"], q / 100) for q in quantiles]))
    cov80, cov95 = domain.coverage(a, ok["q80"]), domain.coverage(a, ok["q95"])
    sn = score(ok, ok["SeasonalNaive"].clip(lower=0), scale)
    ets = score(ok, ok["AutoETS"].clip(lower=0), scale)
    print(f"{'model':<14}{'series':>8}{'wape':>8}{'bias':>8}{'mase':>8}")
    for name, s in (("boh", main_s), ("snaive", sn), ("autoets", ets)):
        print(f"{name:<14}{ok['unique_id'].nunique():>8}{s['wape']:>8.3f}{s['bias']:>8.3f}{s['mase']:>8.3f}")
    for (cls, m), g in ok.merge(choice, on="unique_id").groupby(["cls", "chosen"]):
        s = score(g, g["mean"], scale)
        print(f"  {cls[:5]}:{m:<8}{g['unique_id'].nunique():>8}{s['wape']:>8.3f}{s['bias']:>8.3f}{s['mase']:>8.3f}")
    raw_bias = domain.bias(ok["y_obs"], ok["mean"])
    # NaN without baselines (--no-baselines), not the 0 that NaN bands would score
    ets_cov = {q: domain.coverage(a, ok[col].clip(lower=0)) if ok[col].notna().any() else float("nan")
               for q, col in ETS_BANDS.items()}  # fmt: skip
    # bias per week of the hold-out (the level of the chain can move inside it)
    week = ((ok["ds"] - ok["ds"].min()).dt.days // 7).to_numpy()
    by_week = {f"bias{'' if m == 'mean' else '_autoets'}_week{w + 1}":
               round(domain.bias(a[week == w], ok[m].clip(lower=0).to_numpy()[week == w]), 4)
               for m in ("mean", "AutoETS") for w in sorted(set(week))}  # fmt: skip
    print("bias by hold-out week: " + ", ".join(f"{k} {v:+.3f}" for k, v in by_week.items()))
    # the targets week by week (nothing is chosen from them): WAPE of BOH and the baselines, BOH's coverage
    for w in sorted(set(week)):
        g, n = ok[week == w], w + 1
        a_w = a[week == w]
        by_week |= {f"wape_week{n}": round(domain.wape(a_w, g["mean"].to_numpy()), 4),
                    f"wape_autoets_week{n}": round(domain.wape(a_w, g["AutoETS"].clip(lower=0).to_numpy()), 4),
                    f"wape_snaive_week{n}": round(domain.wape(a_w, g["SeasonalNaive"].clip(lower=0).to_numpy()), 4),
                    f"coverage_80_week{n}": round(domain.coverage(a_w, g["q80"]), 4),
                    f"coverage_95_week{n}": round(domain.coverage(a_w, g["q95"]), 4)}  # fmt: skip
        print(f"hold-out week {n}: " + ", ".join(f"{k} {by_week[f'{k}_week{n}']:.4f}" for k in
              ("wape", "wape_autoets", "wape_snaive", "coverage_80", "coverage_95")))  # fmt: skip
    # the hold-out's first days, the 2-day model's in a run (``Config.short_horizon``; the 14-day model's when 0)
    n_first = FIRST_DAYS
    first = (ok["ds"] - ok["ds"].min()).dt.days.to_numpy() < n_first
    rec = pd.concat([p.first for p in parts], ignore_index=True)
    g = ok[first]
    by_week |= {"wape_first_days": round(domain.wape(a[first], g["mean"].to_numpy()), 4),
                "bias_first_days": round(domain.bias(a[first], g["mean"].to_numpy()), 4),
                "coverage_80_first_days": round(domain.coverage(a[first], g["q80"]), 4),
                "coverage_95_first_days": round(domain.coverage(a[first], g["q95"]), 4),
                "wape_after_first_days": round(domain.wape(a[~first], ok.loc[~first, "mean"].to_numpy()), 4),
                "wape_first_days_recovered": round(domain.wape(rec["demand"].to_numpy(), rec["mean"].to_numpy()), 4),
                "bias_first_days_recovered": round(domain.bias(rec["demand"].to_numpy(), rec["mean"].to_numpy()), 4),
                "coverage_80_first_days_recovered": round(domain.coverage(rec["demand"].to_numpy(), rec["q80"]), 4),
                "coverage_95_first_days_recovered": round(domain.coverage(rec["demand"].to_numpy(), rec["q95"]), 4),
                }  # fmt: skip
    print(
        f"hold-out's first {n_first} days: "
        + ", ".join(f"{k} {by_week[f'{k}_first_days']:.4f}" for k in ("wape", "bias", "coverage_80", "coverage_95"))
        + f"; the days after {by_week['wape_after_first_days']:.4f}"
        + f"; on recovered demand (as wape_2d) wape {by_week['wape_first_days_recovered']:.4f}, bias "
        f"{by_week['bias_first_days_recovered']:+.4f}, coverage 80 {by_week['coverage_80_first_days_recovered']:.4f}, "
        f"95 {by_week['coverage_95_first_days_recovered']:.4f}"
    )
    print(f"pinball {pin:.4f}, coverage 80 {cov80:.3f}, 95 {cov95:.3f} (AutoETS's own quantiles "
          f"{ets_cov[80]:.3f}, {ets_cov[95]:.3f}); run {seconds:.1f}s "
          f"({series / seconds:.1f} series/s), loading {sum(p.load_s for p in parts):.1f}s, "
          f"baselines {sum(p.base_s for p in parts):.1f}s")  # fmt: skip
    wape_2d = parts[0].wape_2d if len(parts) == 1 else dict.fromkeys(TWO_DAY_KEYS, float("nan"))
    print(json.dumps({
        "series": series, "seconds": round(seconds, 2), "wape": round(main_s["wape"], 4),
        "wape_snaive": round(sn["wape"], 4), "wape_autoets": round(ets["wape"], 4),
        **{k: round(v, 4) for k, v in wape_2d.items()},
        "bias": round(raw_bias, 4), "coverage_80": round(cov80, 4), "coverage_95": round(cov95, 4),
        "mase": round(main_s["mase"], 4), "pinball": round(pin, 4),
        # the same hold-out through the baselines' eyes: their bias and AutoETS's own band coverage
        "bias_snaive": round(sn["bias"], 4), "bias_autoets": round(ets["bias"], 4),
        "coverage_80_autoets": round(ets_cov[80], 4), "coverage_95_autoets": round(ets_cov[95], 4), **by_week,
        "load_average": round(os.getloadavg()[0], 2),
        "parts": len(parts),
    }))  # fmt: skip


if __name__ == "__main__":
    main()
