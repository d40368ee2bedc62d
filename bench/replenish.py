"""Replenishment policy simulation on real demand: FreshRetailNet-50K (../shared/data/freshretailnet50k, read
in place), BOH's order-up-to policy against the "experience" rule, both swept (baseline days of cover, BOH
service level) over the same latent demand, compared at equal waste (``boh.replenishment.simulation``: the
code behind ``boh replenish simulate``). BOH's operating level is chosen on the validation window and reported
on the later test window; no parameter is chosen on the test window.

    python bench/replenish.py                     # 10,000 series (whole stores drawn at random)
    python bench/replenish.py --series 50000      # all of them
    python bench/replenish.py --quick             # 1,500 series, under a minute
    python bench/replenish.py --shelf-life 2      # fresh defaults otherwise (lead 1 day, daily orders, case 0.1)
    python bench/replenish.py --forecast-only     # the forecaster alone, scored on its selection origins 27-55
    python bench/replenish.py --forecaster engine # the forecasting engine's 2-day forecast (LightGBM + weekday)

Last line: one JSON object. ``suggestion_run_s`` is the wall time of one real nightly suggestion run of 20
sites x 5,000 items (``bench/replenish_run.py``, run as a child process: a database built for it, forecasts,
stock, supplier terms, then ``boh.replenishment`` computing and storing every line with its explanation) on
PostgreSQL (``--run-backend sqlite`` otherwise; ``--quick`` times 4 sites x 1,000 items and says so).
``policy_step_s`` is BOH's vectorised policy step alone (one day's order decision) for 100,000 series."""

from __future__ import annotations

import argparse
import dataclasses
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

from boh.replenishment.simulation import data, engine, forecast, policies, sweep

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data" / "freshretailnet50k"


def policy_step_seconds(n: int = 100_000, repeat: int = 3) -> float:
    """Best of ``repeat``: BOH's order decision for ``n`` series (state, forecasts and quantiles given)."""
    rng = np.random.default_rng(1)
    prm = engine.Params.uniform(n, lead=1, shelf=3, case=0.1)
    mean = rng.gamma(2.0, 0.5, size=(2, n, 11))
    q = {2: mean[:, :, :2].sum(axis=2) * 1.3}
    pol = policies.Boh(0.9, mean, q)
    lots = rng.gamma(1.0, 0.3, size=(n, 3))
    st = engine.State(1, 0, lots, np.zeros((n, 1)), np.zeros((n, 1)), prm)
    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        pol.order(st)
        best = min(best, time.perf_counter() - t)
    return best


def engine_wape(h: data.History, study: sweep.Study, n: int) -> dict[str, Any]:
    """Two-day-ahead WAPE of the forecasting engine's daily-ordering forecast (``engine.predict_short`` through
    ``boh.forecasting.api.short_forecasts``: LightGBM fitted at the test window's first scored origin and refitted
    every 7 origins, forecasting from each origin with the history up to it) against this simulation's forecaster,
    same series, origins and latent demand, with the engine's time: LightGBM alone (``weekday_blend_2d`` 0), the
    engine's blend (its default 0.5 with its own weekday model fitted from the frames) and LightGBM blended 0.5
    with this simulation's forecaster (``--forecaster engine``)."""
    from boh.forecasting.api import blend_weekday, short_forecasts

    sub = h.take(np.arange(min(n, h.n)))
    ta, tb = study.test
    origins = range(ta + study.warmup - 2, tb - 2)
    first, last = origins[0], origins[-1]
    W = forecast.forecasts(sub, study.first_origin, 2, study.forecast)
    out: dict[str, Any] = {"series": sub.n, "origins": [first, last],
                           "replay": forecast.wape(W, sub.demand, 2, origins)}  # fmt: skip
    t = time.perf_counter()
    L = short_forecasts(sub, first, 2, group=sub.city, last_origin=last, blend=0.0)
    out["lgbm_s"] = round(time.perf_counter() - t, 1)
    out["lgbm"] = forecast.wape(L, sub.demand, 2, origins)
    out["lgbm_replay_blend"] = forecast.wape(blend_weekday(L, W, 0.5), sub.demand, 2, origins)
    t = time.perf_counter()
    E = short_forecasts(sub, first, 2, group=sub.city, in_stock=sub.out_hours == 0, last_origin=last)
    out["engine_s"] = round(time.perf_counter() - t, 1)
    out["engine"] = forecast.wape(E, sub.demand, 2, origins)
    print(
        f"forecasting engine on {sub.n} series, origins {first}-{last}, WAPE 2 days ahead: LightGBM alone "
        f"{out['lgbm']:.4f} ({out['lgbm_s']}s); the engine's blend (weekday_blend_2d 0.5, its weekday model) "
        f"{out['engine']:.4f} ({out['engine_s']}s); LightGBM blended 0.5 with this simulation's forecaster "
        f"{out['lgbm_replay_blend']:.4f}; this simulation's forecaster {out['replay']:.4f}"
    )
    return out


def forecast_config(settings: list[str]) -> forecast.ForecastConfig:
    """The forecaster's defaults with ``KEY=VALUE`` settings (a tuple as comma-separated numbers)."""
    base = forecast.ForecastConfig()
    changes: dict[str, Any] = {}
    for item in settings:
        key, _, text = item.partition("=")
        current = getattr(base, key)  # AttributeError: no such setting
        if isinstance(current, bool):
            changes[key] = text.lower() in ("1", "true", "yes")
        elif isinstance(current, tuple):
            changes[key] = tuple(float(x) for x in text.split(","))
        else:
            changes[key] = type(current)(text)
    return dataclasses.replace(base, **changes)


def forecast_only(h: data.History, study: sweep.Study) -> dict[str, Any]:
    """The forecaster alone on its selection origins (``forecast.SELECTION_ORIGINS``, 27-55: what its settings
    are chosen on): two-day-ahead WAPE and bias (forecast / demand) against the latent demand, and the time of
    the study's forecasts (every origin, the replay's horizon). Reads no outcome after day 57."""
    prm = sweep.params_for(h, study)
    t = time.perf_counter()
    F = sweep.forecasts(h, study, prm)
    secs = time.perf_counter() - t
    sel = forecast.SELECTION_ORIGINS
    origins = range(max(sel.start, study.first_origin), sel.stop)
    made = F[origins.start : origins.stop, :, 1]
    truth = h.demand[:, origins.start + 2 : origins.stop + 2].T
    return {"series": h.n, "origins": [origins.start, origins.stop - 1],
            "forecast_wape_2d_selection": forecast.wape(F, h.demand, 2, origins),
            "bias_2d_selection": float(made.sum() / truth.sum()), "forecast_seconds": round(secs, 1),
            "config": dataclasses.asdict(study.forecast)}  # fmt: skip


def warmup_check(h: data.History, study: sweep.Study, res: dict[str, Any]) -> None:
    """The baseline's start-up question: each window's measured days (unchanged) with both policies' replays
    started earlier (a longer warm-up). The baseline's four-week memory starts as the chain's recorded,
    censored sales; started earlier, more of it is its own simulated sales. BOH cannot start before the
    forecaster's first origin + 1. Diagnostic only: nothing here feeds the study's choices."""
    prm = sweep.params_for(h, study)
    cover, level, spread = res["best_cover"], res["level"], res["spread"]
    if cover is None or level is None:
        return
    F = sweep.forecasts(h, study, prm)
    protect = sorted({int(p) for wd in range(7) for p in np.unique(prm.lead + prm.review(wd))})
    lv = round(float(level), 4)
    qp = {p: forecast.quantile_sums(F, h.known, p, [lv], study.first_origin, study.forecast, spread=spread)[lv]
          for p in protect}  # fmt: skip
    for name, (a, b) in (("validation", study.validation), ("test", study.test)):
        first = a + study.warmup  # first measured day
        print(f"-- warm-up check, {name} window (days {first}-{b - 1} measured; baseline cover {cover}, BOH level "
              f"{lv}, spread {spread}) --")  # fmt: skip
        for start in sorted({a, study.first_origin + 1, 21, 14, 7}, reverse=True):
            if start > first - 1:
                continue
            mb = engine.metrics(sweep._run(h, prm, policies.Baseline(cover), (start, b), first - start))
            line = (f"  start day {start:>2}: baseline stockout item-days {mb['stockout_rate']:.4f}, waste "
                    f"{mb['waste_rate']:.4f}, turnover {mb['turnover']:.1f}")  # fmt: skip
            if start > study.first_origin:
                pol = policies.Boh(lv, F, qp, smoothing=study.smoothing)
                mp = engine.metrics(sweep._run(h, prm, pol, (start, b), first - start))
                line += (f"; BOH stockouts {mp['stockout_rate']:.4f}, waste {mp['waste_rate']:.4f}, turnover "
                         f"{mp['turnover']:.1f} (x{mp['turnover'] / mb['turnover']:.3f} turnover, "
                         f"x{mp['stockout_rate'] / mb['stockout_rate']:.3f} stockouts, "
                         f"x{mp['waste_rate'] / mb['waste_rate']:.3f} waste)")  # fmt: skip
            print(line)


def nightly_run(backend: str, quick: bool) -> dict[str, Any] | None:
    """Time one nightly suggestion run with bench/replenish_run.py (its last line is one JSON object)."""
    cmd = [sys.executable, str(Path(__file__).with_name("replenish_run.py")), "--backend", backend]
    proc = subprocess.run(cmd + (["--quick"] if quick else []), capture_output=True, text=True, check=False)
    lines = [ln for ln in proc.stdout.splitlines() if ln.strip()]
    for ln in lines[:-1]:
        print("  " + ln)
    if proc.returncode != 0 or not lines:
        print(f"nightly suggestion run failed: {proc.stderr.strip()[-400:]}", file=sys.stderr)
        return None
    result: dict[str, Any] = json.loads(lines[-1])
    print(f"nightly suggestion run: {result['sites']} sites x {result['items']} items in {result['suggestion_run_s']}s"
          f" ({result['backend']}; target under 60 s for 20 x 5,000 on 2 cores)")  # fmt: skip
    return result


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--series", type=int, default=10_000)
    ap.add_argument("--quick", action="store_true", help="1,500 series")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--data", type=Path, default=DATA)
    ap.add_argument("--shelf-life", type=int, default=3)
    ap.add_argument("--lead-time", type=int, default=1)
    ap.add_argument("--case-pack", type=float, default=0.1)
    ap.add_argument(
        "--spread",
        type=float,
        default=None,
        help="BOH's service spread, fixed (0: one level for every series; default: chosen on the validation "
        "window from sweep.SPREADS)",
    )
    ap.add_argument(
        "--smoothing",
        type=float,
        default=None,
        help="BOH's proportional order-up-to factor (1: plain order-up-to; default: the study's)",
    )
    ap.add_argument("--no-what-if", action="store_true", help="skip the forecast-error what-if")
    ap.add_argument(
        "--forecast-set",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="one forecaster setting (forecast.ForecastConfig field), e.g. momentum=0; repeatable",
    )
    ap.add_argument(
        "--forecast-only",
        action="store_true",
        help="only score the forecaster on its selection origins 27-55 (two-day-ahead WAPE; JSON line) and stop",
    )
    ap.add_argument("--warmup-check", action="store_true", help="validation window replayed from earlier days")
    ap.add_argument(
        "--level-rule",
        choices=list(sweep.LEVEL_RULES),
        default=None,
        help="how BOH's ex-ante level is read on the validation window (target_met; every rule is reported)",
    )
    ap.add_argument("--lead-in", type=int, default=0, help="every replay starts this many days before its window")
    ap.add_argument(
        "--run-backend",
        choices=["postgresql", "sqlite"],
        default="postgresql",
        help="database of the timed nightly suggestion run (bench/replenish_run.py)",
    )
    ap.add_argument("--no-run", action="store_true", help="do not time a nightly suggestion run")
    ap.add_argument(
        "--forecaster",
        choices=list(forecast.FORECASTERS),
        default=None,
        help="the replay's forecaster: weekday (its own model, the default) or engine (the forecasting engine's "
        "daily-ordering LightGBM blended with it, forecast.engine_forecasts)",
    )
    ap.add_argument(
        "--engine-blend",
        type=float,
        default=None,
        help="with --forecaster engine: the weekday model's share in the blend (default: the engine's, 0.5)",
    )
    ap.add_argument(
        "--engine",
        type=int,
        default=0,
        metavar="N",
        help="also score the forecasting engine's 2-day forecast on N series (test origins): LightGBM alone, the "
        "engine's blend, LightGBM blended with this simulation's forecaster",
    )
    args = ap.parse_args()
    if not (args.data / "hourly.parquet").is_file():
        print(f"no FreshRetailNet-50K data at {args.data}", file=sys.stderr)
        return 2
    n = 1_500 if args.quick else args.series
    t0 = time.perf_counter()
    h = data.load(args.data, sample=n, seed=args.seed)
    print(f"loaded {h.n} series x {len(h.days)} days, latent demand recovered: {time.perf_counter() - t0:.1f}s")
    cat = sweep.CategoryParams(shelf_life=args.shelf_life, lead_time=args.lead_time, case_pack=args.case_pack)
    study = sweep.Study(defaults=cat)
    if args.spread is not None:
        study = dataclasses.replace(study, spread=args.spread)
    if args.lead_in:
        study = dataclasses.replace(study, lead_in=args.lead_in)
    if args.level_rule:
        study = dataclasses.replace(study, level_rule=args.level_rule)
    if args.smoothing is not None:
        study = dataclasses.replace(study, smoothing=args.smoothing)
    if args.forecast_set:
        study = dataclasses.replace(study, forecast=forecast_config(args.forecast_set))
    if args.forecaster:
        study = dataclasses.replace(study, forecaster=args.forecaster)
    if args.engine_blend is not None:
        study = dataclasses.replace(study, engine_blend=args.engine_blend)
    if args.forecast_only:
        print(json.dumps(forecast_only(h, study)))
        return 0
    res = sweep.run(h, study, log=lambda s: print("  " + s))
    for line in sweep.summary_lines(res):
        print(line)
    if not args.no_what_if:
        print("-- what if the forecast were better (diagnostic: true future demand mixed into the forecast) --")
        for blend in (0.25, 0.5):
            w = sweep.run(h, dataclasses.replace(study, oracle_blend=blend, samples=0, spread=res["spread"]))
            wo = w["operating"]
            print(
                f"  blend {blend}: WAPE 2 days ahead {w['forecast_wape_2d']:.3f}; operating point "
                + (
                    f"level {wo['level']} vs cover {wo['cover']}: turnover x{sweep._f(wo['turnover_ratio'])} "
                    f"stockout item-days x{sweep._f(wo['stockout_ratio'])} waste x{sweep._f(wo['waste_ratio'])}"
                    if wo
                    else "n/a"
                )
            )
    if args.warmup_check:
        warmup_check(h, study, res)
    eng = engine_wape(h, study, args.engine) if args.engine else None
    step = policy_step_seconds()
    print(f"policy step (one day's order decision, vectorised) for 100,000 site x item series: {step:.3f}s")
    run = None if args.no_run else nightly_run(args.run_backend, args.quick)
    hd, op = res["headline"], res["operating"]
    eq = hd["equal_waste"] or {}
    tv = res.get("validation_level_on_test") or {}
    tf = res.get("validation_fewer_level_on_test") or {}
    ex_ante = bool(tv.get("met"))
    print(
        f"target (turnover >= x1.15 and stockout item-days <= x0.90, no more waste): BOH's test curve passes "
        f"through it at the baseline's best cover: {'yes' if op and op['met'] else 'no'}; with the service level "
        f"chosen beforehand (level rule {study.level_rule!r} on the validation window), replayed on the test window: "
        f"{'MET' if ex_ante else 'NOT met'}; vendor claim x1.35 turnover and x0.78 stockouts"
    )
    out = {
        "turnover_ratio": op and op["turnover_ratio"], "stockout_rate": op and op["stockout_rate"],
        "stockout_rate_baseline": op and op["baseline"]["stockout_rate"], "waste_ratio": op and op["waste_ratio"],
        "fill_rate": op and op["fill_rate"],
        "forecast_wape_2d": res["forecast_wape_2d"],
        "forecast_wape_2d_selection": res["forecast_wape_2d_selection"],
        "suggestion_run_s": run and run["suggestion_run_s"],
        "suggestion_run_what": run and f"{run['sites']} sites x {run['items']} items on {run['backend']}",
        "policy_step_s": step,
        "series": h.n, "baseline_cover": hd["cover"], "level": op and op["level"],
        "stockout_ratio": op and op["stockout_ratio"],
        "equal_waste": {"turnover_ratio": eq.get("turnover_ratio"), "stockout_ratio": eq.get("stockout_ratio")},
        "forecast_wape_2d_in_stock": res["forecast_wape_2d_in_stock"],
        "stockout_hours_rate": op and op["stockout_hours_rate"], "bullwhip_store": op and op["bullwhip_store"],
        "stockout_hours_rate_recorded_chain": res["recorded"]["stockout_hours_rate"],
        "bullwhip_dc": op and op["bullwhip_dc"], "target_met": ex_ante,
        "curve_passes_target": bool(op and op["met"]),
        "ex_ante": {"level": tv.get("level"), "turnover_ratio": tv.get("turnover_ratio"),
                    "stockout_ratio": tv.get("stockout_ratio"), "waste_ratio": tv.get("waste_ratio"),
                    "bullwhip_store": tv.get("bullwhip_store"), "bullwhip_dc": tv.get("bullwhip_dc"),
                    "rule": f"BOH's spread (sweep.SPREAD_RULE) and level by {study.level_rule!r} (sweep.LEVEL_RULES) "
                            "on the validation window"},
        "ex_ante_by_rule": {rule: r and {k: r.get(k) for k in ("level", "turnover_ratio", "stockout_ratio",
                                                                 "waste_ratio", "met")}
                            for rule, r in res["ex_ante_by_rule"].items()},
        "ex_ante_fewer_stockouts": {"level": tf.get("level"), "turnover_ratio": tf.get("turnover_ratio"),
                                    "stockout_ratio": tf.get("stockout_ratio"), "waste_ratio": tf.get("waste_ratio")},
        "spread": res["spread"], "spread_fixed": study.spread is not None, "lead_in": study.lead_in,
        "spread_candidates": res["spread_selection"]["candidates"], "smoothing": study.smoothing,
        "forecaster": study.forecaster, "engine_blend": study.engine_blend, "engine_wape_2d": eng,
        "seconds": round(time.perf_counter() - t0, 1),
    }  # fmt: skip
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
