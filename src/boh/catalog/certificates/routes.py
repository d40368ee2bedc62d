"""JSON API of supplier certificates under /api/v1/catalog: a supplier's certificates (list, record, change,
remove, upload and download the document), the certificates expiring soon, the receipt verdict, and the
tenant's requirement policy."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated

from fastapi import File, Query, Request, Response, UploadFile

from boh.catalog import repository as catalog_repo
from boh.catalog.api import certificate_verdict
from boh.catalog.certificates import queries, service
from boh.catalog.certificates.domain import WARN_DAYS
from boh.catalog.certificates.repository import get_certificate, get_requirement
from boh.catalog.certificates.schemas import (
    CertificateCreate,
    CertificateRead,
    CertificateUpdate,
    RequirementCreate,
    RequirementRead,
    RequirementUpdate,
    VerdictRead,
)
from boh.catalog.errors import CertificateNotFound, InvalidDocument
from boh.http.deps import UowDep
from boh.http.pagination import Page, PageDep
from boh.http.routing import SecureRouter
from boh.kernel.blobs import open_blob_store
from boh.kernel.clock import utcnow
from boh.kernel.uow import UnitOfWork

router = SecureRouter(prefix="/api/v1")
TAGS = ["catalog"]
READ, WRITE, POLICY = "catalog.certificate.read", "catalog.certificate.write", "catalog.certificate.policy"
DOC_TYPES = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png", "image/webp": "webp"}
MAX_DOC = 10 * 1024 * 1024


def today() -> date:
    return utcnow().date()


@router.get(
    "/catalog/suppliers/{supplier_id}/certificates",
    perm=READ,
    tags=TAGS,
    response_model=Page[CertificateRead],
    summary="A supplier's certificates with their state today (valid, expiring, expired ...)",
)
def list_certificates(uow: UowDep, page: PageDep, supplier_id: int) -> Page[CertificateRead]:
    scope = uow.principal.scope(READ)
    catalog_repo.get_supplier(uow.session, scope, supplier_id)  # 404 for another tenant's or supplier's
    items, total = queries.supplier_certificates(uow.session, scope, supplier_id, today(), page.limit, page.offset)
    return Page(items=items, total=total, limit=page.limit, offset=page.offset)


@router.post(
    "/catalog/suppliers/{supplier_id}/certificates",
    perm=WRITE,
    tags=TAGS,
    status_code=201,
    response_model=CertificateRead,
    responses={200: {"description": "The same certificate was already recorded (a retried request)"}},
    summary="Record a certificate (idempotent on type + number; supplier users: their own supplier only)",
)
def create_certificate(uow: UowDep, response: Response, supplier_id: int, body: CertificateCreate) -> CertificateRead:
    cert, created = service.create_certificate(uow, supplier_id, body)
    uow.commit()
    response.status_code = 201 if created else 200
    return queries.get_certificate_read(uow.session, uow.principal.scope(WRITE), cert.id, today())


@router.get(
    "/catalog/certificates/expiring",
    perm=READ,
    tags=TAGS,
    response_model=Page[CertificateRead],
    summary="Certificates that expire within `days` or have expired, not yet replaced by a renewal",
)
def list_expiring(
    uow: UowDep, page: PageDep, days: Annotated[int, Query(ge=0, le=366)] = WARN_DAYS
) -> Page[CertificateRead]:
    items, total = queries.expiring(uow.session, uow.principal.scope(READ), today(), days, page.limit, page.offset)
    return Page(items=items, total=total, limit=page.limit, offset=page.offset)


@router.get("/catalog/certificates/{cert_id}", perm=READ, tags=TAGS, response_model=CertificateRead)
def get_one(uow: UowDep, cert_id: int) -> CertificateRead:
    return queries.get_certificate_read(uow.session, uow.principal.scope(READ), cert_id, today())


@router.patch(
    "/catalog/certificates/{cert_id}",
    perm=WRITE,
    tags=TAGS,
    response_model=CertificateRead,
    summary="Change a certificate (status revoked: withdrawn, no longer counts)",
)
def update_certificate(uow: UowDep, cert_id: int, body: CertificateUpdate) -> CertificateRead:
    service.update_certificate(uow, cert_id, body)
    uow.commit()
    return queries.get_certificate_read(uow.session, uow.principal.scope(WRITE), cert_id, today())


@router.delete(
    "/catalog/certificates/{cert_id}",
    perm=WRITE,
    tags=TAGS,
    status_code=204,
    summary="Remove a certificate entered by mistake (audited; revoke a real one instead)",
)
def delete_certificate(uow: UowDep, cert_id: int) -> Response:
    service.delete_certificate(uow, cert_id)
    uow.commit()
    return Response(status_code=204)


@router.put(
    "/catalog/certificates/{cert_id}/document",
    perm=WRITE,
    tags=TAGS,
    response_model=CertificateRead,
    summary="Upload the certificate's document (PDF, JPEG, PNG or WebP, at most 10 MB)",
)
async def upload_document(
    request: Request, uow: UowDep, cert_id: int, file: Annotated[UploadFile, File(description="The scan or PDF")]
) -> CertificateRead:
    content = await file.read(MAX_DOC + 1)
    store_document(request, uow, cert_id, file.filename or "document", file.content_type or "", content)
    uow.commit()
    return queries.get_certificate_read(uow.session, uow.principal.scope(WRITE), cert_id, today())


def store_document(
    request: Request, uow: UnitOfWork, cert_id: int, name: str, content_type: str, content: bytes
) -> str:
    """Check and store an uploaded document, and point the certificate at it (the caller commits)."""
    get_certificate(uow.session, uow.principal.scope(WRITE), cert_id)  # 404 first: another's certificate
    if content_type not in DOC_TYPES:
        raise InvalidDocument("the document must be a PDF, JPEG, PNG or WebP file", field="file")
    if not content or len(content) > MAX_DOC:
        raise InvalidDocument("the document must hold 1 byte to 10 MB", field="file")
    key = f"certificates/{uow.tenant_id}/{cert_id}/{uuid.uuid4().hex[:12]}.{DOC_TYPES[content_type]}"
    service.attach_document(uow, cert_id, key=key, name=name, content_type=content_type)
    open_blob_store(request.app.state.settings).put(key, content, content_type)  # before commit: at worst unused
    return key


@router.get("/catalog/certificates/{cert_id}/document", perm=READ, tags=TAGS, summary="Download the document")
def download_document(request: Request, uow: UowDep, cert_id: int) -> Response:
    return document_response(request, uow, cert_id)


def document_response(request: Request, uow: UnitOfWork, cert_id: int) -> Response:
    """The certificate's document (404 when it has none)."""
    cert = get_certificate(uow.session, uow.principal.scope(READ), cert_id)
    if not cert.document_key:
        raise CertificateNotFound(f"certificate {cert_id} has no document")
    data = open_blob_store(request.app.state.settings).get(cert.document_key)
    ext = cert.document_key.rsplit(".", 1)[-1]
    headers = {"Cache-Control": "private, max-age=300",
               "Content-Disposition": f'inline; filename="certificate-{cert.id}.{ext}"'}  # fmt: skip
    return Response(data, media_type=cert.document_type or "application/octet-stream", headers=headers)


@router.get(
    "/catalog/suppliers/{supplier_id}/certificate-verdict",
    perm=READ,
    tags=TAGS,
    response_model=VerdictRead,
    summary="What a receipt from this supplier would get on a date (ok, block or quarantine, and why)",
)
def verdict(
    uow: UowDep,
    supplier_id: int,
    on_date: date | None = None,
    item_id: Annotated[list[int] | None, Query(description="Items of the delivery (category rules)")] = None,
) -> VerdictRead:
    catalog_repo.get_supplier(uow.session, uow.principal.scope(READ), supplier_id)
    v = certificate_verdict(uow.session, uow.tenant_id, supplier_id, on_date or today(), item_id or ())
    return VerdictRead(action=v.action, reasons=list(v.reasons))


# ---------------------------------------------------------------- requirement policy
@router.get(
    "/catalog/certificate-requirements",
    perm=READ,
    tags=TAGS,
    response_model=list[RequirementRead],
    summary="The tenant's certificate requirements and what an unmet one does at receipt",
)
def list_requirements(uow: UowDep) -> list[RequirementRead]:
    return queries.requirements(uow.session, uow.principal.scope(READ).tenant_id)


def _requirement(uow: UowDep, req_id: int) -> RequirementRead:
    return next(r for r in queries.requirements(uow.session, uow.tenant_id) if r.id == req_id)


@router.post(
    "/catalog/certificate-requirements", perm=POLICY, tags=TAGS, status_code=201, response_model=RequirementRead
)
def create_requirement(uow: UowDep, body: RequirementCreate) -> RequirementRead:
    req = service.create_requirement(uow, body)
    uow.commit()
    return _requirement(uow, req.id)


@router.patch("/catalog/certificate-requirements/{req_id}", perm=POLICY, tags=TAGS, response_model=RequirementRead)
def update_requirement(uow: UowDep, req_id: int, body: RequirementUpdate) -> RequirementRead:
    service.update_requirement(uow, req_id, body)
    uow.commit()
    return _requirement(uow, req_id)


@router.delete("/catalog/certificate-requirements/{req_id}", perm=POLICY, tags=TAGS, status_code=204)
def delete_requirement(uow: UowDep, req_id: int) -> Response:
    get_requirement(uow.session, uow.principal.scope(POLICY).tenant_id, req_id)
    service.delete_requirement(uow, req_id)
    uow.commit()
    return Response(status_code=204)
