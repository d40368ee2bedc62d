"""Receiving: a purchase order received short with a lot from a GS1-128 scan, a transfer received short,
an unannounced delivery, every line error at once, and the buyers told about differences."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select

from boh.bootstrap import Runtime
from boh.inventory import api as inventory_api
from boh.inventory import service as ledger
from boh.inventory.commitments import service as commitments
from boh.inventory.commitments.models import Commitment
from boh.inventory.commitments.schemas import IncomingIn
from boh.inventory.models import Lot, Move
from boh.inventory.receiving import service
from boh.inventory.receiving.errors import ReceiptNotDraft
from boh.inventory.schemas import TransferIn
from boh.kernel.errors import ValidationFailed
from boh.kernel.tenancy import Scope
from boh.notify.models import Notification
from tests.catalog.helpers import make_item
from tests.factories import make_site, make_tenant, make_user
from tests.inventory.factories import mv, post

GTIN = "06901234567892"
GS1 = f"\x1d01{GTIN}17271231" + "10L-77"


def _world(rt: Runtime) -> dict[str, Any]:
    t = make_tenant(rt)
    w: dict[str, Any] = {"t": t, "s1": make_site(rt, t, "S1"), "s2": make_site(rt, t, "S2")}
    w["rice"] = make_item(rt, t, "RICE", barcodes=[GTIN[1:]])
    w["oil"] = make_item(rt, t, "OIL")
    w["buyer"] = make_user(rt, t, "buyer", [("buyer", None)])
    w["sm1"] = make_user(rt, t, "sm.one", [("store_manager", "S1")])
    return w


def _levels(rt: Runtime, w: dict[str, Any], site: int) -> dict[int, inventory_api.StockLevel]:
    with rt.session_factory() as s:
        return inventory_api.stock_levels(s, Scope(w["t"].id), site, [w["rice"], w["oil"]])


def _expect(rt: Runtime, w: dict[str, Any], qty: str) -> int:
    with rt.system_uow(w["t"].id) as uow:
        c = commitments.expect(uow, IncomingIn(site_id=w["s1"], item_id=w["rice"], quantity=Decimal(qty),
                                               document_type="purchase_order", document_id="PO-1",
                                               idempotency_key="po-1-1")).commitment  # fmt: skip
        uow.commit()
        return c.id


def test_a_purchase_order_received_short_with_a_scanned_lot(runtime: Runtime) -> None:
    w = _world(runtime)
    cid = _expect(runtime, w, "10")
    with runtime.system_uow(w["t"].id) as uow:
        r = service.start(uow, site_id=w["s1"], source="purchase_order", document_id="PO-1", idempotency_key="k1")
        scanned = service.scan(uow, r.id, GS1, Decimal(6))
        uow.commit()
        rid = r.id
    assert scanned.quantity == 6 and not scanned.added
    with runtime.system_uow(w["t"].id) as uow:
        posted = service.post(uow, rid)
        uow.commit()
        assert posted.status == "posted" and posted.discrepancies == 1
    level = _levels(runtime, w, w["s1"])[w["rice"]]
    assert (level.on_hand, level.on_order) == (Decimal(6), Decimal(0))  # the rest was closed short
    with runtime.session_factory() as s:
        lot = s.scalars(select(Lot).where(Lot.item_id == w["rice"])).one()
        assert (lot.lot_code, lot.expiry_date.isoformat()) == ("L-77", "2027-12-31")
        assert s.get(Commitment, cid).status == "closed"
        told = s.scalars(select(Notification)).all()
        assert [n.user_id for n in told] == [w["buyer"]] and told[0].link == f"/inventory/receiving/{rid}"
    with runtime.system_uow(w["t"].id) as uow, pytest.raises(ReceiptNotDraft):
        service.post(uow, rid)


def test_a_transfer_received_short_moves_the_difference_with_its_reason(runtime: Runtime) -> None:
    w = _world(runtime)
    post(runtime, w["t"], mv(w["s2"], w["oil"], "receipt", "20", "open-s2", unit_cost=Decimal("3")))
    with runtime.system_uow(w["t"].id) as uow:
        ledger.transfer(uow, TransferIn(from_site_id=w["s2"], to_site_id=w["s1"], item_id=w["oil"],
                                        quantity=Decimal(5), idempotency_key="tr-1"))  # fmt: skip
        uow.commit()
    make_user(runtime, w["t"], "sm.two", [("store_manager", "S2")])
    with runtime.system_uow(w["t"].id) as uow:
        r = service.start(uow, site_id=w["s1"], source="transfer", from_site_id=w["s2"], idempotency_key="k2")
        line = service.scan(uow, r.id, "OIL", Decimal(4))
        service.update_lines(uow, r.id, [service.LineEdit(line.line_id, Decimal(4), Decimal(1), None, None, "damaged")])
        service.post(uow, r.id)
        uow.commit()
    level = _levels(runtime, w, w["s1"])[w["oil"]]
    assert (level.on_hand, level.in_transit) == (Decimal(4), Decimal(0))
    with runtime.session_factory() as s:
        adj = s.scalars(select(Move).where(Move.move_type == "adjustment")).one()
        assert (adj.quantity, adj.reason_code, adj.site_id) == (Decimal(-1), "transfer_damaged", w["s1"])
        assert len(s.scalars(select(Notification)).all()) == 2  # the buyer and the sender's manager


def test_an_unannounced_delivery_posts_receipts_and_differs_in_nothing(runtime: Runtime) -> None:
    w = _world(runtime)
    with runtime.system_uow(w["t"].id) as uow:
        r = service.start(uow, site_id=w["s1"], source="unannounced", idempotency_key="k3")
        assert service.start(uow, site_id=w["s1"], source="unannounced", idempotency_key="k3").id == r.id
        service.scan(uow, r.id, "OIL")
        service.scan(uow, r.id, "OIL")
        service.scan(uow, r.id, GTIN[1:], Decimal(3))
        service.post(uow, r.id)
        uow.commit()
        assert r.discrepancies == 0 and r.number == f"RC-S1-{r.id:06d}"
    levels = _levels(runtime, w, w["s1"])
    assert (levels[w["oil"]].on_hand, levels[w["rice"]].on_hand) == (Decimal(2), Decimal(3))


def test_every_invalid_line_is_reported_at_once_and_nothing_changes(runtime: Runtime) -> None:
    w = _world(runtime)
    with runtime.system_uow(w["t"].id) as uow:
        r = service.start(uow, site_id=w["s1"], source="unannounced", idempotency_key="k4")
        line = service.scan(uow, r.id, "OIL")
        uow.commit()
        rid, lid = r.id, line.line_id
    edits = [service.LineEdit(lid, Decimal(-1), Decimal(0), None, None, "bogus"),
             service.LineEdit(999999, Decimal(1), Decimal(0), None, None, None)]  # fmt: skip
    with runtime.system_uow(w["t"].id) as uow, pytest.raises(ValidationFailed) as exc:
        service.update_lines(uow, rid, edits)
    assert len(exc.value.errors) == 3
    with runtime.system_uow(w["t"].id) as uow:
        with pytest.raises(ValidationFailed):
            service.scan(uow, rid, "NO-SUCH-CODE")
        assert uow.session.scalars(select(Move)).all() == []
