"""Built-in jobs and the registry of every job of the application.

- ``outbox.relay``: deliver due outbox events to their in-process handlers once (the worker loops
  already do this continuously; the job exists for ``boh jobs run``).
- ``outbox.cleanup`` (daily): delete delivered outbox rows, and their delivery records, older than N days.
- ``audit.checkpoint`` (every ``audit.checkpoint_minutes``): sign the head of every chain that moved and
  store it outside the database (``boh.kernel.audit_checkpoints``).
- ``audit.verify`` (daily): walk every audit chain and check it against its latest checkpoint; every tenant
  must have a chain; the run fails and names the first broken record.

Domain jobs (forecast runs, order suggestions, escalations) are added in ``build_registry`` from each
domain's ``tasks.py``.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import delete, select

from boh import registry
from boh.kernel.clock import utcnow
from boh.kernel.outbox import OutboxDelivery, OutboxRecord, relay_once
from boh.settings import Settings
from boh.worker import audit
from boh.worker.jobs import Daily, Every, JobFailed, JobRegistry, WorkerRuntime

CLEANUP_BATCH = 1000


def relay_outbox(runtime: WorkerRuntime) -> dict[str, int]:
    """Deliver due outbox events to their in-process handlers once."""
    cfg = runtime.settings.worker
    done = relay_once(
        runtime.session_factory,
        runtime.system_uow,
        runtime.bus,
        batch_size=cfg.batch_size,
        max_attempts=cfg.max_attempts,
    )
    return {"completed": done}


def cleanup_outbox(runtime: WorkerRuntime, older_than_days: int = 30) -> dict[str, int]:
    """Delete delivered outbox events (and their delivery records) older than N days."""
    if int(older_than_days) < 1:
        raise JobFailed("older_than_days must be at least 1")
    cutoff = utcnow() - timedelta(days=int(older_than_days))
    deleted = 0
    while True:  # one transaction per batch, so a huge backlog never holds long locks
        with runtime.session_factory() as session, session.begin():
            rows = session.execute(
                select(OutboxRecord.id, OutboxRecord.event_id)
                .where(OutboxRecord.status == "done", OutboxRecord.dispatched_at < cutoff)
                .order_by(OutboxRecord.id)
                .limit(CLEANUP_BATCH)
            ).all()
            if not rows:
                return {"deleted": deleted, "older_than_days": int(older_than_days)}
            session.execute(delete(OutboxDelivery).where(OutboxDelivery.event_id.in_([r.event_id for r in rows])))
            session.execute(delete(OutboxRecord).where(OutboxRecord.id.in_([r.id for r in rows])))
            deleted += len(rows)


def verify_audit_chains(runtime: WorkerRuntime) -> dict[str, Any]:
    """Verify every audit chain against its latest signed checkpoint; fail naming the first problem of each."""
    reports = audit.verify(runtime)
    broken = [audit.report_dict(r) for r in reports if r.problem is not None]
    result = {"chains": len(reports), "records": sum(r.records for r in reports), "broken": broken}
    if broken:
        raise JobFailed("; ".join(f"chain {b['chain_id']}: {b['message']}" for b in broken), result)
    return result


def checkpoint_audit_chains(runtime: WorkerRuntime) -> dict[str, Any]:
    """Sign and store the head of every audit chain that moved since its latest checkpoint."""
    written = audit.checkpoint(runtime)
    return {"checkpoints": [{"chain_id": c.chain_id, "seq": c.seq, "key_id": c.key_id} for c in written]}


def register_builtin(registry: JobRegistry, settings: Settings | None = None) -> JobRegistry:
    minutes = settings.audit.checkpoint_minutes if settings is not None else 15
    registry.register("outbox.relay", relay_outbox, lease=timedelta(minutes=10))
    registry.register("audit.checkpoint", checkpoint_audit_chains, schedule=Every(minutes * 60))
    registry.register("outbox.cleanup", cleanup_outbox, schedule=Daily("03:30", "UTC"), kwargs={"older_than_days": 30})
    registry.register("audit.verify", verify_audit_chains, schedule=Daily("04:00", "UTC"), lease=timedelta(hours=6))
    return registry


def build_registry(settings: Settings | None = None) -> JobRegistry:
    """Every job of the application: the platform's own, then each domain's (its tasks.JOBS, named by its
    manifest)."""
    jobs = register_builtin(JobRegistry(), settings)
    for spec in registry.jobs():
        schedule = (
            Every(spec.every_seconds)
            if spec.every_seconds is not None
            else Daily(spec.daily_at, spec.timezone)
            if spec.daily_at is not None
            else None
        )
        lease = timedelta(seconds=spec.lease_seconds or 3600)
        jobs.register(spec.name, spec.fn, schedule=schedule, kwargs=dict(spec.kwargs), lease=lease)
    return jobs
