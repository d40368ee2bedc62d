"""Use cases of supplier certificates and of the requirement policy: ``uow`` first, scope checked, every
change audited (old -> new), never committed here. Supplier users record certificates of their own supplier
only (``Scope.supplier_id``); the policy is the tenant's (buyers and HQ)."""

from __future__ import annotations

from typing import Any

from boh.catalog import repository as catalog_repo
from boh.catalog.certificates import repository as repo
from boh.catalog.certificates.models import CertificateRequirement, SupplierCertificate
from boh.catalog.certificates.schemas import CertificateCreate, CertificateUpdate, RequirementCreate, RequirementUpdate
from boh.catalog.errors import CategoryNotFound, DuplicateCertificate
from boh.catalog.models import Category
from boh.catalog.service._common import audit_changes, invalid, snapshot
from boh.kernel.tenancy import Scope
from boh.kernel.uow import UnitOfWork

WRITE, POLICY = "catalog.certificate.write", "catalog.certificate.policy"
CERT_FIELDS = ("supplier_id", "cert_type", "number", "issuer", "valid_from", "valid_to", "scope_note", "status",
               "document_name", "document_key")  # fmt: skip
REQ_FIELDS = ("cert_type", "action", "supplier_id", "category_id", "note", "active")
ENTITY, REQ_ENTITY = "catalog.supplier_certificate", "catalog.certificate_requirement"


def _scope(uow: UnitOfWork, permission: str = WRITE) -> Scope:
    return uow.principal.scope(permission)


def _values(data: CertificateCreate) -> dict[str, Any]:
    values = data.model_dump(exclude={"type"})
    values["cert_type"] = data.type
    return values


def create_certificate(uow: UnitOfWork, supplier_id: int, data: CertificateCreate) -> tuple[SupplierCertificate, bool]:
    """Record a certificate. Idempotent on (supplier, type, number): the same certificate sent again returns
    the recorded one (created False); a different one under the same number is a conflict."""
    scope = _scope(uow)
    supplier = catalog_repo.get_supplier(uow.session, scope, supplier_id)
    values = _values(data)
    known = repo.certificate_by_number(uow.session, supplier.id, data.type, data.number)
    if known is not None:
        if all(getattr(known, k) == v for k, v in values.items()):
            return known, False
        raise DuplicateCertificate(
            f"supplier {supplier.code} already has a {data.type} certificate numbered '{data.number}'", field="number"
        )
    cert = SupplierCertificate(tenant_id=scope.tenant_id, supplier_id=supplier.id, status="active", **values)
    uow.session.add(cert)
    uow.flush()
    uow.audit("catalog.certificate.create", ENTITY, cert.id, after=snapshot(cert, CERT_FIELDS))
    return cert, True


def update_certificate(uow: UnitOfWork, cert_id: int, data: CertificateUpdate) -> SupplierCertificate:
    cert = repo.get_certificate(uow.session, _scope(uow), cert_id, for_update=True)
    changes = data.model_dump(exclude_unset=True)
    valid_from = changes.get("valid_from", cert.valid_from)
    if changes.get("valid_to", cert.valid_to) < valid_from:
        invalid(("valid_to",), "valid_to is before valid_from")
    number = changes.get("number")
    if (
        number
        and number != cert.number
        and repo.certificate_by_number(uow.session, cert.supplier_id, cert.cert_type, number) is not None
    ):
        raise DuplicateCertificate(f"a {cert.cert_type} certificate numbered '{number}' exists", field="number")
    before = snapshot(cert, CERT_FIELDS)
    for key, value in changes.items():
        setattr(cert, key, value)
    audit_changes(uow, "catalog.certificate.update", ENTITY, cert.id, before, snapshot(cert, CERT_FIELDS))
    uow.flush()
    return cert


def delete_certificate(uow: UnitOfWork, cert_id: int) -> None:
    """Remove a certificate entered by mistake (audited with what it held; revoke one that was real)."""
    cert = repo.get_certificate(uow.session, _scope(uow), cert_id, for_update=True)
    uow.audit("catalog.certificate.delete", ENTITY, cert.id, before=snapshot(cert, CERT_FIELDS))
    uow.session.delete(cert)
    uow.flush()


def attach_document(uow: UnitOfWork, cert_id: int, *, key: str, name: str, content_type: str) -> SupplierCertificate:
    """Point the certificate at its uploaded document (the caller stores the bytes in the blob store)."""
    cert = repo.get_certificate(uow.session, _scope(uow), cert_id, for_update=True)
    before = snapshot(cert, CERT_FIELDS)
    cert.document_key, cert.document_name, cert.document_type = key, name[:200], content_type
    audit_changes(uow, "catalog.certificate.document", ENTITY, cert.id, before, snapshot(cert, CERT_FIELDS))
    uow.flush()
    return cert


def _check_refs(uow: UnitOfWork, supplier_id: int | None, category_id: int | None) -> None:
    if supplier_id is not None:
        catalog_repo.get_supplier(uow.session, _scope(uow, POLICY), supplier_id)
    if category_id is not None:
        cat = uow.session.get(Category, category_id)
        if cat is None or cat.tenant_id != uow.tenant_id:
            raise CategoryNotFound(f"category {category_id} not found", field="category_id")


def create_requirement(uow: UnitOfWork, data: RequirementCreate) -> CertificateRequirement:
    scope = _scope(uow, POLICY)
    if scope.supplier_id is not None:
        invalid(("supplier_id",), "supplier users cannot set the certificate policy")
    _check_refs(uow, data.supplier_id, data.category_id)
    values = data.model_dump(exclude={"type"})
    req = CertificateRequirement(tenant_id=scope.tenant_id, cert_type=data.type, **values)
    uow.session.add(req)
    uow.flush()
    uow.audit("catalog.certificate_requirement.create", REQ_ENTITY, req.id, after=snapshot(req, REQ_FIELDS))
    return req


def update_requirement(uow: UnitOfWork, req_id: int, data: RequirementUpdate) -> CertificateRequirement:
    scope = _scope(uow, POLICY)
    req = repo.get_requirement(uow.session, scope.tenant_id, req_id, for_update=True)
    before = snapshot(req, REQ_FIELDS)
    for key, value in data.model_dump(exclude_unset=True).items():
        setattr(req, key, value)
    audit_changes(uow, "catalog.certificate_requirement.update", REQ_ENTITY, req.id, before, snapshot(req, REQ_FIELDS))
    uow.flush()
    return req


def delete_requirement(uow: UnitOfWork, req_id: int) -> None:
    scope = _scope(uow, POLICY)
    req = repo.get_requirement(uow.session, scope.tenant_id, req_id, for_update=True)
    uow.audit("catalog.certificate_requirement.delete", REQ_ENTITY, req.id, before=snapshot(req, REQ_FIELDS))
    uow.session.delete(req)
    uow.flush()
