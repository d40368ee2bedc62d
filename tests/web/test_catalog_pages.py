"""Items and suppliers pages: search/filter, create, edit, imports with every error listed, exports."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

from sqlalchemy import func, select

from boh.catalog.models import Item, ItemBarcode, ItemUom, Supplier, SupplierItem
from tests.catalog.helpers import make_category, make_item, make_supplier, make_supplier_item
from tests.factories import TenantRef, make_tenant, make_user
from tests.web.helpers import csrf, page_login, post_form

ITEM_FORM = {
    "sku": "MILK1",
    "name_en": "Fresh milk 1L",
    "name_zh": "鲜牛奶1升",
    "kind": "fresh",
    "base_uom": "each",
    "storage_class": "chilled",
    "perishable": "on",
    "shelf_life_days": "7",
    "allergen_milk": "on",
    "barcodes": "6901234567892",
    "uoms": "case=12",
    "active": "on",
}


def _admin(runtime, client, locale: str = "en") -> TenantRef:  # type: ignore[no-untyped-def]
    t = make_tenant(runtime)
    make_user(runtime, t, "boss", [("hq_admin", None)], locale=locale)
    page_login(client, "boss")
    return t


def _item(runtime, sku: str):  # type: ignore[no-untyped-def]
    with runtime.session_factory() as s:
        item = s.scalars(select(Item).where(Item.sku == sku)).one_or_none()
        if item is None:
            return None, {}, {}
        barcodes = {b.gtin: b.uom for b in s.scalars(select(ItemBarcode).where(ItemBarcode.item_id == item.id))}
        uoms = {u.uom: u.factor for u in s.scalars(select(ItemUom).where(ItemUom.item_id == item.id))}
        return item, barcodes, uoms


def _count(runtime, model) -> int:  # type: ignore[no-untyped-def]
    with runtime.session_factory() as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)


def _upload(client, url: str, rows: list[list[str]]):  # type: ignore[no-untyped-def]
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return client.post(
        url,
        files={"file": ("data.csv", out.getvalue().encode(), "text/csv")},
        data={"csrf_token": csrf(client)},
        follow_redirects=False,
    )


def _error_cells(html: str) -> set[tuple[str, str]]:
    rows = html.split('data-testid="import-error"')[1:]
    return {(r.split('class="num">')[1].split("<")[0], r.split("<code>")[1].split("<")[0]) for r in rows}


def test_items_list_searches_and_filters(runtime, client) -> None:
    t = _admin(runtime, client)
    dairy = make_category(runtime, t, "DAIRY")
    make_item(runtime, t, "MILK1", kind="fresh", category_id=dairy, storage_class="chilled", barcodes=["6901234567892"])
    make_item(runtime, t, "RICE1", kind="grocery")
    make_item(runtime, t, "ICE1", kind="fresh", storage_class="frozen")
    page = client.get("/catalog/items")
    assert "3 items" in page.text and "Item MILK1" in page.text
    partial = client.get("/catalog/items?q=690123", headers={"HX-Request": "true", "HX-Target": "item-results"})
    assert "<html" not in partial.text and "MILK1" in partial.text and "RICE1" not in partial.text
    chilled = client.get("/catalog/items?storage_class=chilled").text
    assert "MILK1" in chilled and "ICE1" not in chilled
    assert "RICE1" in client.get("/catalog/items?kind=grocery").text
    by_category = client.get(f"/catalog/items?category_id={dairy}").text
    assert "MILK1" in by_category and "RICE1" not in by_category
    client.cookies.set("boh_lang", "zh_CN")
    zh = client.get("/catalog/items").text
    assert "商品MILK1" in zh and "冷藏" in zh and "3 个商品" in zh  # names and labels in the user's language


def test_create_item_with_every_field(runtime, client) -> None:
    t = _admin(runtime, client)
    dairy = make_category(runtime, t, "DAIRY")
    r = post_form(client, "/catalog/items/new", {**ITEM_FORM, "category_id": str(dairy), "allergen_eggs": "on"})
    assert r.status_code == 303, r.text
    item, barcodes, uoms = _item(runtime, "MILK1")
    assert r.headers["location"] == f"/catalog/items/{item.id}"
    assert (item.name_en, item.name_zh, item.kind, item.base_uom) == ("Fresh milk 1L", "鲜牛奶1升", "fresh", "each")
    assert (item.category_id, item.storage_class, item.perishable, item.shelf_life_days) == (dairy, "chilled", True, 7)
    assert item.allergens == ["eggs", "milk"] and item.active
    assert barcodes == {"06901234567892": None} and uoms == {"case": Decimal(12)}
    detail = client.get(r.headers["location"]).text
    assert "Item MILK1 created." in detail and "1 case = 12 each" in detail


def test_create_item_with_errors_lists_them_and_writes_nothing(runtime, client) -> None:
    _admin(runtime, client)
    bad = {
        **ITEM_FORM,
        "sku": "bad sku!",
        "name_en": "",
        "shelf_life_days": "0",
        "barcodes": "6901234567890",
        "uoms": "case=twelve",
    }
    r = post_form(client, "/catalog/items/new", bad)
    assert r.status_code == 422
    assert 'id="e-uoms"' in r.text and "Write each unit as unit=factor" in r.text
    r = post_form(client, "/catalog/items/new", {**bad, "uoms": "case=12"})
    assert r.status_code == 422
    for field in ("sku", "name_en", "shelf_life_days"):
        assert f'id="e-{field}"' in r.text, field
    r = post_form(client, "/catalog/items/new", {**ITEM_FORM, "barcodes": "6901234567890"})
    assert r.status_code == 422 and 'id="e-barcodes"' in r.text  # wrong check digit
    assert 'value="鲜牛奶1升"' in r.text  # what was typed is kept
    assert _count(runtime, Item) == 0


def test_edit_item_names_shelf_life_allergens_barcodes_and_units(runtime, client) -> None:
    _admin(runtime, client)
    post_form(client, "/catalog/items/new", ITEM_FORM)
    item, _b, _u = _item(runtime, "MILK1")
    form = client.get(f"/catalog/items/{item.id}").text
    assert 'value="Fresh milk 1L"' in form and "06901234567892" in form
    edit = {
        **ITEM_FORM,
        "name_en": "Whole milk 1L",
        "shelf_life_days": "10",
        "allergen_eggs": "on",
        "barcodes": "16901234567899@case",
        "new_uoms": "pack=6",
    }
    edit.pop("allergen_milk")
    r = post_form(client, f"/catalog/items/{item.id}", edit)
    assert r.status_code == 303, r.text
    after, barcodes, uoms = _item(runtime, "MILK1")
    assert (after.name_en, after.shelf_life_days, after.allergens) == ("Whole milk 1L", 10, ["eggs"])
    assert barcodes == {"16901234567899": "case"}
    assert uoms == {"case": Decimal(12), "pack": Decimal(6)}
    assert "Item MILK1 saved." in client.get(r.headers["location"]).text


def test_edit_item_with_an_error_changes_nothing(runtime, client) -> None:
    _admin(runtime, client)
    post_form(client, "/catalog/items/new", ITEM_FORM)
    item, _b, _u = _item(runtime, "MILK1")
    r = post_form(
        client,
        f"/catalog/items/{item.id}",
        {**ITEM_FORM, "name_en": "Renamed", "barcodes": "6901234567892\n123", "new_uoms": "pack=6"},
    )
    assert r.status_code == 422 and 'id="e-barcodes"' in r.text and "#2:" in r.text
    after, barcodes, uoms = _item(runtime, "MILK1")
    assert after.name_en == "Fresh milk 1L" and list(barcodes) == ["06901234567892"] and list(uoms) == ["case"]
    r = post_form(client, f"/catalog/items/{item.id}", {**ITEM_FORM, "name_en": ""})
    assert r.status_code == 422 and 'id="e-name_en"' in r.text
    assert _item(runtime, "MILK1")[0].name_en == "Fresh milk 1L"


def test_items_import_lists_every_error_and_creates_nothing(runtime, client) -> None:
    t = _admin(runtime, client)
    make_category(runtime, t, "DAIRY")
    r = _upload(
        client,
        "/catalog/items/import",
        [
            ["sku", "name_en", "kind", "base_uom", "category_code", "barcodes"],
            ["A1", "Apple", "fresh", "kg", "NOPE", ""],
            ["A2", "", "fresh", "kg", "", ""],
            ["A3", "Pear", "fruit", "box", "", ""],
            ["A1", "Again", "fresh", "kg", "DAIRY", "6901234567890"],
        ],
    )
    assert r.status_code == 422
    cells = _error_cells(r.text)
    assert {("3", "name_en"), ("4", "kind"), ("4", "base_uom"), ("5", "sku"), ("5", "barcodes")} <= cells
    assert ("2", "category_code") in cells
    assert _count(runtime, Item) == 0
    ok = _upload(
        client, "/catalog/items/import", [["sku", "name_en", "kind", "base_uom"], ["A1", "Apple", "fresh", "kg"]]
    )
    assert ok.status_code == 303 and ok.headers["location"] == "/catalog/items"
    assert "Import finished: 1 created, 0 updated, 0 unchanged." in client.get("/catalog/items").text
    export = client.get("/catalog/items/export?format=csv")
    assert export.status_code == 200 and "A1,Apple" in export.text


def test_suppliers_create_edit_and_show_their_items(runtime, client) -> None:
    t = _admin(runtime, client)
    r = post_form(
        client,
        "/catalog/suppliers/new",
        {
            "code": "FRESH",
            "name": "Fresh Co",
            "name_zh": "鲜货公司",
            "email": "orders@fresh.example",
            "currency": "CNY",
            "payment_terms_days": "45",
            "active": "on",
        },
    )
    assert r.status_code == 303, r.text
    with runtime.session_factory() as s:
        sup = s.scalars(select(Supplier)).one()
    assert (sup.name, sup.payment_terms_days, sup.email) == ("Fresh Co", 45, "orders@fresh.example")
    item = make_item(runtime, t, "MILK1", uoms={"case": "12"})
    make_supplier_item(runtime, t, sup.id, item, purchase_uom="case", price="48.5")
    detail = client.get(f"/catalog/suppliers/{sup.id}").text
    assert "Supplier FRESH created." in detail and "MILK1" in detail and "48.50 CNY" in detail
    assert "case = 12 each" in detail
    bad = post_form(
        client,
        f"/catalog/suppliers/{sup.id}",
        {"name": "", "email": "not-an-email", "currency": "CNY", "payment_terms_days": "400", "active": "on"},
    )
    assert bad.status_code == 422
    for field in ("name", "email", "payment_terms_days"):
        assert f'id="e-{field}"' in bad.text, field
    ok = post_form(
        client, f"/catalog/suppliers/{sup.id}", {"name": "Fresh Company", "currency": "CNY", "payment_terms_days": "30"}
    )
    assert ok.status_code == 303
    with runtime.session_factory() as s:
        after = s.get(Supplier, sup.id)
    assert (after.name, after.payment_terms_days, after.email, after.active) == ("Fresh Company", 30, None, False)
    assert "Fresh Company" in client.get("/catalog/suppliers?q=fresh").text
    assert "FRESH" in client.get(f"/catalog/items/{item}").text.split("Supplied by")[1]


def test_supplier_items_import_lists_every_error_and_creates_nothing(runtime, client) -> None:
    t = _admin(runtime, client)
    make_supplier(runtime, t, "FRESH")
    make_item(runtime, t, "MILK1", uoms={"case": "12"})
    make_item(runtime, t, "MILK2")
    r = _upload(
        client,
        "/catalog/supplier-items/import",
        [
            ["supplier_code", "sku", "purchase_uom", "price", "order_days"],
            ["FRESH", "MILK1", "case", "48.50", "mon;thu"],
            ["NOPE", "MILK1", "case", "1", ""],
            ["FRESH", "GHOST", "each", "1", ""],
            ["FRESH", "MILK2", "each", "-1", "funday"],
        ],
    )
    assert r.status_code == 422
    cells = _error_cells(r.text)
    assert {("3", "supplier_code"), ("4", "sku"), ("5", "price"), ("5", "order_days")} <= cells
    assert _count(runtime, SupplierItem) == 0


def test_supplier_user_sees_only_its_own_supplier(runtime, app, client) -> None:
    t = make_tenant(runtime)
    own = make_supplier(runtime, t, "OWN")
    other = make_supplier(runtime, t, "OTHER")
    make_user(runtime, t, "vendor", [("supplier", None)], supplier_id=own, locale="en")
    page_login(client, "vendor")
    listing = client.get("/catalog/suppliers").text
    assert "OWN" in listing and "OTHER" not in listing and "New supplier" not in listing
    assert client.get(f"/catalog/suppliers/{other}").status_code == 404
    page = client.get(f"/catalog/suppliers/{own}").text
    assert f'<form method="post" action="/catalog/suppliers/{own}"' not in page  # no edit of the supplier itself
    assert f'action="/catalog/suppliers/{own}/certificates"' in page  # but it records its own certificates
    assert client.get("/catalog/suppliers/new").status_code == 403
