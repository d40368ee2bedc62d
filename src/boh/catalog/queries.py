"""Read models of the catalog for the API, pages and exports: pydantic DTOs out, never ORM objects.

Every function takes the caller's Scope: the tenant always applies; supplier users see only their own
supplier, its supplier items and the items it sells; assortments are filtered to the scope's sites.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Select, exists, func, or_, select
from sqlalchemy.orm import Session

from boh.catalog import repository as repo
from boh.catalog.codes import parse_code
from boh.catalog.errors import CategoryNotFound, SupplierItemNotFound
from boh.catalog.models import Assortment, Category, Item, ItemBarcode, Supplier, SupplierItem
from boh.catalog.schemas import (
    AssortmentFilter,
    AssortmentRead,
    BarcodeRead,
    CategoryRead,
    ItemFilter,
    ItemRead,
    LookupRead,
    PriceBreakRead,
    SupplierFilter,
    SupplierItemRead,
    SupplierRead,
    UomRead,
)
from boh.kernel.paging import page
from boh.kernel.tenancy import Scope
from boh.org.api import get_site_ref


def _count(session: Session, stmt: Select[*tuple[Any, ...]]) -> int:
    return session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0


def _like(q: str) -> str:
    return "%" + q.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


# ---------------------------------------------------------------- categories
def _category_reads(session: Session, tenant_id: int) -> list[CategoryRead]:
    cats = {c.id: c for c in session.scalars(select(Category).where(Category.tenant_id == tenant_id))}

    def chain(cid: int) -> list[Category]:
        out, seen, cur = [], set(), cats.get(cid)
        while cur is not None and cur.id not in seen:
            out.append(cur)
            seen.add(cur.id)
            cur = cats.get(cur.parent_id) if cur.parent_id is not None else None
        return out[::-1]

    reads = []
    for c in cats.values():
        path = chain(c.id)
        reads.append(
            CategoryRead(
                id=c.id,
                code=c.code,
                name_en=c.name_en,
                name_zh=c.name_zh,
                parent_id=c.parent_id,
                path="/".join(p.code for p in path),
                depth=len(path) - 1,
            )
        )
    return sorted(reads, key=lambda r: r.path)


def list_categories(
    session: Session, scope: Scope, q: str | None = None, limit: int = 500, offset: int = 0
) -> tuple[list[CategoryRead], int]:
    """Every category in tree order (by path), optionally filtered by code or name."""
    reads = _category_reads(session, scope.tenant_id)
    if q:
        ql = q.lower()
        reads = [r for r in reads if ql in r.path.lower() or ql in r.name_en.lower() or q in (r.name_zh or "")]
    return reads[offset : offset + limit], len(reads)


def get_category(session: Session, scope: Scope, category_id: int) -> CategoryRead:
    for r in _category_reads(session, scope.tenant_id):
        if r.id == category_id:
            return r
    raise CategoryNotFound(f"category {category_id} not found")


def category_subtree(session: Session, tenant_id: int, category_id: int) -> set[int]:
    """The category and all its descendants."""
    children: dict[int | None, list[int]] = {}
    for cid, pid in repo.category_parents(session, tenant_id).items():
        children.setdefault(pid, []).append(cid)
    out, todo = set(), [category_id]
    while todo:
        cid = todo.pop()
        if cid not in out:
            out.add(cid)
            todo.extend(children.get(cid, []))
    return out


# ---------------------------------------------------------------- items
def item_reads(session: Session, items: Sequence[Item]) -> list[ItemRead]:
    ids = [i.id for i in items]
    uoms = repo.uoms_of(session, ids)
    barcodes = repo.barcodes_of(session, ids)
    cat_ids = sorted({i.category_id for i in items if i.category_id is not None})
    codes = {
        cid: code for cid, code in session.execute(select(Category.id, Category.code).where(Category.id.in_(cat_ids)))
    }
    return [
        ItemRead(
            id=i.id,
            sku=i.sku,
            name_en=i.name_en,
            name_zh=i.name_zh,
            category_id=i.category_id,
            category_code=codes.get(i.category_id) if i.category_id is not None else None,
            kind=i.kind,
            base_uom=i.base_uom,
            storage_class=i.storage_class,
            perishable=i.perishable,
            shelf_life_days=i.shelf_life_days,
            allergens=list(i.allergens or []),
            active=i.active,
            uoms=[UomRead(uom=u.uom, factor=u.factor) for u in uoms[i.id]],
            barcodes=[BarcodeRead(gtin=b.gtin, uom=b.uom) for b in barcodes[i.id]],
            created_at=i.created_at,
            updated_at=i.updated_at,
        )
        for i in items
    ]


def _item_query(session: Session, scope: Scope, f: ItemFilter) -> Select[Item]:
    stmt = select(Item).where(Item.tenant_id == scope.tenant_id)
    if scope.supplier_id is not None:
        stmt = stmt.where(repo.supplier_item_filter(scope))
    if f.q:
        like = _like(f.q)
        stmt = stmt.where(
            or_(
                func.lower(Item.sku).like(like, escape="\\"),
                func.lower(Item.name_en).like(like, escape="\\"),
                func.lower(Item.name_zh).like(like, escape="\\"),
                exists().where(ItemBarcode.item_id == Item.id, ItemBarcode.gtin.like(like, escape="\\")),
            )
        )
    if f.category_id is not None:
        stmt = stmt.where(Item.category_id.in_(category_subtree(session, scope.tenant_id, f.category_id)))
    if f.kind:
        stmt = stmt.where(Item.kind == f.kind)
    if f.storage_class:
        stmt = stmt.where(Item.storage_class == f.storage_class)
    if f.active is not None:
        stmt = stmt.where(Item.active == f.active)
    if f.supplier_id is not None:
        stmt = stmt.where(exists().where(SupplierItem.item_id == Item.id, SupplierItem.supplier_id == f.supplier_id))
    return stmt


def list_items(
    session: Session, scope: Scope, f: ItemFilter, limit: int = 50, offset: int = 0
) -> tuple[list[ItemRead], int]:
    stmt = _item_query(session, scope, f)
    total = _count(session, stmt)
    items = list(session.scalars(page(stmt.order_by(Item.sku), limit, offset)))
    return item_reads(session, items), total


def get_item(session: Session, scope: Scope, item_id: int) -> ItemRead:
    return item_reads(session, [repo.get_item(session, scope, item_id)])[0]


def lookup(session: Session, scope: Scope, code: str) -> LookupRead:
    """The item a scanned code stands for: a GTIN, a GS1 element string or an SGTIN EPC.

    InvalidBarcode / InvalidEpc (422) if the code cannot be read; ItemNotFound (404) if no item of the
    tenant (in scope) has its GTIN.
    """
    scan = parse_code(code)
    item, uom = repo.item_for_gtin(session, scope, scan.gtin)
    assert scan.gtin is not None
    return LookupRead(
        source=scan.source,
        gtin=scan.gtin,
        uom=uom,
        base_qty=repo.unit_table(session, item).factor(uom),
        lot=scan.lot,
        expiry=scan.expiry,
        best_before=scan.best_before,
        serial=scan.serial,
        epc_uri=scan.epc_uri,
        item=item_reads(session, [item])[0],
    )


# ---------------------------------------------------------------- suppliers
def list_suppliers(
    session: Session, scope: Scope, f: SupplierFilter, limit: int = 50, offset: int = 0
) -> tuple[list[SupplierRead], int]:
    stmt = select(Supplier).where(Supplier.tenant_id == scope.tenant_id)
    if scope.supplier_id is not None:
        stmt = stmt.where(Supplier.id == scope.supplier_id)
    if f.q:
        like = _like(f.q)
        stmt = stmt.where(
            or_(
                func.lower(Supplier.code).like(like, escape="\\"),
                func.lower(Supplier.name).like(like, escape="\\"),
                func.lower(Supplier.name_zh).like(like, escape="\\"),
            )
        )
    if f.active is not None:
        stmt = stmt.where(Supplier.active == f.active)
    total = _count(session, stmt)
    rows = session.scalars(page(stmt.order_by(Supplier.code), limit, offset))
    return [SupplierRead.model_validate(s) for s in rows], total


def get_supplier(session: Session, scope: Scope, supplier_id: int) -> SupplierRead:
    return SupplierRead.model_validate(repo.get_supplier(session, scope, supplier_id))


def _si_read(si: SupplierItem, sup: Supplier, item: Item, factor: Any) -> SupplierItemRead:
    return SupplierItemRead(
        id=si.id,
        supplier_id=sup.id,
        supplier_code=sup.code,
        supplier_name=sup.name,
        item_id=item.id,
        sku=item.sku,
        item_name_en=item.name_en,
        item_name_zh=item.name_zh,
        base_uom=item.base_uom,
        supplier_sku=si.supplier_sku,
        purchase_uom=si.purchase_uom,
        purchase_factor=factor,
        price=si.price,
        currency=si.currency,
        moq=si.moq,
        order_multiple=si.order_multiple,
        lead_time_days=si.lead_time_days,
        order_days=list(si.order_days or []),
        pallet_qty=si.pallet_qty,
        price_breaks=[PriceBreakRead(min_qty=b["min_qty"], price=b["price"]) for b in si.price_breaks or []],
        preferred=si.preferred,
        valid_from=si.valid_from,
        valid_to=si.valid_to,
        active=si.active,
    )


def list_supplier_items(
    session: Session,
    scope: Scope,
    *,
    supplier_id: int | None = None,
    item_id: int | None = None,
    active: bool | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[SupplierItemRead], int]:
    """Supplier items of one supplier and/or one item, ordered by supplier code and SKU."""
    stmt = (
        select(SupplierItem, Supplier, Item)
        .join(Supplier, Supplier.id == SupplierItem.supplier_id)
        .join(Item, Item.id == SupplierItem.item_id)
        .where(SupplierItem.tenant_id == scope.tenant_id)
    )
    if scope.supplier_id is not None:
        stmt = stmt.where(SupplierItem.supplier_id == scope.supplier_id)
    if supplier_id is not None:
        stmt = stmt.where(SupplierItem.supplier_id == supplier_id)
    if item_id is not None:
        stmt = stmt.where(SupplierItem.item_id == item_id)
    if active is not None:
        stmt = stmt.where(SupplierItem.active == active)
    total = _count(session, stmt)
    rows = session.execute(page(stmt.order_by(Supplier.code, Item.sku), limit, offset)).all()
    tables = repo.unit_tables(session, {item.id: item for _, _, item in rows}.values())
    return [_si_read(si, sup, item, tables[item.id].factors.get(si.purchase_uom)) for si, sup, item in rows], total


def get_supplier_item(session: Session, scope: Scope, supplier_item_id: int) -> SupplierItemRead:
    si = repo.get_supplier_item(session, scope, supplier_item_id)
    sup = session.get(Supplier, si.supplier_id)
    item = session.get(Item, si.item_id)
    if sup is None or item is None:
        raise SupplierItemNotFound(f"supplier item {supplier_item_id} not found")
    return _si_read(si, sup, item, repo.unit_table(session, item).factors.get(si.purchase_uom))


# ---------------------------------------------------------------- assortment
def _assortment_query(
    scope: Scope, site_ids: Sequence[int] | None, f: AssortmentFilter, session: Session
) -> Select[Assortment, Item, str]:
    stmt = (
        select(Assortment, Item, Supplier.code)
        .join(Item, Item.id == Assortment.item_id)
        .outerjoin(Supplier, Supplier.id == Assortment.preferred_supplier_id)
        .where(Assortment.tenant_id == scope.tenant_id)
    )
    if site_ids is not None:
        stmt = stmt.where(Assortment.site_id.in_(site_ids))
    if f.q:
        like = _like(f.q)
        stmt = stmt.where(
            or_(
                func.lower(Item.sku).like(like, escape="\\"),
                func.lower(Item.name_en).like(like, escape="\\"),
                func.lower(Item.name_zh).like(like, escape="\\"),
            )
        )
    if f.active is not None:
        stmt = stmt.where(Assortment.active == f.active)
    if f.category_id is not None:
        stmt = stmt.where(Item.category_id.in_(category_subtree(session, scope.tenant_id, f.category_id)))
    if f.kind:
        stmt = stmt.where(Item.kind == f.kind)
    if f.preferred_supplier_id is not None:
        stmt = stmt.where(Assortment.preferred_supplier_id == f.preferred_supplier_id)
    return stmt


def _assortment_read(a: Assortment, item: Item, supplier_code: str | None) -> AssortmentRead:
    return AssortmentRead(
        id=a.id,
        site_id=a.site_id,
        item_id=item.id,
        sku=item.sku,
        name_en=item.name_en,
        name_zh=item.name_zh,
        base_uom=item.base_uom,
        category_id=item.category_id,
        active=a.active,
        min_qty=a.min_qty,
        max_qty=a.max_qty,
        reorder_point=a.reorder_point,
        safety_stock=a.safety_stock,
        preferred_supplier_id=a.preferred_supplier_id,
        preferred_supplier_code=supplier_code,
        order_multiple=a.order_multiple,
    )


def list_assortment(
    session: Session, scope: Scope, site_id: int, f: AssortmentFilter, limit: int = 50, offset: int = 0
) -> tuple[list[AssortmentRead], int]:
    """One site's assortment (SiteNotFound if the site is not in the scope), ordered by SKU."""
    site = get_site_ref(session, scope, site_id)
    stmt = _assortment_query(scope, [site.id], f, session)
    total = _count(session, stmt)
    rows = session.execute(page(stmt.order_by(Item.sku), limit, offset)).all()
    return [_assortment_read(a, item, code) for a, item, code in rows], total


def all_assortment(session: Session, scope: Scope, f: AssortmentFilter) -> list[AssortmentRead]:
    """Every assortment row of every site in the scope (exports), ordered by site and SKU."""
    site_ids = None if scope.site_ids is None else sorted(scope.site_ids)
    stmt = _assortment_query(scope, site_ids, f, session).order_by(Assortment.site_id, Item.sku)
    return [_assortment_read(a, item, code) for a, item, code in session.execute(stmt)]


def get_assortment(session: Session, scope: Scope, site_id: int, item_id: int) -> AssortmentRead:
    site = get_site_ref(session, scope, site_id)
    row = repo.get_assortment(session, scope.tenant_id, site.id, item_id)
    item = session.get(Item, row.item_id)
    assert item is not None
    sup = session.get(Supplier, row.preferred_supplier_id) if row.preferred_supplier_id else None
    return _assortment_read(row, item, sup.code if sup else None)
