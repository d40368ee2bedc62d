"""Items import/export, keyed by SKU.

Columns: sku, name_en, name_zh, category_code, kind, base_uom, storage_class, perishable,
shelf_life_days, allergens ("milk;eggs"), active, uoms ("case=12;pack=6": factor in base units; units
are added, never removed or changed), barcodes ("6901234567892;16901234567899@case": the item's GTINs,
exactly; "@unit" names the unit a GTIN is printed on). A column missing from the file leaves that field
of existing items unchanged; the base unit of an existing item cannot change.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field
from sqlalchemy import inspect, select

from boh.catalog import repository as repo
from boh.catalog.codes import normalize_gtin
from boh.catalog.domain import IMPLIED_UNITS, canonical_unit, normalize_allergens, plain_decimal, unit_problems
from boh.catalog.errors import InvalidBarcode, UnknownUnit
from boh.catalog.imports._common import (
    Errors,
    ImportResult,
    cell,
    check_duplicates,
    parse_file,
    present,
    split_cell,
)
from boh.catalog.models import Category, Item, ItemBarcode, ItemUom
from boh.catalog.queries import item_reads
from boh.catalog.schemas import BaseUnit, Code, ItemKind, Name, StorageClass
from boh.catalog.service.items import add_children, apply_item_changes, record_item_created
from boh.kernel.tabular import Row, write_table
from boh.kernel.uow import UnitOfWork

COLUMNS = [
    "sku",
    "name_en",
    "name_zh",
    "category_code",
    "kind",
    "base_uom",
    "storage_class",
    "perishable",
    "shelf_life_days",
    "allergens",
    "active",
    "uoms",
    "barcodes",
]
REQUIRED = ["sku", "name_en", "kind", "base_uom"]
FIELDS = ["name_en", "name_zh", "kind", "storage_class", "perishable", "shelf_life_days", "allergens", "active"]


def _uoms(value: Any) -> list[tuple[str, Decimal]]:
    out = []
    for part in split_cell(value):
        unit, sep, factor = part.partition("=")
        if not sep:
            raise ValueError(f"'{part}' is not unit=factor (e.g. case=12)")
        try:
            dec = Decimal(factor.strip())
        except InvalidOperation:
            raise ValueError(f"'{factor.strip()}' is not a number (unit {unit.strip()})") from None
        if not dec.is_finite() or dec <= 0 or dec != dec.quantize(Decimal("1e-9"), rounding="ROUND_DOWN"):
            raise ValueError(f"the factor of {unit.strip()} must be positive with at most 9 decimals")
        try:
            out.append((canonical_unit(unit), dec))
        except UnknownUnit as exc:
            raise ValueError(exc.detail) from None
    return out


def _barcodes(value: Any) -> list[tuple[str, str | None]]:
    out = []
    for part in split_cell(value):
        code, _, unit = part.partition("@")
        try:
            out.append((normalize_gtin(code), canonical_unit(unit) if unit.strip() else None))
        except (InvalidBarcode, UnknownUnit) as exc:
            raise ValueError(exc.detail) from None
    return out


class ItemRow(BaseModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)
    sku: Code
    name_en: Name
    name_zh: str | None = Field(default=None, max_length=200)
    category_code: str | None = None
    kind: ItemKind
    base_uom: BaseUnit
    storage_class: StorageClass = "ambient"
    perishable: bool = False
    shelf_life_days: int | None = Field(default=None, ge=1, le=3650)
    allergens: Annotated[list[str], BeforeValidator(split_cell), AfterValidator(normalize_allergens)] = []
    active: bool = True
    uoms: Annotated[list[tuple[str, Decimal]], BeforeValidator(_uoms)] = []
    barcodes: Annotated[list[tuple[str, str | None]], BeforeValidator(_barcodes)] = []


@dataclass
class _Ctx:
    header: list[str]
    existing: dict[str, Item]
    uoms: dict[int, list[ItemUom]]
    barcodes: dict[int, list[ItemBarcode]]
    categories: dict[str, int]


def _load(uow: UnitOfWork, header: list[str], rows: list[tuple[Row, ItemRow]]) -> _Ctx:
    existing = repo.items_by_sku(uow.session, uow.tenant_id, [r.sku for _, r in rows])
    ids = [i.id for i in existing.values()]
    cats = {
        c: i
        for c, i in uow.session.execute(select(Category.code, Category.id).where(Category.tenant_id == uow.tenant_id))
    }
    return _Ctx(
        header,
        existing,
        repo.uoms_of(uow.session, ids),
        repo.barcodes_of(uow.session, ids),
        {str(k): int(v) for k, v in cats.items()},
    )


def _check_row(ctx: _Ctx, row: Row, rec: ItemRow, errors: Errors) -> None:
    n = row.number
    if rec.category_code and rec.category_code not in ctx.categories:
        errors.add(n, "category_code", f"unknown category '{rec.category_code}'", "unknown_reference")
    item = ctx.existing.get(rec.sku)
    have = {u.uom: u.factor for u in ctx.uoms[item.id]} if item else {}
    if item is not None and item.base_uom != rec.base_uom:
        errors.add(n, "base_uom", f"the base unit of {rec.sku} is {item.base_uom} and cannot change")
    for msg in unit_problems(rec.base_uom, rec.uoms).values():
        errors.add(n, "uoms", msg, "invalid_unit")
    for unit, factor in rec.uoms:
        if unit in have and have[unit] != factor:
            errors.add(
                n,
                "uoms",
                f"1 {unit} is already {plain_decimal(have[unit])} {rec.base_uom}; a unit's factor cannot change",
                "invalid_unit",
            )
    known = {rec.base_uom, *IMPLIED_UNITS.get(rec.base_uom, {}), *have, *(u for u, _ in rec.uoms)}
    for gtin, printed_on in rec.barcodes:
        if printed_on is not None and printed_on not in known:
            errors.add(n, "barcodes", f"barcode {gtin}: unit '{printed_on}' is not a unit of {rec.sku}", "unknown_unit")


def _check_gtins(uow: UnitOfWork, ctx: _Ctx, rows: list[tuple[Row, ItemRow]], errors: Errors) -> None:
    """A GTIN belongs to one item: not twice in the file, not already another item's (outside the file)."""
    first: dict[str, int] = {}
    for row, rec in rows:
        for gtin, _ in rec.barcodes:
            if gtin in first and first[gtin] != row.number:
                errors.add(row.number, "barcodes", f"barcode {gtin} also appears in row {first[gtin]}", "duplicate")
            first.setdefault(gtin, row.number)
    owners = repo.barcode_owners(uow.session, uow.tenant_id, first)
    in_file = {r.sku for _, r in rows}
    owner_skus = {
        i: sku for i, sku in uow.session.execute(select(Item.id, Item.sku).where(Item.id.in_(set(owners.values()))))
    }
    for gtin, owner in sorted(owners.items()):
        if owner_skus[owner] not in in_file:
            errors.add(first[gtin], "barcodes", f"barcode {gtin} belongs to item {owner_skus[owner]}", "duplicate")


def import_items(uow: UnitOfWork, filename: str, data: bytes) -> ImportResult:
    uow.principal.scope("catalog.item.write")
    errors = Errors()
    header, good = parse_file(filename, data, REQUIRED, COLUMNS, ItemRow, errors)
    rows = check_duplicates(good, lambda r: r.sku, "sku", errors, lambda r: f"SKU '{r.sku}'")
    ctx = _load(uow, header, rows)
    for row, rec in rows:
        _check_row(ctx, row, rec, errors)
    if "barcodes" in header:
        _check_gtins(uow, ctx, rows, errors)
    errors.raise_if_any()
    created = _create(uow, ctx, [rec for _, rec in rows if rec.sku not in ctx.existing])
    updated = _update(uow, ctx, [rec for _, rec in rows if rec.sku in ctx.existing])
    uow.flush()
    return ImportResult(rows=len(good), created=created, updated=updated, unchanged=len(good) - created - updated)


def _wanted_barcodes(rec: ItemRow) -> dict[str, str | None]:
    return {g: None if u == rec.base_uom else u for g, u in rec.barcodes}


def _create(uow: UnitOfWork, ctx: _Ctx, recs: list[ItemRow]) -> int:
    items = [
        Item(
            tenant_id=uow.tenant_id,
            sku=r.sku,
            base_uom=r.base_uom,
            **{f: getattr(r, f) for f in FIELDS},
            category_id=ctx.categories.get(r.category_code or ""),
        )
        for r in recs
    ]
    uow.session.add_all(items)
    uow.flush()
    children = [add_children(uow, item, r.uoms, _wanted_barcodes(r)) for item, r in zip(items, recs, strict=True)]
    uow.flush()
    for item, (u_rows, b_rows) in zip(items, children, strict=True):
        record_item_created(uow, item, u_rows, b_rows)
    return len(items)


def _update(uow: UnitOfWork, ctx: _Ctx, recs: list[ItemRow]) -> int:
    fields = present(ctx.header, FIELDS)
    with_barcodes = "barcodes" in ctx.header
    if with_barcodes:  # deletions first, so that a GTIN can move from one item of the file to another
        for rec in recs:
            wanted = _wanted_barcodes(rec)
            for b in ctx.barcodes[ctx.existing[rec.sku].id]:
                if b.gtin not in wanted:
                    uow.session.delete(b)
        uow.flush()
    updated = 0
    for rec in recs:
        item = ctx.existing[rec.sku]
        changes: dict[str, Any] = {f: getattr(rec, f) for f in fields}
        if "category_code" in ctx.header:
            changes["category_id"] = ctx.categories.get(rec.category_code or "")
        current = [b for b in ctx.barcodes[item.id] if not inspect(b).was_deleted]
        removed = [b for b in ctx.barcodes[item.id] if inspect(b).was_deleted]
        changed = apply_item_changes(
            uow,
            item,
            changes,
            uoms=ctx.uoms[item.id],
            add_uoms=rec.uoms if "uoms" in ctx.header else (),
            barcodes=current,
            set_barcodes=_wanted_barcodes(rec) if with_barcodes else None,
            removed=removed,
        )
        updated += bool(changed)
    return updated


def export_items(uow: UnitOfWork, fmt: str) -> bytes:
    scope = uow.principal.scope("catalog.item.read")
    stmt = select(Item).where(Item.tenant_id == scope.tenant_id).order_by(Item.sku)
    if scope.supplier_id is not None:
        stmt = stmt.where(repo.supplier_item_filter(scope))
    items = list(uow.session.scalars(stmt))
    rows = []
    for r in item_reads(uow.session, items):
        rows.append(
            [
                r.sku,
                r.name_en,
                r.name_zh,
                r.category_code,
                r.kind,
                r.base_uom,
                r.storage_class,
                r.perishable,
                r.shelf_life_days,
                r.allergens,
                r.active,
                [f"{u.uom}={plain_decimal(u.factor)}" for u in r.uoms],
                [b.gtin + (f"@{b.uom}" if b.uom else "") for b in r.barcodes],
            ]
        )
    return write_table(fmt, COLUMNS, ([cell(v) for v in row] for row in rows))
