"""The forms that hold the replenishment data the catalog and org did not have: a supplier item's terms
(pallet size, order days, supplier code) on its own page, a supplier's order e-mail and document language,
a site's receiving days; every field validated, errors shown with the form, nothing written on an error;
the same fields through the API with problem+json errors."""

from __future__ import annotations

from decimal import Decimal

from fastapi.testclient import TestClient
from sqlalchemy import select

from boh.bootstrap import Runtime
from boh.catalog.models import Supplier, SupplierItem
from boh.org.models import Site
from tests.catalog.helpers import make_item, make_supplier, make_supplier_item
from tests.factories import login, make_region, make_site, make_tenant, make_user
from tests.web.helpers import page_login, post_form


def _world(rt: Runtime) -> dict[str, int]:
    t = make_tenant(rt)
    make_region(rt, t, "EAST")
    site = make_site(rt, t, "S001")
    sup = make_supplier(rt, t, "FRESH")
    milk = make_item(rt, t, "MILK", uoms={"case": "12"})
    si = make_supplier_item(rt, t, sup, milk, purchase_uom="case", price="4.80", lead_time_days=2)
    make_user(rt, t, "buyer", [("buyer", None)], locale="en")
    make_user(rt, t, "boss", [("hq_admin", None)], locale="en")
    make_user(rt, t, "mgr", [("store_manager", "S001")], locale="en")
    return {"site": site, "sup": sup, "si": si}


def _si(rt: Runtime, si_id: int) -> SupplierItem:
    with rt.session_factory() as s:
        row = s.get(SupplierItem, si_id)
        assert row is not None
        return row


def test_a_buyer_sets_a_pallet_size_and_order_days_on_the_supplier_item_page(
    runtime: Runtime, client: TestClient
) -> None:
    w = _world(runtime)
    page_login(client, "buyer")
    supplier_page = client.get(f"/catalog/suppliers/{w['sup']}")
    assert f'href="/catalog/supplier-items/{w["si"]}"' in supplier_page.text
    form = client.get(f"/catalog/supplier-items/{w['si']}")
    assert form.status_code == 200 and 'name="pallet_qty"' in form.text
    assert "1 case = 12 pcs" in form.text and 'value="4.8"' in form.text  # plain decimals
    good = {"supplier_sku": "FR-12", "purchase_uom": "case", "price": "4.90", "moq": "2", "order_multiple": "1",
            "pallet_qty": "80", "lead_time_days": "2", "day_mon": "1", "day_thu": "1", "active": "on"}  # fmt: skip
    r = post_form(client, f"/catalog/supplier-items/{w['si']}", good)
    assert r.status_code == 303 and r.headers["location"] == f"/catalog/suppliers/{w['sup']}"
    row = _si(runtime, w["si"])
    assert (row.pallet_qty, row.order_days, row.supplier_sku, row.price) == (
        Decimal(80), ["mon", "thu"], "FR-12", Decimal("4.90"))  # fmt: skip
    assert ">80</td>" in client.get(f"/catalog/suppliers/{w['sup']}").text
    bad = {**good, "pallet_qty": "-5", "price": "", "lead_time_days": "900"}
    r = post_form(client, f"/catalog/supplier-items/{w['si']}", bad)
    assert r.status_code == 422
    assert all(f'id="e-{f}"' in r.text for f in ("pallet_qty", "price", "lead_time_days"))
    assert _si(runtime, w["si"]).pallet_qty == Decimal(80)  # nothing written
    r = post_form(client, f"/catalog/supplier-items/{w['si']}", {**good, "pallet_qty": ""})
    assert r.status_code == 303 and _si(runtime, w["si"]).pallet_qty is None  # emptied: no pallet rounding


def test_a_store_manager_reads_the_terms_but_cannot_change_them(runtime: Runtime, client: TestClient) -> None:
    w = _world(runtime)
    page_login(client, "mgr")
    page = client.get(f"/catalog/supplier-items/{w['si']}")
    assert page.status_code == 200 and 'name="pallet_qty"' not in page.text
    assert post_form(client, f"/catalog/supplier-items/{w['si']}", {"pallet_qty": "5"}).status_code == 403


def test_the_api_validates_the_new_fields(runtime: Runtime, client: TestClient) -> None:
    w = _world(runtime)
    h = login(client, "buyer")
    r = client.patch(f"/api/v1/catalog/supplier-items/{w['si']}", json={"pallet_qty": "0"}, headers=h)
    assert r.status_code == 422 and r.headers["content-type"] == "application/problem+json"
    r = client.patch(f"/api/v1/catalog/supplier-items/{w['si']}", json={"pallet_qty": "60"}, headers=h)
    assert r.status_code == 200 and r.json()["pallet_qty"] == "60"
    r = client.patch(f"/api/v1/catalog/suppliers/{w['sup']}", json={"order_email": "x", "language": "fr"}, headers=h)
    assert r.status_code == 422
    assert {e["loc"][-1] for e in r.json()["errors"]} >= {"order_email", "language"}
    r = client.patch(f"/api/v1/catalog/suppliers/{w['sup']}", json={"order_email": "po@fresh.example",
                                                                    "language": "en"}, headers=h)  # fmt: skip
    assert r.status_code == 200 and (r.json()["order_email"], r.json()["language"]) == ("po@fresh.example", "en")
    boss = login(client, "boss")
    r = client.patch(f"/api/v1/org/sites/{w['site']}", json={"receiving_days": ["tue", "someday"]}, headers=boss)
    assert r.status_code == 422
    r = client.patch(f"/api/v1/org/sites/{w['site']}", json={"receiving_days": ["tue", "fri"]}, headers=boss)
    assert r.status_code == 200 and r.json()["receiving_days"] == ["tue", "fri"]


def test_the_supplier_and_site_forms_carry_the_order_email_language_and_receiving_days(
    runtime: Runtime, client: TestClient
) -> None:
    w = _world(runtime)
    page_login(client, "buyer")
    data = {"name": "Fresh Co", "currency": "CNY", "payment_terms_days": "30", "order_email": "po@fresh.example",
            "language": "zh_CN", "active": "on"}  # fmt: skip
    r = post_form(client, f"/catalog/suppliers/{w['sup']}", data)
    assert r.status_code == 303
    with runtime.session_factory() as s:
        sup = s.get(Supplier, w["sup"])
        assert sup is not None and (sup.order_email, sup.language) == ("po@fresh.example", "zh_CN")
    client.cookies.clear()
    page_login(client, "boss")
    form = client.get(f"/org/sites/{w['site']}")
    assert 'name="receive_mon"' in form.text
    site_form = {"name": "Store S001", "kind": "store", "timezone": "Asia/Shanghai", "currency": "CNY", "country": "CN",
                 "negative_stock": "flag", "active": "on", "receive_tue": "1", "receive_fri": "1"}  # fmt: skip
    r = post_form(client, f"/org/sites/{w['site']}", site_form)
    assert r.status_code == 303, r.text
    with runtime.session_factory() as s:
        site = s.scalars(select(Site).where(Site.id == w["site"])).one()
        assert site.receiving_days == ["tue", "fri"]
    assert 'name="receive_tue" value="1" checked' in client.get(f"/org/sites/{w['site']}").text
