"""The HACCP log's entries written by people: corrective actions and the daily sign-off of a unit."""

from __future__ import annotations

from sqlalchemy import select

from boh.coldchain.errors import ExcursionNotFound
from boh.coldchain.models import Excursion, Record
from boh.coldchain.schemas import RecordIn
from boh.coldchain.service._common import RECORD, get_unit
from boh.kernel.clock import utcnow
from boh.kernel.uow import UnitOfWork


def add_record(uow: UnitOfWork, unit_id: int, data: RecordIn) -> Record:
    unit = get_unit(uow, uow.principal.scope(RECORD), unit_id)
    if data.excursion_id is not None:
        exc = uow.session.scalars(
            select(Excursion).where(Excursion.id == data.excursion_id, Excursion.unit_id == unit.id).with_for_update()
        ).one_or_none()
        if exc is None:
            raise ExcursionNotFound(f"excursion {data.excursion_id} not found on this unit")
        if data.kind == "corrective":
            exc.status, exc.reviewed_by, exc.reviewed_at = "reviewed", uow.principal.actor, utcnow()
    day = data.day or utcnow().date()
    row = Record(tenant_id=uow.tenant_id, unit_id=unit.id, day=day, kind=data.kind, excursion_id=data.excursion_id,
                 note=data.note, by=uow.principal.actor, by_name=uow.principal.name, at=utcnow())  # fmt: skip
    uow.session.add(row)
    uow.flush()
    uow.audit(f"coldchain.record.{data.kind}", "coldchain_record", row.id, after={"unit": unit.id, "day": str(day)})
    return row
