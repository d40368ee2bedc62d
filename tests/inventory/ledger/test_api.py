"""The commands other domains call (boh.inventory.api), each with the caller's unit of work."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

import pytest
from sqlalchemy import select

from boh.bootstrap import Runtime
from boh.inventory import api
from boh.inventory.errors import InsufficientStock
from boh.inventory.models import ItemCost, Lot, Move
from tests.inventory.factories import World, make_world, mv, post


@pytest.fixture
def w(runtime: Runtime) -> World:
    return make_world(runtime)


def test_produce_consumes_inputs_first_expiring_first_and_costs_the_output_lot(runtime: Runtime, w: World) -> None:
    post(runtime, w.tenant, mv(w.s1, w.item, "receipt", "4", "a", unit_cost=D(2), lot_code="OLD",
                               expiry_date=date(2030, 1, 5)))  # fmt: skip
    post(runtime, w.tenant, mv(w.s1, w.item, "receipt", "6", "b", unit_cost=D(3), lot_code="NEW",
                               expiry_date=date(2030, 2, 1)))  # fmt: skip
    with runtime.system_uow(w.tenant.id) as uow:
        out = api.produce(
            uow, site_id=w.s1, inputs=[api.ProductionInput(w.item, D(5))],
            outputs=[api.ProductionOutput(w.item2, D("2.5"), lot_code="B-1", expiry_date=date(2030, 1, 3))],
            document_type="batch", document_id="B-1", idempotency_key="batch-1",
        )  # fmt: skip
        uow.commit()
    # 5 consumed at the average (10 x 2.6 = 26 / 10 = 2.6): 4 from OLD first, then 1 from NEW
    with runtime.session_factory() as s:
        lots = {lot.id: lot.lot_code for lot in s.scalars(select(Lot))}
        used = s.execute(
            select(Move.lot_id, Move.quantity).where(Move.move_type == "production_consume").order_by(Move.id)
        ).all()
        cost = s.scalars(select(ItemCost).where(ItemCost.site_id == w.s1, ItemCost.item_id == w.item2)).one()
    assert [(lots[lot], q) for lot, q in used] == [("OLD", D(-4)), ("NEW", D(-1))]
    assert sum(m.value for m in out.consumed) == D(-13)
    assert (out.produced[0].quantity, out.produced[0].value) == (D("2.5"), D(13))
    assert (cost.quantity, cost.avg_unit_cost, cost.total_value) == (D("2.5"), D("5.2"), D(13))
    with runtime.system_uow(w.tenant.id) as uow:  # a retry changes nothing
        again = api.produce(
            uow, site_id=w.s1, inputs=[api.ProductionInput(w.item, D(5))],
            outputs=[api.ProductionOutput(w.item2, D("2.5"), lot_code="B-1")],
            document_type="batch", document_id="B-1", idempotency_key="batch-1",
        )  # fmt: skip
        uow.commit()
    assert [m.id for m in again.produced] == [m.id for m in out.produced]


def test_produce_is_all_or_nothing_at_a_site_that_refuses_negative_stock(runtime: Runtime, w: World) -> None:
    post(runtime, w.tenant, mv(w.strict, w.item, "receipt", "1", "a", unit_cost=D(2)))
    with runtime.system_uow(w.tenant.id) as uow, pytest.raises(InsufficientStock):
        api.produce(
            uow, site_id=w.strict, inputs=[api.ProductionInput(w.item, D(5))],
            outputs=[api.ProductionOutput(w.item2, D(1))], document_type="batch", document_id="B-2",
            idempotency_key="batch-2",
        )  # fmt: skip
    with runtime.session_factory() as s:
        assert s.scalars(select(Move.move_type).where(Move.site_id == w.strict)).all() == ["receipt"]


def test_post_document_and_commitments_through_the_api(runtime: Runtime, w: World) -> None:
    with runtime.system_uow(w.tenant.id) as uow:
        line = api.PostingLine(index=0, site_id=w.s1, item_id=w.item, lot_id=None, move_type="receipt",
                               quantity=D(10), unit_cost=D(2), idempotency_key="po-1:1")  # fmt: skip
        posted = api.post_document(uow, [line])
        held = api.reserve(uow, api.ReservationIn(site_id=w.s1, item_id=w.item, quantity=D(3), document_type="so",
                                                  document_id="SO-1", idempotency_key="so-1"))  # fmt: skip
        uow.commit()
    assert posted.moves[0].value == D(20)
    with runtime.system_uow(w.tenant.id) as uow:
        from boh.kernel.tenancy import Scope

        lv = api.stock_levels(uow.session, Scope(w.tenant.id), w.s1, [w.item])[w.item]
    assert (lv.on_hand, lv.reserved, lv.available) == (D(10), D(3), D(7))
    assert held.commitment.open_quantity == D(3)


def test_the_negative_flag_marks_the_outflow_even_after_a_true_up(runtime: Runtime, w: World) -> None:
    """A document whose receipt meets short stock gets a true-up revaluation move (value only) before the
    receipt: the outflow after it that leaves the balance below zero is the move flagged, not its neighbour."""
    post(runtime, w.tenant, mv(w.s1, w.item, "adjustment", "-3", "short", reason_code="DAMAGE"))
    with runtime.system_uow(w.tenant.id) as uow:
        lines = [
            api.PostingLine(index=0, site_id=w.s1, item_id=w.item, lot_id=None, move_type="receipt",
                            quantity=D(2), unit_cost=D(1), idempotency_key="doc:1"),
            api.PostingLine(index=1, site_id=w.s1, item_id=w.item, lot_id=None, move_type="adjustment",
                            quantity=D(-4), reason_code="DAMAGE", idempotency_key="doc:2"),
        ]  # fmt: skip
        api.post_document(uow, lines)
        uow.commit()
    with runtime.session_factory() as s:
        flagged = s.execute(select(Move.idempotency_key, Move.negative).order_by(Move.id)).all()
    assert [(k, n) for k, n in flagged if not k.startswith("true-up:")] == [
        ("short", True),
        ("doc:1", False),
        ("doc:2", True),
    ]
    assert any(k.startswith("true-up:") and not n for k, n in flagged)
