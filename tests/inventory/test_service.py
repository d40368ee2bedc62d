"""The stock ledger through its use cases, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta
from decimal import Decimal as D

import pytest
from sqlalchemy import func, select

from boh.bootstrap import Runtime
from boh.inventory import queries, service
from boh.inventory.errors import DuplicateLot, IdempotencyKeyReused, InsufficientStock
from boh.inventory.models import Balance, ItemCost, Move
from boh.inventory.schemas import BalanceFilter, LotCreate, TransferIn
from boh.kernel.audit import AuditRecord
from boh.kernel.clock import clock
from boh.kernel.errors import NotFound, ValidationFailed
from boh.kernel.outbox import OutboxRecord
from boh.kernel.tenancy import Principal, Scope
from boh.kernel.uow import UnitOfWork
from tests.inventory.factories import World, make_lot, make_world, mv, post

NOW = datetime.fromisoformat("2026-11-25T06:00:00+00:00")


@pytest.fixture
def w(runtime: Runtime) -> World:
    clock.freeze(NOW)
    return make_world(runtime)


def balances(rt: Runtime, tenant_id: int) -> dict[tuple[int, int, int | None], tuple[D, D]]:
    with rt.session_factory() as s:
        rows = s.execute(select(Balance).where(Balance.tenant_id == tenant_id)).scalars()
        return {(b.site_id, b.item_id, b.lot_id): (b.on_hand, b.in_transit) for b in rows}


def move_sums(rt: Runtime, tenant_id: int) -> dict[tuple[int, int, int | None], D]:
    out: dict[tuple[int, int, int | None], D] = defaultdict(D)
    with rt.session_factory() as s:
        for m in s.scalars(select(Move).where(Move.tenant_id == tenant_id)):
            out[(m.site_id, m.item_id, m.lot_id)] += m.quantity
    return dict(out)


def count(rt: Runtime, model: type) -> int:
    with rt.session_factory() as s:
        return s.scalar(select(func.count()).select_from(model)) or 0


def cost(rt: Runtime, site_id: int, item_id: int) -> tuple[D, D, D]:
    with rt.session_factory() as s:
        c = s.scalars(select(ItemCost).where(ItemCost.site_id == site_id, ItemCost.item_id == item_id)).one()
        return c.quantity, c.avg_unit_cost, c.total_value


def test_balances_equal_the_sum_of_moves_after_mixed_batches(runtime: Runtime, w: World) -> None:
    lot = make_lot(runtime, w.tenant, w.item, "L1", date(2026, 12, 31))
    post(
        runtime,
        w.tenant,
        mv(w.s1, w.item, "receipt", "100", "k1", unit_cost=D("1.5")),
        mv(w.s1, w.item, "receipt", "20", "k2", lot_id=lot, unit_cost=D("1.5")),
        mv(w.s1, w.item2, "receipt", "2.125", "k3"),
        mv(w.s2, w.item, "receipt", "7", "k4"),
    )
    post(
        runtime,
        w.tenant,
        mv(w.s1, w.item, "sale", "-30.5", "k5"),
        mv(w.s1, w.item, "sale", "-5", "k6", lot_id=lot),
        mv(w.s1, w.item2, "waste", "-0.125", "k7", reason_code="SPOILED"),
        mv(w.s1, w.item, "adjustment", "1.25", "k8", reason_code="FOUND"),
        mv(w.s2, w.item, "count_variance", "-2", "k9"),
        mv(w.s1, w.item, "return", "3", "k10"),
    )
    got = balances(runtime, w.tenant.id)
    assert {k: v[0] for k, v in got.items()} == move_sums(runtime, w.tenant.id)
    assert got[(w.s1, w.item, None)] == (D("73.75"), D(0))
    assert got[(w.s1, w.item, lot)] == (D("15"), D(0))
    assert got[(w.s1, w.item2, None)] == (D("2"), D(0))
    assert got[(w.s2, w.item, None)] == (D("5"), D(0))
    assert count(runtime, Balance) == 4


def test_one_audit_record_and_one_event_per_batch(runtime: Runtime, w: World) -> None:
    audits, events = count(runtime, AuditRecord), count(runtime, OutboxRecord)
    result = post(runtime, w.tenant, mv(w.s1, w.item, "receipt", "5", "a"), mv(w.s1, w.item, "sale", "-2", "b"))
    with runtime.session_factory() as s:
        rec = s.scalars(select(AuditRecord).where(AuditRecord.action == "inventory.moves.post")).one()
        assert f'"move_ids":[{result.moves[0].id},{result.moves[1].id}]' in (rec.after or "")
        topics = list(s.scalars(select(OutboxRecord.topic).order_by(OutboxRecord.id)))
    assert count(runtime, AuditRecord) == audits + 1
    assert count(runtime, OutboxRecord) == events + 1
    assert topics[-1] == "inventory.stock_moved"


def test_retried_batch_with_same_keys_changes_nothing(runtime: Runtime, w: World) -> None:
    batch = [mv(w.s1, w.item, "receipt", "10", "r1", unit_cost=D("2")), mv(w.s1, w.item, "sale", "-4", "r2")]
    first = post(runtime, w.tenant, *batch)
    before = (
        balances(runtime, w.tenant.id),
        cost(runtime, w.s1, w.item),
        count(runtime, Move),
        count(runtime, AuditRecord),
        count(runtime, OutboxRecord),
    )
    again = post(runtime, w.tenant, *batch)
    assert again.replayed == 2
    assert [m.id for m in again.moves] == [m.id for m in first.moves]
    assert (
        balances(runtime, w.tenant.id),
        cost(runtime, w.s1, w.item),
        count(runtime, Move),
        count(runtime, AuditRecord),
        count(runtime, OutboxRecord),
    ) == before
    # a partly new batch posts only the new move
    third = post(runtime, w.tenant, batch[1], mv(w.s1, w.item, "sale", "-1", "r3"))
    assert third.replayed == 1
    assert balances(runtime, w.tenant.id)[(w.s1, w.item, None)][0] == D("5")


def test_reusing_a_key_for_another_move_is_refused(runtime: Runtime, w: World) -> None:
    post(runtime, w.tenant, mv(w.s1, w.item, "receipt", "10", "dup"))
    with pytest.raises(IdempotencyKeyReused):
        post(runtime, w.tenant, mv(w.s1, w.item, "receipt", "11", "dup"))
    assert balances(runtime, w.tenant.id)[(w.s1, w.item, None)][0] == D("10")


def test_refuse_policy_writes_nothing(runtime: Runtime, w: World) -> None:
    post(runtime, w.tenant, mv(w.strict, w.item, "receipt", "3", "in"))
    before = (
        balances(runtime, w.tenant.id),
        count(runtime, Move),
        count(runtime, AuditRecord),
        count(runtime, OutboxRecord),
        cost(runtime, w.strict, w.item),
    )
    with pytest.raises(InsufficientStock) as exc:
        post(
            runtime,
            w.tenant,
            mv(w.strict, w.item2, "receipt", "1", "other"),
            mv(w.strict, w.item, "sale", "-2", "ok"),
            mv(w.strict, w.item, "sale", "-2", "too-much"),
        )
    assert exc.value.extra["shortages"] == [
        {"index": 2, "site_id": w.strict, "item_id": w.item, "lot_id": None, "on_hand_after": "-1.000000"}
    ]
    assert (
        balances(runtime, w.tenant.id),
        count(runtime, Move),
        count(runtime, AuditRecord),
        count(runtime, OutboxRecord),
        cost(runtime, w.strict, w.item),
    ) == before


def test_flag_policy_allows_and_marks_the_move(runtime: Runtime, w: World) -> None:
    result = post(
        runtime,
        w.tenant,
        mv(w.s1, w.item, "receipt", "1", "in"),
        mv(w.s1, w.item, "sale", "-1", "s1"),
        mv(w.s1, w.item, "sale", "-2", "s2"),
    )
    assert [m.negative for m in result.moves] == [False, False, True]
    assert balances(runtime, w.tenant.id)[(w.s1, w.item, None)][0] == D("-2")
    with runtime.session_factory() as s:
        payloads = list(s.scalars(select(OutboxRecord.payload).where(OutboxRecord.topic == "inventory.negative_stock")))
    assert len(payloads) == 1 and f'"move_ids":[{result.moves[2].id}]' in payloads[0]
    # further sales while it stays below zero are flagged, but it went below zero only once
    more = post(runtime, w.tenant, mv(w.s1, w.item, "sale", "-1", "s3"))
    assert [m.negative for m in more.moves] == [True]
    back = post(runtime, w.tenant, mv(w.s1, w.item, "receipt", "5", "in2"), mv(w.s1, w.item, "sale", "-4", "s4"))
    assert [m.negative for m in back.moves] == [False, True]  # -3 +5 = 2, then -2: below zero again
    with runtime.session_factory() as s:
        payloads = list(s.scalars(select(OutboxRecord.payload).where(OutboxRecord.topic == "inventory.negative_stock")))
    assert len(payloads) == 1  # the second batch started at -3 and ended at -2: no new crossing


def test_bad_moves_are_all_reported_by_index_and_none_written(runtime: Runtime, w: World) -> None:
    other = make_world(runtime, "OTHER")
    good = [mv(w.s1, w.item, "receipt", "1", f"g{i}") for i in range(10)]
    good[2] = mv(w.s1, w.item, "waste", "-1", "g2")  # no reason code
    good[5] = mv(w.s1, other.item, "receipt", "1", "g5")  # another tenant's item
    good[9] = mv(w.s1, w.item, "receipt", "-1", "g9")  # wrong sign
    with pytest.raises(ValidationFailed) as exc:
        post(runtime, w.tenant, *good)
    locs = sorted(e.loc for e in exc.value.errors)
    assert locs == [("moves", 2, "reason_code"), ("moves", 5, "item_id"), ("moves", 9, "quantity")]
    assert count(runtime, Move) == 0 and balances(runtime, w.tenant.id) == {}


def test_cost_follows_receipts_and_issues_exactly(runtime: Runtime, w: World) -> None:
    post(
        runtime,
        w.tenant,
        mv(w.s1, w.item, "receipt", "10", "c1", unit_cost=D("2.00")),
        mv(w.s1, w.item, "receipt", "5", "c2", unit_cost=D("3.50")),
    )
    sale = post(runtime, w.tenant, mv(w.s1, w.item, "sale", "-3", "c3")).moves[0]
    assert sale.unit_cost == D("2.5")
    post(
        runtime,
        w.tenant,
        mv(w.s1, w.item, "receipt", "8", "c4", unit_cost=D("1.10")),
        mv(w.s1, w.item, "receipt", "3", "c5", unit_cost=D("1")),
    )
    assert cost(runtime, w.s1, w.item) == (D("23"), D("1.817391"), D("41.8"))
    post(runtime, w.tenant, mv(w.s2, w.item, "receipt", "1", "c6", unit_cost=D("9")))
    assert cost(runtime, w.s2, w.item) == (D("1"), D("9"), D("9"))  # per site
    assert cost(runtime, w.s1, w.item) == (D("23"), D("1.817391"), D("41.8"))


def test_backdated_move_is_accepted_and_counted_at_once(runtime: Runtime, w: World) -> None:
    post(runtime, w.tenant, mv(w.s1, w.item, "receipt", "10", "now", unit_cost=D("2")))
    old = post(
        runtime, w.tenant, mv(w.s1, w.item, "receipt", "10", "old", unit_cost=D("4"), event_at=NOW - timedelta(days=40))
    ).moves[0]
    assert old.event_at == NOW - timedelta(days=40) and old.recorded_at == NOW
    assert balances(runtime, w.tenant.id)[(w.s1, w.item, None)][0] == D("20")
    assert cost(runtime, w.s1, w.item) == (D("20"), D("3"), D("60"))  # averaged in recorded order, no repost
    with pytest.raises(ValidationFailed) as exc:
        post(runtime, w.tenant, mv(w.s1, w.item, "receipt", "1", "future", event_at=NOW + timedelta(hours=1)))
    assert [e.loc for e in exc.value.errors] == [("moves", 0, "event_at")]


def test_transfer_is_in_transit_until_received(runtime: Runtime, w: World) -> None:
    post(runtime, w.tenant, mv(w.s1, w.item, "receipt", "10", "t0", unit_cost=D("2")))
    with runtime.system_uow(w.tenant.id) as uow:
        out = service.transfer(
            uow, TransferIn(from_site_id=w.s1, to_site_id=w.s2, item_id=w.item, quantity=D("4"), idempotency_key="t1")
        )
        uow.commit()
    got = balances(runtime, w.tenant.id)
    assert got[(w.s1, w.item, None)] == (D("6"), D(0)) and got[(w.s2, w.item, None)] == (D(0), D("4"))
    for _ in range(2):  # receiving twice receives once
        with runtime.system_uow(w.tenant.id) as uow:
            received = service.receive_transfer(uow, out.id)
            uow.commit()
    got = balances(runtime, w.tenant.id)
    assert got[(w.s2, w.item, None)] == (D("4"), D(0))
    assert received.unit_cost == D("2") and cost(runtime, w.s2, w.item) == (D("4"), D("2"), D("8"))
    assert count(runtime, Move) == 3


def test_lots_fefo_and_quarantine(runtime: Runtime, w: World) -> None:
    # the site is in Asia/Shanghai: at 20:00 UTC on the 24th it is already the 25th there, so GONE
    # (expiring on the 24th) is expired although the UTC date is still the 24th
    clock.freeze(datetime.fromisoformat("2026-11-24T20:00:00+00:00"))
    soon = make_lot(runtime, w.tenant, w.item, "SOON", date(2026, 11, 25))
    late = make_lot(runtime, w.tenant, w.item, "LATE", date(2027, 1, 1))
    gone = make_lot(runtime, w.tenant, w.item, "GONE", date(2026, 11, 24))
    held = make_lot(runtime, w.tenant, w.item, "HELD", date(2026, 11, 26))
    post(
        runtime,
        w.tenant,
        *[mv(w.s1, w.item, "receipt", "5", f"l{lot}", lot_id=lot) for lot in (soon, late, gone, held)],
    )
    with runtime.system_uow(w.tenant.id) as uow:
        service.quarantine_lot(uow, held, "failed inspection")
        uow.commit()
    with pytest.raises(DuplicateLot), runtime.system_uow(w.tenant.id) as uow:
        service.create_lot(uow, LotCreate(item_id=w.item, lot_code="SOON"))
    with runtime.session_factory() as s:
        sug = queries.suggest_fefo(s, Scope(w.tenant.id), w.s1, w.item, D("8"))
        rows, _ = queries.list_balances(s, Scope(w.tenant.id), BalanceFilter(site_id=w.s1), 50, 0)
    assert [(ln.lot_code, ln.take) for ln in sug.lines] == [("SOON", D("5")), ("LATE", D("3"))]
    assert sug.shortfall == 0
    avail = {r.lot_code: (r.on_hand, r.available, r.usable) for r in rows}
    assert avail["GONE"] == (D("5"), D(0), False) and avail["HELD"] == (D("5"), D(0), False)
    assert avail["SOON"] == (D("5"), D("5"), True)


def test_refused_batch_leaves_the_callers_other_work_intact(runtime: Runtime, w: World) -> None:
    """The batch runs in a savepoint: a caller that handles the refusal can still commit its other work."""
    with runtime.system_uow(w.tenant.id) as uow:
        service.post_moves(uow, [mv(w.s1, w.item, "receipt", "2", "kept")])
        with pytest.raises(InsufficientStock):
            service.post_moves(
                uow, [mv(w.strict, w.item, "receipt", "1", "r-in"), mv(w.strict, w.item, "sale", "-5", "r-out")]
            )
        uow.commit()
    assert balances(runtime, w.tenant.id) == {(w.s1, w.item, None): (D("2"), D(0))}
    with runtime.session_factory() as s:
        assert list(s.scalars(select(Move.idempotency_key))) == ["kept"]


def test_scoped_principal_cannot_post_to_another_site(runtime: Runtime, w: World) -> None:
    staff = Principal(
        kind="user", id=7, tenant_id=w.tenant.id, name="staff", grants={"inventory.move.write": frozenset({w.s1})}
    )
    with UnitOfWork(runtime.session_factory, staff) as uow, pytest.raises(NotFound):
        service.post_moves(uow, [mv(w.s1, w.item, "receipt", "1", "x1"), mv(w.s2, w.item, "receipt", "1", "x2")])
    assert count(runtime, Move) == 0


def test_public_api_stock_levels_sum_lots_and_exclude_unusable_from_available(runtime: Runtime, w: World) -> None:
    from boh.inventory import api

    good = make_lot(runtime, w.tenant, w.item, "GOOD", date(2027, 1, 1))
    old = make_lot(runtime, w.tenant, w.item, "OLD", date(2026, 1, 1))
    post(
        runtime,
        w.tenant,
        mv(w.s1, w.item, "receipt", "2", "n"),
        mv(w.s1, w.item, "receipt", "3", "g", lot_id=good),
        mv(w.s1, w.item, "receipt", "4", "o", lot_id=old),
    )
    with runtime.session_factory() as s:
        levels = api.stock_levels(s, Scope(w.tenant.id), w.s1, [w.item, w.item2])
        with pytest.raises(NotFound):
            api.stock_levels(s, Scope(w.tenant.id, frozenset({w.s2})), w.s1, [w.item])
    assert levels == {w.item: api.StockLevel(w.item, D("9"), D(0), D(0), D(0), D("5"))}


def test_moves_name_lots_by_code_and_receipts_create_them(runtime: Runtime, w: World) -> None:
    receipt = mv(w.s1, w.item, "receipt", "6", "scan-1", lot_code="B2611", expiry_date=date(2026, 12, 9))
    first = post(runtime, w.tenant, receipt).moves[0]
    again = post(runtime, w.tenant, receipt)  # a retried scan: same move, no second lot
    assert again.replayed == 1 and again.moves[0].id == first.id
    sale = post(runtime, w.tenant, mv(w.s1, w.item, "sale", "-2", "scan-2", lot_code="B2611")).moves[0]
    assert sale.lot_id == first.lot_id is not None
    with runtime.session_factory() as s:
        lots = queries.list_lots(s, Scope(w.tenant.id), w.item, None, 50, 0)[0]
    assert [(lot.lot_code, lot.expiry_date) for lot in lots] == [("B2611", date(2026, 12, 9))]
    assert balances(runtime, w.tenant.id)[(w.s1, w.item, first.lot_id)][0] == D("4")
    with pytest.raises(ValidationFailed) as exc:
        post(
            runtime,
            w.tenant,
            mv(w.s1, w.item, "sale", "-1", "scan-3", lot_code="NOPE"),
            mv(w.s1, w.item, "sale", "-1", "scan-4", lot_id=first.lot_id, lot_code="OTHER"),
        )
    assert [(e.loc, e.code) for e in exc.value.errors] == [
        (("moves", 0, "lot_code"), "inventory.lot_not_found"),
        (("moves", 1, "lot_code"), "inventory.lot_mismatch"),
    ]


def test_adjust_waste_and_lot_release_commands(runtime: Runtime, w: World) -> None:
    lot = make_lot(runtime, w.tenant, w.item, "L9", date(2027, 1, 1))
    with runtime.system_uow(w.tenant.id) as uow:
        up = service.adjust(
            uow, site_id=w.s1, item_id=w.item, quantity=D("5"), reason_code="FOUND", idempotency_key="adj", lot_id=lot
        )
        waste = service.record_waste(
            uow,
            site_id=w.s1,
            item_id=w.item,
            quantity=D("1.5"),
            reason_code="BROKEN",
            idempotency_key="wst",
            lot_id=lot,
        )
        service.quarantine_lot(uow, lot, "recall")
        released = service.release_lot(uow, lot, "recall lifted")
        uow.commit()
    assert (up.move_type, up.quantity, up.reason_code) == ("adjustment", D("5"), "FOUND")
    assert (waste.move_type, waste.quantity, waste.reason_code) == ("waste", D("-1.5"), "BROKEN")
    assert released.status == "available"
    assert balances(runtime, w.tenant.id)[(w.s1, w.item, lot)][0] == D("3.5")
    with runtime.session_factory() as s:
        actions = list(
            s.scalars(
                select(AuditRecord.action).where(AuditRecord.action.like("inventory.lot.%")).order_by(AuditRecord.id)
            )
        )
    assert actions == ["inventory.lot.create", "inventory.lot.quarantined", "inventory.lot.available"]


def test_a_refused_batch_creates_no_lot_and_keeps_the_audit_chain_intact(runtime: Runtime, w: World) -> None:
    from boh.kernel.audit import verify_chain

    with runtime.system_uow(w.tenant.id) as uow:
        with pytest.raises(InsufficientStock):
            service.post_moves(
                uow,
                [
                    mv(w.strict, w.item, "receipt", "1", "new-lot", lot_code="NEW"),
                    mv(w.strict, w.item2, "sale", "-1", "short"),
                ],
            )
        service.post_moves(uow, [mv(w.s1, w.item, "receipt", "1", "after")])
        uow.commit()
    with runtime.session_factory() as s:
        assert queries.list_lots(s, Scope(w.tenant.id), None, None, 50, 0)[1] == 0
        checked, problem = verify_chain(s, w.tenant.id)
        topics = list(s.scalars(select(OutboxRecord.topic).where(OutboxRecord.topic.like("inventory.%"))))
    assert problem is None and checked > 0
    assert topics == ["inventory.stock_moved"]


def test_reversal_cancels_a_move_once_at_the_original_cost(runtime: Runtime, w: World) -> None:
    post(runtime, w.tenant, mv(w.s1, w.item, "receipt", "10", "r1", unit_cost=D("2")))
    wrong = post(runtime, w.tenant, mv(w.s1, w.item, "receipt", "10", "r2", unit_cost=D("4"))).moves[0]
    sale = post(runtime, w.tenant, mv(w.s1, w.item, "sale", "-4", "s1")).moves[0]
    assert sale.unit_cost == D("3")  # (20 + 40) / 20
    reversals = []
    for _ in range(2):  # reversing twice reverses once
        with runtime.system_uow(w.tenant.id) as uow:
            reversals.append(service.reverse_move(uow, wrong.id, reason_code="WRONG_COST"))
            uow.commit()
    rev = reversals[0]
    assert reversals[1].id == rev.id
    assert (rev.move_type, rev.quantity, rev.unit_cost, rev.source_type, rev.source_id) == (
        "receipt",
        D("-10"),
        D("4"),
        "reversal",
        str(wrong.id),
    )
    assert balances(runtime, w.tenant.id)[(w.s1, w.item, None)][0] == D("6")
    # 48 left after the sale, minus the 40 the wrong receipt brought in, over the 6 left (no repost of the sale)
    assert cost(runtime, w.s1, w.item) == (D("6"), D("1.333333"), D("8"))
    with runtime.system_uow(w.tenant.id) as uow:
        back = service.reverse_move(uow, sale.id, reason_code="VOID")
        uow.commit()
    assert (back.quantity, back.unit_cost) == (D("4"), D("3"))
    with runtime.system_uow(w.tenant.id) as uow:
        out = service.transfer(
            uow, TransferIn(from_site_id=w.s1, to_site_id=w.s2, item_id=w.item, quantity=D("1"), idempotency_key="t")
        )
        uow.commit()
    moves_before = count(runtime, Move)
    for target in (rev.id, out.id):
        with pytest.raises(ValidationFailed), runtime.system_uow(w.tenant.id) as uow:
            service.reverse_move(uow, target, reason_code="X")
    assert count(runtime, Move) == moves_before
