"""Factories for supplier certificates and requirements (over the real services)."""

from __future__ import annotations

from datetime import date
from typing import Any

from boh.bootstrap import Runtime
from boh.catalog.certificates import service
from boh.catalog.certificates.schemas import CertificateCreate, RequirementCreate
from tests.factories import TenantRef


def make_certificate(
    rt: Runtime,
    t: TenantRef,
    supplier_id: int,
    cert_type: str = "food_safety",
    valid_to: date = date(2027, 6, 30),
    *,
    number: str | None = None,
    valid_from: date = date(2026, 1, 1),
    **extra: Any,
) -> int:
    data = CertificateCreate(
        type=cert_type,  # type: ignore[arg-type]
        number=number or f"{cert_type.upper()}-{valid_to.isoformat()}",
        issuer="SGS",
        valid_from=valid_from,
        valid_to=valid_to,
        **extra,
    )
    with rt.system_uow(t.id) as uow:
        cert, _ = service.create_certificate(uow, supplier_id, data)
        uow.commit()
        return cert.id


def make_requirement(
    rt: Runtime,
    t: TenantRef,
    cert_type: str = "food_safety",
    action: str = "block",
    *,
    supplier_id: int | None = None,
    category_id: int | None = None,
) -> int:
    data = RequirementCreate(
        type=cert_type,  # type: ignore[arg-type]
        action=action,  # type: ignore[arg-type]
        supplier_id=supplier_id,
        category_id=category_id,
    )
    with rt.system_uow(t.id) as uow:
        req = service.create_requirement(uow, data)
        uow.commit()
        return req.id
