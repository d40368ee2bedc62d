"""A recall by supplier and date range: every lot received from that supplier in [start, end) and nothing
else is its origin (not another supplier's lots, not the same supplier's lots outside the range, a receipt
at ``end`` excluded, one at ``start`` included); one step down it reaches what was made from them and
where they went; one step up from the sauce it finds exactly the supplier's lot it was made from."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal as D

import pytest
from sqlalchemy import select

from boh.bootstrap import Runtime
from boh.catalog.errors import SupplierNotFound
from boh.inventory import api as inventory
from boh.inventory.models import Lot
from boh.inventory.receiving import service as receiving
from boh.inventory.receiving.models import ReceiptLine
from boh.inventory.schemas import TransferIn
from boh.kernel.clock import clock
from boh.kernel.tenancy import Scope
from boh.trace import api as trace_api
from boh.trace import recall
from tests.catalog.helpers import make_item, make_supplier
from tests.factories import make_site, make_tenant

START, END = datetime(2026, 11, 2, tzinfo=UTC), datetime(2026, 11, 9, tzinfo=UTC)


def _deliver(rt: Runtime, t, site: int, supplier: int, sku: str, lot: str, qty: str, at: datetime) -> int:  # type: ignore[no-untyped-def]
    with clock.frozen(at), rt.system_uow(t.id) as uow:
        r = receiving.start(uow, site_id=site, source="unannounced", idempotency_key=f"d-{lot}", supplier_id=supplier)
        receiving.scan(uow, r.id, sku, D(qty))
        [line] = uow.session.scalars(select(ReceiptLine).where(ReceiptLine.receipt_id == r.id)).all()
        receiving.update_lines(uow, r.id, [receiving.LineEdit(
            id=line.id, received=D(qty), damaged=D(0), lot_code=lot, expiry_date=None, reason=None)])  # fmt: skip
        receiving.post(uow, r.id)
        uow.commit()
    with rt.session_factory() as s:
        return s.scalars(select(Lot.id).where(Lot.lot_code == lot)).one()


@pytest.fixture
def world(runtime: Runtime):  # type: ignore[no-untyped-def]
    t = make_tenant(runtime, "FARM")
    dc, store = make_site(runtime, t, "DC01", kind="dc"), make_site(runtime, t, "S001")
    tomato, sauce = make_item(runtime, t, "TOMATO", base_uom="kg"), make_item(runtime, t, "SAUCE", base_uom="kg")
    a, b = make_supplier(runtime, t, "GREEN"), make_supplier(runtime, t, "OTHER")
    lots = {
        "before": _deliver(runtime, t, dc, a, "TOMATO", "A-0", "5", datetime(2026, 11, 1, 23, 59, tzinfo=UTC)),
        "at_start": _deliver(runtime, t, dc, a, "TOMATO", "A-1", "10", START),
        "inside": _deliver(runtime, t, dc, a, "TOMATO", "A-2", "10", datetime(2026, 11, 5, 9, tzinfo=UTC)),
        "at_end": _deliver(runtime, t, dc, a, "TOMATO", "A-3", "5", END),
        "other": _deliver(runtime, t, dc, b, "TOMATO", "B-1", "10", datetime(2026, 11, 4, tzinfo=UTC)),
    }
    with clock.frozen(datetime(2026, 11, 10, tzinfo=UTC)), runtime.system_uow(t.id) as uow:
        made = inventory.produce(
            uow, site_id=dc, inputs=[inventory.ProductionInput(tomato, D(4), lot_id=lots["inside"])],
            outputs=[inventory.ProductionOutput(sauce, D(3), lot_code="SAU-1")], document_type="production",
            document_id="B-1", idempotency_key="prod-1",
        )  # fmt: skip
        inventory.produce(
            uow, site_id=dc, inputs=[inventory.ProductionInput(tomato, D(4), lot_id=lots["other"])],
            outputs=[inventory.ProductionOutput(sauce, D(3), lot_code="SAU-2")], document_type="production",
            document_id="B-2", idempotency_key="prod-2",
        )  # fmt: skip
        move = TransferIn(from_site_id=dc, to_site_id=store, item_id=tomato, lot_id=lots["at_start"], quantity=D(2),
                          idempotency_key="tr-1")  # fmt: skip
        out = inventory.transfer(uow, move)
        inventory.receive_transfer(uow, out.id)
        uow.commit()
    with runtime.session_factory() as s:
        sau1 = s.scalars(select(Lot.id).where(Lot.lot_code == "SAU-1")).one()
    return {"t": t, "dc": dc, "store": store, "a": a, "b": b, "lots": lots, "sauce": sau1, "made": made}


def test_a_supplier_recall_finds_exactly_the_lots_received_in_the_range(runtime: Runtime, world) -> None:  # type: ignore[no-untyped-def]
    t, lots = world["t"], world["lots"]
    origin = recall.Origin(supplier_id=world["a"], start=START, end=END)
    with runtime.session_factory() as s:
        assert recall.origin_lots(s, t.id, origin) == sorted([lots["at_start"], lots["inside"]])
    with runtime.system_uow(t.id) as uow:
        r = recall.start(uow, origin, reason="Salmonella at the farm")
        uow.commit()
        rid = r.id
    with runtime.session_factory() as s:
        v = recall.get(s, Scope(t.id), rid)
    depth = {lot.lot_id: lot.depth for lot in v.lots}
    assert depth == {lots["at_start"]: 0, lots["inside"]: 0, world["sauce"]: 1}  # one down: the sauce made of it
    sites = {(ln.lot_id, ln.site_id): ln for ln in v.lines}
    assert (sites[(lots["at_start"], world["dc"])].on_hand, sites[(lots["at_start"], world["store"])].on_hand) == (
        D(8), D(2))  # fmt: skip
    assert sites[(lots["inside"], world["dc"])].on_hand == D(6)
    with runtime.session_factory() as s:
        held = set(s.scalars(select(Lot.id).where(Lot.on_hold.is_(True))))
        up = trace_api.trace(s, t.id, [world["sauce"]], "backward", depth=1)
    assert held == {lots["at_start"], lots["inside"], world["sauce"]}
    assert set(up.lots) == {world["sauce"], lots["inside"]}  # one up from the sauce: its supplier lot only


def test_a_supplier_recall_needs_a_range_and_a_supplier_of_the_tenant(runtime: Runtime, world) -> None:  # type: ignore[no-untyped-def]
    t = world["t"]
    with runtime.session_factory() as s:
        assert recall.origin_lots(s, t.id, recall.Origin(supplier_id=world["b"], start=START, end=END)) == [
            world["lots"]["other"]]  # fmt: skip
        assert recall.origin_lots(s, t.id, recall.Origin(supplier_id=world["a"], start=END, end=END)) == []
    other = make_tenant(runtime, "ELSE")
    with pytest.raises(SupplierNotFound), runtime.system_uow(other.id) as uow:
        receiving.start(uow, site_id=make_site(runtime, other, "X1"), source="unannounced", idempotency_key="x",
                        supplier_id=world["a"])  # fmt: skip
