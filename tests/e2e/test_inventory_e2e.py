"""Live stock in a real browser: a move or a reservation posted through the API shows up in the open page
within 2 s."""

from __future__ import annotations

import threading
from typing import Any

import httpx
import pytest
from playwright.sync_api import expect

from boh.bootstrap import Runtime
from tests.e2e.helpers import body_overflows, sign_in
from tests.factories import PASSWORD, make_user
from tests.inventory.factories import make_world, mv, post

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
