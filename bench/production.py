"""Central kitchen production planning benchmark (issue 16).

A seeded kitchen serving 50 stores: 120 finished items of 2 to 4 recipe levels (sub-recipes shared between
dishes), 5 stations, one week of stores' orders on their delivery days. It measures:

- BOM explosion: every store's orders exploded through the recipes to the needs of every level
  (``boh.kitchen.domain.explode_levels``, exact decimals), netted against stock;
- the CP-SAT plan (``boh.kitchen.planner.solve``): time to the first feasible plan, time to the final plan,
  and the gap between the final plan's objective and the solver's bound.

Targets: explosion < 1 s, first feasible plan < 10 s, final plan within 3 % of the bound in < 60 s.
Run: ``.venv/bin/python bench/production.py`` (``--seed``, ``--time-limit``, ``--workers``).
The last line is one JSON object: stores, items, explode_s, feasible_s, final_s, gap_pct.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import time
from decimal import Decimal

from boh.kitchen import domain, planner

STATIONS = ("prep", "hot", "cold", "bakery", "pack")


def build_world(
    seed: int, stores: int, finished: int
) -> tuple[dict[int, domain.Recipe], dict[int, planner.PlanItem], list[planner.DemandRow]]:
    rng = random.Random(seed)
    raw = list(range(1, 151))  # bought ingredients
    next_id = 1000
    book: dict[int, domain.Recipe] = {}
    level: dict[int, list[int]] = {1: [], 2: [], 3: []}

    def recipe(item: int, comps: list[int], yield_qty: int) -> None:
        lines = tuple(
            domain.RecipeLine(c, Decimal(rng.randint(1, 6)), Decimal(rng.choice((0, 0, 5, 10, 15)))) for c in comps
        )
        book[item] = domain.Recipe(
            item,
            item,
            Decimal(yield_qty),
            lines,
            station=rng.choice(STATIONS),
            minutes_per_batch=rng.randint(10, 35),
            batch_size=Decimal(yield_qty),
            shelf_life_days=rng.choice((2, 3, 4, 5)),
        )

    for lv, count in ((1, 40), (2, 20), (3, 10)):  # shared sub-recipes: sauces, bases, components
        for _ in range(count):
            below = level[lv - 1] if lv > 1 else []
            comps = rng.sample(raw, rng.randint(2, 4)) + (rng.sample(below, rng.randint(1, 2)) if below else [])
            recipe(next_id, comps, rng.choice((20, 40, 50)))
            level[lv].append(next_id)
            next_id += 1
    dishes = []
    for n in range(finished):
        depth = n % 3  # the deepest sub-recipe level: 0 (2 levels with the leaves) .. 2 (4 levels)
        comps = rng.sample(raw, rng.randint(2, 4))
        if depth >= 1:
            comps += rng.sample(level[depth], 1)
        recipe(next_id, comps, rng.choice((10, 20, 30)))
        dishes.append(next_id)
        next_id += 1
    demand = []
    for s in range(stores):
        delivery_days = sorted(rng.sample(range(1, 7), 3))  # each store: three deliveries a week
        for dish in rng.sample(dishes, 40):
            for d in delivery_days:
                demand.append(planner.DemandRow(dish, d, rng.randint(1, 6), store=f"S{s:03d}"))
    return book, {}, demand


def explode(book: dict[int, domain.Recipe], demand: list[planner.DemandRow]) -> dict[tuple[int, int], Decimal]:
    """Needs of every level per item and delivery day (the explosion the planner's demand comes from)."""
    by_item_day: dict[tuple[int, int], Decimal] = {}
    for r in demand:
        key = (r.item_id, r.day)
        by_item_day[key] = by_item_day.get(key, Decimal(0)) + r.quantity
    needs: dict[tuple[int, int], Decimal] = dict(by_item_day)
    for (item, day), qty in by_item_day.items():
        for comp, q in domain.explode_levels(book, item, qty).items():
            needs[(comp, day)] = needs.get((comp, day), Decimal(0)) + q
    return needs


def plan_items(book: dict[int, domain.Recipe], rng: random.Random) -> dict[int, planner.PlanItem]:
    items = {}
    for item, r in book.items():
        comps = tuple((ln.item_id, int(-(-ln.gross // 1))) for ln in r.lines if ln.item_id in book)
        items[item] = planner.PlanItem(
            item,
            r.station,
            batch_size=int(r.batch_size),
            minutes_per_batch=r.minutes_per_batch,
            max_batches=60,
            shelf_life_days=r.shelf_life_days,
            components=comps,
            stock=rng.choice((0, 0, 0, int(r.batch_size))),
        )
    return items


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, default=16)
    ap.add_argument("--stores", type=int, default=50)
    ap.add_argument("--items", type=int, default=120)
    ap.add_argument("--time-limit", type=float, default=60.0)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--linearization", type=int, default=2, help="CP-SAT linearization_level (2: tighter bound)")
    ap.add_argument(
        "--minutes", type=int, default=1800, help="minutes per station per day (two shifts of two cooks, less breaks)"
    )
    args = ap.parse_args()
    book, _, demand = build_world(args.seed, args.stores, args.items)
    dishes = sorted({r.item_id for r in demand})
    levels = domain.levels(book)
    print(
        f"world: {args.stores} stores, {args.items} finished items, {len(book)} recipes, "
        f"levels {min(levels[d] for d in dishes) + 1}-{max(levels[d] for d in dishes) + 1} (with the leaves), "
        f"{len(demand)} order lines, {len(STATIONS)} stations x {args.minutes} min/day"
    )
    t0 = time.perf_counter()
    needs = explode(book, demand)
    explode_s = time.perf_counter() - t0
    print(f"BOM explosion: {len(needs)} item-day needs in {explode_s:.3f} s")
    items = plan_items(book, random.Random(args.seed))
    capacity = {s: [args.minutes] * 7 for s in STATIONS}
    cpu0 = time.process_time()
    result = planner.solve(
        items,
        demand,
        capacity,
        days=7,
        lead_days=1,
        time_limit_s=args.time_limit,
        gap_limit=0.005,
        workers=args.workers,
        linearization=args.linearization,
    )
    cpu_s = time.process_time() - cpu0
    load = {s: sum(ln.minutes for ln in result.lines if ln.station == s) for s in STATIONS}
    print(
        f"plan: {result.status}, {len(result.lines)} production runs, {sum(ln.batches for ln in result.lines)} batches"
    )
    print(
        "station load (min/week): " + ", ".join(f"{s} {v} ({v * 100 // (args.minutes * 7)}%)" for s, v in load.items())
    )
    print(f"first feasible plan: {result.first_feasible_s:.2f} s" if result.first_feasible_s is not None else "no plan")
    if result.start_s is not None:
        print(f"  (the heuristics' start, checked feasible, was ready at {result.start_s:.2f} s; then the presolve)")
    print(
        f"final plan: {result.solve_s:.2f} s, objective {result.objective}, bound {result.bound}, "
        f"gap {result.gap_pct:.2f} %"
        if result.gap_pct is not None
        else f"final: {result.status} {result.conflicts}"
    )
    print("objective and bound over time (s: objective / bound, gap):")
    for at, objective, bound in _checkpoints(result.progress, result.solve_s):
        gap = f"{(objective - bound) * 100 / objective:.2f} %" if objective and bound is not None else "-"
        print(
            f"  {at:6.1f}: {objective if objective is not None else '-'} / {bound if bound is not None else '-'}, {gap}"
        )
    print(_freshness(items, result, demand))
    loadavg = os.getloadavg()
    print(
        f"machine: {os.cpu_count()} cores, load average {' '.join(f'{x:.2f}' for x in loadavg)}; "
        f"process CPU {cpu_s:.1f} s in {result.solve_s:.1f} s"
    )
    print(
        json.dumps(
            {
                "stores": args.stores,
                "items": args.items,
                "explode_s": round(explode_s, 4),
                "feasible_s": round(result.first_feasible_s, 3) if result.first_feasible_s is not None else None,
                "final_s": round(result.solve_s, 3),
                "gap_pct": round(result.gap_pct, 3) if result.gap_pct is not None else None,
                "objective": result.objective,
                "bound": result.bound,
                "cpu_s": round(cpu_s, 1),
                "load_average": round(loadavg[0], 2),
                "start_s": round(result.start_s, 3) if result.start_s is not None else None,
            }
        )
    )


def _checkpoints(
    progress: list[tuple[float, float | None, float | None]], end: float
) -> list[tuple[float, float | None, float | None]]:
    """The best plan and bound known at a few moments (the solver's trace, sampled)."""
    out = []
    for at in (*(t for t in (2, 5, 10, 20, 30, 45, 60, 90, 120, 300, 600) if t < end), end):
        objective = bound = None
        for t, o, b in progress:
            if t > at:
                break
            if o is not None:
                objective = o if objective is None else min(objective, o)
            if b is not None:
                bound = b if bound is None else max(bound, b)
        out.append((float(at), objective, bound))
    return out


def _freshness(items: dict[int, planner.PlanItem], result: planner.PlanResult, demand: list[planner.DemandRow]) -> str:
    """The objective's sense, split: unit-days held by what the plan makes before the day it is used, and by
    the stock on hand at the start (used first, FIFO); the share of the units made the day they are used."""
    made_ahead, from_stock, same_day = planner.held(items, demand, result.lines, days=7, lead_days=1)
    made = sum(ln.quantity for ln in result.lines)
    return (
        f"freshness: {made} units made, {same_day * 100 // max(made, 1)} % used the day they are made; "
        f"unit-days held: {made_ahead} by what is made ahead, {from_stock} by the stock on hand at the start"
    )


if __name__ == "__main__":
    main()
