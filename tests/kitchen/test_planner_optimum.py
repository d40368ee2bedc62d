"""The planner's model with its cuts (echelon rounding, a feasible start, a short presolve) against a brute
force: on small random kitchens of one to three levels, with stock, WIP, shelf lives, batches and a shared
station, CP-SAT's optimum equals the best plan found by trying every plan, and "infeasible" means none
exists. Also: the start the solver gets is a plan that keeps every constraint, and the freshness split adds
up to the objective."""

from __future__ import annotations

import itertools
import random

import pytest

from boh.kitchen import planner
from boh.kitchen.planner import DemandRow, PlanItem


def _kitchen(seed: int) -> tuple[dict[int, PlanItem], list[DemandRow], dict[str, list[int]], int]:
    rng = random.Random(seed)
    levels = (1, 2, 3)[seed % 3]
    days = 2 if levels == 3 else 3
    items: dict[int, PlanItem] = {}
    for n in range(levels):  # item 1 is sold; item n + 1 goes into item n
        item = n + 1
        items[item] = PlanItem(
            item,
            rng.choice(("prep", "hot")) if levels > 1 else "hot",
            batch_size=rng.choice((2, 3)),
            minutes_per_batch=rng.choice((20, 30)),
            max_batches=rng.choice((1, 2)),
            shelf_life_days=rng.choice((1, 2, 3, None)),
            components=((item + 1, rng.randint(1, 3)),) if n + 1 < levels else (),
            stock=rng.choice((0, 0, 1, 3)),
            wip={1: rng.choice((0, 1, 2))},
        )
    demand = [DemandRow(1, d, rng.randint(0, 5)) for d in range(days)]
    capacity = {
        "prep": [rng.choice((40, 60, 90)) for _ in range(days)],
        "hot": [rng.choice((40, 60, 90, 120)) for _ in range(days)],
    }
    return items, demand, capacity, days


def _brute_force(
    items: dict[int, PlanItem], demand: list[DemandRow], capacity: dict[str, list[int]], days: int
) -> int | None:
    """The least unit-days held over every plan (production of every item on every day) that keeps the
    model's rules, written out plainly: stock never short, what is held at the end of a day used within the
    shelf life (the stock at the start apart), at most max_batches a day, the stations' minutes."""
    due = [sum(r.quantity for r in demand if r.day == d) for d in range(days)]  # lead 0: due on the day
    best: int | None = None
    order = sorted(items)  # 1 uses 2 uses 3
    ranges = [range(0, it.batch_size * it.max_batches + 1) for it in (items[i] for i in order) for _ in range(days)]
    for flat in itertools.product(*ranges):
        made = {(i, d): flat[k * days + d] for k, i in enumerate(order) for d in range(days)}
        use = {(1, d): due[d] for d in range(days)}
        for i in order:
            for comp, per in items[i].components:
                for d in range(days):
                    use[(comp, d)] = use.get((comp, d), 0) + -(-(per * made[(i, d)]) // items[i].batch_size)
        total, ok = 0, True
        minutes = {(st, d): 0 for st in capacity for d in range(days)}
        for i in order:
            it = items[i]
            level = it.stock
            for d in range(days):
                minutes[(it.station or "", d)] += -(-made[(i, d)] // it.batch_size) * it.minutes_per_batch
                level += it.wip.get(d, 0) + made[(i, d)] - use.get((i, d), 0)
                sl = it.shelf_life_days
                if level < 0 or (
                    sl
                    and d + sl - 1 < days
                    and level > sum(use.get((i, t), 0) for t in range(d + 1, d + sl)) + it.stock
                ):
                    ok = False
                total += level
        if ok and all(v <= capacity[st][d] for (st, d), v in minutes.items()):
            best = total if best is None else min(best, total)
    return best


@pytest.mark.parametrize("seed", range(15))
def test_the_optimum_equals_the_brute_force_one(seed: int) -> None:
    items, demand, capacity, days = _kitchen(seed)
    expected = _brute_force(items, demand, capacity, days)
    r = planner.solve(items, demand, capacity, days=days, lead_days=0, time_limit_s=20, gap_limit=0)
    if expected is None:
        assert r.status == "infeasible" and r.conflicts
    else:
        assert r.status == "optimal"
        assert r.objective == expected
        assert r.bound == expected


def test_the_start_keeps_every_constraint_and_the_freshness_adds_up() -> None:
    rng = random.Random(7)
    items = {}
    for i in range(1, 31):  # 20 dishes on two stations, 10 sauces they share
        comps = ((rng.randint(21, 30), rng.randint(1, 4)),) if i <= 20 else ()
        items[i] = PlanItem(
            i,
            ("hot", "cold")[i % 2] if i <= 20 else "prep",
            batch_size=rng.choice((10, 20)),
            minutes_per_batch=rng.randint(15, 40),
            shelf_life_days=rng.choice((2, 3)),
            components=comps,
            stock=rng.choice((0, 10)),
        )
    demand = [DemandRow(i, d, rng.randint(5, 25)) for i in range(1, 21) for d in range(1, 6)]
    capacity = {st: [450] * 7 for st in ("hot", "cold", "prep")}
    due: dict[tuple[int, int], int] = {}
    for row in demand:
        due[(row.item_id, row.day - 1)] = due.get((row.item_id, row.day - 1), 0) + row.quantity
    unlimited = planner._greedy(items, due, {st: [10**9] * 7 for st in capacity}, 7)
    assert planner._overloaded(items, capacity, unlimited, 7)  # made on their days, the stations overflow
    start = planner._start(items, due, capacity, 7)
    assert planner._feasible(items, due, capacity, start, 7)
    r = planner.solve(items, demand, capacity, time_limit_s=10)
    assert r.status in ("optimal", "feasible") and r.objective is not None and r.bound is not None
    assert r.bound <= r.objective <= sum(planner._levels(items, due, start, 7).values())
    ahead, from_stock, _same_day = planner.held(items, demand, r.lines)
    assert ahead + from_stock == r.objective
    seen = [(o, b) for _, o, b in r.progress]
    objectives = [o for o, _ in seen if o is not None]
    assert objectives == sorted(objectives, reverse=True) and objectives[-1] == r.objective
