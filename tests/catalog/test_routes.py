"""Catalog JSON API: CRUD, filters, pagination, tenant and role isolation, supplier users, store managers."""

from __future__ import annotations

from decimal import Decimal

from fastapi.testclient import TestClient

from tests.catalog.helpers import (
    counts,
    make_assortment,
    make_category,
    make_item,
    make_supplier,
    make_supplier_item,
)
from tests.factories import login, make_site, make_tenant, make_user

API = "/api/v1/catalog"
EPC = "3074257BF7194E4000001A85"  # SGTIN-96 of GTIN 80614141123458, serial 6789 (see test_domain)


def _admin(runtime, client: TestClient, code: str = "ACME") -> tuple[object, dict[str, str]]:
    t = make_tenant(runtime, code)
    make_user(runtime, t, f"boss_{code.lower()}", [("hq_admin", None)])
    return t, login(client, f"boss_{code.lower()}")


def test_item_crud_through_the_api(runtime, client) -> None:
    _t, h = _admin(runtime, client)
    cat = client.post(f"{API}/categories", headers=h, json={"code": "DAIRY", "name_en": "Dairy", "name_zh": "乳品"})
    assert cat.status_code == 201, cat.text
    body = {
        "sku": "MILK-1L",
        "name_en": "Milk 1L",
        "name_zh": "牛奶",
        "kind": "grocery",
        "base_uom": "each",
        "category_id": cat.json()["id"],
        "allergens": ["Milk"],
        "storage_class": "chilled",
        "perishable": True,
        "shelf_life_days": 12,
        "uoms": [{"uom": "case", "factor": "12"}],
        "barcodes": [{"code": "6901234567892"}, {"code": "16901234567899", "uom": "case"}],
    }
    r = client.post(f"{API}/items", headers=h, json=body)
    assert r.status_code == 201, r.text
    item = r.json()
    assert item["category_code"] == "DAIRY" and item["allergens"] == ["milk"]
    assert item["uoms"] == [{"uom": "case", "factor": "12"}]
    assert {b["gtin"] for b in item["barcodes"]} == {"06901234567892", "16901234567899"}
    assert client.post(f"{API}/items", headers=h, json=body).json()["code"] == "catalog.duplicate_sku"
    r = client.patch(f"{API}/items/{item['id']}", headers=h, json={"name_en": "Whole milk 1L", "active": False})
    assert r.status_code == 200 and r.json()["name_en"] == "Whole milk 1L" and r.json()["active"] is False
    assert client.patch(f"{API}/items/{item['id']}", headers=h, json={"sku": "X"}).status_code == 422
    r = client.post(f"{API}/items/{item['id']}/uoms", headers=h, json={"uom": "pack", "factor": "6"})
    assert r.status_code == 201 and [u["uom"] for u in r.json()["uoms"]] == ["case", "pack"]
    r = client.delete(f"{API}/items/{item['id']}/barcodes/6901234567892", headers=h)
    assert r.status_code == 200 and [b["gtin"] for b in r.json()["barcodes"]] == ["16901234567899"]
    r = client.post(f"{API}/items/{item['id']}/barcodes", headers=h, json={"code": "6901234567893"})
    assert r.status_code == 422 and r.json()["errors"][0]["loc"] == ["code"]
    assert client.get(f"{API}/items/{item['id']}", headers=h).json()["uoms"][1] == {"uom": "pack", "factor": "6"}


def test_invalid_item_lists_every_field(runtime, client) -> None:
    _, h = _admin(runtime, client)
    r = client.post(
        f"{API}/items",
        headers=h,
        json={"sku": "bad sku", "name_en": "", "kind": "toy", "base_uom": "case", "allergens": ["chocolate"]},
    )
    assert r.status_code == 422 and r.headers["content-type"].startswith("application/problem+json")
    assert {e["loc"][-1] for e in r.json()["errors"]} >= {"sku", "name_en", "kind", "base_uom", "allergens"}
    assert counts(runtime)["catalog_item"] == 0


def test_item_filters_and_pagination(runtime, client) -> None:
    t, h = _admin(runtime, client)
    food = make_category(runtime, t, "FOOD")
    dairy = make_category(runtime, t, "DAIRY", parent_id=food)
    make_category(runtime, t, "TOYS")
    for i in range(7):
        make_item(runtime, t, f"D{i}", category_id=dairy, kind="fresh", storage_class="chilled")
    make_item(runtime, t, "F1", category_id=food, barcodes=["4006381333931"])
    make_item(runtime, t, "X1", active=False)

    def skus(**params: object) -> tuple[list[str], int]:
        r = client.get(f"{API}/items", headers=h, params=params)
        assert r.status_code == 200, r.text
        return [i["sku"] for i in r.json()["items"]], r.json()["total"]

    assert skus(category_id=food) == ([f"D{i}" for i in range(7)] + ["F1"], 8)  # includes sub-categories
    assert skus(category_id=dairy, limit=3, offset=3) == (["D3", "D4", "D5"], 7)
    assert skus(kind="fresh", storage_class="chilled", limit=1)[1] == 7
    assert skus(active=False) == (["X1"], 1)
    assert skus(q="f1") == (["F1"], 1)
    assert skus(q="4006381") == (["F1"], 1)  # barcode search
    assert skus(q="商品X") == (["X1"], 1)
    cats = client.get(f"{API}/categories", headers=h).json()
    assert [c["path"] for c in cats["items"]] == ["FOOD", "FOOD/DAIRY", "TOYS"] and cats["total"] == 3
    assert client.get(f"{API}/items", headers=h, params={"limit": 501}).status_code == 422


def test_lookup_by_gtin_gs1_and_epc(runtime, client) -> None:
    t, h = _admin(runtime, client)
    make_item(runtime, t, "CASEY", uoms={"case": "24"}, barcodes=["4006381333931", ("80614141123458", "case")])
    r = client.get(f"{API}/items/lookup", headers=h, params={"code": "4006381333931"})
    assert r.status_code == 200 and r.json()["item"]["sku"] == "CASEY" and r.json()["uom"] == "each"
    r = client.get(
        f"{API}/items/lookup",
        headers=h,
        params={"code": "]C1" + "0180614141123458" + "17261231" + "10LOT-9\x1d" + "21SER1"},
    )
    assert r.status_code == 200, r.text
    assert (r.json()["uom"], r.json()["base_qty"], r.json()["lot"], r.json()["expiry"], r.json()["serial"]) == (
        "case",
        "24",
        "LOT-9",
        "2026-12-31",
        "SER1",
    )
    r = client.get(f"{API}/items/lookup", headers=h, params={"code": EPC})
    assert r.status_code == 200 and r.json()["source"] == "epc" and r.json()["serial"] == "6789"
    assert r.json()["epc_uri"] == "urn:epc:id:sgtin:0614141.812345.6789"
    missing = client.get(f"{API}/items/lookup", headers=h, params={"code": "96385074"})
    assert missing.status_code == 404 and missing.json()["code"] == "catalog.item_not_found"
    bad = client.get(f"{API}/items/lookup", headers=h, params={"code": "4006381333932"})
    assert bad.status_code == 422 and bad.json()["code"] == "catalog.invalid_barcode"


def test_nothing_leaks_across_tenants(runtime, client) -> None:
    t, _ = _admin(runtime, client, "ACME")
    site = make_site(runtime, t, "S001")
    cat = make_category(runtime, t)
    item = make_item(runtime, t, "A1", barcodes=["4006381333931"])
    sup = make_supplier(runtime, t, "SUP")
    si = make_supplier_item(runtime, t, sup, item)
    make_assortment(runtime, t, site, item)
    _, other = _admin(runtime, client, "OTHER")
    for url in (
        f"/categories/{cat}",
        f"/items/{item}",
        f"/items/{item}/supplier-items",
        f"/suppliers/{sup}",
        f"/suppliers/{sup}/items",
        f"/supplier-items/{si}",
        f"/sites/{site}/assortment",
        f"/sites/{site}/assortment/{item}",
        "/items/lookup?code=4006381333931",
    ):
        assert client.get(API + url, headers=other).status_code == 404, url
    before = counts(runtime)
    writes = [
        ("patch", f"/items/{item}", {"name_en": "x"}),
        ("patch", f"/suppliers/{sup}", {"name": "x"}),
        ("patch", f"/supplier-items/{si}", {"price": "1"}),
        ("patch", f"/categories/{cat}", {"name_en": "x"}),
        ("put", f"/sites/{site}/assortment/{item}", {}),
        ("post", f"/items/{item}/uoms", {"uom": "case", "factor": "2"}),
        ("post", f"/suppliers/{sup}/items", {"item_id": item, "purchase_uom": "each", "price": "1"}),
    ]
    for method, url, body in writes:
        assert getattr(client, method)(API + url, headers=other, json=body).status_code in (404, 422), url
    assert counts(runtime) == before
    listed = client.get(f"{API}/items", headers=other).json()
    assert listed["total"] == 0 and client.get(f"{API}/suppliers", headers=other).json()["total"] == 0


def test_roles_without_permission_get_403(runtime, client) -> None:
    t = make_tenant(runtime)
    site = make_site(runtime, t, "S001")
    item = make_item(runtime, t, "A1")
    sup = make_supplier(runtime, t, "SUP")
    make_user(runtime, t, "staff", [("store_staff", "S001")])
    make_user(runtime, t, "acct", [("accountant", None)])
    make_user(runtime, t, "insp", [("inspector", "S001")])
    staff, acct, insp = login(client, "staff"), login(client, "acct"), login(client, "insp")
    before = counts(runtime)
    assert client.post(f"{API}/items", headers=staff, json={}).status_code == 403
    assert client.patch(f"{API}/items/{item}", headers=acct, json={"name_en": "x"}).status_code == 403
    assert client.patch(f"{API}/suppliers/{sup}", headers=acct, json={"name": "x"}).status_code == 403
    assert client.put(f"{API}/sites/{site}/assortment/{item}", headers=staff, json={}).status_code == 403
    assert client.get(f"{API}/suppliers", headers=insp).status_code == 403
    assert client.get(f"{API}/sites/{site}/assortment", headers=insp).status_code == 403
    r = client.post(f"{API}/items/import", headers=acct, files={"file": ("i.csv", b"sku\n")})
    assert r.status_code == 403 and r.json()["code"] == "auth.permission_denied"
    assert counts(runtime) == before
    assert client.get(f"{API}/items/{item}", headers=staff).status_code == 200


def test_supplier_users_see_only_their_own(runtime, client) -> None:
    t = make_tenant(runtime)
    mine, theirs = make_supplier(runtime, t, "MINE"), make_supplier(runtime, t, "THEIRS")
    a, b = make_item(runtime, t, "A1"), make_item(runtime, t, "B1")
    si_mine = make_supplier_item(runtime, t, mine, a)
    si_theirs = make_supplier_item(runtime, t, theirs, b)
    make_supplier_item(runtime, t, theirs, a, price="8")
    make_user(runtime, t, "vendor", [("supplier", None)], supplier_id=mine)
    h = login(client, "vendor")
    assert [s["code"] for s in client.get(f"{API}/suppliers", headers=h).json()["items"]] == ["MINE"]
    assert client.get(f"{API}/suppliers/{mine}", headers=h).status_code == 200
    assert client.get(f"{API}/suppliers/{theirs}", headers=h).status_code == 404
    assert client.get(f"{API}/suppliers/{theirs}/items", headers=h).status_code == 404
    assert client.get(f"{API}/supplier-items/{si_theirs}", headers=h).status_code == 404
    assert client.get(f"{API}/supplier-items/{si_mine}", headers=h).status_code == 200
    assert [i["sku"] for i in client.get(f"{API}/items", headers=h).json()["items"]] == ["A1"]
    assert client.get(f"{API}/items/{b}", headers=h).status_code == 404
    offers = client.get(f"{API}/items/{a}/supplier-items", headers=h).json()
    assert [o["supplier_code"] for o in offers["items"]] == ["MINE"]  # the competitor's price stays hidden
    exported = client.get(f"{API}/supplier-items/export", headers=h).text
    assert "MINE" in exported and "THEIRS" not in exported


def test_store_manager_assortment_isolation(runtime, client) -> None:
    t = make_tenant(runtime)
    own, other = make_site(runtime, t, "S001"), make_site(runtime, t, "S002")
    item = make_item(runtime, t, "A1")
    make_assortment(runtime, t, other, item, max_qty=Decimal(9))
    make_user(runtime, t, "mgr", [("store_manager", "S001")])
    h = login(client, "mgr")
    assert client.get(f"{API}/sites/{other}/assortment", headers=h).status_code == 404
    assert client.get(f"{API}/sites/{other}/assortment/{item}", headers=h).status_code == 404
    before = counts(runtime)
    r = client.put(f"{API}/sites/{other}/assortment/{item}", headers=h, json={"max_qty": "1"})
    assert r.status_code == 404 and r.json()["code"] == "org.site_not_found"
    assert client.patch(f"{API}/sites/{other}/assortment/{item}", headers=h, json={"max_qty": "1"}).status_code == 404
    assert counts(runtime) == before
    r = client.put(
        f"{API}/sites/{own}/assortment/{item}", headers=h, json={"min_qty": "2", "max_qty": "10", "reorder_point": "4"}
    )
    assert r.status_code == 201 and r.json()["max_qty"] == "10"
    r = client.put(f"{API}/sites/{own}/assortment/{item}", headers=h, json={"min_qty": "3", "max_qty": "10"})
    assert r.status_code == 200 and r.json()["reorder_point"] is None
    bad = client.patch(f"{API}/sites/{own}/assortment/{item}", headers=h, json={"min_qty": "11"})
    assert bad.status_code == 422 and bad.json()["errors"][0]["loc"] == ["max_qty"]
    listed = client.get(f"{API}/sites/{own}/assortment", headers=h).json()
    assert [(a["sku"], a["min_qty"]) for a in listed["items"]] == [("A1", "3")]
    exported = client.get(f"{API}/assortment/export", headers=h).text.splitlines()
    assert len(exported) == 2 and exported[1].startswith("S001,A1,")


def test_supplier_and_supplier_item_crud(runtime, client) -> None:
    t, h = _admin(runtime, client)
    item = make_item(runtime, t, "A1", uoms={"case": "12"})
    r = client.post(
        f"{API}/suppliers",
        headers=h,
        json={
            "code": "FRESH",
            "name": "Fresh Co",
            "currency": "CNY",
            "email": "orders@fresh.example",
            "payment_terms_days": 45,
        },
    )
    assert r.status_code == 201, r.text
    sup = r.json()["id"]
    assert client.post(f"{API}/suppliers", headers=h, json={"code": "FRESH", "name": "x"}).status_code == 409
    r = client.patch(f"{API}/suppliers/{sup}", headers=h, json={"phone": "+86 21 5555 0000", "active": False})
    assert r.status_code == 200 and r.json()["active"] is False
    assert client.get(f"{API}/suppliers", headers=h, params={"active": True}).json()["total"] == 0
    body = {
        "item_id": item,
        "purchase_uom": "case",
        "price": "120.50",
        "moq": "2",
        "order_days": ["thu", "mon"],
        "price_breaks": [{"min_qty": "10", "price": "115"}],
        "supplier_sku": "FR-1",
    }
    r = client.post(f"{API}/suppliers/{sup}/items", headers=h, json=body)
    assert r.status_code == 201, r.text
    si = r.json()
    assert (si["purchase_factor"], si["order_days"], si["currency"]) == ("12", ["mon", "thu"], "CNY")
    assert si["price_breaks"] == [{"min_qty": "10", "price": "115"}]
    r = client.post(f"{API}/suppliers/{sup}/items", headers=h, json={**body, "purchase_uom": "pallet"})
    assert r.status_code == 409  # the pair exists already
    r = client.patch(f"{API}/supplier-items/{si['id']}", headers=h, json={"purchase_uom": "pallet"})
    assert r.status_code == 422 and r.json()["errors"][0]["loc"] == ["purchase_uom"]
    r = client.patch(
        f"{API}/supplier-items/{si['id']}",
        headers=h,
        json={"price_breaks": [{"min_qty": "5", "price": "1"}, {"min_qty": "5", "price": "2"}]},
    )
    assert r.status_code == 422
    r = client.patch(f"{API}/supplier-items/{si['id']}", headers=h, json={"price": "118", "lead_time_days": 2})
    assert r.status_code == 200 and (r.json()["price"], r.json()["lead_time_days"]) == ("118", 2)
    assert client.get(f"{API}/suppliers/{sup}/items", headers=h).json()["total"] == 1


def test_every_catalog_route_declares_a_permission(app) -> None:
    schema = app.openapi()
    ops = [(path, m, op) for path, item in schema["paths"].items() if path.startswith(API) for m, op in item.items()]
    assert len(ops) >= 30
    for path, method, op in ops:
        assert op.get("x-permission", "").startswith("catalog."), (method, path)


def test_patch_refuses_null_where_a_record_needs_a_value(runtime, client):
    t = make_tenant(runtime)
    make_user(runtime, t, "boss", [("hq_admin", None)])
    h = login(client, "boss")
    sup = client.post("/api/v1/catalog/suppliers", headers=h, json={"code": "SUP1", "name": "Fresh Co",
                                                                    "email": "orders@fresh.example"})  # fmt: skip
    assert sup.status_code == 201, sup.text
    r = client.patch(f"/api/v1/catalog/suppliers/{sup.json()['id']}", headers=h,
                     json={"name": None, "active": None, "email": None})  # fmt: skip
    assert r.status_code == 422
    assert {(tuple(e["loc"]), e["code"]) for e in r.json()["errors"]} == {
        (("body", "name"), "not_nullable"),
        (("body", "active"), "not_nullable"),
    }
    r = client.patch(f"/api/v1/catalog/suppliers/{sup.json()['id']}", headers=h, json={"email": None})
    assert r.status_code == 200 and r.json()["email"] is None and r.json()["name"] == "Fresh Co"
