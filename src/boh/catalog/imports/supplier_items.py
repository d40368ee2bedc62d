"""Supplier items import/export, keyed by supplier code + SKU.

Columns: supplier_code, sku, supplier_sku, purchase_uom, price, currency (default: the supplier's), moq,
order_multiple, lead_time_days, order_days ("mon;thu"), pallet_qty (purchase units on a full pallet),
price_breaks ("10:9.50;50:9.00": from 10 purchase units 9.50 each), preferred, valid_from, valid_to, active.
Quantities are in purchase units. A column missing from the file leaves that field of existing supplier items unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, model_validator
from sqlalchemy import select

from boh.catalog import repository as repo
from boh.catalog.domain import UnitTable, normalize_weekdays
from boh.catalog.imports._common import Errors, ImportResult, cell, check_duplicates, parse_file, present, split_cell
from boh.catalog.models import Item, Supplier, SupplierItem
from boh.catalog.schemas import Code, Currency, MoneyIn, PositiveQty, PriceBreaks, QtyIn, UnitCode
from boh.catalog.service.suppliers import (
    apply_supplier_item_changes,
    breaks_json,
    clear_other_preferred,
    record_supplier_item_created,
)
from boh.kernel.tabular import Row, write_table
from boh.kernel.uow import UnitOfWork

COLUMNS = [
    "supplier_code",
    "sku",
    "supplier_sku",
    "purchase_uom",
    "price",
    "currency",
    "moq",
    "order_multiple",
    "lead_time_days",
    "order_days",
    "pallet_qty",
    "price_breaks",
    "preferred",
    "valid_from",
    "valid_to",
    "active",
]
REQUIRED = ["supplier_code", "sku", "purchase_uom", "price"]
FIELDS = COLUMNS[2:]


def _breaks(value: Any) -> Any:
    if isinstance(value, list):
        return value
    out = []
    for part in split_cell(value):
        qty, sep, price = part.partition(":")
        if not sep:
            raise ValueError(f"'{part}' is not min_qty:price (e.g. 10:9.50)")
        out.append({"min_qty": qty.strip(), "price": price.strip()})
    return out


class SupplierItemRow(BaseModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)
    supplier_code: Code
    sku: Code
    supplier_sku: str | None = Field(default=None, max_length=60)
    purchase_uom: UnitCode
    price: MoneyIn
    currency: Currency | None = None
    moq: QtyIn = Decimal(0)
    order_multiple: PositiveQty = Decimal(1)
    lead_time_days: int = Field(default=1, ge=0, le=365)
    order_days: Annotated[list[str], BeforeValidator(split_cell), AfterValidator(normalize_weekdays)] = []
    pallet_qty: PositiveQty | None = None
    price_breaks: Annotated[PriceBreaks, BeforeValidator(_breaks)] = []
    preferred: bool = False
    valid_from: date | None = None
    valid_to: date | None = None
    active: bool = True

    @model_validator(mode="after")
    def _dates(self) -> SupplierItemRow:
        if self.valid_from and self.valid_to and self.valid_to < self.valid_from:
            raise ValueError("valid_to is before valid_from")
        return self


@dataclass
class _Ctx:
    header: list[str]
    suppliers: dict[str, Supplier]
    items: dict[str, Item]
    tables: dict[int, UnitTable]
    existing: dict[tuple[int, int], SupplierItem]


def _load(uow: UnitOfWork, header: list[str], rows: list[tuple[Row, SupplierItemRow]]) -> _Ctx:
    scope = uow.principal.scope("catalog.supplier.write")
    suppliers = repo.suppliers_by_code(uow.session, scope.tenant_id, [r.supplier_code for _, r in rows])
    if scope.supplier_id is not None:  # a supplier user imports only its own terms
        suppliers = {c: s for c, s in suppliers.items() if s.id == scope.supplier_id}
    items = repo.items_by_sku(uow.session, scope.tenant_id, [r.sku for _, r in rows])
    keys = [
        (suppliers[r.supplier_code].id, items[r.sku].id)
        for _, r in rows
        if r.supplier_code in suppliers and r.sku in items
    ]
    return _Ctx(
        header,
        suppliers,
        items,
        repo.unit_tables(uow.session, items.values()),
        repo.supplier_items_by_key(uow.session, scope.tenant_id, keys),
    )


def _check_rows(ctx: _Ctx, rows: list[tuple[Row, SupplierItemRow]], errors: Errors) -> None:
    preferred: dict[str, int] = {}
    for row, rec in rows:
        n = row.number
        if rec.supplier_code not in ctx.suppliers:
            errors.add(n, "supplier_code", f"unknown supplier '{rec.supplier_code}'", "unknown_reference")
        item = ctx.items.get(rec.sku)
        if item is None:
            errors.add(n, "sku", f"unknown SKU '{rec.sku}'", "unknown_reference")
        elif rec.purchase_uom not in ctx.tables[item.id].factors:
            errors.add(
                n,
                "purchase_uom",
                f"unit '{rec.purchase_uom}' is not a unit of {rec.sku} (units: {', '.join(ctx.tables[item.id].units)})",
                "unknown_unit",
            )
        if rec.preferred and "preferred" in ctx.header:
            if rec.sku in preferred:
                errors.add(
                    n,
                    "preferred",
                    f"row {preferred[rec.sku]} already makes another supplier preferred for {rec.sku}",
                    "duplicate",
                )
            preferred.setdefault(rec.sku, n)


def _check_supplier_skus(uow: UnitOfWork, ctx: _Ctx, rows: list[tuple[Row, SupplierItemRow]], errors: Errors) -> None:
    """After the import, a supplier SKU must still name one item of its supplier."""
    sids = sorted({s.id for s in ctx.suppliers.values()})
    final: dict[tuple[int, int], tuple[str | None, int | None]] = {
        (sid, iid): (sku, None)
        for sid, iid, sku in uow.session.execute(
            select(SupplierItem.supplier_id, SupplierItem.item_id, SupplierItem.supplier_sku).where(
                SupplierItem.supplier_id.in_(sids), SupplierItem.supplier_sku.is_not(None)
            )
        )
    }
    for row, rec in rows:
        if rec.supplier_code in ctx.suppliers and rec.sku in ctx.items:
            final[(ctx.suppliers[rec.supplier_code].id, ctx.items[rec.sku].id)] = (rec.supplier_sku, row.number)
    owner: dict[tuple[int, str], tuple[int, int | None]] = {}
    for (sid, iid), (sku, n) in sorted(final.items(), key=lambda kv: kv[1][1] or 0):
        if not sku:
            continue
        if (sid, sku) in owner and n is not None:
            other = owner[(sid, sku)][1]
            where = f"row {other}" if other else "another item of this supplier"
            errors.add(n, "supplier_sku", f"supplier SKU '{sku}' is also used by {where}", "duplicate")
        owner.setdefault((sid, sku), (iid, n))


def import_supplier_items(uow: UnitOfWork, filename: str, data: bytes) -> ImportResult:
    uow.principal.scope("catalog.supplier.write")
    errors = Errors()
    header, good = parse_file(filename, data, REQUIRED, COLUMNS, SupplierItemRow, errors)
    rows = check_duplicates(
        good,
        lambda r: (r.supplier_code, r.sku),
        "sku",
        errors,
        lambda r: f"supplier '{r.supplier_code}' with SKU '{r.sku}'",
    )
    ctx = _load(uow, header, rows)
    _check_rows(ctx, rows, errors)
    if "supplier_sku" in header:
        _check_supplier_skus(uow, ctx, rows, errors)
    errors.raise_if_any()
    return _apply(uow, ctx, [rec for _, rec in rows], len(good))


def _values(ctx: _Ctx, rec: SupplierItemRow, fields: list[str]) -> dict[str, Any]:
    values = {f: getattr(rec, f) for f in fields}
    if "price_breaks" in values:
        values["price_breaks"] = breaks_json(rec.price_breaks)
    if "currency" in values and values["currency"] is None:
        values["currency"] = ctx.suppliers[rec.supplier_code].currency
    return values


def _apply(uow: UnitOfWork, ctx: _Ctx, recs: list[SupplierItemRow], total: int) -> ImportResult:
    new, updated, touched = [], 0, []
    for rec in recs:
        sid, iid = ctx.suppliers[rec.supplier_code].id, ctx.items[rec.sku].id
        si = ctx.existing.get((sid, iid))
        if si is None:
            si = SupplierItem(tenant_id=uow.tenant_id, supplier_id=sid, item_id=iid, **_values(ctx, rec, FIELDS))
            new.append(si)
        else:
            updated += bool(apply_supplier_item_changes(uow, si, _values(ctx, rec, present(ctx.header, FIELDS))))
        touched.append(si)
    uow.session.add_all(new)
    uow.flush()
    for si in new:
        record_supplier_item_created(uow, si)
    chosen = [si for si in touched if si.preferred]
    others = repo.preferred_supplier_items(uow.session, uow.tenant_id, [si.item_id for si in chosen])
    for si in chosen:
        clear_other_preferred(uow, si, [o for o in others if o.item_id == si.item_id])
    uow.flush()
    return ImportResult(rows=total, created=len(new), updated=updated, unchanged=total - len(new) - updated)


def export_supplier_items(uow: UnitOfWork, fmt: str) -> bytes:
    scope = uow.principal.scope("catalog.supplier.read")
    stmt = (
        select(SupplierItem, Supplier.code, Item.sku)
        .join(Supplier, Supplier.id == SupplierItem.supplier_id)
        .join(Item, Item.id == SupplierItem.item_id)
        .where(SupplierItem.tenant_id == scope.tenant_id)
        .order_by(Supplier.code, Item.sku)
    )
    if scope.supplier_id is not None:
        stmt = stmt.where(SupplierItem.supplier_id == scope.supplier_id)
    out = []
    for si, code, sku in uow.session.execute(stmt):
        breaks = [f"{b['min_qty']}:{b['price']}" for b in si.price_breaks or []]
        values = [code, sku, *(breaks if f == "price_breaks" else getattr(si, f) for f in FIELDS)]
        out.append([cell(v) for v in values])
    return write_table(fmt, COLUMNS, out)
