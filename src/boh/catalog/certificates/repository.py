"""Reads and locks of certificates and requirements (write side and the verdict)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from boh.catalog.certificates.domain import CertFact, CertificateVerdict, RequirementFact, verdict
from boh.catalog.certificates.models import CertificateRequirement, SupplierCertificate
from boh.catalog.errors import CertificateNotFound, SupplierNotFound
from boh.catalog.models import Category, Item, Supplier
from boh.kernel.tenancy import Scope


def get_certificate(session: Session, scope: Scope, cert_id: int, *, for_update: bool = False) -> SupplierCertificate:
    stmt = select(SupplierCertificate).where(
        SupplierCertificate.id == cert_id, SupplierCertificate.tenant_id == scope.tenant_id
    )
    if for_update:
        stmt = stmt.with_for_update()
    cert = session.scalars(stmt).one_or_none()
    if cert is None or (scope.supplier_id is not None and cert.supplier_id != scope.supplier_id):
        raise CertificateNotFound(f"certificate {cert_id} not found")
    return cert


def certificate_by_number(
    session: Session, supplier_id: int, cert_type: str, number: str
) -> SupplierCertificate | None:
    return session.scalars(
        select(SupplierCertificate).where(
            SupplierCertificate.supplier_id == supplier_id,
            SupplierCertificate.cert_type == cert_type,
            SupplierCertificate.number == number,
        )
    ).first()


def get_requirement(
    session: Session, tenant_id: int, req_id: int, *, for_update: bool = False
) -> CertificateRequirement:
    stmt = select(CertificateRequirement).where(
        CertificateRequirement.id == req_id, CertificateRequirement.tenant_id == tenant_id
    )
    if for_update:
        stmt = stmt.with_for_update()
    req = session.scalars(stmt).one_or_none()
    if req is None:
        raise CertificateNotFound(f"certificate requirement {req_id} not found")
    return req


def category_closure(session: Session, tenant_id: int, item_ids: Iterable[int]) -> frozenset[int]:
    """The categories of these items and all their ancestors."""
    ids = sorted(set(item_ids))
    if not ids:
        return frozenset()
    direct = set(
        session.scalars(
            select(Item.category_id).where(Item.tenant_id == tenant_id, Item.id.in_(ids), Item.category_id.is_not(None))
        )
    )
    if not direct:
        return frozenset()
    parents: dict[int, int | None] = {
        cid: pid
        for cid, pid in session.execute(select(Category.id, Category.parent_id).where(Category.tenant_id == tenant_id))
    }
    out: set[int] = set()
    for cid in direct:
        cur: int | None = cid
        while cur is not None and cur not in out:
            out.add(cur)
            cur = parents.get(cur)
    return frozenset(out)


def active_requirements(session: Session, tenant_id: int) -> list[RequirementFact]:
    rows = session.scalars(
        select(CertificateRequirement)
        .where(CertificateRequirement.tenant_id == tenant_id, CertificateRequirement.active)
        .order_by(CertificateRequirement.id)
    )
    return [RequirementFact(r.cert_type, r.action, r.supplier_id, r.category_id) for r in rows]


def supplier_cert_facts(session: Session, tenant_id: int, supplier_id: int) -> list[CertFact]:
    rows = session.execute(
        select(
            SupplierCertificate.cert_type,
            SupplierCertificate.valid_from,
            SupplierCertificate.valid_to,
            SupplierCertificate.status,
        ).where(SupplierCertificate.tenant_id == tenant_id, SupplierCertificate.supplier_id == supplier_id)
    ).all()
    return [CertFact(t, f, v, s) for t, f, v, s in rows]


def compute_verdict(
    session: Session, tenant_id: int, supplier_id: int, on_date: date, item_ids: Iterable[int] = ()
) -> CertificateVerdict:
    code = session.scalar(select(Supplier.code).where(Supplier.id == supplier_id, Supplier.tenant_id == tenant_id))
    if code is None:
        raise SupplierNotFound(f"supplier {supplier_id} not found")
    requirements = active_requirements(session, tenant_id)
    if not requirements:
        return CertificateVerdict("ok", ())
    return verdict(
        supplier_id,
        code,
        requirements,
        supplier_cert_facts(session, tenant_id, supplier_id),
        on_date,
        category_closure(session, tenant_id, item_ids),
    )
