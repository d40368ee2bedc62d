"""Background jobs of inspections (registered by the worker from the manifest): the daily escalation (03:00 UTC) of
overdue corrective actions, tenant by tenant, one transaction each (idempotent: an action is raised to a
level, and told, once)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from boh.inspections import models
from boh.inspections.service.actions import escalate_overdue
from boh.kernel.clock import utcnow
from boh.kernel.manifest import JobSpec


def escalate(runtime: Any) -> int:
    with runtime.session_factory() as session:
        stmt = select(models.Action.tenant_id).where(models.Action.status != "accepted").distinct()
        tenants = list(session.scalars(stmt))
    risen = 0
    for tenant_id in sorted(tenants):
        with runtime.system_uow(tenant_id, request_id="inspections-escalate") as uow:
            risen += escalate_overdue(uow, utcnow().date())
            uow.commit()
    return risen


JOBS = (JobSpec("inspections.actions.escalate", escalate, daily_at="03:00", timezone="UTC"),)
