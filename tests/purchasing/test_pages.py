"""Console pages: the buyer's order list and detail (sending a draft, deciding on a supplier change), receiving
by scanning on the phone page (a case GTIN counts 12, a GS1-128 fills lot and expiry), the supplier's page."""

from __future__ import annotations

import re
from decimal import Decimal

from fastapi.testclient import TestClient
from sqlalchemy import select

from boh.bootstrap import Runtime
from boh.purchasing.models import Asn, Order, OrderLine, Receipt
from tests.factories import make_user
from tests.purchasing.helpers import count, gtin_check, levels, make_world, order_lines, place, po_request
from tests.web.helpers import page_login, post_form

CASE = gtin_check("1690123456789")


def _key(html: str) -> str:
    m = re.search(r'name="key" value="([^"]+)"', html)
    assert m
    return m.group(1)


def test_the_buyer_lists_reads_and_sends_an_order_in_both_languages(runtime: Runtime, client: TestClient) -> None:
    w = make_world(runtime)
    make_user(runtime, w.tenant, "buyer", [("buyer", None)])
    [po] = place(runtime, w, [po_request(w, "24"), po_request(w, "5", item_id=w.bread)])
    page_login(client, "buyer")
    client.cookies.set("boh_lang", "en")
    listing = client.get("/purchasing/orders")
    assert listing.status_code == 200 and listing.text.count('data-testid="order-row"') == 1
    assert f">{po.number}</a>" in listing.text and "Draft" in listing.text
    detail = client.get(f"/purchasing/orders/{po.order_id}")
    assert detail.text.count('data-testid="order-line"') == 2 and "2 case" in detail.text
    assert "10:00" in detail.text  # the history in the store's time (02:00 UTC in Shanghai)
    r = post_form(client, f"/purchasing/orders/{po.order_id}/confirm")
    assert r.status_code == 303
    assert levels(runtime, w, w.store, w.milk)[1] == Decimal(24)
    client.cookies.set("boh_lang", "zh_CN")
    zh = client.get(f"/purchasing/orders/{po.order_id}")
    assert "已发送" in zh.text and "采购订单" in zh.text and "Purchase order" not in zh.text


def test_receiving_by_scanning_a_case_and_a_gs1_label(runtime: Runtime, client: TestClient) -> None:
    w = make_world(runtime)
    make_user(runtime, w.tenant, "staff", [("store_staff", "S001")])
    [po] = place(runtime, w, [po_request(w, "24")], confirm=True)
    line = po.line_ids[0]
    page_login(client, "staff")
    todo = client.get("/purchasing/receiving")
    assert f'href="/purchasing/orders/{po.order_id}/receive"' in todo.text
    page = client.get(f"/purchasing/orders/{po.order_id}/receive")
    key = _key(page.text)
    form = {"key": key, f"received_{line}": "0", f"rejected_{line}": "0", f"lot_{line}": "", f"expiry_{line}": ""}
    r = post_form(client, f"/purchasing/orders/{po.order_id}/receive/scan", {**form, "code": CASE, "qty": "1"},
                  headers={"HX-Request": "true"})  # fmt: skip
    assert r.status_code == 200 and 'value="12"' in r.text and "<html" not in r.text
    gs1 = f"01{CASE}17261220" + "10LOT-7"
    again = {**form, f"received_{line}": "12", "code": gs1, "qty": "1"}
    r = post_form(client, f"/purchasing/orders/{po.order_id}/receive/scan", again, headers={"HX-Request": "true"})
    assert 'value="24"' in r.text and 'value="LOT-7"' in r.text and 'value="2026-12-20"' in r.text
    bad = post_form(client, f"/purchasing/orders/{po.order_id}/receive/scan", {**form, "code": "NOPE"},
                    headers={"HX-Request": "true"})  # fmt: skip
    assert bad.status_code == 422 and 'data-testid="receive-result"' in bad.text
    r = post_form(client, f"/purchasing/orders/{po.order_id}/receive", {
        **form, f"received_{line}": "22", f"rejected_{line}": "2", f"reason_{line}": "damaged",
        f"lot_{line}": "LOT-7", f"expiry_{line}": "2026-12-20"})  # fmt: skip
    assert r.status_code == 303, r.text[:500]
    assert levels(runtime, w, w.store, w.milk)[:2] == (Decimal(22), Decimal(0))
    assert order_lines(runtime, po.order_id)[0].status == "received"
    again = post_form(client, f"/purchasing/orders/{po.order_id}/receive", {**form, f"received_{line}": "22"})
    assert again.status_code in (303, 409) and count(runtime, Receipt) == 1


def test_a_receipt_with_a_missing_reason_is_shown_again_and_posts_nothing(runtime: Runtime, client: TestClient) -> None:
    w = make_world(runtime)
    make_user(runtime, w.tenant, "staff", [("store_staff", "S001")])
    [po] = place(runtime, w, [po_request(w, "24")], confirm=True)
    line = po.line_ids[0]
    page_login(client, "staff")
    key = _key(client.get(f"/purchasing/orders/{po.order_id}/receive").text)
    r = post_form(client, f"/purchasing/orders/{po.order_id}/receive",
                  {"key": key, f"received_{line}": "20", f"rejected_{line}": "4"})  # fmt: skip
    assert r.status_code == 422 and 'data-testid="receipt-error"' in r.text
    assert 'value="20"' in r.text  # what was typed is kept
    assert count(runtime, Receipt) == 0 and levels(runtime, w, w.store, w.milk)[0] == Decimal(0)


def test_the_supplier_confirms_changes_and_sends_a_notice_on_its_page(runtime: Runtime, client: TestClient) -> None:
    w = make_world(runtime)
    make_user(runtime, w.tenant, "fresh", [("supplier", None)], supplier_id=w.supplier)
    [po] = place(runtime, w, [po_request(w, "24"), po_request(w, "10", item_id=w.bread)], confirm=True)
    milk, bread = po.line_ids
    page_login(client, "fresh")
    home = client.get("/purchasing/supplier")
    assert f'href="/purchasing/supplier/orders/{po.order_id}"' in home.text
    r = post_form(client, f"/purchasing/supplier/orders/{po.order_id}/respond", {
        f"action_{milk}": "accept", f"action_{bread}": "change", f"quantity_{bread}": "6",
        f"reason_{bread}": "flour shortage"})  # fmt: skip
    assert r.status_code == 303, r.text[:500]
    lines = order_lines(runtime, po.order_id)
    assert [(ln.response, ln.confirmed_quantity) for ln in lines] == [
        ("accepted", Decimal(24)),
        ("changed", Decimal(6)),
    ]
    page = client.get(f"/purchasing/supplier/orders/{po.order_id}")
    r = post_form(client, f"/purchasing/supplier/orders/{po.order_id}/asn", {
        "key": _key(page.text), "number": "DN-5", "arrival": "2026-12-09", f"ship_{milk}": "24",
        f"lot_{milk}": "L-5", f"expiry_{milk}": "2026-12-20"})  # fmt: skip
    assert r.status_code == 303, r.text[:500]
    with runtime.session_factory() as s:
        assert s.scalars(select(Asn.number)).all() == ["DN-5"]
    assert client.get(f"/purchasing/orders/{po.order_id}").status_code == 200  # its own order, read only
    assert post_form(client, f"/purchasing/orders/{po.order_id}/confirm").status_code == 403
    assert count(runtime, Order, Order.status == "confirmed") == 1 and count(runtime, OrderLine) == 2


def test_the_scorecard_page_shows_each_supplier_and_its_trend(runtime: Runtime, client: TestClient) -> None:
    w = make_world(runtime)
    make_user(runtime, w.tenant, "buyer", [("buyer", None)])
    [po] = place(runtime, w, [po_request(w, "24")], confirm=True)
    from boh.purchasing import service
    from boh.purchasing.service import ReceiptLineIn

    with runtime.system_uow(w.tenant.id) as uow:
        service.receive_goods(uow, po.order_id, lines=[ReceiptLineIn(po.line_ids[0], Decimal(24))], idempotency_key="r")
        uow.commit()
    page_login(client, "buyer")
    client.cookies.set("boh_lang", "en")
    page = client.get("/purchasing/scorecards")
    assert page.status_code == 200 and page.text.count('data-testid="scorecard-row"') == 1
    assert "chart-data-supplier-trend" in page.text and "Supplier FRESH" in page.text and "100.0%" in page.text


def test_the_home_page_lists_orders_due_and_changes_to_decide(runtime: Runtime, client: TestClient) -> None:
    from datetime import date

    from boh.purchasing import service
    from boh.purchasing.service import LineResponse
    from tests.purchasing.helpers import supplier_user, uow_as

    w = make_world(runtime)
    make_user(runtime, w.tenant, "manager", [("store_manager", "S001")])
    due, later = place(runtime, w, [po_request(w, "12", needed_by=date(2026, 12, 8)),
                                    po_request(w, "12", site_id=w.store2)], confirm=True)  # fmt: skip
    with uow_as(runtime, supplier_user(w)) as uow:
        service.respond(uow, due.order_id, [LineResponse(due.line_ids[0], "change", quantity=Decimal(6), reason="x")])
        uow.commit()
    page_login(client, "manager")
    client.cookies.set("boh_lang", "en")
    home = client.get("/")
    assert home.status_code == 200
    assert re.search(r'data-testid="todo-po-due".*?1', home.text, re.S) and 'data-testid="todo-po-changes"' in home.text
    assert later.order_id != due.order_id


def test_a_dispatched_transfer_is_received_whole_on_the_page(runtime: Runtime, client: TestClient) -> None:
    from boh.purchasing import service
    from tests.purchasing.helpers import to_request

    w = make_world(runtime)
    make_user(runtime, w.tenant, "staff", [("store_staff", "S001")])
    [to] = place(runtime, w, [to_request(w, "4")], confirm=True)
    with runtime.system_uow(w.tenant.id) as uow:
        service.dispatch(uow, to.order_id, idempotency_key="d")
        uow.commit()
    page_login(client, "staff")
    page = client.get(f"/purchasing/orders/{to.order_id}/receive")
    assert 'id="scan-form"' not in page.text and 'value="4"' in page.text
    line = to.line_ids[0]
    r = post_form(
        client, f"/purchasing/orders/{to.order_id}/receive", {"key": _key(page.text), f"received_{line}": "4"}
    )
    assert r.status_code == 303, r.text[:300]
    assert levels(runtime, w, w.store, w.bread) == (Decimal(4), Decimal(0), Decimal(0), Decimal(0))
