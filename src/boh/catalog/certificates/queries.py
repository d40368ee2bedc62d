"""Read models of certificates for the API, pages, the today page and the expiry job (DTOs, never ORM)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import and_, exists, func, select
from sqlalchemy.orm import Session, aliased

from boh.catalog.certificates.domain import WARN_DAYS, CertFact, cert_state, days_left
from boh.catalog.certificates.models import CertificateRequirement, SupplierCertificate
from boh.catalog.certificates.repository import get_certificate
from boh.catalog.certificates.schemas import CertificateRead, RequirementRead
from boh.catalog.models import Category, Supplier
from boh.kernel.paging import page
from boh.kernel.tenancy import Scope

C = SupplierCertificate


def _select() -> Any:
    return select(C, Supplier).join(Supplier, Supplier.id == C.supplier_id)


def _read(cert: SupplierCertificate, supplier: Supplier, on: date) -> CertificateRead:
    fact = CertFact(cert.cert_type, cert.valid_from, cert.valid_to, cert.status)
    return CertificateRead(
        id=cert.id, supplier_id=supplier.id, supplier_code=supplier.code, supplier_name=supplier.name,
        supplier_name_zh=supplier.name_zh, type=cert.cert_type, number=cert.number, issuer=cert.issuer,  # type: ignore[arg-type]
        valid_from=cert.valid_from, valid_to=cert.valid_to, scope_note=cert.scope_note, status=cert.status,  # type: ignore[arg-type]
        state=cert_state(fact, on), days_left=days_left(cert.valid_to, on), document_name=cert.document_name,
        document_url=f"/api/v1/catalog/certificates/{cert.id}/document" if cert.document_key else None,
    )  # fmt: skip


def _scoped(stmt: Any, scope: Scope) -> Any:
    stmt = stmt.where(C.tenant_id == scope.tenant_id)
    if scope.supplier_id is not None:
        stmt = stmt.where(C.supplier_id == scope.supplier_id)
    return stmt


def supplier_certificates(
    session: Session, scope: Scope, supplier_id: int, on: date, limit: int = 100, offset: int = 0
) -> tuple[list[CertificateRead], int]:
    stmt = _scoped(_select(), scope).where(C.supplier_id == supplier_id)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = session.execute(page(stmt.order_by(C.cert_type, C.valid_to.desc(), C.id), limit, offset)).all()
    return [_read(c, s, on) for c, s in rows], total


def get_certificate_read(session: Session, scope: Scope, cert_id: int, on: date) -> CertificateRead:
    cert = get_certificate(session, scope, cert_id)
    supplier = session.get(Supplier, cert.supplier_id)
    assert supplier is not None
    return _read(cert, supplier, on)


def expiring(
    session: Session, scope: Scope, on: date, days: int = WARN_DAYS, limit: int = 100, offset: int = 0
) -> tuple[list[CertificateRead], int]:
    """Active certificates of active suppliers whose last day is within ``days`` (or past), and that no
    later certificate of the same supplier and type replaces (a renewal ends the warning), soonest first."""
    later = aliased(C)
    renewed = exists().where(
        and_(later.supplier_id == C.supplier_id, later.cert_type == C.cert_type, later.status == "active",
             later.valid_to > C.valid_to, later.id != C.id)
    )  # fmt: skip
    stmt = _scoped(_select(), scope).where(
        C.status == "active", Supplier.active, C.valid_to <= on + timedelta(days=days), ~renewed
    )
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = session.execute(page(stmt.order_by(C.valid_to, C.id), limit, offset)).all()
    return [_read(c, s, on) for c, s in rows], total


def requirements(session: Session, tenant_id: int) -> list[RequirementRead]:
    rows = session.execute(
        select(CertificateRequirement, Supplier.code, Category.code)
        .outerjoin(Supplier, Supplier.id == CertificateRequirement.supplier_id)
        .outerjoin(Category, Category.id == CertificateRequirement.category_id)
        .where(CertificateRequirement.tenant_id == tenant_id)
        .order_by(CertificateRequirement.cert_type, CertificateRequirement.id)
    ).all()
    return [
        RequirementRead(
            id=r.id,
            type=r.cert_type,
            action=r.action,
            supplier_id=r.supplier_id,
            supplier_code=sc,  # type: ignore[arg-type]
            category_id=r.category_id,
            category_code=cc,
            note=r.note,
            active=r.active,
        )
        for r, sc, cc in rows
    ]
