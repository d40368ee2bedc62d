"""Catalog use cases and public api on a real database (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
from datetime import date
from decimal import ROUND_CEILING, Decimal

import pytest
from pydantic import ValidationError as PydanticError
from sqlalchemy import select

from boh.catalog import api, service
from boh.catalog.errors import (
    DuplicateGtin,
    DuplicateSku,
    DuplicateSupplierItem,
    DuplicateUnit,
    FractionalQuantity,
    InvalidBarcode,
    InvalidEpc,
    ItemNotFound,
)
from boh.catalog.models import Item, ItemBarcode, SupplierItem
from boh.catalog.schemas import (
    AssortmentUpdate,
    AssortmentUpsert,
    BarcodeIn,
    CategoryUpdate,
    ItemCreate,
    ItemUpdate,
    SupplierItemCreate,
    SupplierItemUpdate,
    UomIn,
)
from boh.kernel.errors import ValidationFailed
from boh.kernel.tenancy import Principal
from boh.kernel.uow import UnitOfWork
from boh.org.errors import SiteNotFound
from tests.catalog.helpers import (
    audits,
    counts,
    make_assortment,
    make_category,
    make_item,
    make_supplier,
    make_supplier_item,
    outbox_topics,
)
from tests.factories import make_site, make_tenant

D = Decimal
CASE_GTIN = "16901234567899"  # 1 + 690123456789 + check digit 9


def test_create_item_writes_children_audit_and_event(runtime) -> None:
    t = make_tenant(runtime)
    cat = make_category(runtime, t)
    item_id = make_item(
        runtime,
        t,
        "MILK1",
        uoms={"case": "12"},
        barcodes=["6901234567892", (CASE_GTIN, "case")],
        category_id=cat,
        allergens=["milk"],
        perishable=True,
        shelf_life_days=10,
        storage_class="chilled",
    )
    with runtime.session_factory() as s:
        item = s.get(Item, item_id)
        assert item is not None and item.category_id == cat and item.allergens == ["milk"]
        rows = {b.gtin: b.uom for b in s.scalars(select(ItemBarcode).where(ItemBarcode.item_id == item_id))}
    assert rows == {"06901234567892": None, CASE_GTIN: "case"}
    [rec] = audits(runtime, "catalog.item.create")
    after = json.loads(rec.after or "{}")
    assert after["sku"] == "MILK1" and after["uoms"] == {"case": "12"} and after["barcodes"][CASE_GTIN] == "case"
    assert outbox_topics(runtime)[-1] == "catalog.item_created"


def test_duplicate_sku_and_invalid_item_write_nothing(runtime) -> None:
    t = make_tenant(runtime)
    make_item(runtime, t, "A1", barcodes=["6901234567892"])
    before = counts(runtime)
    with pytest.raises(DuplicateSku):
        make_item(runtime, t, "A1")
    with pytest.raises(ValidationFailed) as exc, runtime.system_uow(t.id) as uow:
        service.create_item(
            uow,
            ItemCreate(
                sku="B1",
                name_en="B",
                kind="grocery",
                base_uom="each",
                category_id=999,
                uoms=[UomIn(uom="case", factor=D("2.5")), UomIn(uom="each", factor=D(1))],
                barcodes=[BarcodeIn(code="6901234567893"), BarcodeIn(code="4006381333931", uom="pallet")],
            ),
        )
    locs = {e.loc for e in exc.value.errors}
    assert locs == {
        ("category_id",),
        ("uoms", 0, "uom"),
        ("uoms", 1, "uom"),
        ("barcodes", 0, "code"),
        ("barcodes", 1, "uom"),
    }
    with pytest.raises(DuplicateGtin):
        make_item(runtime, t, "C1", barcodes=["6901234567892"])
    assert counts(runtime) == before


def test_update_item_audits_only_changed_fields(runtime) -> None:
    t = make_tenant(runtime)
    item_id = make_item(runtime, t, "A1")
    with runtime.system_uow(t.id) as uow:
        service.update_item(uow, item_id, ItemUpdate(name_en="Apple", active=True, allergens=["nuts"]))
        uow.commit()
    [rec] = audits(runtime, "catalog.item.update")
    assert json.loads(rec.before or "{}") == {"name_en": "Item A1", "allergens": []}
    assert json.loads(rec.after or "{}") == {"name_en": "Apple", "allergens": ["nuts"]}
    before = counts(runtime)
    with runtime.system_uow(t.id) as uow:  # same values again: nothing to audit, no event
        service.update_item(uow, item_id, ItemUpdate(name_en="Apple"))
        uow.commit()
    assert counts(runtime) == before
    with pytest.raises(PydanticError) as caught:  # an item cannot be without its English name
        ItemUpdate(name_en=None, kind="fresh")
    assert [(e["loc"], e["type"]) for e in caught.value.errors()] == [(("name_en",), "not_nullable")]
    assert ItemUpdate(name_zh=None).model_dump(exclude_unset=True) == {"name_zh": None}  # clears the Chinese name
    assert counts(runtime) == before


def test_barcodes_and_units_on_existing_item(runtime) -> None:
    t = make_tenant(runtime)
    a = make_item(runtime, t, "A1", barcodes=["6901234567892"])
    b = make_item(runtime, t, "B1")
    with runtime.system_uow(t.id) as uow:
        service.add_uom(uow, b, UomIn(uom="Case", factor=D(6)))
        service.add_uom(uow, b, UomIn(uom="case", factor=D(6)))  # same again: no-op
        service.add_barcode(uow, b, BarcodeIn(code=CASE_GTIN, uom="case"))
        uow.commit()
    with pytest.raises(DuplicateUnit), runtime.system_uow(t.id) as uow:
        service.add_uom(uow, b, UomIn(uom="case", factor=D(12)))
    with pytest.raises(DuplicateGtin), runtime.system_uow(t.id) as uow:
        service.add_barcode(uow, b, BarcodeIn(code="6901234567892"))
    with runtime.system_uow(t.id) as uow:
        service.remove_barcode(uow, a, "6901234567892")
        service.add_barcode(uow, b, BarcodeIn(code="6901234567892"))
        uow.commit()
    with runtime.session_factory() as s:
        assert api.resolve_code(s, t.id, "6901234567892").item.sku == "B1"
        assert api.item_by_gtin(s, t.id, "06901234567892").item.sku == "B1"
        scanned = api.resolve_code(s, t.id, f"(01){CASE_GTIN}(10)LOT1")
        assert (scanned.uom, scanned.base_qty, scanned.scan.lot) == ("case", 6, "LOT1")
        assert api.convert(s, t.id, b, D(30), "each", "case") == 5
        with pytest.raises(FractionalQuantity):
            api.to_base(s, t.id, b, D("0.5"), "each")
    assert len(audits(runtime, "catalog.item.update")) == 4  # uom, barcode, remove, add (the no-op wrote none)


def test_category_tree_refuses_cycles(runtime) -> None:
    t = make_tenant(runtime)
    food = make_category(runtime, t, "FOOD")
    dairy = make_category(runtime, t, "DAIRY", parent_id=food)
    milk = make_category(runtime, t, "MILK", parent_id=dairy)
    with pytest.raises(ValidationFailed, match="not valid"), runtime.system_uow(t.id) as uow:
        service.update_category(uow, food, CategoryUpdate(parent_id=milk))
    with runtime.system_uow(t.id) as uow:
        service.update_category(uow, milk, CategoryUpdate(parent_id=food, name_en="Milk"))
        uow.commit()


def test_supplier_item_terms_and_single_preferred(runtime) -> None:
    t = make_tenant(runtime)
    item = make_item(runtime, t, "A1", uoms={"case": "12"})
    s1 = make_supplier(runtime, t, "S1", currency="EUR")
    s2 = make_supplier(runtime, t, "S2")
    with pytest.raises(ValidationFailed, match="not valid"):
        make_supplier_item(runtime, t, s1, item, purchase_uom="pallet")
    si1 = make_supplier_item(
        runtime,
        t,
        s1,
        item,
        purchase_uom="case",
        price="99.999999",
        moq=D(2),
        order_multiple=D(2),
        preferred=True,
        price_breaks=[{"min_qty": "10", "price": "95"}, {"min_qty": "50", "price": "90.5"}],
    )
    si2 = make_supplier_item(runtime, t, s2, item, purchase_uom="each", price="9", preferred=True)
    with runtime.session_factory() as s:
        assert s.get(SupplierItem, si1).preferred is False  # the newer preferred one wins
        terms = api.supplier_terms(s, t.id, s1, item)
        assert terms is not None and terms.currency == "EUR" and terms.price == D("99.999999")
        assert terms.purchase_factor == 12 and terms.unit_price(D(10)) == 95 and terms.unit_price(D(60)) == D("90.5")
        assert terms.order_qty(D(3), ROUND_CEILING) == 4
        preferred = api.preferred_terms(s, t.id, item)
        assert preferred is not None and preferred.supplier_item_id == si2
        assert api.supplier_terms(s, t.id, s2, 999) is None
    with runtime.system_uow(t.id) as uow:
        service.update_supplier_item(uow, si1, SupplierItemUpdate(preferred=True, lead_time_days=3))
        uow.commit()
    with runtime.session_factory() as s:
        assert [s.get(SupplierItem, i).preferred for i in (si1, si2)] == [True, False]  # type: ignore[union-attr]
    assert outbox_topics(runtime).count("catalog.supplier_item_changed") == 5


def test_supplier_items_are_unique_per_supplier_and_item(runtime) -> None:
    t = make_tenant(runtime)
    item = make_item(runtime, t, "A1")
    s1 = make_supplier(runtime, t, "S1")
    si = make_supplier_item(runtime, t, s1, item, valid_from=date(2026, 2, 1))
    before = counts(runtime)
    with pytest.raises(DuplicateSupplierItem):
        make_supplier_item(runtime, t, s1, item)
    with pytest.raises(PydanticError, match="valid_to is before valid_from"):
        SupplierItemCreate.model_validate(
            {
                "item_id": item,
                "purchase_uom": "each",
                "price": "1",
                "valid_from": "2026-02-01",
                "valid_to": "2026-01-01",
            }
        )
    with pytest.raises(ValidationFailed), runtime.system_uow(t.id) as uow:  # merged with the stored valid_from
        service.update_supplier_item(uow, si, SupplierItemUpdate(valid_to=date(2026, 1, 1)))
    assert counts(runtime) == before


def test_assortment_upsert_update_and_rules(runtime) -> None:
    t = make_tenant(runtime)
    site = make_site(runtime, t, "S001")
    item = make_item(runtime, t, "A1")
    sup = make_supplier(runtime, t, "SUP")
    other = make_supplier(runtime, t, "OTHER")
    make_supplier_item(runtime, t, sup, item)
    make_assortment(runtime, t, site, item, min_qty=D(2), max_qty=D(10), preferred_supplier_id=sup)
    before = counts(runtime)
    for bad in ({"min_qty": D(20)}, {"preferred_supplier_id": other}, {"reorder_point": D(11)}):
        with pytest.raises(ValidationFailed), runtime.system_uow(t.id) as uow:
            service.update_assortment(uow, site, item, AssortmentUpdate(**bad))
    assert counts(runtime) == before
    with runtime.system_uow(t.id) as uow:
        _, created = service.upsert_assortment(uow, site, item, AssortmentUpsert(max_qty=D(12), safety_stock=D(1)))
        uow.commit()
    assert created is False
    with runtime.session_factory() as s:
        params = api.assortment_params(s, t.id, site, item)
        assert params is not None and params.max_qty == 12 and params.min_qty is None
        assert params.preferred_supplier_id is None  # an upsert sets every field
        assert [p.item_id for p in api.site_assortment(s, t.id, site)] == [item]
    assert outbox_topics(runtime).count("catalog.assortment_changed") == 2


def test_assortment_is_site_scoped(runtime) -> None:
    t = make_tenant(runtime)
    mine = make_site(runtime, t, "S001")
    theirs = make_site(runtime, t, "S002")
    item = make_item(runtime, t, "A1")
    manager = Principal(
        kind="user", id=1, tenant_id=t.id, name="mgr", grants={"catalog.assortment.write": frozenset({mine})}
    )
    before = counts(runtime)
    with pytest.raises(SiteNotFound), UnitOfWork(runtime.session_factory, manager) as uow:
        service.upsert_assortment(uow, theirs, item, AssortmentUpsert())
    assert counts(runtime) == before
    with UnitOfWork(runtime.session_factory, manager) as uow:
        service.upsert_assortment(uow, mine, item, AssortmentUpsert(max_qty=D(5)))
        uow.commit()
    other_tenant = make_tenant(runtime, "OTHER")
    with runtime.session_factory() as s:
        assert api.assortment_params(s, t.id, mine, item) is not None
        with pytest.raises(ItemNotFound):
            api.get_item_ref(s, other_tenant.id, item)


def test_item_by_epc(runtime) -> None:
    t = make_tenant(runtime)
    item = make_item(runtime, t, "TAGGED", uoms={"case": "6"}, barcodes=[("80614141123458", "case")])
    with runtime.session_factory() as s:
        found = api.item_by_epc(s, t.id, "3074257BF7194E4000001A85")  # SGTIN-96 of 80614141123458, serial 6789
        assert (found.item.id, found.uom, found.base_qty, found.scan.serial) == (item, "case", 6, "6789")
        with pytest.raises(InvalidEpc):
            api.item_by_epc(s, t.id, "4006381333931")


def test_exact_decimals_round_trip(runtime) -> None:
    t = make_tenant(runtime)
    item = make_item(runtime, t, "KG1", base_uom="kg", uoms={"sack": "12.345678901", "bag": "0.000000001"})
    with runtime.session_factory() as s:
        table = api.unit_table(s, t.id, item)
        assert table.factors["sack"] == D("12.345678901") and table.factors["bag"] == D("1E-9")
        assert table.to_base(D(1000), "bag") == D("0.000001")
        assert table.factors["g"] == D("0.001")
        with pytest.raises(InvalidBarcode):
            api.resolve_code(s, t.id, "4006381333932")
        with pytest.raises(ItemNotFound):
            api.resolve_code(s, t.id, "4006381333931")
