"""The planner's pure parts: needs from rules, risk, territories, day routes, re-planning, the naive baseline."""

from __future__ import annotations

import random
from collections import Counter
from datetime import date, timedelta
from decimal import Decimal as D

from hypothesis import given, settings
from hypothesis import strategies as st

from boh.inspections import planner, routing
from boh.inspections.risk import Risk, RiskFacts, repeat_failures, risk_of

START, END = date(2026, 1, 1), date(2026, 3, 31)  # 90 days


def _stores(n: int, seed: int = 1, regions: int = 2) -> list[planner.Store]:
    rnd = random.Random(seed)
    return [
        planner.Store(
            i + 1, 31.2 + rnd.uniform(-0.2, 0.2) + (i % regions), 121.4 + rnd.uniform(-0.2, 0.2), i % regions + 1
        )
        for i in range(n)
    ]


def _inspectors(n: int, regions: int = 2, capacity: int = 4) -> list[planner.InspectorSpec]:
    return [planner.InspectorSpec(k + 1, k % regions + 1, frozenset(range(5)), capacity) for k in range(n)]


def test_every_n_days_windows_follow_the_last_visit_and_the_risk() -> None:
    store = planner.Store(1, 31.0, 121.0, 1, "supermarket")
    rule = planner.RuleSpec(7, "every_n_days", 3, site_format="supermarket", every_days=30)
    never = planner.needs([store], [rule], START, END, {}, {})
    assert [(n.start, n.end) for n in never] == [
        (START, date(2026, 1, 30)), (date(2026, 1, 31), date(2026, 3, 1)), (date(2026, 3, 2), date(2026, 3, 31))
    ]  # fmt: skip
    assert never[0].reasons == (("rule", "30"),) and never[0].template_id == 3
    hist = {(1, 3): planner.History(last_visit=date(2025, 12, 20), last_score=95)}
    after = planner.needs([store], [rule], START, END, hist, {})
    assert after[0].end == date(2026, 1, 19)  # 30 days after the last visit
    risky = planner.needs([store], [rule], START, END, {}, {1: Risk(D(70), ())})
    assert len(risky) == 6 and risky[0].end == date(2026, 1, 15)  # every 15 days
    assert ("risk_interval", "15") in risky[0].reasons
    other_format = planner.Store(2, 31.0, 121.0, 1, "convenience")
    assert planner.needs([other_format], [rule], START, END, {}, {}) == []
    for_supermarkets = planner.RuleSpec(8, "every_n_days", 3, every_days=30, formats=("supermarket",), regions=(1,))
    assert len(planner.needs([store, other_format], [for_supermarkets], START, END, {}, {})) == 3  # the template's
    assert planner.needs([planner.Store(3, 31, 121, 2, "supermarket")], [for_supermarkets], START, END, {}, {}) == []


def test_reinspection_below_threshold_and_monthly_self_inspections() -> None:
    store = planner.Store(1, 31.0, 121.0, 1)
    rule = planner.RuleSpec(2, "reinspect_below", 3, threshold=70, within_days=14)
    low = {(1, 3): planner.History(date(2025, 12, 28), 62.5)}
    (need,) = planner.needs([store], [rule], START, END, low, {})
    assert (need.start, need.end, need.reasons) == (START, date(2026, 1, 11), (("reinspect_below", "62.5"),))
    assert planner.needs([store], [rule], START, END, {(1, 3): planner.History(date(2025, 12, 28), 80)}, {}) == []
    monthly = planner.RuleSpec(3, "self_monthly", 4)
    months = planner.needs([store], [monthly], START, END, {}, {})
    assert [(n.start, n.end, n.kind) for n in months] == [
        (START, date(2026, 1, 31), "self"), (date(2026, 2, 1), date(2026, 2, 28), "self"),
        (date(2026, 3, 1), date(2026, 3, 31), "self"),
    ]  # fmt: skip


def test_risk_reasons_and_caps() -> None:
    r = risk_of(RiskFacts(last_score=D(62), repeat_failures=1, open_actions=7, overdue_actions=1,
                          signals={"cold_chain": 9, "stock_discrepancy": 1}))  # fmt: skip
    points = {x.code: x.points for x in r.reasons}
    assert points == {"last_score_low": D(19), "repeat_failures": D(5), "open_actions": D(10),
                      "overdue_actions": D(5), "cold_chain": D(20), "stock_discrepancy": D(3)}  # fmt: skip
    assert r.score == D(62) and r.factor == D("0.5")
    assert risk_of(RiskFacts(last_score=D(100))).score == 0 and risk_of(RiskFacts(last_score=D(100))).factor == 1
    assert risk_of(RiskFacts()).reasons[0].code == "never_inspected"
    assert repeat_failures([["a", "b"], ["a"], ["b", "c"], ["c"]]) == 2  # a and b; c's second is too old


def test_territories_respect_regions_and_balance_the_load() -> None:
    stores = _stores(120)
    inspectors = _inspectors(6)
    loads = {s.id: 3 for s in stores}
    slots = {i.id: 100 for i in inspectors}
    owner = planner.territories(stores, loads, inspectors, slots)
    assert set(owner) == {s.id for s in stores}
    by_id = {i.id: i for i in inspectors}
    assert all(by_id[owner[s.id]].region_id == s.region_id for s in stores)
    per = Counter(owner.values())
    assert max(per.values()) - min(per.values()) <= 2  # 20 stores each, give or take a split


def test_schedule_respects_capacity_windows_and_working_days() -> None:
    stores = {s.id: s for s in _stores(8, regions=1)}
    spec = planner.InspectorSpec(1, None, frozenset({0, 2, 4}), 3, (31.2, 121.4))  # Mon, Wed, Fri
    days = planner.working_days(spec, date(2026, 1, 5), date(2026, 1, 18))
    demand = [planner.Need(s, date(2026, 1, 5), date(2026, 1, 11)) for s in stores]
    demand.append(planner.Need(1, date(2026, 1, 12), date(2026, 1, 18)))
    demand.append(planner.Need(2, date(2026, 1, 10), date(2026, 1, 11)))  # a weekend: no working day
    visits, lost = routing.schedule(spec, demand, days, spec.home or (0, 0), stores, seconds=0.5)
    assert [n.store_id for n in lost] == [2] and len(visits) == 9
    per_day = Counter(v.day for v in visits)
    assert all(n <= 3 for n in per_day.values()) and all(d.weekday() in (0, 2, 4) for d in per_day)
    assert all(v.need.start <= v.day <= v.need.end for v in visits)
    for day in per_day:  # stops of a day are numbered 0..n-1
        assert sorted(v.order for v in visits if v.day == day) == list(range(per_day[day]))


def test_planned_routes_travel_less_than_the_naive_plan() -> None:
    stores = _stores(80, seed=3)
    inspectors = [planner.InspectorSpec(k + 1, k % 2 + 1, frozenset(range(5)), 4) for k in range(4)]
    rule = planner.RuleSpec(1, "every_n_days", 1, every_days=30)
    demand = planner.needs(stores, [rule], START, END, {}, {})
    plan = routing.plan(stores, inspectors, demand, START, END, seconds=3)
    naive = planner.naive_plan(stores, inspectors, demand, START, END, plan.homes)
    by_id = {s.id: s for s in stores}
    assert len(plan.visits) == len(demand) == 240 and plan.unassigned == []
    assert planner.travel_km(plan, by_id) < planner.travel_km(naive, by_id)
    assert planner.workload_cv(plan, [1, 2, 3, 4]) < 0.1


def test_replan_moves_an_absent_inspectors_visits() -> None:
    stores = {s.id: s for s in _stores(10, regions=1)}
    a, b = (planner.InspectorSpec(k, None, frozenset(range(5)), 2, (31.2, 121.4)) for k in (1, 2))
    monday = date(2026, 1, 5)
    kept = [planner.Visit(planner.Need(3, monday, monday), 2, monday, 0)]
    affected = [planner.Need(1, monday, monday), planner.Need(2, monday, monday + timedelta(days=1)),
                planner.Need(4, monday, monday), planner.Need(5, monday, monday)]  # fmt: skip
    absent_a = planner.InspectorSpec(1, None, frozenset(range(5)), 2, (31.2, 121.4), frozenset({monday}))
    homes = {1: a.home or (0, 0), 2: b.home or (0, 0)}
    moves = routing.replan(affected, kept, [absent_a, b], stores, homes, monday, monday + timedelta(days=4), prefer=1)
    placed = {m.need.store_id: (m.inspector_id, m.day) for m in moves}
    assert placed[2] == (1, monday + timedelta(days=1))  # the same inspector, the next day of its window
    on_monday = [k for k, v in placed.items() if v == (2, monday)]
    assert len(on_monday) == 1  # b had room for one more on Monday
    assert sum(1 for v in placed.values() if v == (None, None)) == 2


@settings(max_examples=25, deadline=None)
@given(st.integers(min_value=1, max_value=40), st.integers(min_value=1, max_value=5), st.integers(0, 10_000))
def test_day_order_visits_every_stop_once(n: int, cap: int, seed: int) -> None:
    rnd = random.Random(seed)
    stops = [(i, (31 + rnd.random(), 121 + rnd.random())) for i in range(n)]
    order = routing.order_day((31.5, 121.5), stops)
    assert sorted(order) == list(range(n))
