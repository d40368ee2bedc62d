"""Use cases for categories and items (units of measure, barcodes). Callers own the transaction."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from boh.catalog import repository as repo
from boh.catalog.codes import ITEM_CODES_CACHE, normalize_gtin
from boh.catalog.domain import UnitTable, plain_decimal, unit_problems
from boh.catalog.errors import (
    DuplicateCode,
    DuplicateGtin,
    DuplicateSku,
    DuplicateUnit,
    InvalidBarcode,
)
from boh.catalog.events import ItemCreated, ItemUpdated
from boh.catalog.models import Category, Item, ItemBarcode, ItemUom
from boh.catalog.schemas import BarcodeIn, CategoryCreate, CategoryUpdate, ItemCreate, ItemUpdate, UomIn
from boh.catalog.service._common import audit_changes, fail, invalid, snapshot
from boh.kernel import cache as kernel_cache
from boh.kernel.errors import NotFound
from boh.kernel.tenancy import Scope
from boh.kernel.uow import UnitOfWork

ITEM_FIELDS = (
    "sku",
    "name_en",
    "name_zh",
    "category_id",
    "kind",
    "base_uom",
    "storage_class",
    "perishable",
    "shelf_life_days",
    "allergens",
    "active",
)
CATEGORY_FIELDS = ("code", "name_en", "name_zh", "parent_id")

Loc = tuple[str | int, ...]


def _scope(uow: UnitOfWork) -> Scope:
    return uow.principal.scope("catalog.item.write")


# ---------------------------------------------------------------- categories
def create_category(uow: UnitOfWork, data: CategoryCreate) -> Category:
    scope = _scope(uow)
    if repo.category_by_code(uow.session, scope.tenant_id, data.code) is not None:
        raise DuplicateCode(f"category code '{data.code}' is already used", field="code")
    if data.parent_id is not None and data.parent_id not in repo.category_parents(uow.session, scope.tenant_id):
        invalid(("parent_id",), f"category {data.parent_id} does not exist")
    cat = Category(tenant_id=scope.tenant_id, **data.model_dump())
    uow.session.add(cat)
    uow.flush()
    uow.audit("catalog.category.create", "catalog.category", cat.id, after=snapshot(cat, CATEGORY_FIELDS))
    return cat


def update_category(uow: UnitOfWork, category_id: int, data: CategoryUpdate) -> Category:
    scope = _scope(uow)
    cat = repo.get_category(uow.session, scope.tenant_id, category_id, for_update=True)
    changes = data.model_dump(exclude_unset=True)
    new_code = changes.get("code")
    if new_code not in (None, cat.code) and repo.category_by_code(uow.session, scope.tenant_id, new_code):
        raise DuplicateCode(f"category code '{changes['code']}' is already used", field="code")
    if changes.get("parent_id") is not None:
        parents = repo.category_parents(uow.session, scope.tenant_id)
        parent: int | None = changes["parent_id"]
        if parent not in parents:
            invalid(("parent_id",), f"category {parent} does not exist")
        while parent is not None:
            if parent == cat.id:
                invalid(("parent_id",), "a category cannot be placed under itself or one of its sub-categories")
            parent = parents.get(parent)
    before = snapshot(cat, CATEGORY_FIELDS)
    for key, value in changes.items():
        setattr(cat, key, value)
    uow.flush()
    audit_changes(uow, "catalog.category.update", "catalog.category", cat.id, before, snapshot(cat, CATEGORY_FIELDS))
    return cat


# ---------------------------------------------------------------- items
def _category_errors(uow: UnitOfWork, category_id: int | None) -> list[tuple[Loc, str]]:
    if category_id is None or category_id in repo.category_parents(uow.session, uow.tenant_id):
        return []
    return [(("category_id",), f"category {category_id} does not exist")]


def _barcode_rows(
    table: UnitTable, barcodes: Sequence[BarcodeIn]
) -> tuple[dict[str, str | None], list[tuple[Loc, str]]]:
    out: dict[str, str | None] = {}
    errors: list[tuple[Loc, str]] = []
    for i, b in enumerate(barcodes):
        try:
            gtin = normalize_gtin(b.code)
        except InvalidBarcode as exc:
            errors.append((("barcodes", i, "code"), exc.detail))
            continue
        if b.uom is not None and b.uom not in table.factors:
            errors.append((("barcodes", i, "uom"), f"unit '{b.uom}' is not a unit of this item"))
        elif gtin in out:
            errors.append((("barcodes", i, "code"), f"barcode {gtin} is listed twice"))
        out[gtin] = None if b.uom == table.base else b.uom
    return out, errors


def _check_gtins_free(uow: UnitOfWork, gtins: Sequence[str], item_id: int | None = None) -> None:
    owners = repo.barcode_owners(uow.session, uow.tenant_id, gtins)
    taken = sorted(g for g, owner in owners.items() if owner != item_id)
    if taken:
        raise DuplicateGtin(f"barcode {', '.join(taken)} is already used by another item", field="barcodes")


def children_snapshot(uoms: Sequence[ItemUom], barcodes: Sequence[ItemBarcode]) -> dict[str, Any]:
    return {"uoms": {u.uom: plain_decimal(u.factor) for u in uoms}, "barcodes": {b.gtin: b.uom for b in barcodes}}


def add_children(
    uow: UnitOfWork, item: Item, uoms: Sequence[tuple[str, Decimal]], barcodes: Mapping[str, str | None]
) -> tuple[list[ItemUom], list[ItemBarcode]]:
    u_rows = [ItemUom(tenant_id=item.tenant_id, item_id=item.id, uom=u, factor=f) for u, f in uoms]
    b_rows = [ItemBarcode(tenant_id=item.tenant_id, item_id=item.id, gtin=g, uom=u) for g, u in barcodes.items()]
    uow.session.add_all([*u_rows, *b_rows])
    return u_rows, b_rows


def record_item_created(uow: UnitOfWork, item: Item, uoms: Sequence[ItemUom], barcodes: Sequence[ItemBarcode]) -> None:
    uow.audit(
        "catalog.item.create",
        "catalog.item",
        item.id,
        after={**snapshot(item, ITEM_FIELDS), **children_snapshot(uoms, barcodes)},
    )
    uow.publish(ItemCreated(tenant_id=item.tenant_id, item_id=item.id, sku=item.sku, base_uom=item.base_uom))


def create_item(uow: UnitOfWork, data: ItemCreate) -> Item:
    scope = _scope(uow)
    if repo.item_by_sku(uow.session, scope.tenant_id, data.sku) is not None:
        raise DuplicateSku(f"SKU '{data.sku}' is already used", field="sku")
    errors = _category_errors(uow, data.category_id)
    uoms = [(u.uom, u.factor) for u in data.uoms]
    problems = unit_problems(data.base_uom, uoms)
    errors += [(("uoms", i, "uom"), msg) for i, msg in problems.items()]
    table = UnitTable.build(data.base_uom, [p for i, p in enumerate(uoms) if i not in problems])
    barcodes, bc_errors = _barcode_rows(table, data.barcodes)
    fail(*errors, *bc_errors)
    _check_gtins_free(uow, list(barcodes))
    item = Item(tenant_id=scope.tenant_id, **data.model_dump(exclude={"uoms", "barcodes"}))
    uow.session.add(item)
    uow.flush()
    u_rows, b_rows = add_children(uow, item, uoms, barcodes)
    uow.flush()
    record_item_created(uow, item, u_rows, b_rows)
    return item


def apply_item_changes(
    uow: UnitOfWork,
    item: Item,
    changes: Mapping[str, Any],
    *,
    uoms: list[ItemUom] | None = None,
    add_uoms: Sequence[tuple[str, Decimal]] = (),
    barcodes: list[ItemBarcode] | None = None,
    set_barcodes: Mapping[str, str | None] | None = None,
    removed: Sequence[ItemBarcode] = (),
) -> tuple[str, ...]:
    """Apply already-validated changes; one audit record and one event for everything that changed.

    ``uoms``/``barcodes`` are the item's current rows (needed when ``add_uoms``/``set_barcodes`` are
    given); ``set_barcodes`` replaces the item's barcodes with exactly these (GTIN-14 -> unit).
    ``removed`` are barcode rows the caller already deleted in this transaction (bulk imports).
    """
    before = snapshot(item, ITEM_FIELDS)
    after_children: dict[str, Any] = {}
    if uoms is not None and barcodes is not None:
        before.update(children_snapshot(uoms, [*barcodes, *removed]))
        new_u, new_b = _change_children(uow, item, uoms, add_uoms, barcodes, set_barcodes)
        after_children = children_snapshot(new_u, new_b)
    for key, value in changes.items():
        setattr(item, key, value)
    after = {**snapshot(item, ITEM_FIELDS), **after_children}
    changed = audit_changes(uow, "catalog.item.update", "catalog.item", item.id, before, after)
    if changed:
        kernel_cache.forget(uow.session, ITEM_CODES_CACHE)  # this process resolves the new codes at once
        uow.publish(ItemUpdated(tenant_id=item.tenant_id, item_id=item.id, sku=item.sku, changed=changed))
    return changed


def _change_children(
    uow: UnitOfWork,
    item: Item,
    uoms: list[ItemUom],
    add_uoms: Sequence[tuple[str, Decimal]],
    barcodes: list[ItemBarcode],
    wanted: Mapping[str, str | None] | None,
) -> tuple[list[ItemUom], list[ItemBarcode]]:
    have = {u.uom for u in uoms}
    new_uoms, _ = add_children(uow, item, [(u, f) for u, f in add_uoms if u not in have], {})
    if wanted is None:
        return [*uoms, *new_uoms], barcodes
    kept: list[ItemBarcode] = []
    for b in barcodes:
        if b.gtin in wanted:
            b.uom = wanted[b.gtin]
            kept.append(b)
        else:
            uow.session.delete(b)
    kept_gtins = {b.gtin for b in kept}
    _, added = add_children(uow, item, [], {g: u for g, u in wanted.items() if g not in kept_gtins})
    return [*uoms, *new_uoms], [*kept, *added]


def update_item(uow: UnitOfWork, item_id: int, data: ItemUpdate) -> Item:
    item = repo.get_item(uow.session, _scope(uow), item_id, for_update=True)
    changes = data.model_dump(exclude_unset=True)
    errors: list[tuple[Loc, str]] = []
    if "category_id" in changes:
        errors += _category_errors(uow, changes["category_id"])
    fail(*errors)
    apply_item_changes(uow, item, changes)
    uow.flush()
    return item


def add_barcode(uow: UnitOfWork, item_id: int, data: BarcodeIn) -> Item:
    item = repo.get_item(uow.session, _scope(uow), item_id, for_update=True)
    table = repo.unit_table(uow.session, item)
    found, errors = _barcode_rows(table, [data])
    fail(*[(loc[2:], msg) for loc, msg in errors])
    _check_gtins_free(uow, list(found), item.id)
    gtin, uom = next(iter(found.items()))
    current = repo.barcodes_of(uow.session, [item.id])[item.id]
    if any(b.gtin == gtin and b.uom == uom for b in current):
        return item  # already there: adding it again changes nothing
    uoms = repo.uoms_of(uow.session, [item.id])[item.id]
    apply_item_changes(
        uow, item, {}, uoms=uoms, barcodes=current, set_barcodes={**{b.gtin: b.uom for b in current}, gtin: uom}
    )
    uow.flush()
    return item


def remove_barcode(uow: UnitOfWork, item_id: int, code: str) -> Item:
    item = repo.get_item(uow.session, _scope(uow), item_id, for_update=True)
    gtin = normalize_gtin(code)
    current = repo.barcodes_of(uow.session, [item.id])[item.id]
    if all(b.gtin != gtin for b in current):
        raise NotFound(f"item {item_id} has no barcode {gtin}", code="catalog.barcode_not_found")
    uoms = repo.uoms_of(uow.session, [item.id])[item.id]
    apply_item_changes(
        uow, item, {}, uoms=uoms, barcodes=current, set_barcodes={b.gtin: b.uom for b in current if b.gtin != gtin}
    )
    uow.flush()
    return item


def add_uom(uow: UnitOfWork, item_id: int, data: UomIn) -> Item:
    """Units are add-only: changing or removing one would change the meaning of recorded quantities."""
    item = repo.get_item(uow.session, _scope(uow), item_id, for_update=True)
    current = repo.uoms_of(uow.session, [item.id])[item.id]
    existing = {u.uom: u.factor for u in current}
    if data.uom in existing:
        if existing[data.uom] == data.factor:
            return item
        raise DuplicateUnit(
            f"unit '{data.uom}' is already defined as {plain_decimal(existing[data.uom])} {item.base_uom}", field="uom"
        )
    problems = unit_problems(item.base_uom, [(data.uom, data.factor)])
    if problems:
        invalid(("uom",), problems[0])
    barcodes = repo.barcodes_of(uow.session, [item.id])[item.id]
    apply_item_changes(uow, item, {}, uoms=current, add_uoms=[(data.uom, data.factor)], barcodes=barcodes)
    uow.flush()
    return item
