"""Certificate pages: a supplier's certificates on its page (list with state badges, add form with the
document upload), one certificate's edit page, and the certificates to renew with the requirement policy."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Query, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.datastructures import UploadFile

from boh.catalog import queries as catalog_queries
from boh.catalog.certificates import queries, service
from boh.catalog.certificates.notices import LABELS
from boh.catalog.certificates.routes import document_response, store_document, today
from boh.catalog.certificates.schemas import CertificateCreate, CertificateRead, CertificateUpdate, RequirementCreate
from boh.catalog.certificates.today import today_parts as _today_parts
from boh.catalog.pages._common import PAGE_SIZE, FormDep, int_or_none, router
from boh.catalog.pages.suppliers import supplier_page
from boh.catalog.schemas import SupplierFilter
from boh.http.deps import UowDep
from boh.http.i18n import gettext_ as _
from boh.http.pages import field_errors, flash, form_errors, pager, redirect, required_errors
from boh.http.templating import render
from boh.http.today import TodayPart
from boh.kernel.errors import BohError, ValidationFailed
from boh.kernel.tenancy import Principal
from boh.kernel.uow import UnitOfWork

READ, WRITE, POLICY = "catalog.certificate.read", "catalog.certificate.write", "catalog.certificate.policy"
_FIELDS = ("type", "number", "issuer", "valid_from", "valid_to", "scope_note")


def today_parts(session: Session, principal: Principal, site_id: int | None) -> list[TodayPart]:
    return _today_parts(session, principal, site_id)


def _errors(exc: BohError) -> dict[str, str]:
    if isinstance(exc, ValidationFailed):
        return field_errors(exc.errors)
    field = exc.extra.get("field")
    return {str(field) if field else "__all__": exc.detail}


async def _form(request: Request) -> tuple[dict[str, str], UploadFile | None]:
    form = await request.form()
    data = {k: v.strip() for k, v in form.items() if isinstance(v, str) and k != "csrf_token"}
    upload = form.get("document")
    return data, upload if isinstance(upload, UploadFile) and upload.filename else None


async def _store(request: Request, uow: UnitOfWork, cert_id: int, upload: UploadFile | None) -> None:
    if upload is not None:
        content = await upload.read(10 * 1024 * 1024 + 1)
        store_document(request, uow, cert_id, upload.filename or "document", upload.content_type or "", content)


@router.post("/suppliers/{supplier_id}/certificates", perm=WRITE)
async def certificate_create(request: Request, uow: UowDep, supplier_id: int) -> Response:
    data, upload = await _form(request)
    payload = {f: data.get(f) or None for f in _FIELDS}
    errors: dict[str, str] = {}
    try:
        cert, _created = service.create_certificate(uow, supplier_id, CertificateCreate.model_validate(payload))
        await _store(request, uow, cert.id, upload)
    except ValidationError as exc:
        errors = form_errors(exc)
    except BohError as exc:
        errors = _errors(exc)
    if errors:
        uow.rollback()
        return supplier_page(request, uow, supplier_id, cert_values=data, cert_errors=errors, status=422)
    uow.commit()
    response = redirect(f"/catalog/suppliers/{supplier_id}#certificates")
    flash(response, _("Certificate %(number)s saved.") % {"number": cert.number})
    return response


def _edit_page(
    request: Request, uow: UnitOfWork, cert: CertificateRead, values: dict[str, Any], errors: dict[str, str],
    status: int = 200,
) -> HTMLResponse:  # fmt: skip
    ctx = {"cert": cert, "values": values, "errors": errors, "labels": LABELS, "can_write": uow.principal.can(WRITE)}
    return render(request, "catalog/certificate_form.html", ctx, status_code=status)


@router.get("/certificates/{cert_id}", perm=READ)
def certificate_detail(request: Request, uow: UowDep, cert_id: int) -> HTMLResponse:
    cert = queries.get_certificate_read(uow.session, uow.principal.scope(READ), cert_id, today())
    return _edit_page(request, uow, cert, cert.model_dump(), {})


@router.post("/certificates/{cert_id}", perm=WRITE)
async def certificate_update(request: Request, uow: UowDep, cert_id: int) -> Response:
    cert = queries.get_certificate_read(uow.session, uow.principal.scope(WRITE), cert_id, today())
    data, upload = await _form(request)
    payload: dict[str, Any] = {f: data.get(f) or None for f in _FIELDS if f != "type"}
    payload["status"] = data.get("status") or "active"
    errors: dict[str, str] = required_errors(data, "number", "issuer", "valid_from", "valid_to")
    try:
        update = CertificateUpdate.model_validate(
            {k: v for k, v in payload.items() if v is not None or k == "scope_note"}
        )
        if not errors:
            service.update_certificate(uow, cert_id, update)
            await _store(request, uow, cert_id, upload)
    except ValidationError as exc:
        errors = {**form_errors(exc), **errors}
    except BohError as exc:
        errors = _errors(exc)
    if errors:
        uow.rollback()
        return _edit_page(request, uow, cert, {**cert.model_dump(), **data}, errors, 422)
    uow.commit()
    response = redirect(f"/catalog/suppliers/{cert.supplier_id}#certificates")
    flash(response, _("Certificate %(number)s saved.") % {"number": payload.get("number") or cert.number})
    return response


@router.get("/certificates/{cert_id}/document", perm=READ)
def certificate_document(request: Request, uow: UowDep, cert_id: int) -> Response:
    return document_response(request, uow, cert_id)


# --- certificates to renew and the requirement policy ---------------------------------------------------


def _policy_page(
    request: Request, uow: UnitOfWork, days: int, page: int, values: dict[str, Any], errors: dict[str, str],
    status: int = 200,
) -> HTMLResponse:  # fmt: skip
    scope = uow.principal.scope(READ)
    rows, total = queries.expiring(uow.session, scope, today(), days, PAGE_SIZE, (page - 1) * PAGE_SIZE)
    can_policy = uow.principal.can(POLICY)
    suppliers: list[tuple[int, str]] = []
    categories: list[tuple[int, str]] = []
    if can_policy:
        s_rows, _n = catalog_queries.list_suppliers(uow.session, scope, SupplierFilter(active=True), 500, 0)
        suppliers = [(s.id, s.code) for s in s_rows]
        c_rows, _n = catalog_queries.list_categories(uow.session, scope, None, 500, 0)
        categories = [(c.id, c.code) for c in c_rows]
    ctx = {
        "rows": rows, "days": days, "pager": pager(total, page, PAGE_SIZE, {"days": days}),
        "requirements": queries.requirements(uow.session, scope.tenant_id) if scope.supplier_id is None else [],
        "can_policy": can_policy, "suppliers": suppliers, "categories": categories, "labels": LABELS,
        "values": values, "errors": errors,
        "type_options": [(k, _(v)) for k, v in LABELS["types"].items()],
        "action_options": [(k, _(v)) for k, v in LABELS["actions"].items()],
    }  # fmt: skip
    return render(request, "catalog/certificates.html", ctx, status_code=status)


@router.get("/certificates", perm=READ)
def certificates_list(
    request: Request,
    uow: UowDep,
    days: Annotated[int, Query(ge=0, le=366)] = 30,
    page: Annotated[int, Query(ge=1)] = 1,
) -> HTMLResponse:
    return _policy_page(request, uow, days, page, {"action": "block"}, {})


@router.post("/certificate-requirements", perm=POLICY)
def requirement_create(request: Request, uow: UowDep, data: FormDep) -> Response:
    payload = {
        "type": data.get("type") or None, "action": data.get("action") or None, "note": data.get("note") or None,
        "supplier_id": int_or_none(data.get("supplier_id")), "category_id": int_or_none(data.get("category_id")),
    }  # fmt: skip
    try:
        service.create_requirement(uow, RequirementCreate.model_validate(payload))
    except ValidationError as exc:
        return _policy_page(request, uow, 30, 1, data, form_errors(exc), 422)
    except BohError as exc:
        uow.rollback()
        return _policy_page(request, uow, 30, 1, data, _errors(exc), 422)
    uow.commit()
    response = redirect("/catalog/certificates#policy")
    flash(response, _("Requirement added."))
    return response


@router.post("/certificate-requirements/{req_id}/delete", perm=POLICY)
def requirement_delete(uow: UowDep, req_id: int) -> Response:
    service.delete_requirement(uow, req_id)
    uow.commit()
    response = redirect("/catalog/certificates#policy")
    flash(response, _("Requirement removed."))
    return response
