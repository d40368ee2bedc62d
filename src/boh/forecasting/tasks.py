"""Background job of forecasting (registered by the worker from the manifest): every night at 02:30 UTC,
each tenant with demand history gets a new forecast run (one transaction per tenant)."""

from __future__ import annotations

import os
from typing import Any

from sqlalchemy import select

from boh.forecasting import models, service
from boh.kernel.manifest import JobSpec


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
        run_id: int | None = session.scalar(select(models.Run.id).where(models.Run.tenant_id == tenant_id)
                              .order_by(models.Run.id.desc()).limit(1))  # fmt: skip
    return run_id


JOBS = (JobSpec("forecasting.run", run_all, daily_at="02:30", timezone="UTC", lease_seconds=3600),)
