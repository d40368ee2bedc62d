"""Site assortment import/export, keyed by site code + SKU.

Columns: site_code, sku, active, min_qty, max_qty, reorder_point, safety_stock, preferred_supplier_code,
order_multiple (quantities in the item's base unit). Only sites in the importer's scope can be named;
others are reported as unknown. A column missing from the file leaves that field of existing rows
unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from boh.catalog import repository as repo
from boh.catalog.imports._common import Errors, ImportResult, cell, check_duplicates, parse_file, present
from boh.catalog.models import Assortment, Item, Supplier
from boh.catalog.queries import all_assortment
from boh.catalog.schemas import AssortmentFilter, Code, PositiveQty, QtyIn
from boh.catalog.service.assortment import (
    ASSORTMENT_FIELDS,
    apply_assortment_changes,
    level_errors,
    record_assortment_created,
)
from boh.kernel.tabular import Row, write_table
from boh.kernel.tenancy import Scope
from boh.kernel.uow import UnitOfWork
from boh.org.api import site_codes_by_id, site_ids_by_code

COLUMNS = [
    "site_code",
    "sku",
    "active",
    "min_qty",
    "max_qty",
    "reorder_point",
    "safety_stock",
    "preferred_supplier_code",
    "order_multiple",
]
REQUIRED = ["site_code", "sku"]
FIELDS = ["active", "min_qty", "max_qty", "reorder_point", "safety_stock", "order_multiple"]


class AssortmentRow(BaseModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)
    site_code: Code
    sku: Code
    active: bool = True
    min_qty: QtyIn | None = None
    max_qty: QtyIn | None = None
    reorder_point: QtyIn | None = None
    safety_stock: QtyIn | None = None
    preferred_supplier_code: str | None = Field(default=None, max_length=40)
    order_multiple: PositiveQty | None = None


@dataclass
class _Ctx:
    header: list[str]
    scope: Scope
    sites: dict[str, int]
    items: dict[str, Item]
    suppliers: dict[str, Supplier]
    sells: set[tuple[int, int]]  # (supplier id, item id)
    existing: dict[tuple[int, int], Assortment]


def _load(uow: UnitOfWork, header: list[str], rows: list[tuple[Row, AssortmentRow]]) -> _Ctx:
    scope = uow.principal.scope("catalog.assortment.write")
    sites = {
        c: i
        for c, i in site_ids_by_code(uow.session, scope.tenant_id, [r.site_code for _, r in rows]).items()
        if scope.allows_site(i)
    }
    items = repo.items_by_sku(uow.session, scope.tenant_id, [r.sku for _, r in rows])
    codes = [r.preferred_supplier_code for _, r in rows if r.preferred_supplier_code]
    suppliers = repo.suppliers_by_code(uow.session, scope.tenant_id, codes)
    pairs = [
        (suppliers[r.preferred_supplier_code].id, items[r.sku].id)
        for _, r in rows
        if r.preferred_supplier_code in suppliers and r.sku in items
    ]
    sells = set(repo.supplier_items_by_key(uow.session, scope.tenant_id, pairs))
    keys = [(sites[r.site_code], items[r.sku].id) for _, r in rows if r.site_code in sites and r.sku in items]
    return _Ctx(
        header, scope, sites, items, suppliers, sells, repo.assortments_by_key(uow.session, scope.tenant_id, keys)
    )


def _values(ctx: _Ctx, rec: AssortmentRow, columns: list[str]) -> dict[str, Any]:
    values: dict[str, Any] = {f: getattr(rec, f) for f in FIELDS if f in columns}
    if "preferred_supplier_code" in columns:
        sup = ctx.suppliers.get(rec.preferred_supplier_code or "")
        values["preferred_supplier_id"] = sup.id if sup else None
    return values


def _check_row(ctx: _Ctx, row: Row, rec: AssortmentRow, errors: Errors) -> None:
    n = row.number
    if rec.site_code not in ctx.sites:
        errors.add(n, "site_code", f"unknown site '{rec.site_code}'", "unknown_reference")
    item = ctx.items.get(rec.sku)
    if item is None:
        errors.add(n, "sku", f"unknown SKU '{rec.sku}'", "unknown_reference")
    code = rec.preferred_supplier_code
    if code:
        sup = ctx.suppliers.get(code)
        if sup is None:
            errors.add(n, "preferred_supplier_code", f"unknown supplier '{code}'", "unknown_reference")
        elif item is not None and (sup.id, item.id) not in ctx.sells:
            errors.add(n, "preferred_supplier_code", f"supplier '{code}' does not sell {rec.sku}", "invalid")
    if rec.site_code in ctx.sites and item is not None:
        row_obj = ctx.existing.get((ctx.sites[rec.site_code], item.id))
        merged = {k: getattr(row_obj, k) for k in ASSORTMENT_FIELDS} if row_obj else {}
        merged.update(_values(ctx, rec, ctx.header if row_obj else COLUMNS))
        for field, msg in level_errors(merged).items():
            errors.add(n, field, msg)


def import_assortment(uow: UnitOfWork, filename: str, data: bytes) -> ImportResult:
    uow.principal.scope("catalog.assortment.write")
    errors = Errors()
    header, good = parse_file(filename, data, REQUIRED, COLUMNS, AssortmentRow, errors)
    rows = check_duplicates(
        good, lambda r: (r.site_code, r.sku), "sku", errors, lambda r: f"site '{r.site_code}' with SKU '{r.sku}'"
    )
    ctx = _load(uow, header, rows)
    for row, rec in rows:
        _check_row(ctx, row, rec, errors)
    errors.raise_if_any()
    new, updated = [], 0
    for _, rec in rows:
        key = (ctx.sites[rec.site_code], ctx.items[rec.sku].id)
        existing = ctx.existing.get(key)
        if existing is None:
            new.append(
                Assortment(tenant_id=ctx.scope.tenant_id, site_id=key[0], item_id=key[1], **_values(ctx, rec, COLUMNS))
            )
        else:
            updated += bool(apply_assortment_changes(uow, existing, _values(ctx, rec, present(header, COLUMNS))))
    uow.session.add_all(new)
    uow.flush()
    for a in new:
        record_assortment_created(uow, a)
    uow.flush()
    return ImportResult(rows=len(good), created=len(new), updated=updated, unchanged=len(good) - len(new) - updated)


def export_assortment(uow: UnitOfWork, fmt: str) -> bytes:
    scope = uow.principal.scope("catalog.assortment.read")
    reads = all_assortment(uow.session, scope, AssortmentFilter())
    codes = site_codes_by_id(uow.session, scope.tenant_id, {r.site_id for r in reads})
    rows = (
        [
            cell(v)
            for v in (
                codes.get(r.site_id),
                r.sku,
                r.active,
                r.min_qty,
                r.max_qty,
                r.reorder_point,
                r.safety_stock,
                r.preferred_supplier_code,
                r.order_multiple,
            )
        ]
        for r in reads
    )
    return write_table(fmt, COLUMNS, rows)
