"""Read models of the cold chain for the API, the console and the HACCP log (DTOs, never ORM objects)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from boh.coldchain.domain import from_centi
from boh.coldchain.errors import ExcursionNotFound
from boh.coldchain.models import Excursion, Exposure, Reading, Record, Sensor, Unit
from boh.coldchain.schemas import ExcursionRead, ExposureRead, RecordRead, SensorRead, UnitRead
from boh.coldchain.service.lots import cumulative
from boh.inventory.api import lots_on_hand
from boh.kernel.paging import page
from boh.kernel.tenancy import Scope
from boh.kernel.uow import UnitOfWork
from boh.org.api import site_view

_site = site_view()


def _where_scope(scope: Scope, col: object) -> list[object]:
    where: list[object] = []
    if scope.site_ids is not None:
        where.append(col.in_(sorted(scope.site_ids)))  # type: ignore[attr-defined]
    return where


def list_units(uow: UnitOfWork, scope: Scope, site_id: int | None = None) -> list[UnitRead]:
    where = [Unit.tenant_id == scope.tenant_id, *_where_scope(scope, Unit.site_id)]
    if site_id is not None:
        where.append(Unit.site_id == site_id)
    units = list(uow.session.scalars(select(Unit).where(*where).order_by(Unit.site_id, Unit.code)))  # type: ignore[arg-type]
    sensors: dict[int, list[SensorRead]] = {}
    if units:
        for s in uow.session.scalars(
            select(Sensor).where(Sensor.unit_id.in_([u.id for u in units])).order_by(Sensor.code)
        ):
            sensors.setdefault(s.unit_id, []).append(SensorRead.model_validate(s))
    out = []
    for u in units:
        r = UnitRead.model_validate(u)
        r.sensors = sensors.get(u.id, [])
        out.append(r)
    return out


def _exc_read(uow: UnitOfWork, row: Excursion, unit: Unit, with_lots: bool) -> ExcursionRead:
    out = ExcursionRead(
        id=row.id, site_id=row.site_id, unit_id=row.unit_id, unit_code=unit.code, unit_name=unit.name,
        kind=row.kind, started_at=row.started_at, alarmed_at=row.alarmed_at, ended_at=row.ended_at,
        peak_c=row.peak_c, minutes_beyond=row.minutes_beyond, status=row.status,
    )  # fmt: skip
    if with_lots:
        out.exposures = exposures(uow, row)
    return out


def exposures(uow: UnitOfWork, row: Excursion) -> list[ExposureRead]:
    rows = list(uow.session.scalars(select(Exposure).where(Exposure.excursion_id == row.id).order_by(Exposure.id)))
    if not rows:
        return []
    totals = cumulative(uow, row.tenant_id, [r.lot_id for r in rows])
    lots = {lot.lot_id: lot for lot in lots_on_hand(uow.session, row.tenant_id, row.site_id)}
    out = []
    for r in rows:
        lot = lots.get(r.lot_id)
        out.append(ExposureRead(
            id=r.id, excursion_id=r.excursion_id, lot_id=r.lot_id, lot_code=lot.lot_code if lot else f"#{r.lot_id}",
            item_id=r.item_id, sku=lot.sku if lot else "", item_name=lot.name_en if lot else "", minutes=r.minutes,
            cumulative_minutes=int(totals.get(r.lot_id) or 0), status=r.status, reason=r.reason,
            decided_by=r.decided_by, decided_at=r.decided_at,
        ))  # fmt: skip
    return out


def list_excursions(uow: UnitOfWork, scope: Scope, *, site_id: int | None = None, unit_id: int | None = None,
                    kind: str | None = None, since: datetime | None = None, until: datetime | None = None,
                    limit: int = 100, offset: int = 0) -> tuple[list[ExcursionRead], int]:  # fmt: skip
    where = [Excursion.tenant_id == scope.tenant_id, *_where_scope(scope, Excursion.site_id)]
    if site_id is not None:
        where.append(Excursion.site_id == site_id)
    if unit_id is not None:
        where.append(Excursion.unit_id == unit_id)
    if kind is not None:
        where.append(Excursion.kind == kind)
    if since is not None:
        where.append(func.coalesce(Excursion.ended_at, datetime.now(UTC)) >= since)
    if until is not None:
        where.append(Excursion.started_at < until)
    total = uow.session.scalar(select(func.count()).select_from(Excursion).where(*where)) or 0  # type: ignore[arg-type]
    stmt = (
        select(Excursion, Unit).join(Unit, Unit.id == Excursion.unit_id).where(*where)  # type: ignore[arg-type]
        .order_by(Excursion.started_at.desc(), Excursion.id.desc())
    )  # fmt: skip
    rows = list(uow.session.execute(page(stmt, limit, offset)).all())
    return [_exc_read(uow, e, u, False) for e, u in rows], int(total)


def get_excursion(uow: UnitOfWork, scope: Scope, excursion_id: int) -> ExcursionRead:
    found = uow.session.execute(
        select(Excursion, Unit).join(Unit, Unit.id == Excursion.unit_id)
        .where(Excursion.tenant_id == scope.tenant_id, Excursion.id == excursion_id)
    ).first()  # fmt: skip
    if found is None or not scope.allows_site(found[0].site_id):
        raise ExcursionNotFound(f"excursion {excursion_id} not found")
    return _exc_read(uow, found[0], found[1], True)


@dataclass(frozen=True)
class Series:
    times: list[datetime]
    values: list[Decimal]


def temperature_series(
    uow: UnitOfWork, unit_id: int, start: datetime, end: datetime, step_min: int = 10, kind: str = "temperature"
) -> Series:
    """The unit's temperature (or ``kind``: its humidity) from ``start`` to ``end``, averaged per ``step_min``
    minutes (a chart's points)."""
    rows = uow.session.execute(
        select(Reading.at, Reading.value)
        .where(Reading.unit_id == unit_id, Reading.kind == kind, Reading.at >= start, Reading.at < end)
        .order_by(Reading.at)
    ).all()
    buckets: dict[datetime, list[int]] = {}
    step = timedelta(minutes=step_min)
    for at, value in rows:
        key = start + ((at - start) // step) * step
        buckets.setdefault(key, []).append(value)
    times = sorted(buckets)
    return Series(times, [from_centi(round(sum(buckets[t]) / len(buckets[t]))) for t in times])


@dataclass(frozen=True)
class DayLog:
    unit: UnitRead
    site_code: str
    site_name: str
    timezone: str
    day: date
    readings: int
    low: Decimal | None
    high: Decimal | None
    hourly: list[tuple[str, Decimal | None, Decimal | None]]  # local hour, min, max
    excursions: list[ExcursionRead]
    records: list[RecordRead]


def day_log(uow: UnitOfWork, scope: Scope, unit: Unit, day: date) -> DayLog:
    """The HACCP record of one unit and (local) day: readings summarised by hour, excursions and dropouts,
    corrective actions and sign-offs."""
    site = uow.session.execute(
        select(_site.c.code, _site.c.name, _site.c.timezone).where(_site.c.id == unit.site_id)
    ).one()
    zone = ZoneInfo(site.timezone)
    start = datetime.combine(day, time(0), zone).astimezone(UTC)
    end = start + timedelta(days=1)
    rows = uow.session.execute(
        select(Reading.at, Reading.value).where(
            Reading.unit_id == unit.id, Reading.kind == "temperature", Reading.at >= start, Reading.at < end
        )
    ).all()
    hours: dict[int, list[int]] = {}
    for at, value in rows:
        hours.setdefault(at.astimezone(zone).hour, []).append(value)
    hourly: list[tuple[str, Decimal | None, Decimal | None]] = [
        (f"{h:02d}:00", from_centi(min(hours[h])), from_centi(max(hours[h])))
        if h in hours
        else (f"{h:02d}:00", None, None)
        for h in range(24)
    ]
    values = [v for _, v in rows]
    excs, _n = list_excursions(uow, scope, unit_id=unit.id, since=start, until=end, limit=500)
    records = [RecordRead.model_validate(r) for r in uow.session.scalars(
        select(Record).where(Record.unit_id == unit.id, Record.day == day).order_by(Record.at))]  # fmt: skip
    return DayLog(
        unit=UnitRead.model_validate(unit),
        site_code=site.code, site_name=site.name, timezone=site.timezone, day=day, readings=len(values),
        low=from_centi(min(values)) if values else None, high=from_centi(max(values)) if values else None,
        hourly=hourly, excursions=excs, records=records,
    )  # fmt: skip
