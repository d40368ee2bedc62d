"""Purchasing in a real browser: the supplier confirms a line and sends a shipping notice on its page (a
phone), the store receives the delivery by scanning the case barcode (the line counts 12 per scan, the notice's
lot is filled in), posts it and the stock is there; the buyer's order list, order and scorecard on a desktop and
a phone, in English and in Chinese."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from boh.bootstrap import Runtime
from boh.purchasing.models import Asn
from tests.e2e.helpers import body_overflows, sign_in
from tests.factories import make_user
from tests.purchasing.helpers import gtin_check, levels, make_world, order_lines, place, po_request

pytestmark = pytest.mark.e2e
DESKTOP, PHONE = {"width": 1366, "height": 900}, {"width": 390, "height": 844}
CASE = gtin_check("1690123456789")


def _page(browser: Any, live_server: str, viewport: dict[str, int], lang: str) -> Any:
    ctx = browser.new_context(base_url=live_server, viewport=viewport, locale="en-US" if lang == "en" else "zh-CN")
    ctx.set_default_timeout(15_000)
    ctx.add_cookies([{"name": "boh_lang", "value": lang, "url": live_server}])
    return ctx.new_page()


def test_supplier_confirms_and_store_receives_by_scanning(runtime: Runtime, browser: Any, live_server: str,
                                                          shot: Any) -> None:  # fmt: skip
    w = make_world(runtime)
    make_user(runtime, w.tenant, "fresh", [("supplier", None)], supplier_id=w.supplier)
    make_user(runtime, w.tenant, "staff", [("store_staff", "S001")])
    make_user(runtime, w.tenant, "buyer", [("buyer", None)])
    [po] = place(runtime, w, [po_request(w, "24")], confirm=True)

    page = _page(browser, live_server, PHONE, "en")
    sign_in(page, "fresh", path="/purchasing/supplier")
    page.click("[data-testid=supplier-order-link]")
    page.select_option("[data-testid=action-MILK]", "accept")
    page.click("[data-testid=send-answer]")
    expect(page.locator("[data-testid=supplier-line][data-sku=MILK] [data-testid=line-response]")).to_have_text(
        "Confirmed"
    )
    page.fill("[data-testid=asn-number]", "DN-77")
    page.fill("[data-testid=ship-MILK]", "24")
    page.fill("[data-testid=ship-lot-MILK]", "LOT-77")
    page.click("[data-testid=send-asn]")
    expect(page.locator(".flash")).to_contain_text("shipping notice")
    assert not body_overflows(page), "the supplier page scrolls sideways on a phone"
    shot(page, "purchasing-supplier-phone-en")
    page.context.close()
    assert order_lines(runtime, po.order_id)[0].response == "accepted"

    page = _page(browser, live_server, PHONE, "en")
    sign_in(page, "staff", path="/purchasing/receiving")
    page.click("[data-testid=receive-order]")
    expect(page.locator("[data-testid=lot-MILK]")).to_have_value("LOT-77")  # from the shipping notice
    for _ in range(2):
        page.fill("[data-testid=receive-code]", CASE)
        page.press("[data-testid=receive-code]", "Enter")
        expect(page.locator("[data-testid=receive-result]")).to_contain_text("Recorded")
    expect(page.locator("[data-testid=received-MILK]")).to_have_value("24")
    assert not body_overflows(page), "the receiving page scrolls sideways on a phone"
    shot(page, "purchasing-receive-phone-en")
    page.click("[data-testid=receipt-post]")
    expect(page.locator("[data-testid=order-status]")).to_have_text("Received")
    page.context.close()
    assert levels(runtime, w, w.store, w.milk)[:2] == (Decimal(24), Decimal(0))
    with runtime.session_factory() as s:
        assert s.scalars(select(Asn.status)).all() == ["received"]  # received against the notice

    for lang, viewport, name in (("en", DESKTOP, "desktop-en"), ("zh", DESKTOP, "desktop-zh"),
                                 ("zh", PHONE, "phone-zh"), ("en", PHONE, "phone-en")):  # fmt: skip
        p = _page(browser, live_server, viewport, lang)
        sign_in(p, "buyer", path="/purchasing/orders")
        expect(p.locator("[data-testid=order-row]")).to_have_count(1)
        assert not body_overflows(p), f"{name}: the order list scrolls sideways"
        shot(p, f"purchasing-orders-{name}")
        p.click("[data-testid=order-link]")
        expect(p.locator("[data-testid=order-line]")).to_have_count(1)
        assert not body_overflows(p), f"{name}: the order scrolls sideways"
        shot(p, f"purchasing-order-{name}")
        p.goto("/purchasing/scorecards")
        expect(p.locator("[data-chart-ready]").first).to_be_visible()
        assert not body_overflows(p), f"{name}: the scorecards scroll sideways"
        shot(p, f"purchasing-scorecards-{name}")
        p.context.close()


def test_store_receives_a_dc_transfer_with_a_damaged_unit_on_a_phone(runtime: Runtime, browser: Any,
                                                                     live_server: str, shot: Any) -> None:  # fmt: skip
    from boh.purchasing import service
    from tests.purchasing.helpers import to_request

    w = make_world(runtime)
    make_user(runtime, w.tenant, "staff", [("store_staff", "S001")])
    [to] = place(runtime, w, [to_request(w, "4")], confirm=True)
    with runtime.system_uow(w.tenant.id) as uow:
        service.dispatch(uow, to.order_id, idempotency_key="d1")
        uow.commit()
    page = _page(browser, live_server, PHONE, "en")
    sign_in(page, "staff", path="/purchasing/receiving")
    page.click("[data-testid=receive-order]")
    expect(page.locator("[data-testid=received-BREAD]")).to_have_value("4")  # what the DC shipped
    page.fill("[data-testid=received-BREAD]", "3")
    page.fill("[data-testid=damaged-BREAD]", "1")
    page.select_option("[data-testid=reason-BREAD]", "damaged")
    assert not body_overflows(page), "the receiving page scrolls sideways on a phone"
    shot(page, "purchasing-receive-transfer-phone-en")
    page.click("[data-testid=receipt-post]")
    expect(page.locator("[data-testid=order-status]")).to_have_text("Received")
    expect(page.locator("[data-testid=discrepancy][data-kind=damaged]")).to_be_visible()
    page.context.close()
    assert levels(runtime, w, w.store, w.bread) == (Decimal(3), Decimal(0), Decimal(0), Decimal(0))
