"""Replenishment policy simulation on real demand: FreshRetailNet-50K (../shared/data/freshretailnet50k, read
in place), BOH's order-up-to policy against the "experience" rule, both swept (baseline days of cover, BOH
service level) over the same latent demand, compared at equal waste (``boh.replenishment.simulation``: the
code behind ``boh replenish simulate``). BOH's operating level is chosen on the validation window and reported
on the later test window; no parameter is chosen on the test window.

    python bench/replenish.py                     # 10,000 series (whole stores drawn at random)
    python bench/replenish.py --series 50000      # all of them
    python bench/replenish.py --quick             # 1,500 series, under a minute
    python bench/replenish.py --shelf-life 2      # fresh defaults otherwise (lead 1 day, daily orders, case 0.1)

Last line: one JSON object. ``suggestion_run_s`` is, on this branch, the time of BOH's vectorised policy step
(one day's order decision) for 100,000 site x item series (the nightly run of 20 sites x 5,000 items with the
replenishment core's database work is measured by the core's own benchmark)."""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import time
from pathlib import Path

import numpy as np

from boh.replenishment.simulation import data, engine, policies, sweep

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


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--series", type=int, default=10_000)
    ap.add_argument("--quick", action="store_true", help="1,500 series")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--data", type=Path, default=DATA)
    ap.add_argument("--shelf-life", type=int, default=3)
    ap.add_argument("--lead-time", type=int, default=1)
    ap.add_argument("--case-pack", type=float, default=0.1)
    ap.add_argument("--no-what-if", action="store_true", help="skip the forecast-error what-if")
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
    res = sweep.run(h, study, log=lambda s: print("  " + s))
    for line in sweep.summary_lines(res):
        print(line)
    if not args.no_what_if:
        print("-- what if the forecast were better (diagnostic: true future demand mixed into the forecast) --")
        for blend in (0.25, 0.5):
            w = sweep.run(h, dataclasses.replace(study, oracle_blend=blend, samples=0))
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
    step = policy_step_seconds()
    print(f"policy step (one day's order decision, vectorised) for 100,000 site x item series: {step:.3f}s")
    hd, op = res["headline"], res["operating"]
    eq = hd["equal_waste"] or {}
    print(
        f"target (turnover >= x1.15 and stockout item-days <= x0.90, no more waste) at the operating point: "
        f"{'MET' if op and op['met'] else 'NOT met'}; vendor claim x1.35 turnover and x0.78 stockouts"
    )
    out = {
        "turnover_ratio": op and op["turnover_ratio"], "stockout_rate": op and op["stockout_rate"],
        "stockout_rate_baseline": op and op["baseline"]["stockout_rate"], "waste_ratio": op and op["waste_ratio"],
        "fill_rate": op and op["fill_rate"],
        "forecast_wape_2d": res["forecast_wape_2d"],
        "suggestion_run_s": step, "suggestion_run_what": "policy step only, 100,000 series (core figure at merge)",
        "series": h.n, "baseline_cover": hd["cover"], "level": op and op["level"],
        "stockout_ratio": op and op["stockout_ratio"],
        "equal_waste": {"turnover_ratio": eq.get("turnover_ratio"), "stockout_ratio": eq.get("stockout_ratio")},
        "forecast_wape_2d_in_stock": res["forecast_wape_2d_in_stock"],
        "stockout_hours_rate": op and op["stockout_hours_rate"], "bullwhip_store": op and op["bullwhip_store"],
        "stockout_hours_rate_recorded_chain": res["recorded"]["stockout_hours_rate"],
        "bullwhip_dc": op and op["bullwhip_dc"], "target_met": bool(op and op["met"]),
        "seconds": round(time.perf_counter() - t0, 1),
    }  # fmt: skip
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
