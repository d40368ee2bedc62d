"""Shared parts of the cold-chain use cases: permissions, loading a unit in the caller's scope, its limits."""

from __future__ import annotations

from sqlalchemy import select

from boh.coldchain.domain import Limits, centi, parse_defrost
from boh.coldchain.errors import UnitNotFound
from boh.coldchain.models import Unit
from boh.kernel.tenancy import Scope
from boh.kernel.uow import UnitOfWork
from boh.org.api import get_site_ref

READ = "coldchain.unit.read"
WRITE = "coldchain.unit.write"
INGEST = "coldchain.readings.write"
DECIDE = "coldchain.excursion.decide"
RECORD = "coldchain.record.write"


def get_unit(uow: UnitOfWork, scope: Scope, unit_id: int, *, lock: bool = False) -> Unit:
    stmt = select(Unit).where(Unit.tenant_id == scope.tenant_id, Unit.id == unit_id)
    if lock:
        stmt = stmt.with_for_update()
    unit = uow.session.scalars(stmt).one_or_none()
    if unit is None or not scope.allows_site(unit.site_id):
        raise UnitNotFound(f"unit {unit_id} not found")
    return unit


def limits(uow: UnitOfWork, unit: Unit) -> Limits:
    site = get_site_ref(uow.session, Scope(unit.tenant_id), unit.site_id, cached=True)
    return Limits(
        limit=centi(unit.limit_c), direction=unit.direction, hysteresis=centi(unit.hysteresis_c),
        min_duration_s=unit.min_duration_s, door_grace_s=unit.door_grace_s, door_max_s=unit.door_max_s,
        dropout_s=unit.dropout_s, reading_gap_s=unit.reading_gap_s, defrost=parse_defrost(unit.defrost or []),
        defrost_recovery_s=unit.defrost_recovery_s, timezone=site.timezone,
    )  # fmt: skip
