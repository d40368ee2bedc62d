"""Demo catalog: the category tree, items with units and barcodes, suppliers with their terms, and each
site's assortment with stock levels, written through the catalog services (audited, with events)."""

from __future__ import annotations

import csv
import io
import random
from decimal import Decimal

from boh.catalog import service
from boh.catalog.imports import import_table
from boh.catalog.schemas import (
    BarcodeIn,
    CategoryCreate,
    ItemCreate,
    SupplierCreate,
    SupplierItemCreate,
    UomIn,
)
from boh.demo.assortment_gen import build_levels
from boh.demo.catalog_data import CATEGORIES, SUPPLIERS, SupplierSpec
from boh.demo.catalog_gen import ItemSpec, LevelSpec, build_items, build_supplier_items, check_digit
from boh.demo.org_data import SITES
from boh.demo.refs import CatalogRefs, OrgRefs
from boh.kernel.uow import UnitOfWork

_KIND = {"GROCERY": "grocery", "FRESH": "fresh", "PREPARED": "prepared"}
_ASSORTMENT_COLUMNS = (
    "site_code",
    "sku",
    "active",
    "min_qty",
    "max_qty",
    "reorder_point",
    "safety_stock",
    "preferred_supplier_code",
)
_AREA_CODES = {
    "上海": "21",
    "广州": "20",
    "厦门": "592",
    "杭州": "571",
    "海口": "898",
    "南京": "25",
    "舟山": "580",
    "济南": "531",
}


def case_gtin(gtin13: str) -> str:
    """The GTIN-14 printed on the outer case: indicator digit 1, then the unit's GTIN without its check digit."""
    body = "1" + gtin13[:12]
    return body + check_digit(body)


def _kind(item: ItemSpec) -> str:
    if item.department == "KITCHEN":
        return "packaging" if item.category == "PACKAGING" else "ingredient"
    return _KIND[item.department]


def _item_create(item: ItemSpec, category_id: int) -> ItemCreate:
    purchase = item.purchase_unit
    barcodes = []
    if item.gtin is not None:
        barcodes.append(BarcodeIn(code=item.gtin))
        if purchase == "case" and item.department == "GROCERY":
            barcodes.append(BarcodeIn(code=case_gtin(item.gtin), uom=purchase))
    return ItemCreate(
        sku=item.sku,
        name_en=item.name,
        name_zh=item.name_zh,
        category_id=category_id,
        kind=_kind(item),
        base_uom=item.base_unit,
        storage_class=item.storage,
        perishable=item.perishable,
        shelf_life_days=item.shelf_life_days,
        allergens=list(item.allergens),
        uoms=[UomIn(uom=purchase, factor=Decimal(item.case_pack))] if purchase != item.base_unit else [],
        barcodes=barcodes,
    )


def _load_categories(uow: UnitOfWork, refs: CatalogRefs) -> None:
    for code, parent, name_en, name_zh in CATEGORIES:
        parent_id = refs.category_ids[parent] if parent else None
        cat = service.create_category(
            uow, CategoryCreate(code=code, name_en=name_en, name_zh=name_zh, parent_id=parent_id)
        )
        refs.category_ids[code] = cat.id


def _supplier_create(spec: SupplierSpec, rng: random.Random) -> SupplierCreate:
    area = _AREA_CODES.get(spec.city, "21")
    number = f"{rng.randint(5000, 8999)} {rng.randint(1000, 9999)}"
    fresh = spec.lead_days <= 2
    return SupplierCreate(
        code=spec.code,
        name=spec.name,
        name_zh=spec.name_zh,
        email=f"orders@{spec.code.lower()}.supplier.example",
        order_email=f"po@{spec.code.lower()}.supplier.example",
        language="zh_CN",
        phone=f"+86 {area} {number}",
        currency="CNY",
        payment_terms_days=15 if fresh else rng.choice((30, 45, 60)),
    )


def _load_suppliers(uow: UnitOfWork, seed: int, refs: CatalogRefs, items: list[ItemSpec]) -> None:
    rng = random.Random(f"demo-suppliers-{seed}")
    for spec in SUPPLIERS:
        refs.supplier_ids[spec.code] = service.create_supplier(uow, _supplier_create(spec, rng)).id
    for offer in build_supplier_items(seed, items):
        service.create_supplier_item(
            uow,
            refs.supplier_ids[offer.supplier],
            SupplierItemCreate(
                item_id=refs.item_ids[offer.sku],
                supplier_sku=offer.supplier_sku,
                purchase_uom=offer.purchase_unit,
                price=offer.price,
                currency="CNY",
                moq=Decimal(offer.moq),
                order_multiple=Decimal(1),
                lead_time_days=offer.lead_time_days,
                order_days=list(offer.order_days),
                pallet_qty=None if offer.pallet is None else Decimal(offer.pallet),
                preferred=offer.primary,
            ),
        )
        refs.supplier_items += 1
        if offer.primary:
            refs.primary_supplier[offer.sku] = offer.supplier
            refs.unit_costs[offer.sku] = (offer.price / offer.units_per_case).quantize(Decimal("0.000001"))


def assortment_csv(org: OrgRefs, refs: CatalogRefs, levels: list[LevelSpec]) -> bytes:
    """The assortment as the catalog's import file: site, SKU, levels, and the DC's preferred suppliers."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(_ASSORTMENT_COLUMNS)
    for lv in levels:
        supplier = refs.primary_supplier.get(lv.sku, "") if lv.site == org.dc_code else ""
        writer.writerow([lv.site, lv.sku, "true", lv.min_qty, lv.max_qty, lv.reorder_point, lv.safety_stock, supplier])
    return out.getvalue().encode()


def _load_assortment(uow: UnitOfWork, org: OrgRefs, refs: CatalogRefs, levels: list[LevelSpec]) -> None:
    """Through the catalog's own assortment import (~4,400 rows): validated by the catalog, references
    resolved with one query per kind, one multi-row insert, each row audited and announced."""
    result = import_table(uow, "assortment", "demo-assortment.csv", assortment_csv(org, refs, levels))
    refs.assortment_rows = result.created


def load_catalog(uow: UnitOfWork, seed: int, org: OrgRefs) -> CatalogRefs:
    """Categories, items, suppliers with their items, and every site's assortment."""
    refs = CatalogRefs()
    _load_categories(uow, refs)
    items = build_items(seed)
    for item in items:
        refs.item_ids[item.sku] = service.create_item(uow, _item_create(item, refs.category_ids[item.category])).id
    _load_suppliers(uow, seed, refs, items)
    sites = {s.code: (s.format or s.kind, s.size) for s in SITES if s.code in org.site_ids and s.kind != "office"}
    refs.levels = build_levels(seed, sites, items)
    refs.shelf_life = {i.sku: i.shelf_life_days for i in items if i.perishable and i.shelf_life_days}
    _load_assortment(uow, org, refs, refs.levels)
    return refs
