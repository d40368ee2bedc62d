"""Items in a real browser: create and edit an item; import an items file with errors in several rows."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from boh.catalog.models import Item, ItemBarcode
from tests.catalog.helpers import make_category
from tests.e2e.helpers import body_overflows, csv_file, import_errors, sign_in
from tests.factories import make_tenant, make_user

pytestmark = pytest.mark.e2e


def _items(runtime) -> dict[str, Item]:  # type: ignore[no-untyped-def]
    with runtime.session_factory() as s:
        return {i.sku: i for i in s.scalars(select(Item))}


def test_create_and_edit_an_item(runtime, page, shot) -> None:
    t = make_tenant(runtime)
    make_category(runtime, t, "DAIRY")
    make_user(runtime, t, "buyer", [("buyer", None)], locale="en")
    sign_in(page, "buyer", path="/catalog/items")
    page.get_by_role("button", name="New item").click()
    expect(page.locator("h1")).to_have_text("New item")
    page.fill("#f-sku", "MILK1")
    page.fill("#f-name_en", "Fresh milk 1L")
    page.fill("#f-name_zh", "鲜牛奶1升")
    page.select_option("#f-category_id", label="DAIRY · Cat DAIRY")
    page.select_option("#f-kind", "fresh")
    page.select_option("#f-storage_class", "chilled")
    expect(page.locator("#f-shelf_life_days")).to_be_hidden()  # only perishable items have a shelf life
    page.check("#f-perishable")
    page.fill("#f-shelf_life_days", "7")
    page.check("input[name=allergen_milk]")
    page.fill("#f-barcodes", "6901234567890")  # wrong check digit
    page.fill("#f-uoms", "case=12")
    page.get_by_role("button", name="Create item").click()
    expect(page.locator("#e-barcodes")).to_be_visible()
    assert _items(runtime) == {}
    page.fill("#f-barcodes", "6901234567892")
    page.get_by_role("button", name="Create item").click()
    expect(page.locator(".flash")).to_have_text("Item MILK1 created.")
    expect(page).to_have_url(re.compile(r"/catalog/items/\d+$"))
    shot(page, "item-created")
    page.fill("#f-name_en", "Whole milk 1L")
    page.fill("#f-shelf_life_days", "10")
    page.check("input[name=allergen_eggs]")
    page.fill("#f-barcodes", "6901234567892\n16901234567899@case")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".flash")).to_have_text("Item MILK1 saved.")
    expect(page.locator("#f-name_en")).to_have_value("Whole milk 1L")
    item = _items(runtime)["MILK1"]
    assert (item.name_en, item.name_zh, item.shelf_life_days, item.allergens) == (
        "Whole milk 1L",
        "鲜牛奶1升",
        10,
        ["eggs", "milk"],
    )
    with runtime.session_factory() as s:
        assert s.scalar(select(func.count()).select_from(ItemBarcode)) == 2
    page.goto("/catalog/items?q=whole")
    expect(page.locator("[data-testid=items-table] tbody tr")).to_have_count(1)
    page.get_by_test_id("lang-switch").click()
    expect(page.locator("[data-testid=items-table]")).to_contain_text("鲜牛奶1升")  # the name in the user's language


def test_items_import_with_errors_lists_every_error_and_creates_nothing(runtime, page, shot) -> None:
    t = make_tenant(runtime)
    make_user(runtime, t, "buyer", [("buyer", None)], locale="en")
    sign_in(page, "buyer", path="/catalog/items/import")
    page.set_input_files(
        "#f-file",
        csv_file(
            "items.csv",
            [
                ["sku", "name_en", "kind", "base_uom", "shelf_life_days"],
                ["A1", "Apple", "fresh", "kg", "10"],
                ["A2", "", "fresh", "kg", ""],
                ["A3", "Pear", "fruit", "box", "0"],
                ["A1", "Apple again", "fresh", "kg", ""],
            ],
        ),
    )
    page.get_by_role("button", name="Import").click()
    expect(page.get_by_test_id("import-errors")).to_contain_text("Nothing was imported")
    found = import_errors(page)
    assert {("3", "name_en"), ("4", "kind"), ("4", "base_uom"), ("4", "shelf_life_days"), ("5", "sku")} <= found
    shot(page, "items-import-errors")
    assert _items(runtime) == {}


def test_items_pages_fit_a_phone(runtime, browser, live_server, shot) -> None:
    t = make_tenant(runtime)
    make_user(runtime, t, "buyer", [("buyer", None)], locale="zh_CN")
    ctx = browser.new_context(
        base_url=live_server,
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
        device_scale_factor=2,
        locale="zh-CN",
    )
    try:
        page = ctx.new_page()
        sign_in(page, "buyer", path="/catalog/items/new")
        expect(page.locator("h1")).to_have_text("新建商品")
        assert not body_overflows(page)
        shot(page, "item-form-phone-zh", full_page=False)
    finally:
        ctx.close()
