"""CSV/XLSX import and export of the catalog: items, suppliers, supplier items and site assortments.

Imports upsert on business keys (item SKU; supplier code; supplier code + SKU; site code + SKU). Every
problem of the file is reported at once, each with its row and column, and nothing is written unless
the whole file is valid. References are resolved with one query per kind (not per row), so large files
import in seconds. The entrypoint commits.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final, Literal

from boh.catalog.imports._common import ImportResult
from boh.catalog.imports.assortment import export_assortment, import_assortment
from boh.catalog.imports.items import export_items, import_items
from boh.catalog.imports.supplier_items import export_supplier_items, import_supplier_items
from boh.catalog.imports.suppliers import export_suppliers, import_suppliers
from boh.kernel.errors import FieldError, ValidationFailed
from boh.kernel.uow import UnitOfWork

Kind = Literal["items", "suppliers", "supplier_items", "assortment"]
KINDS: Final[tuple[str, ...]] = ("items", "suppliers", "supplier_items", "assortment")

_IMPORTERS: dict[str, Callable[[UnitOfWork, str, bytes], ImportResult]] = {
    "items": import_items,
    "suppliers": import_suppliers,
    "supplier_items": import_supplier_items,
    "assortment": import_assortment,
}
_EXPORTERS: dict[str, Callable[[UnitOfWork, str], bytes]] = {
    "items": export_items,
    "suppliers": export_suppliers,
    "supplier_items": export_supplier_items,
    "assortment": export_assortment,
}


def _check_kind(kind: str) -> None:
    if kind not in KINDS:
        raise ValidationFailed([FieldError(("kind",), f"unknown table '{kind}'; use one of: {', '.join(KINDS)}")])


def import_table(uow: UnitOfWork, kind: str, filename: str, data: bytes) -> ImportResult:
    """Import a CSV or XLSX file (format from the name, or the content) of ``kind`` rows; never commits."""
    _check_kind(kind)
    with uow.audit_batch():  # one audit record per changed row, appended to the chain in one go
        result = _IMPORTERS[kind](uow, filename, data)
    uow.flush()
    return result


def export_table(uow: UnitOfWork, kind: str, fmt: str) -> bytes:
    """Every ``kind`` row the principal may read, as ``fmt`` ("csv" or "xlsx"), in the import's columns."""
    _check_kind(kind)
    if fmt not in ("csv", "xlsx"):
        raise ValidationFailed([FieldError(("format",), "format must be csv or xlsx")])
    return _EXPORTERS[kind](uow, fmt)


__all__ = ["KINDS", "ImportResult", "Kind", "export_table", "import_table"]
