"""Reads of the policy simulation (the pages and the CLI)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from boh.replenishment.simulation import models


def runs(session: Session, tenant_id: int, limit: int = 20) -> list[models.SimRun]:
    R = models.SimRun
    stmt = select(R).where(R.tenant_id == tenant_id).order_by(R.started_at.desc(), R.id.desc()).limit(limit)
    return list(session.scalars(stmt))


def get_run(session: Session, tenant_id: int, run_id: int) -> models.SimRun | None:
    run = session.get(models.SimRun, run_id)
    return run if run is not None and run.tenant_id == tenant_id else None


def choices(session: Session, run_id: int) -> dict[str, models.SimChoice]:
    C = models.SimChoice
    return {c.category: c for c in session.scalars(select(C).where(C.run_id == run_id))}
