"""One receiving path: what a purchasing order put on order (or shipped) in inventory is owned by purchasing,
so inventory's own receiving (its API, its page, its receipt drafts) refuses it or hands it off to purchasing's
receiving, and the order still receives it there; expected receipts nobody owns still work in inventory's."""

from __future__ import annotations

from decimal import Decimal

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from boh.bootstrap import Runtime
from boh.inventory.api import IncomingIn, ReceiveIn, expect, receive, receive_transfer
from boh.inventory.commitments.errors import OwnedElsewhere
from boh.inventory.commitments.models import Commitment
from boh.inventory.receiving import queries as receiving_queries
from boh.inventory.receiving import service as inventory_receiving
from boh.purchasing import service
from boh.purchasing.models import Order, OrderLine
from boh.purchasing.service import ReceiptLineIn
from tests.factories import login, make_user
from tests.purchasing.helpers import get, levels, make_world, order_lines, place, po_request, to_request
from tests.web.helpers import page_login, post_form

URL = "/api/v1/inventory"


def test_an_order_s_expected_receipts_are_marked_as_owned_by_purchasing(runtime: Runtime) -> None:
    w = make_world(runtime)
    [po] = place(runtime, w, [po_request(w, "24")], confirm=True)
    [line] = order_lines(runtime, po.order_id)
    c = get(runtime, Commitment, line.commitment_id)
    assert (c.owner, c.owner_link) == ("purchasing", f"/purchasing/orders/{po.order_id}/receive")


def test_inventory_refuses_to_receive_a_purchase_order_s_delivery_and_purchasing_still_receives_it(
    runtime: Runtime,
) -> None:
    w = make_world(runtime)
    [po] = place(runtime, w, [po_request(w, "24")], confirm=True)
    [line] = order_lines(runtime, po.order_id)
    with runtime.system_uow(w.tenant.id) as uow:  # inventory's receiving: a draft for the PO is refused
        with pytest.raises(OwnedElsewhere) as refused:
            inventory_receiving.start(uow, site_id=w.store, source="purchase_order", document_id=po.number,
                                      idempotency_key="inv-1")  # fmt: skip
        assert refused.value.extra["receive_at"] == f"/purchasing/orders/{po.order_id}/receive"
        with pytest.raises(OwnedElsewhere):  # inventory's command without the owner
            receive(uow, line.commitment_id, ReceiveIn(quantity=Decimal(24), idempotency_key="inv-2"))
        listed = receiving_queries.to_receive(uow.session, w.tenant.id, w.store)
        assert [(e.label, e.receive_at) for e in listed] == [(po.number, f"/purchasing/orders/{po.order_id}/receive")]
    assert levels(runtime, w, w.store, w.milk)[:2] == (Decimal(0), Decimal(24))  # nothing was received
    with runtime.system_uow(w.tenant.id) as uow:
        service.receive_goods(uow, po.order_id, lines=[ReceiptLineIn(line.id, Decimal(24))], idempotency_key="r1")
        uow.commit()
    assert levels(runtime, w, w.store, w.milk)[:2] == (Decimal(24), Decimal(0))
    assert get(runtime, Order, po.order_id).status == "received"


def test_inventory_refuses_a_transfer_order_s_shipment_and_purchasing_receives_it(runtime: Runtime) -> None:
    w = make_world(runtime)
    [to] = place(runtime, w, [to_request(w, "4")], confirm=True)
    with runtime.system_uow(w.tenant.id) as uow:
        service.dispatch(uow, to.order_id, idempotency_key="d1")
        uow.commit()
    [line] = order_lines(runtime, to.order_id)
    with runtime.system_uow(w.tenant.id) as uow:
        with pytest.raises(OwnedElsewhere):
            inventory_receiving.start(uow, site_id=w.store, source="transfer", from_site_id=w.dc,
                                      idempotency_key="inv-t")  # fmt: skip
        with pytest.raises(OwnedElsewhere):
            receive_transfer(uow, line.transfer_move_ids[0])
        [listed] = receiving_queries.to_receive(uow.session, w.tenant.id, w.store)
        assert (listed.source, listed.label, listed.quantity) == ("transfer", to.number, Decimal(4))
        assert listed.receive_at == f"/purchasing/orders/{to.order_id}/receive"
    with runtime.system_uow(w.tenant.id) as uow:
        service.receive_goods(uow, to.order_id, lines=[ReceiptLineIn(line.id, Decimal(4))], idempotency_key="r1")
        uow.commit()
    assert levels(runtime, w, w.store, w.bread) == (Decimal(4), Decimal(0), Decimal(0), Decimal(0))


def test_an_expected_receipt_nobody_owns_is_still_received_in_inventory(runtime: Runtime) -> None:
    w = make_world(runtime)
    place(runtime, w, [po_request(w, "24")], confirm=True)  # purchasing's, beside it
    with runtime.system_uow(w.tenant.id) as uow:
        expect(uow, IncomingIn(site_id=w.store, item_id=w.bread, quantity=Decimal(5), document_type="purchase_order",
                               document_id="EXT-7", idempotency_key="ext-7"))  # fmt: skip
        uow.commit()
    with runtime.system_uow(w.tenant.id) as uow:
        listed = {e.label: e.receive_at for e in receiving_queries.to_receive(uow.session, w.tenant.id, w.store)}
        assert listed["EXT-7"] is None and listed[next(k for k in listed if k != "EXT-7")] is not None
        r = inventory_receiving.start(uow, site_id=w.store, source="purchase_order", document_id="EXT-7",
                                      idempotency_key="inv-ext")  # fmt: skip
        [ln] = receiving_queries.lines(uow.session, r)
        inventory_receiving.update_lines(uow, r.id, [inventory_receiving.LineEdit(ln.id, Decimal(5), Decimal(0), None,
                                                                                  None, None)])  # fmt: skip
        inventory_receiving.post(uow, r.id)
        uow.commit()
    assert levels(runtime, w, w.store, w.bread)[:2] == (Decimal(5), Decimal(0))
    assert levels(runtime, w, w.store, w.milk)[:2] == (Decimal(0), Decimal(24))  # the PO's is untouched


def test_the_api_answers_problem_json_with_where_to_receive(runtime: Runtime, client: TestClient) -> None:
    w = make_world(runtime)
    make_user(runtime, w.tenant, "boss", [("hq_admin", None)])
    [po] = place(runtime, w, [po_request(w, "24")], confirm=True)
    [line] = order_lines(runtime, po.order_id)
    h = login(client, "boss")
    shown = client.get(f"{URL}/incoming/{line.commitment_id}", headers=h).json()
    assert (shown["owner"], shown["receive_at"]) == ("purchasing", f"/purchasing/orders/{po.order_id}/receive")
    r = client.post(f"{URL}/incoming/{line.commitment_id}/receive", headers=h,
                    json={"quantity": "24", "idempotency_key": "api-1"})  # fmt: skip
    assert r.status_code == 409 and r.headers["content-type"].startswith("application/problem+json")
    body = r.json()
    assert body["code"] == "inventory.received_by_owner"
    assert body["receive_at"] == f"/purchasing/orders/{po.order_id}/receive"
    assert levels(runtime, w, w.store, w.milk)[:2] == (Decimal(0), Decimal(24))


def test_inventory_s_page_hands_an_order_s_delivery_to_purchasing_s_receiving(
    runtime: Runtime, client: TestClient
) -> None:
    w = make_world(runtime)
    make_user(runtime, w.tenant, "staff", [("store_staff", "S001")])
    [po] = place(runtime, w, [po_request(w, "24")], confirm=True)
    page_login(client, "staff")
    client.cookies.set("boh_lang", "en")
    listing = client.get("/inventory/receiving", params={"site_id": w.store})
    assert f'href="/purchasing/orders/{po.order_id}/receive"' in listing.text
    assert "Receive on the order" in listing.text
    r = post_form(client, "/inventory/receiving/start",
                  {"site_id": str(w.store), "source": "purchase_order", "document_id": po.number})  # fmt: skip
    assert r.status_code == 303 and r.headers["location"] == f"/purchasing/orders/{po.order_id}/receive"
    page = client.get(r.headers["location"])
    assert page.status_code == 200 and po.number in page.text
    nav = client.get("/purchasing/receiving")
    assert 'href="/inventory/receiving"' in nav.text  # deliveries without an order: one click away
    with runtime.session_factory() as s:
        assert s.scalars(select(OrderLine.received_quantity).where(OrderLine.order_id == po.order_id)).one() == 0
