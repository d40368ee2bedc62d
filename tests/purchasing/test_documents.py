"""The purchase order as a PDF (its text read back with pypdf) in the supplier's language, else the
tenant's; downloadable through the API and the console, a supplier only its own; e-mailed to the supplier's
order address once when the order is sent (through notify's mail outbox, after the commit, a real SMTP
server on loopback), and again only by the buyer's explicit, audited resend."""

from __future__ import annotations

import io
from collections.abc import Iterator
from email.header import decode_header, make_header
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pypdf import PdfReader
from sqlalchemy import select

from boh.bootstrap import Runtime
from boh.catalog import service as catalog_service
from boh.catalog.schemas import SupplierItemUpdate, SupplierUpdate
from boh.kernel import outbox
from boh.kernel.audit import AuditRecord
from boh.kernel.outbox import EventBus
from boh.notify.handlers import subscribe as subscribe_notify
from boh.notify.models import Mail
from boh.purchasing.handlers import subscribe as subscribe_purchasing
from boh.purchasing.models import OrderEvent
from boh.settings import Settings, SmtpSettings
from tests.catalog.helpers import make_supplier
from tests.factories import login, make_user
from tests.purchasing.helpers import World, make_world, place, po_request
from tests.smtp_server import Inbox, smtp_server
from tests.web.helpers import page_login


def _text(content: bytes) -> str:
    return " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages).split())


def _terms(rt: Runtime, w: World, **supplier: Any) -> None:
    with rt.system_uow(w.tenant.id) as uow:
        catalog_service.update_supplier(uow, w.supplier, SupplierUpdate(**supplier))
        from boh.catalog.models import SupplierItem

        si = uow.session.scalars(select(SupplierItem).where(SupplierItem.item_id == w.milk)).one()
        catalog_service.update_supplier_item(uow, si.id, SupplierItemUpdate(supplier_sku="FR-MILK-12"))
        uow.commit()


def _sent_order(rt: Runtime, w: World) -> int:
    [placed] = place(rt, w, [po_request(w, "36"), po_request(w, "5", item_id=w.bread)], confirm=True)
    return placed.order_id


def test_the_pdf_names_buyer_supplier_ship_to_lines_codes_cases_prices_total_and_terms(
    runtime: Runtime, client: TestClient
) -> None:
    w = make_world(runtime)
    _terms(runtime, w, language="en", order_email="orders@fresh.example", payment_terms_days=45)
    oid = _sent_order(runtime, w)
    make_user(runtime, w.tenant, "buyer", [("buyer", None)])
    h = login(client, "buyer")
    r = client.get(f"/api/v1/purchasing/orders/{oid}/pdf", headers=h)
    assert r.status_code == 200 and r.headers["content-type"] == "application/pdf"
    text = _text(r.content)
    for part in ("Purchase order", "PO-S001-", "Buyer", "Supplier FRESH", "orders@fresh.example", "Ship to",
                 "S001", "Delivery date", "2026-12-09", "FR-MILK-12", "3 case = 36 pcs", "4.80", "14.40",
                 "5 pcs", "15.00", "Total", "29.40 CNY", "45 days"):  # fmt: skip
        assert part in text, part
    # Chinese when asked (and for a supplier whose language is Chinese)
    zh = _text(client.get(f"/api/v1/purchasing/orders/{oid}/pdf", params={"lang": "zh_CN"}, headers=h).content)
    assert "采购订单" in zh and "送货地址" in zh and "29.40 CNY" in zh


def test_the_document_is_in_the_suppliers_language_else_the_tenants(runtime: Runtime, client: TestClient) -> None:
    w = make_world(runtime)  # the tenant's default language is Chinese; the supplier has none
    oid = _sent_order(runtime, w)
    make_user(runtime, w.tenant, "buyer", [("buyer", None)])
    h = login(client, "buyer")
    assert "采购订单" in _text(client.get(f"/api/v1/purchasing/orders/{oid}/pdf", headers=h).content)
    _terms(runtime, w, language="en")
    assert "Purchase order" in _text(client.get(f"/api/v1/purchasing/orders/{oid}/pdf", headers=h).content)
    page_login(client, "buyer")
    page = client.get(f"/purchasing/orders/{oid}")
    assert page.status_code == 200 and f'href="/purchasing/orders/{oid}/pdf"' in page.text
    r = client.get(f"/purchasing/orders/{oid}/pdf")
    assert r.status_code == 200 and "Purchase order" in _text(r.content)


def test_a_supplier_gets_only_its_own_orders_pdf(runtime: Runtime, client: TestClient) -> None:
    w = make_world(runtime)
    oid = _sent_order(runtime, w)
    other = make_supplier(runtime, w.tenant, "OTHER")
    make_user(runtime, w.tenant, "fresh", [("supplier", None)], supplier_id=w.supplier)
    make_user(runtime, w.tenant, "other", [("supplier", None)], supplier_id=other)
    assert client.get(f"/api/v1/purchasing/orders/{oid}/pdf", headers=login(client, "fresh")).status_code == 200
    r = client.get(f"/api/v1/purchasing/orders/{oid}/pdf", headers=login(client, "other"))
    assert r.status_code == 404 and r.headers["content-type"] == "application/problem+json"
    [draft] = place(runtime, w, [po_request(w, "12")])  # a draft is not the supplier's to see
    r = client.get(f"/api/v1/purchasing/orders/{draft.order_id}/pdf", headers=login(client, "fresh"))
    assert r.status_code == 404


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, SmtpSettings]]:
    with smtp_server() as (inbox, port):
        yield inbox, SmtpSettings(host="127.0.0.1", port=port, starttls=False, from_address="boh@example.com")


def _relay(rt: Runtime, server: SmtpSettings) -> None:
    bus = EventBus()
    subscribe_purchasing(bus)
    subscribe_notify(bus, Settings(smtp=server, public_url="http://boh.test"))
    while outbox.relay_once(rt.session_factory, rt.system_uow, bus):
        pass  # the order's event queues the mail, whose event sends it


def test_a_sent_order_is_emailed_to_the_supplier_once_and_resent_only_on_purpose(
    runtime: Runtime, client: TestClient, smtp: Any
) -> None:
    inbox, server = smtp
    w = make_world(runtime)
    _terms(runtime, w, language="zh_CN", order_email="orders@fresh.example", email="info@fresh.example")
    [draft] = place(runtime, w, [po_request(w, "36")])
    _relay(runtime, server)
    assert inbox.messages == []  # a draft is not sent
    make_user(runtime, w.tenant, "buyer", [("buyer", None)])
    h = login(client, "buyer")
    assert client.post(f"/api/v1/purchasing/orders/{draft.order_id}/confirm", headers=h).status_code == 200
    with runtime.session_factory() as s:  # queued by the handler after the commit, not yet in the sender's
        assert s.scalars(select(Mail)).all() == []
    _relay(runtime, server)
    _relay(runtime, server)  # redelivered: nothing more
    assert len(inbox.messages) == 1
    msg = inbox.messages[0]
    assert msg["To"] == "orders@fresh.example"
    assert str(make_header(decode_header(msg["Subject"]))).startswith("采购订单 PO-S001-")
    [att] = [p for p in msg.walk() if p.get_filename()]
    assert att.get_content_type() == "application/pdf" and att.get_filename().endswith(".pdf")
    assert "采购订单" in _text(att.get_payload(decode=True))
    with runtime.session_factory() as s:
        [row] = s.scalars(select(Mail)).all()
        assert (row.status, row.subject_type, row.subject_id) == ("sent", "purchasing_order", str(draft.order_id))
    # confirming again (a retry) sends nothing; an explicit resend does, once per key, audited
    client.post(f"/api/v1/purchasing/orders/{draft.order_id}/confirm", headers=h)
    r = client.post(f"/api/v1/purchasing/orders/{draft.order_id}/resend", json={"idempotency_key": "r1"}, headers=h)
    assert r.status_code == 200 and r.json()["queued"] is True
    again = client.post(f"/api/v1/purchasing/orders/{draft.order_id}/resend", json={"idempotency_key": "r1"},
                        headers=h)  # fmt: skip
    assert again.json() == {"mail_id": None, "queued": False}
    _relay(runtime, server)
    assert len(inbox.messages) == 2
    with runtime.session_factory() as s:
        actions = list(s.scalars(select(OrderEvent.action).where(OrderEvent.order_id == draft.order_id)
                                 .order_by(OrderEvent.id)))  # fmt: skip
        assert actions == ["create", "confirm", "email", "resend"]
        audited = set(s.scalars(select(AuditRecord.action)))
        assert {"purchasing.order.resend", "purchasing.order.email", "notify.mail.queue"} <= audited
    page_login(client, "buyer")
    page = client.get(f"/purchasing/orders/{draft.order_id}")
    assert "orders@fresh.example" in page.text and 'data-testid="resend-order"' in page.text


def test_a_supplier_cannot_resend_and_a_draft_cannot_be_resent(runtime: Runtime, client: TestClient) -> None:
    w = make_world(runtime)
    _terms(runtime, w, order_email="orders@fresh.example")
    [draft] = place(runtime, w, [po_request(w, "12")])
    make_user(runtime, w.tenant, "buyer", [("buyer", None)])
    r = client.post(f"/api/v1/purchasing/orders/{draft.order_id}/resend", json={"idempotency_key": "x"},
                    headers=login(client, "buyer"))  # fmt: skip
    assert r.status_code == 409 and r.json()["code"] == "purchasing.wrong_status"
    oid = _sent_order(runtime, w)
    make_user(runtime, w.tenant, "fresh", [("supplier", None)], supplier_id=w.supplier)
    r = client.post(f"/api/v1/purchasing/orders/{oid}/resend", json={"idempotency_key": "x"},
                    headers=login(client, "fresh"))  # fmt: skip
    assert r.status_code == 403


def test_a_supplier_without_an_address_is_not_emailed_and_the_history_says_so(runtime: Runtime, smtp: Any) -> None:
    inbox, server = smtp
    w = make_world(runtime)
    oid = _sent_order(runtime, w)
    _relay(runtime, server)
    assert inbox.messages == []
    with runtime.session_factory() as s:
        actions = list(s.scalars(select(OrderEvent.action).where(OrderEvent.order_id == oid)))
        assert actions.count("email_skipped") == 1
