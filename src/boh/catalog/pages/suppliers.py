"""Suppliers pages: list, create, detail/edit with the items the supplier sells, imports of suppliers and
of supplier items (terms, prices, order days), exports."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any

from fastapi import Query, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError

from boh.catalog import imports, queries, service
from boh.catalog.certificates import queries as cert_queries
from boh.catalog.certificates.notices import LABELS as CERT_LABELS
from boh.catalog.certificates.schemas import CertificateRead
from boh.catalog.domain import plain_decimal
from boh.catalog.imports import supplier_items as si_columns
from boh.catalog.imports import suppliers as supplier_columns
from boh.catalog.pages._common import (
    LABELS,
    PAGE_SIZE,
    S_READ,
    S_WRITE,
    FileDep,
    FormDep,
    ImportSpec,
    active_filter,
    handle_import,
    import_page,
    router,
)
from boh.catalog.schemas import (
    SupplierCreate,
    SupplierFilter,
    SupplierItemRead,
    SupplierItemUpdate,
    SupplierRead,
    SupplierUpdate,
)
from boh.http.deps import UowDep
from boh.http.files import ExportFormat, download
from boh.http.i18n import gettext_ as _
from boh.http.pages import N_, checked, field_errors, flash, form_errors, is_htmx, pager, redirect, required_errors
from boh.http.templating import render
from boh.kernel.clock import utcnow
from boh.kernel.errors import BohError, ValidationFailed
from boh.kernel.uow import UnitOfWork

IMPORT_SUPPLIERS = ImportSpec(
    "suppliers",
    N_("Import suppliers"),
    "/catalog/suppliers/import",
    "/catalog/suppliers",
    supplier_columns.COLUMNS,
    supplier_columns.REQUIRED,
)
IMPORT_SUPPLIER_ITEMS = ImportSpec(
    "supplier_items",
    N_("Import supplier items"),
    "/catalog/supplier-items/import",
    "/catalog/suppliers",
    si_columns.COLUMNS,
    si_columns.REQUIRED,
)
C_READ, C_WRITE = "catalog.certificate.read", "catalog.certificate.write"
_FIELDS = ("name", "name_zh", "email", "phone", "order_email", "language", "currency", "payment_terms_days")


@router.get("/suppliers", perm=S_READ)
def suppliers_list(
    request: Request,
    uow: UowDep,
    q: str | None = None,
    status: str | None = None,
    page: Annotated[int, Query(ge=1)] = 1,
) -> HTMLResponse:
    f = SupplierFilter(q=(q or "").strip() or None, active=active_filter(status))
    rows, total = queries.list_suppliers(uow.session, uow.principal.scope(S_READ), f, PAGE_SIZE, (page - 1) * PAGE_SIZE)
    params = {"q": f.q, "status": status}
    ctx = {
        "suppliers": rows,
        "filters": params,
        "pager": pager(total, page, PAGE_SIZE, params),
        "can_write": uow.principal.can(S_WRITE),
        "can_certificates": uow.principal.can(C_READ),
    }
    if is_htmx(request) and request.headers.get("hx-target") == "supplier-results":
        return render(request, "catalog/_suppliers_results.html", ctx)
    return render(request, "catalog/suppliers_list.html", ctx)


@router.get("/suppliers/export", perm=S_READ)
def suppliers_export(uow: UowDep, format: Annotated[ExportFormat, Query()] = "csv") -> Response:
    return download(imports.export_table(uow, "suppliers", format), format, "suppliers")


@router.get("/supplier-items/export", perm=S_READ)
def supplier_items_export(uow: UowDep, format: Annotated[ExportFormat, Query()] = "csv") -> Response:
    return download(imports.export_table(uow, "supplier_items", format), format, "supplier_items")


@router.get("/suppliers/import", perm=S_WRITE)
def suppliers_import_form(request: Request) -> HTMLResponse:
    return import_page(request, IMPORT_SUPPLIERS)


@router.post("/suppliers/import", perm=S_WRITE)
async def suppliers_import(request: Request, uow: UowDep, file: FileDep = None) -> Response:
    return await handle_import(request, uow, IMPORT_SUPPLIERS, file)


@router.get("/supplier-items/import", perm=S_WRITE)
def supplier_items_import_form(request: Request) -> HTMLResponse:
    return import_page(request, IMPORT_SUPPLIER_ITEMS)


@router.post("/supplier-items/import", perm=S_WRITE)
async def supplier_items_import(request: Request, uow: UowDep, file: FileDep = None) -> Response:
    return await handle_import(request, uow, IMPORT_SUPPLIER_ITEMS, file)


# --- create, detail, edit -----------------------------------------------------------------------------


def _payload(data: dict[str, str]) -> dict[str, Any]:
    payload: dict[str, Any] = {f: data.get(f) or None for f in _FIELDS}
    payload["active"] = checked(data, "active")
    return payload


def _values(supplier: SupplierRead | None, data: dict[str, str] | None = None) -> dict[str, Any]:
    if data is not None:
        return {**data, "active": checked(data, "active")}
    if supplier is None:
        return {"currency": "CNY", "payment_terms_days": "30", "active": True}
    return supplier.model_dump()


def _certificates(uow: UnitOfWork, supplier: SupplierRead | None) -> list[CertificateRead] | None:
    """The supplier's certificates, or None when the reader may not see certificates."""
    if supplier is None or not uow.principal.can(C_READ):
        return None
    rows, _total = cert_queries.supplier_certificates(
        uow.session, uow.principal.scope(C_READ), supplier.id, utcnow().date(), 200, 0
    )
    return rows


def _form_page(
    request: Request,
    uow: UnitOfWork,
    supplier: SupplierRead | None,
    values: dict[str, Any],
    errors: dict[str, str],
    status: int = 200,
    page: int = 1,
    cert_values: dict[str, Any] | None = None,
    cert_errors: dict[str, str] | None = None,
) -> HTMLResponse:
    offered: list[SupplierItemRead] = []
    total = 0
    if supplier is not None:
        offered, total = queries.list_supplier_items(
            uow.session,
            uow.principal.scope(S_READ),
            supplier_id=supplier.id,
            limit=PAGE_SIZE,
            offset=(page - 1) * PAGE_SIZE,
        )
    ctx = {
        "supplier": supplier,
        "values": values,
        "errors": errors,
        "offered": offered,
        "pager": pager(total, page, PAGE_SIZE, {}),
        "labels": LABELS,
        "can_write": uow.principal.can(S_WRITE),
        "certificates": _certificates(uow, supplier),
        "cert_labels": CERT_LABELS,
        "cert_can_write": uow.principal.can(C_WRITE),
        "cert_values": cert_values or {},
        "cert_errors": cert_errors or {},
    }
    return render(request, "catalog/supplier_form.html", ctx, status_code=status)


def supplier_page(
    request: Request,
    uow: UnitOfWork,
    supplier_id: int,
    *,
    cert_values: dict[str, Any] | None = None,
    cert_errors: dict[str, str] | None = None,
    status: int = 200,
) -> HTMLResponse:
    """The supplier's page (for the certificate form's errors)."""
    supplier = queries.get_supplier(uow.session, uow.principal.scope(S_READ), supplier_id)
    return _form_page(
        request, uow, supplier, _values(supplier), {}, status, cert_values=cert_values, cert_errors=cert_errors
    )


def _errors(exc: BohError) -> dict[str, str]:
    if isinstance(exc, ValidationFailed):
        return field_errors(exc.errors)
    field = exc.extra.get("field")
    return {str(field) if field else "__all__": exc.detail}


@router.get("/suppliers/new", perm=S_WRITE)
def supplier_new(request: Request, uow: UowDep) -> HTMLResponse:
    return _form_page(request, uow, None, _values(None), {})


@router.post("/suppliers/new", perm=S_WRITE)
def supplier_create(request: Request, uow: UowDep, data: FormDep) -> Response:
    payload = {k: v for k, v in _payload(data).items() if v is not None}
    try:
        supplier = service.create_supplier(uow, SupplierCreate.model_validate({**payload, "code": data.get("code")}))
    except ValidationError as exc:
        return _form_page(request, uow, None, _values(None, data), form_errors(exc), 422)
    except BohError as exc:
        uow.rollback()
        return _form_page(request, uow, None, _values(None, data), _errors(exc), 422)
    uow.commit()
    response = redirect(f"/catalog/suppliers/{supplier.id}")
    flash(response, _("Supplier %(code)s created.") % {"code": supplier.code})
    return response


@router.get("/suppliers/{supplier_id}", perm=S_READ)
def supplier_detail(
    request: Request, uow: UowDep, supplier_id: int, page: Annotated[int, Query(ge=1)] = 1
) -> HTMLResponse:
    supplier = queries.get_supplier(uow.session, uow.principal.scope(S_READ), supplier_id)
    return _form_page(request, uow, supplier, _values(supplier), {}, page=page)


@router.post("/suppliers/{supplier_id}", perm=S_WRITE)
def supplier_update(request: Request, uow: UowDep, supplier_id: int, data: FormDep) -> Response:
    supplier = queries.get_supplier(uow.session, uow.principal.scope(S_WRITE), supplier_id)
    errors = required_errors(data, "name", "currency", "payment_terms_days")
    try:
        update = SupplierUpdate.model_validate(_payload(data))
        if not errors:
            service.update_supplier(uow, supplier_id, update)
    except ValidationError as exc:
        errors = {**form_errors(exc), **errors}
    except BohError as exc:
        errors = _errors(exc)
    if not errors:
        uow.commit()
        response = redirect(f"/catalog/suppliers/{supplier_id}")
        flash(response, _("Supplier %(code)s saved.") % {"code": supplier.code})
        return response
    uow.rollback()
    values = {**_values(supplier, data), "code": supplier.code}
    return _form_page(request, uow, supplier, values, errors, 422)


# ---------------------------------------------------------------- one supplier item
_SI_FIELDS = ("supplier_sku", "purchase_uom", "price", "moq", "order_multiple", "pallet_qty", "lead_time_days")
_WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def _si_values(si: SupplierItemRead, data: dict[str, str] | None = None) -> dict[str, Any]:
    if data is None:
        shown = {f: plain_decimal(v) if isinstance(v, Decimal) else v for f, v in si.model_dump().items()}
        return {**shown, "days": set(si.order_days)}
    return {**data, "days": {d for d in _WEEKDAYS if checked(data, f"day_{d}")},
            "preferred": checked(data, "preferred"), "active": checked(data, "active")}  # fmt: skip


def _si_page(request: Request, uow: UnitOfWork, si: SupplierItemRead, values: dict[str, Any],
             errors: dict[str, str], status: int = 200) -> HTMLResponse:  # fmt: skip
    ctx = {"si": si, "values": values, "errors": errors, "labels": LABELS, "weekdays": _WEEKDAYS,
           "can_write": uow.principal.can(S_WRITE)}  # fmt: skip
    return render(request, "catalog/supplier_item_form.html", ctx, status_code=status)


@router.get("/supplier-items/{supplier_item_id}", perm=S_READ)
def supplier_item_page(request: Request, uow: UowDep, supplier_item_id: int) -> HTMLResponse:
    si = queries.get_supplier_item(uow.session, uow.principal.scope(S_READ), supplier_item_id)
    return _si_page(request, uow, si, _si_values(si), {})


@router.post("/supplier-items/{supplier_item_id}", perm=S_WRITE)
def supplier_item_update(request: Request, uow: UowDep, supplier_item_id: int, data: FormDep) -> Response:
    si = queries.get_supplier_item(uow.session, uow.principal.scope(S_WRITE), supplier_item_id)
    errors = required_errors(data, "purchase_uom", "price", "order_multiple", "lead_time_days")
    payload: dict[str, Any] = {f: (data.get(f) or "").strip() or None for f in _SI_FIELDS}
    payload["order_days"] = [d for d in _WEEKDAYS if checked(data, f"day_{d}")]
    payload["moq"] = payload["moq"] or "0"
    payload["preferred"], payload["active"] = checked(data, "preferred"), checked(data, "active")
    try:
        update = SupplierItemUpdate.model_validate(payload)
        if not errors:
            service.update_supplier_item(uow, supplier_item_id, update)
    except ValidationError as exc:
        errors = {**form_errors(exc), **errors}
    except BohError as exc:
        errors = _errors(exc)
    if not errors:
        uow.commit()
        response = redirect(f"/catalog/suppliers/{si.supplier_id}")
        flash(response, _("Terms of %(sku)s saved.") % {"sku": si.sku})
        return response
    uow.rollback()
    return _si_page(request, uow, si, _si_values(si, data), errors, 422)
