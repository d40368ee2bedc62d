"""Suggestion runs on a real database: lines per site x item with their explanation, sourcing, budgets,
idempotent runs, review, approvals, escalation, automatic ordering."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from boh.bootstrap import Runtime
from boh.kernel.clock import clock
from boh.kernel.errors import PermissionDenied, ValidationFailed
from boh.replenishment import models as m
from boh.replenishment.service import auto, review
from tests.replenishment.helpers import DAY, World, make_world, run_day

D = Decimal


@pytest.fixture
def world(runtime: Runtime) -> World:
    return make_world(runtime)


def _lines(rt: Runtime, run_id: int) -> dict[tuple[int, int], m.Line]:
    with rt.session_factory() as s:
        return {(ln.site_id, ln.item_id): ln for ln in s.scalars(select(m.Line).where(m.Line.run_id == run_id))}


def test_run_makes_explained_lines_per_site_and_item(runtime: Runtime, world: World) -> None:
    run_id = run_day(runtime, world)
    lines = _lines(runtime, run_id)
    # S001 milk: lead 2 + review 1 = 3 days x 10 = 30 forecast; sigma 1/day -> SS = 1.6449 x sqrt(3) = 2.849;
    # position 5 -> need 27.849 -> nearest case of 12 is 24, refused (5 + 24 < 30) -> 36 = 3 cases (>= MOQ 24)
    milk = lines[(world.s1, world.milk)]
    assert (milk.suggested_qty, milk.forecast_qty, milk.safety_stock, milk.position) == (D(36), D(30), D("2.849"), D(5))
    assert (milk.source, milk.supplier_id, milk.unit_price, milk.currency) == ("supplier", world.supplier, D(5), "CNY")
    assert milk.needed_by == DAY + timedelta(days=2)
    # rice at the stores comes from the DC; the DC orders rice from the supplier
    assert (lines[(world.s2, world.rice)].source, lines[(world.s2, world.rice)].from_site_id) == ("site", world.dc)
    assert lines[(world.dc, world.rice)].source == "supplier"
    assert (world.s1, world.rice) not in lines  # 100 on hand: nothing needed, no line
    # bread: 2 days x 6 + SS 2.326 - 4 on hand = 10.326 -> 10 (rounding down keeps 14 >= 12); shelf-life cap
    # (1 + 2) days x 6 - 4 = 14 does not bind
    bread = lines[(world.s1, world.bread)]
    assert (bread.suggested_qty, bread.binding) == (D(10), "case_round")
    with runtime.session_factory() as s:
        expl = s.get(m.Explanation, milk.id).data
    assert expl["position"]["position"] == "5.000"
    assert [st["rule"] for st in expl["steps"]] == ["case_round"]
    assert expl["steps"][0]["detail"]["direction"] == "up_protect"
    assert expl["safety"]["service_level"] == "0.95"


def test_run_with_same_key_is_idempotent(runtime: Runtime, world: World) -> None:
    first = run_day(runtime, world, key="k")
    again = run_day(runtime, world, key="k")
    assert first == again
    with runtime.session_factory() as s:
        assert s.scalar(select(func.count()).select_from(m.Run)) == 1


def test_budget_trims_lines_and_explains(runtime: Runtime, world: World) -> None:
    with runtime.system_uow(world.tenant.id) as uow:
        uow.session.add(m.Budget(tenant_id=world.tenant.id, site_id=world.s1, amount=D(100), currency="CNY"))
        uow.commit()
    lines = _lines(runtime, run_day(runtime, world))
    s1 = [ln for (site, _), ln in lines.items() if site == world.s1]
    assert sum(ln.qty * ln.unit_price for ln in s1) <= D(100)
    trimmed = [ln for ln in s1 if ln.binding == "budget"]
    assert trimmed
    with runtime.session_factory() as s:
        steps = s.get(m.Explanation, trimmed[0].id).data["steps"]
    assert steps[-1]["rule"] == "budget" and steps[-1]["detail"]["budget"] == "100.00"


def test_change_within_tolerance_is_approved_outside_needs_approval(runtime: Runtime, world: World) -> None:
    lines = _lines(runtime, run_day(runtime, world))
    milk = lines[(world.s1, world.milk)]
    with runtime.system_uow(world.tenant.id) as uow:
        line = review.change_qty(uow, line_id=milk.id, qty=D(40), reason_code="local_knowledge")
        assert (line.status, line.approval_level) == ("approved", 0)  # 11% < 20%
        line = review.change_qty(uow, line_id=milk.id, qty=D(60), reason_code="promotion", note="festival")
        assert (line.status, line.approval_level) == ("pending", 1)  # 66.7%: one level
        uow.commit()
    with runtime.session_factory() as s:
        changes = list(s.scalars(select(m.Change).where(m.Change.line_id == milk.id).order_by(m.Change.id)))
        steps = list(s.scalars(select(m.Approval).where(m.Approval.line_id == milk.id)))
    assert [(c.old_qty, c.new_qty, c.deviation_pct, c.reason_code) for c in changes] == [
        (D(36), D(40), D("11.111"), "local_knowledge"),
        (D(40), D(60), D("66.667"), "promotion"),
    ]
    assert [(a.level, a.status) for a in steps] == [(1, "pending")]
    with runtime.system_uow(world.tenant.id) as uow:
        line = review.decide(uow, line_id=milk.id, approve=True)
        assert (line.status, line.qty) == ("approved", D(60))
        uow.commit()


def test_bad_change_writes_nothing(runtime: Runtime, world: World) -> None:
    milk = _lines(runtime, run_day(runtime, world))[(world.s1, world.milk)]
    with runtime.system_uow(world.tenant.id) as uow, pytest.raises(ValidationFailed) as err:
        review.change_qty(uow, line_id=milk.id, qty=D(-1), reason_code="bogus")
    assert {e.loc for e in err.value.errors} == {("qty",), ("reason_code",)}
    with runtime.session_factory() as s:
        assert s.scalar(select(func.count()).select_from(m.Change)) == 0
        assert s.get(m.Line, milk.id).qty == D(36)


def test_two_levels_and_rejection(runtime: Runtime, world: World) -> None:
    milk = _lines(runtime, run_day(runtime, world))[(world.s1, world.milk)]
    with runtime.system_uow(world.tenant.id) as uow:
        line = review.change_qty(uow, line_id=milk.id, qty=D(120), reason_code="promotion")  # +233%: level 2
        assert line.approval_level == 2
        review.decide(uow, line_id=milk.id, approve=True)
        uow.flush()
        assert line.status == "pending"
        line = review.decide(uow, line_id=milk.id, approve=False, note="too much")
        assert (line.status, line.qty) == ("proposed", D(36))
        uow.commit()


def test_level_two_needs_rules_permission(runtime: Runtime, world: World) -> None:
    from boh.kernel.tenancy import system_principal

    milk = _lines(runtime, run_day(runtime, world))[(world.s1, world.milk)]
    with runtime.system_uow(world.tenant.id) as uow:
        review.change_qty(uow, line_id=milk.id, qty=D(120), reason_code="promotion")
        review.decide(uow, line_id=milk.id, approve=True)
        uow.commit()
    p = system_principal(world.tenant.id, ["replenishment.read", "replenishment.approve"])
    with runtime.system_uow(world.tenant.id) as uow, uow.acting_as(p), pytest.raises(PermissionDenied):
        review.decide(uow, line_id=milk.id, approve=True)


def test_overdue_approvals_escalate_once(runtime: Runtime, world: World) -> None:
    from boh.replenishment import tasks

    milk = _lines(runtime, run_day(runtime, world))[(world.s1, world.milk)]
    with clock.frozen(datetime(2026, 3, 2, 8, tzinfo=UTC)):
        with runtime.system_uow(world.tenant.id) as uow:
            review.change_qty(uow, line_id=milk.id, qty=D(60), reason_code="promotion")
            uow.commit()
        assert tasks.escalate(runtime) == 0
        clock.advance(timedelta(hours=25))
        assert tasks.escalate(runtime) == 1
        assert tasks.escalate(runtime) == 0
    with runtime.session_factory() as s:
        assert [a.escalated for a in s.scalars(select(m.Approval))] == [True]


def test_auto_ordering_bands_dry_run_and_kill_switch(runtime: Runtime, world: World) -> None:
    run_id = run_day(runtime, world)
    with runtime.system_uow(world.tenant.id) as uow:
        uow.session.add(m.AutoRule(tenant_id=world.tenant.id, site_id=world.s1, budget=D(1000),
                                   deviation_pct=D(50), price_band_pct=D(10), dry_run=True, active=True))  # fmt: skip
        uow.commit()
    with runtime.system_uow(world.tenant.id) as uow:
        res = auto.apply_rules(uow, run_id=run_id)
        uow.commit()
    # no sales history at S001: nothing may go without a person, every line is left for review
    assert (res.placed, res.would_place, res.kill_switch) == (0, 0, False)
    assert res.to_review == 2
    with runtime.session_factory() as s:
        reasons = {d.line_id: d.reasons for d in s.scalars(select(m.AutoDecision))}
        assert all("no_history" in r for r in reasons.values())
        assert s.scalar(select(func.count()).select_from(m.Line).where(m.Line.auto.is_(True))) == 0
    with runtime.system_uow(world.tenant.id) as uow:
        auto.set_enabled(uow, False)
        res = auto.apply_rules(uow, run_id=run_id)
        uow.commit()
    assert res.kill_switch and res.to_review == 0


def test_approved_lines_become_orders_once(runtime: Runtime, world: World) -> None:
    from boh.purchasing import models as po
    from boh.replenishment.service import release

    run_id = run_day(runtime, world)
    lines = _lines(runtime, run_id)
    milk, rice = lines[(world.s1, world.milk)], lines[(world.s2, world.rice)]
    with runtime.system_uow(world.tenant.id) as uow:
        review.accept(uow, line_ids=[milk.id, rice.id])
        assert release.release_run(uow, run_id=run_id) == 2
        uow.commit()
    with runtime.session_factory() as s:
        orders = {o.kind: o for o in s.scalars(select(po.Order))}
        order_lines = {ln.item_id: ln for ln in s.scalars(select(po.OrderLine))}
        assert s.get(m.Line, milk.id).status == "ordered"
        assert s.get(m.Line, milk.id).order_ref
    assert set(orders) == {"purchase", "transfer"}
    assert (orders["purchase"].supplier_id, orders["purchase"].site_id) == (world.supplier, world.s1)
    assert (orders["transfer"].from_site_id, orders["transfer"].site_id) == (world.dc, world.s2)
    assert order_lines[world.milk].origin_id == str(milk.id)
    with runtime.system_uow(world.tenant.id) as uow:
        assert release.release_run(uow, run_id=run_id) == 0  # nothing approved is left: nothing placed twice
        uow.commit()
    with runtime.session_factory() as s:
        assert s.scalar(select(func.count()).select_from(po.Order)) == 2
    # the next run sees the order (on order in inventory): milk at S001 needs nothing more
    again = _lines(runtime, run_day(runtime, world, key="t2"))
    assert (world.s1, world.milk) not in again
    rice_again = again[(world.s2, world.rice)]  # the draft transfer (10) counts as on order
    assert (rice_again.position, rice_again.suggested_qty) == (D(10), D(0))


def test_auto_ordering_places_a_line_within_the_bands(runtime: Runtime, world: World) -> None:
    from boh.purchasing import models as po
    from tests.inventory.factories import mv, post

    first = datetime(2026, 2, 1, 12, tzinfo=UTC)
    moves = [mv(world.s1, world.bread, "receipt", "170", "b-rcv", unit_cost=D(3), event_at=first)]
    moves += [mv(world.s1, world.bread, "sale", "-6", f"b-sale-{i}", event_at=datetime(2026, 2, 2, 12, tzinfo=UTC)
                 + timedelta(days=i)) for i in range(28)]  # fmt: skip
    post(runtime, world.tenant, *moves)
    run_id = run_day(runtime, world)
    bread = _lines(runtime, run_id)[(world.s1, world.bread)]
    assert bread.suggested_qty == D(8)  # 6 on hand; 2 days x 6 + SS 2.326 -> need 8.326 -> 8
    with runtime.system_uow(world.tenant.id) as uow:
        uow.session.add(m.AutoRule(tenant_id=world.tenant.id, site_id=world.s1, budget=D(100), deviation_pct=D(20),
                                   price_band_pct=D(10), dry_run=False, active=True))  # fmt: skip
        uow.commit()
    with runtime.system_uow(world.tenant.id) as uow:
        res = auto.apply_rules(uow, run_id=run_id)
        uow.commit()
    assert (res.placed, res.would_place) == (1, 0)  # bread; milk (no sales history) goes to a person
    with runtime.session_factory() as s:
        line = s.get(m.Line, bread.id)
        assert (line.status, line.auto) == ("ordered", True)
        order = s.scalars(select(po.Order)).one()
        assert (order.kind, order.status, order.site_id) == ("purchase", "confirmed", world.s1)
        decision = s.scalars(select(m.AutoDecision).where(m.AutoDecision.line_id == bread.id)).one()
        assert (decision.decision, decision.reasons, decision.value) == ("placed", [], D(24))


def test_the_person_who_changed_a_line_cannot_approve_it(runtime: Runtime, world: World) -> None:
    from boh.kernel.tenancy import Principal
    from boh.replenishment.errors import SelfApproval

    milk = _lines(runtime, run_day(runtime, world))[(world.s1, world.milk)]
    perms = ["replenishment.read", "replenishment.review", "replenishment.approve"]
    alice = Principal("user", 7, world.tenant.id, "alice", grants=dict.fromkeys(perms))
    with runtime.system_uow(world.tenant.id) as uow, uow.acting_as(alice):
        review.change_qty(uow, line_id=milk.id, qty=D(60), reason_code="promotion")
        uow.commit()
    with runtime.system_uow(world.tenant.id) as uow, uow.acting_as(alice), pytest.raises(SelfApproval):
        review.decide(uow, line_id=milk.id, approve=True)
    with runtime.session_factory() as s:
        assert s.get(m.Line, milk.id).status == "pending"
