"""A stocktake on a phone (390x844) in a real browser: a store manager creates a count, starts it, scans two
items by barcode, sees the error of an unknown code, submits, reviews the variance, approves and posts;
the stock page then shows the counted quantity. No page scrolls sideways."""

from __future__ import annotations

from decimal import Decimal as D
from typing import Any

import pytest
from playwright.sync_api import expect

from boh.bootstrap import Runtime
from tests.catalog.helpers import make_item
from tests.e2e.helpers import sign_in
from tests.factories import make_site, make_tenant, make_user
from tests.inventory.factories import mv, post

pytestmark = pytest.mark.e2e

GTIN_A, GTIN_B = "06901234567892", "4006381333931"
UNKNOWN = "5901234123457"  # a valid EAN-13 that no item carries


def no_side_scroll(page: Any) -> None:
    fits = page.evaluate("document.scrollingElement.scrollWidth <= window.innerWidth")
    assert fits, f"{page.url} scrolls sideways"


def _scan(page: Any, code: str, qty: str) -> None:
    page.fill("#f-code", code)
    page.fill("#f-qty", qty)
    page.click("[data-testid=scan-submit]")


def test_store_manager_counts_reviews_and_posts_on_a_phone(runtime: Runtime, page: Any, shot: Any) -> None:
    t = make_tenant(runtime)
    site = make_site(runtime, t, "S001")
    a = make_item(runtime, t, "A1", barcodes=[GTIN_A])
    b = make_item(runtime, t, "B1", barcodes=[GTIN_B])
    post(runtime, t, mv(site, a, "receipt", "10", "r-a", unit_cost=D("2.00")))
    post(runtime, t, mv(site, b, "receipt", "5", "r-b", unit_cost=D("4.00")))
    make_user(runtime, t, "manager", [("store_manager", "S001")], locale="en")
    page.set_viewport_size({"width": 390, "height": 844})

    sign_in(page, "manager", path="/inventory/counts")
    expect(page.locator("h1")).to_have_text("Stocktakes")
    no_side_scroll(page)
    page.click("[data-testid=count-create] summary")
    page.click("[data-testid=create-count]")
    expect(page.locator("[data-testid=count-status]")).to_have_text("Draft")
    no_side_scroll(page)

    page.click("[data-testid=action-start]")
    expect(page.locator("[data-testid=count-status]")).to_have_text("Counting")
    expect(page.locator("#f-code")).to_be_focused()
    _scan(page, GTIN_A, "9")
    expect(page.locator("[data-testid=scan-ok]")).to_contain_text(GTIN_A)
    expect(page.locator("#f-code")).to_be_focused()  # ready for the next scan
    expect(page.locator("#f-code")).to_have_value("")
    _scan(page, GTIN_B, "5")
    expect(page.locator("[data-testid=scan-ok]")).to_contain_text(GTIN_B)
    expect(page.locator("[data-testid=recent-entries] tbody tr")).to_have_count(2)
    expect(page.locator('#count-lines tr[data-sku="B1"] [data-field=counted]')).to_have_text("5")
    _scan(page, UNKNOWN, "1")
    expect(page.locator("[data-testid=problem-error]")).to_contain_text("No item has this code or SKU")
    expect(page.locator("#f-code")).to_have_value(UNKNOWN)
    expect(page.locator("[data-testid=recent-entries] tbody tr")).to_have_count(2)
    no_side_scroll(page)
    shot(page, "stocktake-scan-phone")

    page.click("[data-testid=action-submit]")
    expect(page.locator("h1")).to_contain_text("Variance review")
    row = page.locator('[data-testid=variance-table] tr[data-sku="A1"]')
    expect(row.locator("[data-field=expected]")).to_have_text("10")
    expect(row.locator("[data-field=counted]")).to_have_text("9")
    expect(row.locator("[data-field=variance]")).to_have_text("-1")
    expect(row.locator("[data-field=value]")).to_have_text("-2.00")
    expect(page.locator("[data-testid=total-abs]")).to_have_text("2.00 CNY")
    no_side_scroll(page)
    shot(page, "stocktake-review-phone")

    page.click("[data-testid=action-approve]")
    expect(page.locator("[data-testid=count-status]")).to_have_text("Approved")
    page.click("[data-testid=action-post]")
    expect(page.locator("[data-testid=posted-result]")).to_contain_text("Posted: 1 stock move created.")
    no_side_scroll(page)

    page.click("[data-testid=stock-link]")
    expect(page.locator(f'tr[data-key="{a}:0"] [data-field="on_hand"]')).to_have_text("9")
    expect(page.locator(f'tr[data-key="{b}:0"] [data-field="on_hand"]')).to_have_text("5")
    no_side_scroll(page)
