"""Suppliers import/export, keyed by supplier code.

Columns: code, name, name_zh, email, phone, order_email, language (en, zh_CN), currency, payment_terms_days,
active. A column missing from the file leaves that field of existing suppliers unchanged.
"""

from __future__ import annotations

from sqlalchemy import select

from boh.catalog import repository as repo
from boh.catalog.imports._common import Errors, ImportResult, cell, check_duplicates, parse_file, present
from boh.catalog.models import Supplier
from boh.catalog.schemas import SupplierCreate
from boh.catalog.service.suppliers import apply_supplier_changes, record_supplier_created
from boh.kernel.tabular import write_table
from boh.kernel.uow import UnitOfWork

COLUMNS = ["code", "name", "name_zh", "email", "phone", "order_email", "language", "currency", "payment_terms_days",
           "active"]  # fmt: skip
REQUIRED = ["code", "name"]


class SupplierRow(SupplierCreate):
    model_config = SupplierCreate.model_config | {"extra": "ignore"}


def import_suppliers(uow: UnitOfWork, filename: str, data: bytes) -> ImportResult:
    scope = uow.principal.scope("catalog.supplier.write")
    errors = Errors()
    if scope.supplier_id is not None:
        errors.add(1, "code", "supplier users cannot import suppliers")
    header, good = parse_file(filename, data, REQUIRED, COLUMNS, SupplierRow, errors)
    rows = check_duplicates(good, lambda r: r.code, "code", errors, lambda r: f"supplier '{r.code}'")
    errors.raise_if_any()
    existing = repo.suppliers_by_code(uow.session, scope.tenant_id, [r.code for _, r in rows])
    new = [Supplier(tenant_id=scope.tenant_id, **r.model_dump()) for _, r in rows if r.code not in existing]
    uow.session.add_all(new)
    uow.flush()
    for supplier in new:
        record_supplier_created(uow, supplier)
    fields = present(header, COLUMNS[1:])
    updated = 0
    for _, rec in rows:
        if rec.code in existing:
            updated += bool(apply_supplier_changes(uow, existing[rec.code], {f: getattr(rec, f) for f in fields}))
    uow.flush()
    return ImportResult(rows=len(good), created=len(new), updated=updated, unchanged=len(good) - len(new) - updated)


def export_suppliers(uow: UnitOfWork, fmt: str) -> bytes:
    scope = uow.principal.scope("catalog.supplier.read")
    stmt = select(Supplier).where(Supplier.tenant_id == scope.tenant_id).order_by(Supplier.code)
    if scope.supplier_id is not None:
        stmt = stmt.where(Supplier.id == scope.supplier_id)
    rows = ([cell(getattr(s, c)) for c in COLUMNS] for s in uow.session.scalars(stmt))
    return write_table(fmt, COLUMNS, rows)
