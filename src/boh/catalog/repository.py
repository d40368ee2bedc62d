"""Write-side queries of the catalog; every lookup applies the tenant and, where relevant, the scope.

Supplier users (``scope.supplier_id``) reach only their own supplier, its supplier items and the items
it sells; anything else is "not found", never "forbidden", so ids of other suppliers do not leak.
Bulk loaders take many keys and answer in one query per chunk (imports).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal
from typing import Any, TypeVar

from sqlalchemy import Select, exists, select
from sqlalchemy.orm import Session

from boh.catalog.domain import UnitTable
from boh.catalog.errors import (
    AssortmentNotFound,
    CategoryNotFound,
    ItemNotFound,
    SupplierItemNotFound,
    SupplierNotFound,
)
from boh.catalog.models import Assortment, Category, Item, ItemBarcode, ItemUom, Supplier, SupplierItem
from boh.kernel.tenancy import Scope

T = TypeVar("T")
CHUNK = 1000


def chunks(values: Iterable[T], size: int = CHUNK) -> Iterator[list[T]]:
    batch: list[T] = []
    for v in values:
        batch.append(v)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


S = TypeVar("S", bound=Select[*tuple[Any, ...]])


def _lock(stmt: S, for_update: bool) -> S:
    return stmt.with_for_update() if for_update else stmt


def supplier_item_filter(scope: Scope) -> Any:
    """SQL condition: the item is sold by the scope's supplier (for supplier users)."""
    return exists().where(SupplierItem.item_id == Item.id, SupplierItem.supplier_id == scope.supplier_id)


def get_category(session: Session, tenant_id: int, category_id: int, *, for_update: bool = False) -> Category:
    stmt = select(Category).where(Category.id == category_id, Category.tenant_id == tenant_id)
    cat = session.scalars(_lock(stmt, for_update)).one_or_none()
    if cat is None:
        raise CategoryNotFound(f"category {category_id} not found")
    return cat


def category_by_code(session: Session, tenant_id: int, code: str) -> Category | None:
    return session.scalars(select(Category).where(Category.tenant_id == tenant_id, Category.code == code)).first()


def category_parents(session: Session, tenant_id: int) -> dict[int, int | None]:
    return {
        cid: pid
        for cid, pid in session.execute(select(Category.id, Category.parent_id).where(Category.tenant_id == tenant_id))
    }


def get_item(session: Session, scope: Scope, item_id: int, *, for_update: bool = False) -> Item:
    stmt = select(Item).where(Item.id == item_id, Item.tenant_id == scope.tenant_id)
    if scope.supplier_id is not None:
        stmt = stmt.where(supplier_item_filter(scope))
    item = session.scalars(_lock(stmt, for_update)).one_or_none()
    if item is None:
        raise ItemNotFound(f"item {item_id} not found")
    return item


def item_by_sku(session: Session, tenant_id: int, sku: str) -> Item | None:
    return session.scalars(select(Item).where(Item.tenant_id == tenant_id, Item.sku == sku)).first()


def items_by_sku(session: Session, tenant_id: int, skus: Iterable[str]) -> dict[str, Item]:
    out: dict[str, Item] = {}
    for batch in chunks(sorted(set(skus))):
        for item in session.scalars(select(Item).where(Item.tenant_id == tenant_id, Item.sku.in_(batch))):
            out[item.sku] = item
    return out


def uoms_of(session: Session, item_ids: Sequence[int]) -> dict[int, list[ItemUom]]:
    out: dict[int, list[ItemUom]] = {i: [] for i in item_ids}
    for batch in chunks(sorted(set(item_ids))):
        for u in session.scalars(select(ItemUom).where(ItemUom.item_id.in_(batch)).order_by(ItemUom.uom)):
            out[u.item_id].append(u)
    return out


def barcodes_of(session: Session, item_ids: Sequence[int]) -> dict[int, list[ItemBarcode]]:
    out: dict[int, list[ItemBarcode]] = {i: [] for i in item_ids}
    for batch in chunks(sorted(set(item_ids))):
        stmt = select(ItemBarcode).where(ItemBarcode.item_id.in_(batch)).order_by(ItemBarcode.gtin)
        for b in session.scalars(stmt):
            out[b.item_id].append(b)
    return out


def barcode_owners(session: Session, tenant_id: int, gtins: Iterable[str]) -> dict[str, int]:
    """GTIN-14 -> item id, for the given GTINs that are already used in the tenant."""
    out: dict[str, int] = {}
    for batch in chunks(sorted(set(gtins))):
        stmt = select(ItemBarcode.gtin, ItemBarcode.item_id).where(
            ItemBarcode.tenant_id == tenant_id, ItemBarcode.gtin.in_(batch)
        )
        out.update({g: i for g, i in session.execute(stmt)})
    return out


def item_for_gtin(session: Session, scope: Scope, gtin: str | None) -> tuple[Item, str]:
    """The item with this GTIN-14 (in scope) and the unit the GTIN stands for; ItemNotFound otherwise."""
    if gtin is None:
        raise ItemNotFound("the code holds no GTIN (AI 01)")
    barcode = session.scalars(
        select(ItemBarcode).where(ItemBarcode.tenant_id == scope.tenant_id, ItemBarcode.gtin == gtin)
    ).first()
    if barcode is None:
        raise ItemNotFound(f"no item has the barcode {gtin}")
    item = get_item(session, scope, barcode.item_id)
    return item, barcode.uom or item.base_uom


def unit_table(session: Session, item: Item) -> UnitTable:
    rows = session.execute(select(ItemUom.uom, ItemUom.factor).where(ItemUom.item_id == item.id)).all()
    return UnitTable.build(item.base_uom, [(u, f) for u, f in rows])


def unit_tables(session: Session, items: Iterable[Item]) -> dict[int, UnitTable]:
    items = list(items)
    explicit: dict[int, list[tuple[str, Decimal]]] = {i.id: [] for i in items}
    for batch in chunks(sorted(explicit)):
        for item_id, uom, factor in session.execute(
            select(ItemUom.item_id, ItemUom.uom, ItemUom.factor).where(ItemUom.item_id.in_(batch))
        ):
            explicit[item_id].append((uom, factor))
    return {i.id: UnitTable.build(i.base_uom, explicit[i.id]) for i in items}


def get_supplier(session: Session, scope: Scope, supplier_id: int, *, for_update: bool = False) -> Supplier:
    stmt = select(Supplier).where(Supplier.id == supplier_id, Supplier.tenant_id == scope.tenant_id)
    supplier = session.scalars(_lock(stmt, for_update)).one_or_none()
    if supplier is None or (scope.supplier_id is not None and supplier.id != scope.supplier_id):
        raise SupplierNotFound(f"supplier {supplier_id} not found")
    return supplier


def supplier_by_code(session: Session, tenant_id: int, code: str) -> Supplier | None:
    return session.scalars(select(Supplier).where(Supplier.tenant_id == tenant_id, Supplier.code == code)).first()


def suppliers_by_code(session: Session, tenant_id: int, codes: Iterable[str]) -> dict[str, Supplier]:
    out: dict[str, Supplier] = {}
    for batch in chunks(sorted(set(codes))):
        for s in session.scalars(select(Supplier).where(Supplier.tenant_id == tenant_id, Supplier.code.in_(batch))):
            out[s.code] = s
    return out


def get_supplier_item(
    session: Session, scope: Scope, supplier_item_id: int, *, for_update: bool = False
) -> SupplierItem:
    stmt = select(SupplierItem).where(SupplierItem.id == supplier_item_id, SupplierItem.tenant_id == scope.tenant_id)
    if scope.supplier_id is not None:
        stmt = stmt.where(SupplierItem.supplier_id == scope.supplier_id)
    si = session.scalars(_lock(stmt, for_update)).one_or_none()
    if si is None:
        raise SupplierItemNotFound(f"supplier item {supplier_item_id} not found")
    return si


def supplier_item_for(session: Session, supplier_id: int, item_id: int) -> SupplierItem | None:
    return session.scalars(
        select(SupplierItem).where(SupplierItem.supplier_id == supplier_id, SupplierItem.item_id == item_id)
    ).first()


def supplier_items_by_key(
    session: Session, tenant_id: int, keys: Iterable[tuple[int, int]]
) -> dict[tuple[int, int], SupplierItem]:
    """(supplier id, item id) -> supplier item, for the given pairs."""
    wanted = set(keys)
    out: dict[tuple[int, int], SupplierItem] = {}
    for batch in chunks(sorted({s for s, _ in wanted})):
        stmt = select(SupplierItem).where(SupplierItem.tenant_id == tenant_id, SupplierItem.supplier_id.in_(batch))
        for si in session.scalars(stmt):
            if (si.supplier_id, si.item_id) in wanted:
                out[(si.supplier_id, si.item_id)] = si
    return out


def preferred_supplier_items(session: Session, tenant_id: int, item_ids: Iterable[int]) -> list[SupplierItem]:
    out: list[SupplierItem] = []
    for batch in chunks(sorted(set(item_ids))):
        out.extend(
            session.scalars(
                select(SupplierItem).where(
                    SupplierItem.tenant_id == tenant_id,
                    SupplierItem.item_id.in_(batch),
                    SupplierItem.preferred.is_(True),
                )
            )
        )
    return out


def get_assortment(
    session: Session, tenant_id: int, site_id: int, item_id: int, *, for_update: bool = False
) -> Assortment:
    found = find_assortment(session, tenant_id, site_id, item_id, for_update=for_update)
    if found is None:
        raise AssortmentNotFound(f"item {item_id} is not in the assortment of site {site_id}")
    return found


def find_assortment(
    session: Session, tenant_id: int, site_id: int, item_id: int, *, for_update: bool = False
) -> Assortment | None:
    stmt = select(Assortment).where(
        Assortment.tenant_id == tenant_id, Assortment.site_id == site_id, Assortment.item_id == item_id
    )
    return session.scalars(_lock(stmt, for_update)).one_or_none()


def assortments_by_key(
    session: Session, tenant_id: int, keys: Iterable[tuple[int, int]]
) -> dict[tuple[int, int], Assortment]:
    """(site id, item id) -> assortment row, for the given pairs."""
    wanted = set(keys)
    sites = sorted({s for s, _ in wanted})
    out: dict[tuple[int, int], Assortment] = {}
    for site_batch in chunks(sites, 100):
        for item_batch in chunks(sorted({i for _, i in wanted}), CHUNK):
            stmt = select(Assortment).where(
                Assortment.tenant_id == tenant_id,
                Assortment.site_id.in_(site_batch),
                Assortment.item_id.in_(item_batch),
            )
            for a in session.scalars(stmt):
                if (a.site_id, a.item_id) in wanted:
                    out[(a.site_id, a.item_id)] = a
    return out
