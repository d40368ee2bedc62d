"""Scheduled-run state in the database: sync, atomic claim of due slots, run and finish, history.

Claiming is one conditional UPDATE per job (``next_run_at <= now`` and no live lease); the worker whose
UPDATE changed the row owns the slot, on PostgreSQL (row lock, re-check after the winner commits) and
on SQLite (``BEGIN IMMEDIATE`` serialises writers) alike. The slot advances when the run finishes, so a
worker that dies mid-run leaves a lease that expires and the slot is run again by another worker: jobs
must be idempotent.
"""

from __future__ import annotations

import json
import logging
import uuid
from dataclasses import dataclass, field
from typing import Any, cast

from sqlalchemy import CursorResult, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, sessionmaker

from boh.kernel.clock import utcnow
from boh.kernel.db import error_text
from boh.kernel.events import canonical_json
from boh.worker.jobs import Job, JobFailed, JobRegistry, UnknownJob, WorkerRuntime
from boh.worker.models import WorkerJobRun, WorkerSchedule

log = logging.getLogger("boh.worker")


@dataclass(frozen=True)
class Claim:
    """A won schedule slot: the run row created for it and the token that fences its finish."""

    name: str
    run_id: int
    token: str
    kwargs: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class RunOutcome:
    run_id: int
    name: str
    status: str  # ok | failed
    error: str | None
    result: Any


def _insert(session: Session) -> Any:
    return postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert


def sync_schedules(session_factory: sessionmaker[Session], registry: JobRegistry) -> None:
    """Create the schedule row of every scheduled job; reset the next slot of a job whose schedule changed."""
    now = utcnow()
    with session_factory() as session, session.begin():
        insert = _insert(session)
        for job in registry.scheduled():
            assert job.schedule is not None
            session.execute(
                insert(WorkerSchedule)
                .values(name=job.name, spec=job.schedule.spec, next_run_at=job.schedule.first_after(now))
                .on_conflict_do_nothing(index_elements=["name"])
            )
            session.execute(
                update(WorkerSchedule)
                .where(WorkerSchedule.name == job.name, WorkerSchedule.spec != job.schedule.spec)
                .values(spec=job.schedule.spec, next_run_at=job.schedule.first_after(now))
            )


def _lease_free(now: Any) -> Any:
    return or_(WorkerSchedule.running_until.is_(None), WorkerSchedule.running_until < now)


def _claim_one(session_factory: sessionmaker[Session], job: Job) -> Claim | None:
    now = utcnow()
    token = uuid.uuid4().hex
    with session_factory() as session, session.begin():
        res = cast(
            CursorResult[Any],
            session.execute(
                update(WorkerSchedule)
                .where(WorkerSchedule.name == job.name, WorkerSchedule.next_run_at <= now, _lease_free(now))
                .values(running_until=now + job.lease, lease_owner=token, last_run_at=now)
            ),
        )
        if res.rowcount != 1:
            return None
        run = WorkerJobRun(name=job.name, trigger="schedule", status="queued", queued_at=now, args=dict(job.kwargs))
        session.add(run)
        session.flush()
        return Claim(job.name, run.id, token, dict(job.kwargs))


def claim_due(session_factory: sessionmaker[Session], registry: JobRegistry) -> list[Claim]:
    """Claim every due slot of the registered jobs that no other worker holds."""
    now = utcnow()
    with session_factory() as session:
        names = list(
            session.scalars(
                select(WorkerSchedule.name)
                .where(WorkerSchedule.next_run_at <= now, _lease_free(now))
                .order_by(WorkerSchedule.next_run_at)
            )
        )
    claims = []
    for name in names:
        if name in registry:
            claim = _claim_one(session_factory, registry.get(name))
            if claim is not None:
                claims.append(claim)
    return claims


def release_claim(session_factory: sessionmaker[Session], claim: Claim, error: str) -> None:
    """Give a slot back without running it (the broker refused the message): it stays due."""
    with session_factory() as session, session.begin():
        session.execute(
            update(WorkerSchedule)
            .where(WorkerSchedule.name == claim.name, WorkerSchedule.lease_owner == claim.token)
            .values(running_until=None, lease_owner=None)
        )
        _finish_run(session, claim.run_id, "failed", error, None)


def _json_safe(value: Any) -> Any:
    return None if value is None else json.loads(canonical_json(value))


def _finish_run(session: Session, run_id: int, status: str, error: str | None, result: Any) -> None:
    session.execute(
        update(WorkerJobRun)
        .where(WorkerJobRun.id == run_id)
        .values(status=status, error=error, result=result, finished_at=utcnow())
    )


def _start_run(session_factory: sessionmaker[Session], name: str, kwargs: dict[str, Any], run_id: int | None) -> int:
    with session_factory() as session, session.begin():
        if run_id is None:
            run = WorkerJobRun(
                name=name,
                trigger="manual",
                status="running",
                queued_at=utcnow(),
                started_at=utcnow(),
                args=_json_safe(kwargs) or {},
            )
            session.add(run)
            session.flush()
            return run.id
        session.execute(
            update(WorkerJobRun).where(WorkerJobRun.id == run_id).values(status="running", started_at=utcnow())
        )
        return run_id


def _call(job: Job, runtime: WorkerRuntime, kwargs: dict[str, Any]) -> tuple[str, str | None, Any]:
    try:
        return "ok", None, _json_safe(job.fn(runtime, **kwargs))
    except JobFailed as exc:
        log.error("job failed: job=%s error=%s", job.name, exc)
        return "failed", str(exc)[:4000], _json_safe(exc.result)
    except Exception as exc:
        log.exception("job crashed: job=%s", job.name)
        return "failed", error_text(exc)[:4000], None


def execute(
    runtime: WorkerRuntime,
    registry: JobRegistry,
    name: str,
    kwargs: dict[str, Any] | None = None,
    *,
    run_id: int | None = None,
    token: str | None = None,
) -> RunOutcome:
    """Run a job now and record the run. With ``token`` (a claimed slot) also advance its schedule."""
    sf = runtime.session_factory
    kwargs = dict(kwargs or {})
    try:
        job = registry.get(name)
    except UnknownJob as exc:
        rid = _start_run(sf, name, kwargs, run_id)
        with sf() as session, session.begin():
            _finish_run(session, rid, "failed", str(exc), None)
        return RunOutcome(rid, name, "failed", str(exc), None)
    rid = _start_run(sf, name, kwargs, run_id)
    status, error, result = _call(job, runtime, kwargs)
    with sf() as session, session.begin():
        _finish_run(session, rid, status, error, result)
        if token is not None and job.schedule is not None:
            session.execute(
                update(WorkerSchedule)
                .where(WorkerSchedule.name == name, WorkerSchedule.lease_owner == token)
                .values(
                    next_run_at=job.schedule.next_after(utcnow()),
                    running_until=None,
                    lease_owner=None,
                    last_status=status,
                    last_error=error,
                )
            )
    return RunOutcome(rid, name, status, error, result)


def run_due(runtime: WorkerRuntime, registry: JobRegistry) -> list[RunOutcome]:
    """Claim and run, in this thread, every due slot (embedded mode and ``boh worker --once``)."""
    return [
        execute(runtime, registry, c.name, c.kwargs, run_id=c.run_id, token=c.token)
        for c in claim_due(runtime.session_factory, registry)
    ]


def schedule_rows(session_factory: sessionmaker[Session]) -> dict[str, WorkerSchedule]:
    with session_factory() as session:
        return {row.name: row for row in session.scalars(select(WorkerSchedule))}
