"""Background jobs of forecasting (registered by the worker from the manifest):

- ``forecasting.run`` (every night at 02:30 UTC): each tenant with demand history gets a new forecast run (one
  transaction per tenant);
- ``forecasting.queued`` (every 10 s): the runs asked for through the API (``POST /api/v1/forecasting/runs``,
  status ``queued``) are claimed one at a time (a conditional UPDATE: two workers never run the same one),
  computed with their progress written as chunks finish, and stored as ``done``, or marked ``failed`` with
  problem details. A run left ``running`` by a worker that died is taken again after ``STALE``.
"""

from __future__ import annotations

import logging
import os
import time
from datetime import timedelta
from decimal import Decimal
from typing import Any, cast

from sqlalchemy import CursorResult, or_, select, update

from boh.forecasting import models, service
from boh.kernel.clock import utcnow
from boh.kernel.manifest import JobSpec

log = logging.getLogger("boh.forecasting")
STALE = timedelta(hours=2)  # a run still "running" after this lost its worker (the job's lease is 1 h)


def run_all(runtime: Any, *, tenant_ids: list[int] | None = None, options: service.RunOptions | None = None,
            ) -> list[int]:  # fmt: skip
    """A forecast run for each tenant (all, or ``tenant_ids``): the ids of the runs."""
    if tenant_ids is None:
        from boh.org.api import tenant_ids as all_tenants

        with runtime.session_factory() as session:
            tenant_ids = sorted(all_tenants(session))
    opts = options or service.RunOptions(processes=os.cpu_count() or 1)
    runs = []
    for tid in tenant_ids:
        with runtime.system_uow(tid, request_id="forecasting-run") as uow:
            run = service.run_forecast(uow, opts)
            if run.series:
                uow.commit()
                runs.append(run.id)
    return runs


def latest(runtime: Any, tenant_id: int) -> int | None:
    with runtime.session_factory() as session:
        R = models.Run
        run_id: int | None = session.scalar(select(R.id).where(R.tenant_id == tenant_id, R.status == "done")
                                            .order_by(R.id.desc()).limit(1))  # fmt: skip
    return run_id


def _claim(runtime: Any) -> int | None:
    """Take the oldest queued run (or a stale running one): its id, or None when there is none."""
    R = models.Run
    now = utcnow()
    waiting = or_(R.status == "queued", (R.status == "running") & (R.started_at < now - STALE))
    with runtime.session_factory() as session, session.begin():
        for run_id in session.scalars(select(R.id).where(waiting).order_by(R.id).limit(5)):
            claim = update(R).where(R.id == run_id, waiting).values(status="running", started_at=now, progress=0)
            res = cast(CursorResult[Any], session.execute(claim))
            if res.rowcount == 1:
                return int(run_id)
    return None


def _set(runtime: Any, run_id: int, **values: Any) -> None:
    R = models.Run
    with runtime.session_factory() as session, session.begin():
        session.execute(update(R).where(R.id == run_id, R.status == "running").values(**values))


def execute_run(runtime: Any, run_id: int, processes: int = 1) -> str:
    """Compute and store one claimed run (``running``): reads in one transaction, the models outside any (the
    progress is written as chunks finish), the results in one transaction. Its final status."""
    t0 = time.perf_counter()
    with runtime.session_factory() as session:
        run = session.get(models.Run, run_id)
        assert run is not None
        tenant_id = run.tenant_id
        scope, opts = service.queued_options(run, processes)
    try:
        with runtime.system_uow(tenant_id, request_id=f"forecasting-run-{run_id}") as uow:
            frames = service.prepare(uow.session, scope, opts, opts.origin or utcnow().date())

        def progress(share: float) -> None:  # the last 5% is storing
            _set(runtime, run_id, progress=Decimal(str(round(0.95 * share, 4))))

        res = service.compute(frames, opts, progress)
        with runtime.system_uow(tenant_id, request_id=f"forecasting-run-{run_id}") as uow:
            stored = uow.session.get(models.Run, run_id)
            assert stored is not None
            service.store_result(uow, stored, frames, opts, res, time.perf_counter() - t0)
            uow.commit()
        return "done"
    except Exception as exc:
        log.exception("forecast run %s failed", run_id)
        _set(runtime, run_id, status="failed", finished_at=utcnow(), error=service.problem_of(exc))
        return "failed"


def run_queued(runtime: Any, *, limit: int = 20) -> dict[str, list[int]]:
    """Run the forecast runs queued through the API, oldest first (at most ``limit`` in one go)."""
    out: dict[str, list[int]] = {"done": [], "failed": []}
    for _ in range(limit):
        run_id = _claim(runtime)
        if run_id is None:
            break
        out[execute_run(runtime, run_id, processes=os.cpu_count() or 1)].append(run_id)
    return out


JOBS = (
    JobSpec("forecasting.run", run_all, daily_at="02:30", timezone="UTC", lease_seconds=3600),
    JobSpec("forecasting.queued", run_queued, every_seconds=10, lease_seconds=3600),
)
