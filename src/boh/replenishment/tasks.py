"""Background jobs of replenishment: the nightly suggestion run of every tenant (then automatic ordering
under its rules), queued runs started from the API, and the escalation of approvals nobody acted on."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from boh.kernel.clock import utcnow
from boh.kernel.manifest import JobSpec
from boh.replenishment import models as m
from boh.replenishment.service import auto, review, run


def nightly(runtime: Any) -> int:
    """One run per tenant for today (idempotent per day), then automatic ordering; returns the lines made."""
    from boh.org.api import tenant_ids

    today = utcnow().date()
    with runtime.session_factory() as session:
        tenants = tenant_ids(session)
    lines = 0
    for tenant_id in tenants:
        with runtime.system_uow(tenant_id, request_id="replenishment-nightly") as uow:
            r = run.create_run(uow, order_day=today, idempotency_key=f"nightly:{today.isoformat()}")
            uow.commit()
            run_id = r.id
        done = run.execute(runtime, tenant_id, run_id)
        if done.status == "done":
            lines += done.lines
            with runtime.system_uow(tenant_id, request_id="replenishment-auto") as uow:
                auto.apply_rules(uow, run_id=run_id)
                uow.commit()
    return lines


def process_queued(runtime: Any) -> int:
    """Start the runs queued through the API (202 + poll)."""
    with runtime.session_factory() as session:
        queued = session.execute(select(m.Run.tenant_id, m.Run.id).where(m.Run.status == "queued")
                                 .order_by(m.Run.id)).all()  # fmt: skip
    for tenant_id, run_id in queued:
        run.execute(runtime, tenant_id, run_id)
    return len(queued)


def escalate(runtime: Any) -> int:
    """Escalate every approval step past its deadline (one level up, notified once)."""
    with runtime.session_factory() as session:
        tenants = list(session.scalars(select(m.Approval.tenant_id).where(m.Approval.status == "pending").distinct()))
    n = 0
    for tenant_id in sorted(tenants):
        with runtime.system_uow(tenant_id, request_id="replenishment-escalate") as uow:
            n += review.escalate_overdue(uow)
            uow.commit()
    return n


JOBS = (
    JobSpec("replenishment.nightly", nightly, daily_at="05:00", lease_seconds=3600),  # after forecasting.run
    JobSpec("replenishment.queued", process_queued, every_seconds=15, lease_seconds=3600),
    JobSpec("replenishment.escalate", escalate, every_seconds=900),
)
