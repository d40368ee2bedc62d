"""Public API of the catalog for the domains above it (inventory, orders, replenishment...).

Functions take a session and the tenant id and return small frozen DTOs, never ORM objects. Pure
helpers (unit tables, pack rounding, order quantities, barcode/EPC parsing) are re-exported here so
that other domains never import catalog internals.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_CEILING, Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from boh.catalog import repository as repo
from boh.catalog.certificates.domain import CERT_TYPES, CertificateVerdict
from boh.catalog.certificates.repository import compute_verdict
from boh.catalog.codes import (
    ITEM_CODES_CACHE,
    EpcResult,
    ScanResult,
    decode_epc,
    normalize_gtin,
    parse_code,
    parse_scan,
)
from boh.catalog.domain import (
    EU_ALLERGENS,
    PriceBreak,
    UnitTable,
    order_quantity,
    packs_for,
    price_for,
    round_to_multiple,
)
from boh.catalog.models import Assortment, Category, Item, ItemBarcode, Supplier, SupplierItem
from boh.kernel.tenancy import Scope

__all__ = [
    "CERT_TYPES",
    "EU_ALLERGENS",
    "ITEM_CODES_CACHE",
    "AssortmentParams",
    "CertificateVerdict",
    "EpcResult",
    "ItemRef",
    "PriceBreak",
    "ScanResult",
    "ScannedItem",
    "SupplierRef",
    "SupplierTerms",
    "UnitTable",
    "assortment_params",
    "barcode_view",
    "category_view",
    "certificate_verdict",
    "convert",
    "decode_epc",
    "existing_item_ids",
    "get_item_ref",
    "get_supplier_ref",
    "item_by_epc",
    "item_by_gtin",
    "item_by_sku",
    "item_view",
    "items_by_sku",
    "normalize_gtin",
    "order_quantity",
    "packs_for",
    "parse_code",
    "parse_scan",
    "preferred_terms",
    "price_for",
    "resolve_code",
    "round_to_multiple",
    "site_assortment",
    "supplier_refs",
    "supplier_terms",
    "to_base",
    "unit_table",
]


@dataclass(frozen=True)
class ItemRef:
    id: int
    sku: str
    name_en: str
    name_zh: str | None
    category_id: int | None
    kind: str
    base_uom: str
    storage_class: str
    perishable: bool
    shelf_life_days: int | None
    allergens: tuple[str, ...]
    active: bool


def _ref(item: Item) -> ItemRef:
    return ItemRef(
        id=item.id,
        sku=item.sku,
        name_en=item.name_en,
        name_zh=item.name_zh,
        category_id=item.category_id,
        kind=item.kind,
        base_uom=item.base_uom,
        storage_class=item.storage_class,
        perishable=item.perishable,
        shelf_life_days=item.shelf_life_days,
        allergens=tuple(item.allergens or ()),
        active=item.active,
    )


def _item(session: Session, tenant_id: int, item_id: int) -> Item:
    return repo.get_item(session, Scope(tenant_id), item_id)


def get_item_ref(session: Session, tenant_id: int, item_id: int) -> ItemRef:
    """The item; ItemNotFound if it is not one of the tenant's."""
    return _ref(_item(session, tenant_id, item_id))


def item_by_sku(session: Session, tenant_id: int, sku: str) -> ItemRef | None:
    item = repo.item_by_sku(session, tenant_id, sku)
    return _ref(item) if item is not None else None


def items_by_sku(session: Session, tenant_id: int, skus: Iterable[str]) -> dict[str, ItemRef]:
    """Bulk lookup for imports: SKU -> item, unknown SKUs absent."""
    return {sku: _ref(item) for sku, item in repo.items_by_sku(session, tenant_id, skus).items()}


@dataclass(frozen=True)
class ScannedItem:
    item: ItemRef
    gtin: str  # GTIN-14
    uom: str  # the unit the code stands for (a case GTIN: the case)
    base_qty: Decimal  # base units in one scanned unit
    scan: ScanResult  # lot, expiry, best before, serial, EPC URI


def resolve_code(session: Session, tenant_id: int, code: str) -> ScannedItem:
    """The item behind a GTIN, a GS1-128/DataMatrix element string or an SGTIN EPC (hex or URI).

    InvalidBarcode / InvalidEpc if the code cannot be read, ItemNotFound if no item has its GTIN.
    """
    scan = parse_code(code)
    item, uom = repo.item_for_gtin(session, Scope(tenant_id), scan.gtin)
    assert scan.gtin is not None
    return ScannedItem(
        item=_ref(item), gtin=scan.gtin, uom=uom, base_qty=repo.unit_table(session, item).factor(uom), scan=scan
    )


def item_by_gtin(session: Session, tenant_id: int, gtin: str) -> ScannedItem:
    """The item with this GTIN-8/12/13/14 (check digit verified); ItemNotFound if none has it."""
    return resolve_code(session, tenant_id, normalize_gtin(gtin))


def item_by_epc(session: Session, tenant_id: int, epc: str) -> ScannedItem:
    """The item an RFID tag's SGTIN EPC (hex, pure-identity or tag URI) names; ``scan.serial`` is the
    tag's serial. InvalidEpc if it is not an SGTIN, ItemNotFound if no item has its GTIN."""
    decoded = decode_epc(epc)
    item, uom = repo.item_for_gtin(session, Scope(tenant_id), decoded.gtin)
    scan = ScanResult(source="epc", gtin=decoded.gtin, serial=decoded.serial, epc_uri=decoded.uri)
    return ScannedItem(
        item=_ref(item), gtin=decoded.gtin, uom=uom, base_qty=repo.unit_table(session, item).factor(uom), scan=scan
    )


def unit_table(session: Session, tenant_id: int, item_id: int) -> UnitTable:
    """The item's units; ``.to_base(qty, uom)``, ``.from_base(qty, uom)``, ``.convert(...)`` are exact."""
    return repo.unit_table(session, _item(session, tenant_id, item_id))


def to_base(session: Session, tenant_id: int, item_id: int, qty: Decimal, uom: str) -> Decimal:
    return unit_table(session, tenant_id, item_id).to_base(qty, uom)


def convert(session: Session, tenant_id: int, item_id: int, qty: Decimal, from_uom: str, to_uom: str) -> Decimal:
    """Exact conversion between two units of the item (UnknownUnit, InexactConversion, FractionalQuantity)."""
    return unit_table(session, tenant_id, item_id).convert(qty, from_uom, to_uom)


@dataclass(frozen=True)
class SupplierRef:
    id: int
    code: str
    name: str
    name_zh: str | None
    currency: str
    payment_terms_days: int
    active: bool
    email: str | None = None
    order_email: str | None = None  # where purchase orders go (else email)
    language: str | None = None  # en | zh_CN (None: the tenant's)


def get_supplier_ref(session: Session, tenant_id: int, supplier_id: int) -> SupplierRef:
    s = repo.get_supplier(session, Scope(tenant_id), supplier_id)
    return SupplierRef(
        id=s.id,
        code=s.code,
        name=s.name,
        name_zh=s.name_zh,
        currency=s.currency,
        payment_terms_days=s.payment_terms_days,
        active=s.active,
        email=s.email,
        order_email=s.order_email,
        language=s.language,
    )


def supplier_refs(session: Session, tenant_id: int) -> list[SupplierRef]:
    """The tenant's suppliers, ordered by code (pick lists of the domains above)."""
    rows = session.scalars(select(Supplier).where(Supplier.tenant_id == tenant_id).order_by(Supplier.code))
    return [SupplierRef(s.id, s.code, s.name, s.name_zh, s.currency, s.payment_terms_days, s.active, s.email,
                        s.order_email, s.language) for s in rows]  # fmt: skip


@dataclass(frozen=True)
class SupplierTerms:
    """What a supplier sells of an item. Quantities are in purchase units unless named base."""

    supplier_item_id: int
    supplier_id: int
    item_id: int
    supplier_sku: str | None
    purchase_uom: str
    purchase_factor: Decimal  # base units in one purchase unit
    price: Decimal  # per purchase unit
    currency: str
    moq: Decimal
    order_multiple: Decimal
    lead_time_days: int
    order_days: tuple[str, ...]
    price_breaks: tuple[PriceBreak, ...]
    preferred: bool
    valid_from: date | None
    valid_to: date | None
    active: bool
    pallet_qty: Decimal | None = None  # purchase units on a full pallet

    def valid_on(self, day: date) -> bool:
        return (
            self.active
            and (self.valid_from is None or self.valid_from <= day)
            and (self.valid_to is None or day <= self.valid_to)
        )

    def unit_price(self, qty: Decimal) -> Decimal:
        """Price per purchase unit when ordering ``qty`` purchase units (price breaks applied)."""
        return price_for(qty, self.price, self.price_breaks)

    def order_qty(self, need: Decimal, rounding: str = ROUND_CEILING) -> Decimal:
        """A valid order (purchase units) for ``need`` purchase units: MOQ and order multiple applied."""
        return order_quantity(need, moq=self.moq, multiple=self.order_multiple, rounding=rounding)


def _terms(si: SupplierItem, table: UnitTable) -> SupplierTerms:
    return SupplierTerms(
        supplier_item_id=si.id,
        supplier_id=si.supplier_id,
        item_id=si.item_id,
        supplier_sku=si.supplier_sku,
        purchase_uom=si.purchase_uom,
        purchase_factor=table.factor(si.purchase_uom),
        price=si.price,
        currency=si.currency,
        moq=si.moq,
        order_multiple=si.order_multiple,
        lead_time_days=si.lead_time_days,
        order_days=tuple(si.order_days or ()),
        price_breaks=tuple(PriceBreak(Decimal(b["min_qty"]), Decimal(b["price"])) for b in si.price_breaks or ()),
        preferred=si.preferred,
        valid_from=si.valid_from,
        valid_to=si.valid_to,
        active=si.active,
        pallet_qty=si.pallet_qty,
    )


def supplier_terms(session: Session, tenant_id: int, supplier_id: int, item_id: int) -> SupplierTerms | None:
    """The supplier's terms for the item, or None if it does not sell it."""
    si = session.scalars(
        select(SupplierItem).where(
            SupplierItem.tenant_id == tenant_id,
            SupplierItem.supplier_id == supplier_id,
            SupplierItem.item_id == item_id,
        )
    ).first()
    if si is None:
        return None
    return _terms(si, unit_table(session, tenant_id, item_id))


def preferred_terms(session: Session, tenant_id: int, item_id: int) -> SupplierTerms | None:
    """The item's preferred active supplier terms, or None."""
    si = session.scalars(
        select(SupplierItem)
        .join(Supplier, Supplier.id == SupplierItem.supplier_id)
        .where(
            SupplierItem.tenant_id == tenant_id,
            SupplierItem.item_id == item_id,
            SupplierItem.preferred.is_(True),
            SupplierItem.active.is_(True),
            Supplier.active.is_(True),
        )
    ).first()
    return _terms(si, unit_table(session, tenant_id, item_id)) if si is not None else None


@dataclass(frozen=True)
class AssortmentParams:
    """A site's parameters for an item; quantities in the item's base unit (None: not set)."""

    site_id: int
    item_id: int
    active: bool
    min_qty: Decimal | None
    max_qty: Decimal | None
    reorder_point: Decimal | None
    safety_stock: Decimal | None
    preferred_supplier_id: int | None
    order_multiple: Decimal | None


def _params(a: Assortment) -> AssortmentParams:
    return AssortmentParams(
        site_id=a.site_id,
        item_id=a.item_id,
        active=a.active,
        min_qty=a.min_qty,
        max_qty=a.max_qty,
        reorder_point=a.reorder_point,
        safety_stock=a.safety_stock,
        preferred_supplier_id=a.preferred_supplier_id,
        order_multiple=a.order_multiple,
    )


def assortment_params(session: Session, tenant_id: int, site_id: int, item_id: int) -> AssortmentParams | None:
    """The site's parameters for the item, or None if the site does not carry it."""
    row = repo.find_assortment(session, tenant_id, site_id, item_id)
    return _params(row) if row is not None else None


def reorder_params(session: Session, tenant_id: int, site_id: int, item_ids: Iterable[int]) -> list[AssortmentParams]:
    """The active assortment rows of these items at the site that have a reorder point or a safety stock,
    ordered by item id (one query; rows without a threshold are filtered in the database)."""
    wanted = sorted(set(item_ids))
    out: list[AssortmentParams] = []
    for start in range(0, len(wanted), 1000):
        stmt = (
            select(Assortment)
            .where(
                Assortment.tenant_id == tenant_id,
                Assortment.site_id == site_id,
                Assortment.item_id.in_(wanted[start : start + 1000]),
                Assortment.active.is_(True),
                (Assortment.reorder_point.is_not(None)) | (Assortment.safety_stock.is_not(None)),
            )
            .order_by(Assortment.item_id)
        )
        out.extend(_params(a) for a in session.scalars(stmt))
    return out


def site_assortment(
    session: Session, tenant_id: int, site_id: int, *, active_only: bool = True
) -> list[AssortmentParams]:
    """Every item the site carries (for replenishment runs), ordered by item id."""
    stmt = select(Assortment).where(Assortment.tenant_id == tenant_id, Assortment.site_id == site_id)
    if active_only:
        stmt = stmt.where(Assortment.active.is_(True))
    return [_params(a) for a in session.scalars(stmt.order_by(Assortment.item_id))]


# --- read-only views of the catalog's tables, for the read models (queries.py) of the domains above ------
# An alias can be selected from and joined, never written: the catalog stays the only writer of its tables.


def item_view() -> Any:
    """``catalog_item`` as a read-only alias (columns: id, tenant_id, sku, name_en, name_zh, category_id,
    base_uom, active, ...)."""
    return Item.__table__.alias("catalog_item_view")


def barcode_view() -> Any:
    """``catalog_item_barcode`` as a read-only alias (tenant_id, item_id, gtin, uom)."""
    return ItemBarcode.__table__.alias("catalog_barcode_view")


def category_view() -> Any:
    """``catalog_category`` as a read-only alias (id, tenant_id, code, name_en, name_zh, parent_id)."""
    return Category.__table__.alias("catalog_category_view")


def existing_item_ids(session: Session, tenant_id: int, ids: Iterable[int]) -> set[int]:
    """Which of these ids are items of the tenant."""
    wanted = sorted(set(ids))
    if not wanted:
        return set()
    return set(session.scalars(select(Item.id).where(Item.tenant_id == tenant_id, Item.id.in_(wanted))))


# --- finding an item from what a person types or scans -------------------------------------------------


@dataclass(frozen=True)
class FoundItem:
    item: ItemRef
    scanned: ScannedItem | None  # set when the text was a barcode (lot, expiry, the unit it stands for)


def find_item(session: Session, tenant_id: int, text: str) -> FoundItem | None:
    """The item a person means by ``text``: its SKU, or a barcode (GTIN, GS1-128/DataMatrix element string
    with lot and expiry, SGTIN EPC). None when nothing matches."""
    from boh.kernel.errors import BohError

    text = text.strip()
    if not text:
        return None
    by_sku = item_by_sku(session, tenant_id, text)
    if by_sku is not None:
        return FoundItem(by_sku, None)
    try:
        scanned = resolve_code(session, tenant_id, text)
    except BohError:
        return None
    return FoundItem(scanned.item, scanned)


def search_items(session: Session, tenant_id: int, q: str, limit: int = 10) -> list[ItemRef]:
    """Active items whose SKU, English or Chinese name contains ``q`` (case-insensitive), or that the text
    names exactly as a barcode; SKU order. For item pickers."""
    from sqlalchemy import func, or_

    q = q.strip()
    if not q:
        return []
    found = find_item(session, tenant_id, q)
    like = f"%{q.lower()}%"
    rows = session.scalars(
        select(Item)
        .where(Item.tenant_id == tenant_id, Item.active.is_(True))
        .where(or_(func.lower(Item.sku).like(like), func.lower(Item.name_en).like(like), Item.name_zh.like(f"%{q}%")))
        .order_by(Item.sku)
        .limit(limit)
    ).all()
    out = [_ref(i) for i in rows]
    if found is not None and all(r.id != found.item.id for r in out):
        out.insert(0, found.item)
    return out[:limit]


def assortment_view() -> Any:
    """``catalog_assortment`` as a read-only alias (tenant_id, site_id, item_id, active, min/max, reorder point,
    safety stock, ...)."""
    return Assortment.__table__.alias("catalog_assortment_view")


def certificate_verdict(
    session: Session, tenant_id: int, supplier_id: int, on_date: date, item_ids: Iterable[int] = ()
) -> CertificateVerdict:
    """What a receipt from this supplier on ``on_date`` (of these items) gets under the tenant's certificate
    requirements: ``action`` "ok", "block" (refuse the receipt) or "quarantine" (receive it, hold its lots),
    the strictest of the unmet requirements that apply; ``reasons`` are stable codes
    ``certificate_<expired|missing|not_yet_valid>:<type>:<supplier code>``, sorted. A certificate is valid
    through its ``valid_to`` day. Requirements by item category apply only when ``item_ids`` has an item of
    that category (or a sub-category). SupplierNotFound for another tenant's supplier."""
    return compute_verdict(session, tenant_id, supplier_id, on_date, item_ids)


# --- bulk reads for replenishment runs (one query per kind of input for all the items of a site) -------------


def items_by_ids(session: Session, tenant_id: int, ids: Iterable[int]) -> dict[int, ItemRef]:
    """The items of the tenant with these ids (chunked ``IN`` queries)."""
    wanted = sorted(set(ids))
    out: dict[int, ItemRef] = {}
    for start in range(0, len(wanted), 1000):
        rows = session.scalars(
            select(Item).where(Item.tenant_id == tenant_id, Item.id.in_(wanted[start : start + 1000]))
        )
        out.update((i.id, _ref(i)) for i in rows)
    return out


def terms_for_items(session: Session, tenant_id: int, item_ids: Iterable[int]) -> dict[int, list[SupplierTerms]]:
    """Every active supplier's terms of these items (active suppliers only), preferred first, per item."""
    wanted = sorted(set(item_ids))
    rows: list[SupplierItem] = []
    for start in range(0, len(wanted), 1000):
        rows.extend(session.scalars(
            select(SupplierItem).join(Supplier, Supplier.id == SupplierItem.supplier_id)
            .where(SupplierItem.tenant_id == tenant_id, SupplierItem.item_id.in_(wanted[start : start + 1000]),
                   SupplierItem.active.is_(True), Supplier.active.is_(True))
            .order_by(SupplierItem.item_id, SupplierItem.preferred.desc(), SupplierItem.id)))  # fmt: skip
    items: list[Item] = (
        list(session.scalars(select(Item).where(Item.id.in_({r.item_id for r in rows})))) if rows else []
    )
    tables = repo.unit_tables(session, items)
    out: dict[int, list[SupplierTerms]] = {}
    for si in rows:
        out.setdefault(si.item_id, []).append(_terms(si, tables[si.item_id]))
    return out
