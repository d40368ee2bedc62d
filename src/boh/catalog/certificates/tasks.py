"""The daily certificate expiry job: buyers are told once per certificate and threshold (30 days ahead,
7 days ahead, expired), never every day again; a renewal (a later certificate of the same supplier and type)
ends the warnings of the one it replaces."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select

from boh.catalog.certificates.domain import WARN_DAYS, warning_due
from boh.catalog.certificates.models import SupplierCertificate
from boh.catalog.certificates.notices import EXPIRED, EXPIRES, TYPE_NAMES
from boh.catalog.certificates.queries import expiring
from boh.kernel.clock import utcnow
from boh.kernel.manifest import JobSpec
from boh.kernel.tenancy import Scope
from boh.kernel.uow import UnitOfWork
from boh.notify.api import notify


def warn_expiring(uow: UnitOfWork, on: date) -> int:
    """Tell the tenant's buyers about each certificate whose warning is due on ``on``; returns how many
    warnings went out (0 on a re-run the same day or the next, until the next threshold)."""
    rows, _ = expiring(uow.session, Scope(uow.tenant_id), on, WARN_DAYS, limit=10_000)
    sent = 0
    for cert in rows:
        due = warning_due(cert.valid_to, on)
        if due is None:
            continue
        params = {
            "type": TYPE_NAMES[cert.type], "number": cert.number, "date": cert.valid_to.isoformat(),
            "supplier": {"en": cert.supplier_name, "zh": cert.supplier_name_zh or cert.supplier_name},
            "days": cert.days_left,
        }  # fmt: skip
        told = notify(
            uow, kind="certificate_expiry", message=EXPIRED if due == "expired" else EXPIRES, params=params,
            roles=["buyer"], link=f"/catalog/suppliers/{cert.supplier_id}#certificates",
            dedupe_key=f"catalog:certificate:{cert.id}:{cert.valid_to.isoformat()}:{due}",
        )  # fmt: skip
        sent += 1 if told else 0
    return sent


def check_certificates(runtime: Any, on: date | None = None) -> int:
    on = on or utcnow().date()
    with runtime.session_factory() as session:
        tenants = sorted(set(session.scalars(select(SupplierCertificate.tenant_id).distinct())))
    sent = 0
    for tenant_id in tenants:
        with runtime.system_uow(tenant_id, request_id="catalog-certificates") as uow:
            sent += warn_expiring(uow, on)
            uow.commit()
    return sent


JOBS = (JobSpec("catalog.certificate_expiry", check_certificates, daily_at="06:00"),)
