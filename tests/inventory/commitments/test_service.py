"""Reservations and expected receipts: balances, lots, fulfilment through the ledger, idempotency, expiry,
rebuild --check, reorder alerts. SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal as D

import pytest
from sqlalchemy import func, select, update

from boh.bootstrap import Runtime
from boh.inventory import service as inv
from boh.inventory.commitments import tasks
from boh.inventory.commitments.errors import CommitmentClosed, ExceedsOpenQuantity, LotNotUsable, NotEnoughAvailable
from boh.inventory.commitments.models import Commitment, CommitmentEntry
from boh.inventory.errors import IdempotencyKeyReused, InsufficientStock
from boh.inventory.events import StockBelowReorderPoint
from boh.inventory.models import Balance, Move
from boh.inventory.rebuild import commitment_differences, rebuild_check
from boh.kernel.clock import utcnow
from boh.kernel.errors import ValidationFailed
from boh.kernel.events import decode
from boh.kernel.outbox import OutboxRecord, relay_once
from boh.org.errors import SiteNotFound
from tests.catalog.helpers import make_assortment
from tests.inventory.commitments.helpers import act, balances, expect, reserve
from tests.inventory.factories import World, make_lot, make_world, mv, post


@pytest.fixture
def w(runtime: Runtime) -> World:
    return make_world(runtime)


def rows(rt: Runtime, model: type) -> int:
    with rt.session_factory() as s:
        return s.scalar(select(func.count()).select_from(model)) or 0


def clean(rt: Runtime, w: World) -> None:
    with rt.system_uow(w.tenant.id) as uow:
        assert rebuild_check(uow.session, w.tenant.id) == []
        assert commitment_differences(uow.session, w.tenant.id) == []


def test_reservation_lowers_available_never_beyond_it_and_replays(runtime: Runtime, w: World) -> None:
    post(runtime, w.tenant, mv(w.s1, w.item, "receipt", "10", "r1"))
    first = reserve(runtime, w.tenant, w.s1, w.item, "4", "res-1")
    assert (first.commitment.open_quantity, first.commitment.status, first.replayed) == (D(4), "open", False)
    assert balances(runtime, w.tenant, w.s1, w.item) == {0: (D(10), D(4), D(0))}
    with pytest.raises(NotEnoughAvailable) as refused:
        reserve(runtime, w.tenant, w.s1, w.item, "7", "res-2")
    assert {k: D(v) for k, v in refused.value.extra.items()} == {"requested": D(7), "available": D(6)}
    assert rows(runtime, Commitment) == 1 and balances(runtime, w.tenant, w.s1, w.item)[0][1] == D(4)
    partial = reserve(runtime, w.tenant, w.s1, w.item, "7", "res-3", allow_partial=True)
    assert (partial.commitment.quantity, partial.commitment.open_quantity) == (D(7), D(6))
    with pytest.raises(NotEnoughAvailable):  # nothing left, even partially
        reserve(runtime, w.tenant, w.s1, w.item, "1", "res-4", allow_partial=True)
    again = reserve(runtime, w.tenant, w.s1, w.item, "4", "res-1")
    assert again.replayed and again.commitment.id == first.commitment.id
    with pytest.raises(IdempotencyKeyReused):
        reserve(runtime, w.tenant, w.s1, w.item, "5", "res-1")
    assert balances(runtime, w.tenant, w.s1, w.item) == {0: (D(10), D(10), D(0))}
    clean(runtime, w)


def test_reservation_ignores_a_flag_policy_and_an_unknown_item_or_foreign_lot_is_refused(
    runtime: Runtime, w: World
) -> None:
    with pytest.raises(NotEnoughAvailable):  # "flag" lets sales go below zero, not reservations
        reserve(runtime, w.tenant, w.s1, w.item, "1", "res-1")
    with pytest.raises(ValidationFailed) as bad:
        reserve(runtime, w.tenant, w.s1, 999_999, "1", "res-2")
    assert bad.value.errors[0].code == "catalog.item_not_found"
    other_lot = make_lot(runtime, w.tenant, w.item2, "B-1", None)
    with pytest.raises(ValidationFailed) as bad:
        reserve(runtime, w.tenant, w.s1, w.item, "1", "res-3", lot_id=other_lot)
    assert bad.value.errors[0].code == "inventory.lot_not_found"
    other = make_world(runtime, "OTHER")
    with pytest.raises(SiteNotFound):
        reserve(runtime, w.tenant, other.s1, w.item, "1", "res-4")
    assert rows(runtime, Commitment) == 0


def test_reservation_is_allocated_first_expiry_first_and_fulfilled_lot_by_lot(runtime: Runtime, w: World) -> None:
    today = date.today()
    late = make_lot(runtime, w.tenant, w.item, "LATE", today + timedelta(days=20))
    early = make_lot(runtime, w.tenant, w.item, "EARLY", today + timedelta(days=5))
    gone = make_lot(runtime, w.tenant, w.item, "GONE", today - timedelta(days=2))
    post(
        runtime, w.tenant,
        mv(w.s1, w.item, "receipt", "5", "r1", lot_id=late, unit_cost=D(2)),
        mv(w.s1, w.item, "receipt", "3", "r2", lot_id=early, unit_cost=D(2)),
        mv(w.s1, w.item, "receipt", "9", "r3", lot_id=gone, unit_cost=D(2)),
        mv(w.s1, w.item, "receipt", "4", "r4", unit_cost=D(2)),
    )  # fmt: skip
    out = reserve(runtime, w.tenant, w.s1, w.item, "10", "res-1")
    b = balances(runtime, w.tenant, w.s1, w.item)
    assert {k: v[1] for k, v in b.items()} == {late: D(5), early: D(3), gone: D(0), 0: D(2)}
    cid = out.commitment.id
    done = act(runtime, w.tenant, "fulfil", cid, quantity=D(4), idempotency_key="ship-1")
    assert [(m.lot_id, m.quantity, m.move_type, m.source_id) for m in done.moves] == [
        (early, D(-3), "sale", str(cid)),
        (late, D(-1), "sale", str(cid)),
    ]
    assert done.commitment.open_quantity == D(6)
    b = balances(runtime, w.tenant, w.s1, w.item)
    assert b[early] == (D(0), D(0), D(0)) and b[late] == (D(4), D(4), D(0)) and b[0] == (D(4), D(2), D(0))
    replay = act(runtime, w.tenant, "fulfil", cid, quantity=D(4), idempotency_key="ship-1")
    assert replay.replayed and [m.id for m in replay.moves] == [m.id for m in done.moves]
    assert rows(runtime, Move) == 6
    with pytest.raises(ExceedsOpenQuantity):
        act(runtime, w.tenant, "release", cid, quantity=D(7), reason="too much", idempotency_key="rel-1")
    act(runtime, w.tenant, "release", cid, reason="order cancelled", idempotency_key="rel-2")
    b = balances(runtime, w.tenant, w.s1, w.item)
    assert all(v[1] == 0 for v in b.values())
    with runtime.session_factory() as s:
        c = s.get(Commitment, cid)
        assert c is not None and (c.status, c.open_quantity) == ("closed", D(0)) and c.closed_at is not None
        actions = s.scalars(select(CommitmentEntry.action).where(CommitmentEntry.commitment_id == cid)).all()
        assert sorted(set(actions)) == ["fulfil", "release", "reserve"]
    with pytest.raises(CommitmentClosed):
        act(runtime, w.tenant, "fulfil", cid, idempotency_key="ship-2")
    clean(runtime, w)


def test_reserving_one_lot_and_quarantine_of_that_lot(runtime: Runtime, w: World) -> None:
    lot = make_lot(runtime, w.tenant, w.item, "L1", None)
    post(runtime, w.tenant, mv(w.s1, w.item, "receipt", "5", "r1", lot_id=lot), mv(w.s1, w.item, "receipt", "5", "r2"))
    out = reserve(runtime, w.tenant, w.s1, w.item, "5", "res-1", lot_id=lot)
    assert balances(runtime, w.tenant, w.s1, w.item)[lot][1] == D(5)
    with pytest.raises(NotEnoughAvailable):  # the lot is all reserved; the stock without a lot does not count
        reserve(runtime, w.tenant, w.s1, w.item, "1", "res-2", lot_id=lot)
    act(runtime, w.tenant, "release", out.commitment.id, reason="x", idempotency_key="rel")
    with runtime.system_uow(w.tenant.id) as uow:
        inv.quarantine_lot(uow, lot, "failed inspection")
        uow.commit()
    with pytest.raises(NotEnoughAvailable):
        reserve(runtime, w.tenant, w.s1, w.item, "1", "res-3", lot_id=lot)
    assert reserve(runtime, w.tenant, w.s1, w.item, "5", "res-4").commitment.open_quantity == D(5)
    assert balances(runtime, w.tenant, w.s1, w.item)[0][1] == D(5)


def test_a_reserved_lot_quarantined_since_is_not_shipped(runtime: Runtime, w: World) -> None:
    lot = make_lot(runtime, w.tenant, w.item, "L1", None)
    post(runtime, w.tenant, mv(w.s1, w.item, "receipt", "5", "r1", lot_id=lot))
    cid = reserve(runtime, w.tenant, w.s1, w.item, "3", "res-1").commitment.id
    with runtime.system_uow(w.tenant.id) as uow:
        inv.quarantine_lot(uow, lot, "supplier recall")
        uow.commit()
    with pytest.raises(LotNotUsable) as refused:
        act(runtime, w.tenant, "fulfil", cid, idempotency_key="ship-1")
    assert refused.value.extra == {"lots": ["L1"]}
    assert rows(runtime, Move) == 1 and balances(runtime, w.tenant, w.s1, w.item)[lot][1] == D(3)
    act(runtime, w.tenant, "release", cid, reason="recalled lot", idempotency_key="rel-1")
    assert balances(runtime, w.tenant, w.s1, w.item)[lot] == (D(5), D(0), D(0))


def test_fulfil_as_a_transfer_puts_stock_in_transit_and_refuse_policy_still_applies(runtime: Runtime, w: World) -> None:
    post(runtime, w.tenant, mv(w.s1, w.item, "receipt", "6", "r1", unit_cost=D(1)))
    cid = reserve(runtime, w.tenant, w.s1, w.item, "6", "res-1").commitment.id
    with pytest.raises(ValidationFailed):
        act(runtime, w.tenant, "fulfil", cid, move_type="transfer_out", idempotency_key="t0")
    with pytest.raises(ValidationFailed):
        act(runtime, w.tenant, "fulfil", cid, move_type="sale", to_site_id=w.s2, idempotency_key="t0")
    out = act(runtime, w.tenant, "fulfil", cid, quantity=D(2), move_type="transfer_out", to_site_id=w.s2,
              idempotency_key="t1")  # fmt: skip
    assert [(m.move_type, m.counter_site_id) for m in out.moves] == [("transfer_out", w.s2)]
    with runtime.session_factory() as s:
        in_transit = s.scalar(select(Balance.in_transit).where(Balance.site_id == w.s2, Balance.item_id == w.item))
    assert in_transit == D(2)
    # at a "refuse" site a sale that stock no longer covers fails, and the reservation stays as it was
    post(runtime, w.tenant, mv(w.strict, w.item, "receipt", "3", "r2", unit_cost=D(1)))
    strict = reserve(runtime, w.tenant, w.strict, w.item, "3", "res-2").commitment.id
    post(runtime, w.tenant, mv(w.strict, w.item, "adjustment", "-2", "adj", reason_code="damaged"))
    with pytest.raises(InsufficientStock):
        act(runtime, w.tenant, "fulfil", strict, idempotency_key="s1")
    assert balances(runtime, w.tenant, w.strict, w.item)[0] == (D(1), D(3), D(0))
    clean(runtime, w)


def test_expected_receipts_are_on_order_until_received_or_cancelled(runtime: Runtime, w: World) -> None:
    po = expect(runtime, w.tenant, w.s1, w.item, "24", "po-1").commitment.id
    assert balances(runtime, w.tenant, w.s1, w.item) == {0: (D(0), D(0), D(24))}
    first = act(runtime, w.tenant, "receive", po, quantity=D(10), unit_cost=D("1.5"), idempotency_key="gr-1")
    assert [(m.move_type, m.quantity, m.unit_cost, m.source_type) for m in first.moves] == [
        ("receipt", D(10), D("1.5"), "incoming")
    ]
    assert balances(runtime, w.tenant, w.s1, w.item) == {0: (D(10), D(0), D(14))}
    act(runtime, w.tenant, "receive", po, quantity=D(10), unit_cost=D("1.5"), idempotency_key="gr-1")  # retry
    assert balances(runtime, w.tenant, w.s1, w.item) == {0: (D(10), D(0), D(14))}
    over = act(runtime, w.tenant, "receive", po, quantity=D(20), unit_cost=D("1.5"), idempotency_key="gr-2")
    assert (over.commitment.status, over.commitment.open_quantity) == ("closed", D(0))
    assert balances(runtime, w.tenant, w.s1, w.item) == {0: (D(30), D(0), D(0))}
    with pytest.raises(CommitmentClosed):
        act(runtime, w.tenant, "receive", po, quantity=D(1), idempotency_key="gr-3")
    # a short delivery closed on receipt, a lot named on receipt, and a cancelled line
    short = expect(runtime, w.tenant, w.s1, w.item2, "10", "po-2").commitment.id
    got = act(runtime, w.tenant, "receive", short, quantity=D(6), lot_code="B-7", expiry_date=date(2030, 1, 1),
              close=True, idempotency_key="gr-4")  # fmt: skip
    assert got.commitment.status == "closed" and got.moves[0].lot_id is not None
    b2 = balances(runtime, w.tenant, w.s1, w.item2)
    assert b2[got.moves[0].lot_id] == (D(6), D(0), D(0)) and b2[0] == (D(0), D(0), D(0))
    gone = expect(runtime, w.tenant, w.s2, w.item, "5", "po-3").commitment.id
    act(runtime, w.tenant, "cancel", gone, quantity=D(2), reason="supplier short", idempotency_key="c-1")
    assert balances(runtime, w.tenant, w.s2, w.item)[0][2] == D(3)
    with pytest.raises(Exception) as wrong_kind:
        act(runtime, w.tenant, "release", gone, reason="x", idempotency_key="c-2")  # not a reservation
    assert getattr(wrong_kind.value, "code", "") == "inventory.commitment_not_found"
    clean(runtime, w)


def test_rebuild_check_finds_tampered_reserved_on_order_and_open_quantity(runtime: Runtime, w: World) -> None:
    post(runtime, w.tenant, mv(w.s1, w.item, "receipt", "10", "r1"))
    cid = reserve(runtime, w.tenant, w.s1, w.item, "4", "res-1").commitment.id
    expect(runtime, w.tenant, w.s1, w.item, "8", "po-1")
    clean(runtime, w)
    with runtime.session_factory() as s, s.begin():
        s.execute(update(Balance).values(reserved=D(1), on_order=D(9)))
        s.execute(update(Commitment).where(Commitment.id == cid).values(open_quantity=D(3)))
    with runtime.system_uow(w.tenant.id) as uow:
        diffs = rebuild_check(uow.session, w.tenant.id)
        assert sorted((d.field, d.recorded, d.expected) for d in diffs) == [
            ("on_order", D(9), D(8)),
            ("reserved", D(1), D(4)),
        ]
        assert commitment_differences(uow.session, w.tenant.id) == [
            f"commitment {cid}: open_quantity 3.000000 but its entries sum to 4.000000"
        ]


def test_expired_reservations_are_released_by_the_job(runtime: Runtime, w: World) -> None:
    post(runtime, w.tenant, mv(w.s1, w.item, "receipt", "10", "r1"))
    old = reserve(runtime, w.tenant, w.s1, w.item, "3", "res-1", expires_at=utcnow() - timedelta(seconds=1))
    later = reserve(runtime, w.tenant, w.s1, w.item, "2", "res-2", expires_at=utcnow() + timedelta(hours=1))
    assert tasks.expire_reservations(runtime) == {"released": 1}
    assert tasks.expire_reservations(runtime) == {"released": 0}
    with runtime.session_factory() as s:
        assert s.get(Commitment, old.commitment.id).status == "closed"  # type: ignore[union-attr]
        assert s.get(Commitment, later.commitment.id).status == "open"  # type: ignore[union-attr]
    assert balances(runtime, w.tenant, w.s1, w.item)[0][1] == D(2)
    clean(runtime, w)


def test_a_reservation_that_takes_available_below_the_reorder_point_raises_the_alert(
    runtime: Runtime, w: World
) -> None:
    make_assortment(runtime, w.tenant, w.s1, w.item, reorder_point=D(10))
    post(runtime, w.tenant, mv(w.s1, w.item, "receipt", "15", "r1"))
    relay_once(runtime.session_factory, runtime.system_uow, runtime.bus)
    reserve(runtime, w.tenant, w.s1, w.item, "6", "res-1")  # available 15 -> 9, on hand unchanged
    relay_once(runtime.session_factory, runtime.system_uow, runtime.bus)
    with runtime.session_factory() as s:
        found = [decode(r.topic, r.payload) for r in s.scalars(select(OutboxRecord)).all()]
    below = [e for e in found if isinstance(e, StockBelowReorderPoint)]
    assert [(e.site_id, e.item_id, e.available) for e in below] == [(w.s1, w.item, D(9))]
