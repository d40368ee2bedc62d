"""Live stock in a real browser: a move or a reservation posted through the API shows up in the open page
within 2 s."""

from __future__ import annotations

import threading
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import httpx
import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from boh.bootstrap import Runtime
from boh.inventory.models import Balance
from tests.e2e.helpers import body_overflows, sign_in
from tests.factories import PASSWORD, make_user
from tests.inventory.commitments.helpers import reserve
from tests.inventory.factories import make_lot, make_world, mv, post

pytestmark = pytest.mark.e2e


def _post_in_background(
    base_url: str, body: dict[str, Any], result: dict[str, Any], path: str = "/api/v1/inventory/moves"
) -> threading.Thread:
    def run() -> None:
        with httpx.Client(base_url=base_url, timeout=10) as http:
            token = http.post("/api/v1/auth/token", data={"username": "poster", "password": PASSWORD})
            headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
            result["status"] = http.post(path, headers=headers, json=body).status_code

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def test_live_stock_page_updates_when_a_move_is_posted(
    runtime: Runtime, page: Any, live_server: str, shot: Any
) -> None:
    w = make_world(runtime)
    post(runtime, w.tenant, mv(w.s1, w.item, "receipt", "10", "r1"))
    make_user(runtime, w.tenant, "manager", [("store_manager", "S001")], locale="en")
    make_user(runtime, w.tenant, "poster", [("hq_admin", None)])
    page.set_viewport_size({"width": 390, "height": 844})  # a phone
    sign_in(page, "manager", path="/inventory/live")
    row = page.locator(f'tr[data-key="{w.item}:0"]')
    expect(row.locator('[data-field="on_hand"]')).to_have_text("10")
    expect(page.locator("[data-live-stream]")).to_have_attribute("data-connected", "true")
    assert not body_overflows(page)

    body = {
        "moves": [
            {"site_id": w.s1, "item_id": w.item, "move_type": "sale", "quantity": "-3.5", "idempotency_key": "s1"},
            {"site_id": w.s1, "item_id": w.item2, "move_type": "receipt", "quantity": "4", "idempotency_key": "s2"},
        ]
    }
    result: dict[str, Any] = {}
    _post_in_background(live_server, body, result).join(timeout=10)
    assert result["status"] == 201
    expect(row.locator('[data-field="on_hand"]')).to_have_text("6.5", timeout=2_000)
    expect(row.locator('[data-field="available"]')).to_have_text("6.5", timeout=2_000)
    new_row = page.locator(f'tr[data-key="{w.item2}:0"]')  # a balance the page did not list yet
    expect(new_row.locator('[data-field="on_hand"]')).to_have_text("4", timeout=2_000)
    expect(new_row).to_contain_text("BREAD")
    expect(new_row.locator('[data-field="reserved"]')).to_have_text("0", timeout=2_000)
    # a reservation changes reserved and available, not on hand
    hold = {"site_id": w.s1, "item_id": w.item, "quantity": "2", "document_type": "sales_order",
            "document_id": "SO-1", "idempotency_key": "hold-1"}  # fmt: skip
    _post_in_background(live_server, hold, result, "/api/v1/inventory/reservations").join(timeout=10)
    assert result["status"] == 201
    expect(row.locator('[data-field="reserved"]')).to_have_text("2", timeout=2_000)
    expect(row.locator('[data-field="available"]')).to_have_text("4.5", timeout=2_000)
    expect(row.locator('[data-field="on_hand"]')).to_have_text("6.5")
    shot(page, "inventory-live")


def test_stock_list_filters_on_a_phone_in_chinese(runtime: Runtime, page: Any, shot: Any) -> None:
    w = make_world(runtime)
    post(runtime, w.tenant, mv(w.s1, w.item, "receipt", "10", "r1"), mv(w.s1, w.item2, "sale", "-2", "s1"))
    make_user(runtime, w.tenant, "manager", [("store_manager", "S001")], locale="zh_CN")
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, "manager", path="/inventory/stock")
    expect(page.locator("h1")).to_have_text("库存 · S001")
    expect(page.locator("[data-testid=stock-table] tbody tr")).to_have_count(2)
    page.check("#f-negative")  # htmx reloads the results
    expect(page.locator("[data-testid=stock-table] tbody tr")).to_have_count(1)
    expect(page.locator("[data-testid=stock-table]")).to_contain_text("BREAD")
    assert not body_overflows(page)
    shot(page, "inventory-stock-phone-zh")


def test_waste_form_suggests_the_first_expiring_lot_and_posts_on_it(runtime: Runtime, page: Any, shot: Any) -> None:
    w = make_world(runtime)
    soon = make_lot(runtime, w.tenant, w.item, "SOON", date.today() + timedelta(days=2))
    late = make_lot(runtime, w.tenant, w.item, "LATE", date.today() + timedelta(days=20))
    post(runtime, w.tenant, mv(w.s1, w.item, "receipt", "5", "r1", lot_id=late),
         mv(w.s1, w.item, "receipt", "3", "r2", lot_id=soon))  # fmt: skip
    make_user(runtime, w.tenant, "manager", [("store_manager", "S001")], locale="en")
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, "manager", path=f"/inventory/waste?site_id={w.s1}")
    page.fill("#f-sku", "MILK-1L")
    page.fill("#f-quantity", "2")
    hint = page.locator("[data-testid=fefo-hint]")
    expect(hint).to_be_visible(timeout=5_000)
    expect(hint.locator("[data-fill-lot]")).to_have_count(1)  # 2 units: the first expiring lot covers them
    hint.locator("[data-fill-lot=SOON]").click()
    expect(page.locator("#f-lot_code")).to_have_value("SOON")
    assert not body_overflows(page)
    page.select_option("#f-reason_code", "expired")
    shot(page, "inventory-waste-fefo")
    page.click("form[action='/inventory/waste'] button[type=submit]")
    expect(page.locator("body")).to_contain_text("Waste of MILK-1L recorded.")
    with runtime.session_factory() as s:
        rows = s.execute(select(Balance.lot_id, Balance.on_hand).where(Balance.site_id == w.s1))
        lots = {lot: qty for lot, qty in rows}
    assert lots == {soon: Decimal(1), late: Decimal(5)}


def test_manager_releases_a_reservation_on_a_phone(runtime: Runtime, page: Any, shot: Any) -> None:
    w = make_world(runtime)
    post(runtime, w.tenant, mv(w.s1, w.item, "receipt", "10", "r1"))
    rid = reserve(runtime, w.tenant, w.s1, w.item, "4", "res-1", document_id="PRE-7").commitment.id
    make_user(runtime, w.tenant, "manager", [("store_manager", "S001")], locale="en")
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, "manager", path="/inventory/stock")
    page.click("text=Reservations and orders")
    row = page.locator(f'tr[data-commitment="{rid}"]')
    expect(row).to_contain_text("PRE-7")
    assert not body_overflows(page)
    shot(page, "inventory-commitments-phone")
    row.locator("button[type=submit]").click()
    expect(page.locator("body")).to_contain_text("Reservation released.")
    expect(page.locator(f'tr[data-commitment="{rid}"]')).to_have_count(0)
    with runtime.session_factory() as s:
        assert s.scalar(select(Balance.reserved).where(Balance.site_id == w.s1)) == Decimal(0)


def test_moves_page_on_a_phone_keeps_its_filters_on_the_screen(
    runtime: Runtime, page: Any, live_server: str, shot: Any
) -> None:
    """The stock moves page (a site's waste this week, say) on a phone: the filters (site, type, two dates) fit
    the screen's width, and the moves are listed with their value."""
    w = make_world(runtime)
    post(runtime, w.tenant, mv(w.s1, w.item, "receipt", "10", "r1", unit_cost="2"),
         mv(w.s1, w.item, "waste", "-2", "w1", reason_code="expired"))  # fmt: skip
    make_user(runtime, w.tenant, "manager", [("store_manager", "S001")], locale="zh_CN")
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, "manager", path="/inventory/stock")
    page.goto(f"/inventory/moves?site_id={w.s1}&type=waste")
    expect(page.locator("[data-testid=move-row]")).to_have_count(1)
    expect(page.locator("[data-testid=moves-value]")).to_contain_text("4")
    width = page.evaluate("window.innerWidth")
    rights = page.evaluate("[...document.querySelectorAll('form.filters > *')]"
                           ".map(e => e.getBoundingClientRect().right)")  # fmt: skip
    assert rights and max(rights) <= width, (rights, width)  # a date field once pushed the form 10 px past it
    assert not body_overflows(page)
    shot(page, "inventory-moves-phone-zh")
