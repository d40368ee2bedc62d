"""The CP-SAT production plan on small cases: just in time, batches, capacity, shelf life, components made
before their parents, and an infeasible plan that names its constraint."""

from __future__ import annotations

from boh.kitchen import planner
from boh.kitchen.planner import DemandRow, PlanItem

SAUCE = PlanItem(2, "prep", batch_size=20, minutes_per_batch=30, shelf_life_days=3)
DISH = PlanItem(1, "hot", batch_size=10, minutes_per_batch=60, shelf_life_days=2, components=((2, 5),))


def _by(result: planner.PlanResult) -> dict[tuple[int, int], int]:
    return {(ln.item_id, ln.day): ln.quantity for ln in result.lines}


def test_produces_as_late_as_allowed_with_components_the_same_day() -> None:
    r = planner.solve({1: DISH, 2: SAUCE}, [DemandRow(1, 4, 25)], {"hot": [480] * 7, "prep": [480] * 7}, time_limit_s=5)
    assert r.status == "optimal"
    # due day 3 (one day before delivery): 25 dishes in 3 batches, their sauce (ceil(5 * 25 / 10) = 13)
    assert _by(r) == {(1, 3): 25, (2, 3): 13}
    assert [ln.batches for ln in r.lines] == [3, 1]
    assert r.gap_pct == 0.0


def test_capacity_moves_production_earlier() -> None:
    cap = {"hot": [120] * 7, "prep": [480] * 7}  # two dish batches a day
    r = planner.solve({1: DISH, 2: SAUCE}, [DemandRow(1, 4, 40)], cap, time_limit_s=5)
    made = _by(r)
    assert made[(1, 3)] == 20 and made[(1, 2)] == 20
    assert sum(ln.minutes for ln in r.lines if ln.station == "hot" and ln.day == 3) <= 120


def test_stock_and_wip_are_netted() -> None:
    dish = PlanItem(1, "hot", batch_size=10, minutes_per_batch=60, stock=8, wip={1: 10})
    r = planner.solve({1: dish}, [DemandRow(1, 3, 25)], {"hot": [480] * 7}, time_limit_s=5)
    assert _by(r) == {(1, 2): 7}


def test_an_infeasible_plan_names_the_station_and_day() -> None:
    cap = {"hot": [60] * 7, "prep": [480] * 7}  # one dish batch a day
    r = planner.solve({1: DISH, 2: SAUCE}, [DemandRow(1, 1, 30)], cap, time_limit_s=5)
    assert r.status == "infeasible" and r.lines == []
    assert r.conflicts == ["capacity:hot:0", "demand:1:0"]


def test_shelf_life_limits_how_early_stock_is_made() -> None:
    # 10 a day delivered on days 2..6 (due a day before); day 3 the station is closed: day 2 makes its share
    dish = PlanItem(1, "hot", batch_size=10, minutes_per_batch=60, shelf_life_days=2)
    demand = [DemandRow(1, d, 10) for d in range(2, 7)]
    r = planner.solve({1: dish}, demand, {"hot": [120, 120, 120, 0, 120, 120, 120]}, time_limit_s=5)
    assert r.status == "optimal"
    assert _by(r) == {(1, 1): 10, (1, 2): 20, (1, 4): 10, (1, 5): 10}
    fresh = PlanItem(1, "hot", batch_size=10, minutes_per_batch=60, shelf_life_days=1)  # used the day it is made
    short = planner.solve({1: fresh}, demand, {"hot": [120, 120, 120, 0, 120, 120, 120]}, time_limit_s=5)
    assert short.status == "infeasible"
    assert short.conflicts == ["capacity:hot:3", "shelf_life:1", "demand:1:3"]
