"""Background jobs of the cold chain: every 5 minutes, a temperature sensor silent for longer than its
unit's dropout time opens a dropout (reported as such, and told once); its readings resuming close it."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select

from boh.coldchain.models import Excursion, Sensor, Unit
from boh.http.pages import N_
from boh.kernel.clock import utcnow
from boh.kernel.manifest import JobSpec
from boh.kernel.uow import UnitOfWork
from boh.notify.api import notify

SILENT = N_("Cold chain: no readings from %(unit)s since %(since)s")


def open_dropouts(uow: UnitOfWork) -> int:
    now = utcnow()
    rows = uow.session.execute(
        select(Unit, Sensor.last_at)
        .join(Sensor, Sensor.unit_id == Unit.id)
        .where(
            Unit.tenant_id == uow.tenant_id,
            Unit.active,
            Sensor.active,
            Sensor.kind == "temperature",
            Sensor.last_at.is_not(None),
        )
    ).all()
    opened = 0
    for unit, last_at in rows:
        if last_at is None or now - last_at <= timedelta(seconds=unit.dropout_s):
            continue
        known = uow.session.scalar(select(Excursion.id).where(
            Excursion.unit_id == unit.id, Excursion.kind == "dropout", Excursion.started_at == last_at))  # fmt: skip
        if known is not None:
            continue
        row = Excursion(tenant_id=unit.tenant_id, site_id=unit.site_id, unit_id=unit.id, kind="dropout",
                        started_at=last_at, ended_at=None, minutes_beyond=0, status="open")  # fmt: skip
        uow.session.add(row)
        uow.flush()
        notify(uow, kind="cold_chain_dropout", message=SILENT,
               params={"unit": {"en": unit.name, "zh": unit.name_zh or unit.name},
                       "since": last_at.strftime("%Y-%m-%d %H:%M UTC")},
               roles=["store_manager"], site_id=unit.site_id, link=f"/coldchain/units/{unit.id}",
               dedupe_key=f"coldchain:dropout:{row.id}")  # fmt: skip
        opened += 1
    return opened


def check_dropouts(runtime: Any) -> int:
    with runtime.session_factory() as session:
        tenants = list(session.scalars(select(Unit.tenant_id).where(Unit.active).distinct()))
    opened = 0
    for tenant_id in sorted(tenants):
        with runtime.system_uow(tenant_id, request_id="coldchain-dropouts") as uow:
            opened += open_dropouts(uow)
            uow.commit()
    return opened


JOBS = (JobSpec("coldchain.dropouts", check_dropouts, every_seconds=300),)
