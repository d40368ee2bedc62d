"""Public functions of the cold chain for the domains above it (and the inspections' risk signals later):
small frozen DTOs, never ORM objects.

- ``excursion_counts``: per site, the excursions and dropouts since a time;
- ``lot_sensor_reports``: what the sensors saw of given lots, one report per excursion a lot was exposed to
  (the unit, its sensors, the limit, min/max/mean temperature over the excursion, minutes beyond the limit
  and the lot's decision): the sensor data of trace's EPCIS export."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from boh.coldchain.models import Excursion, Exposure, Reading, Sensor, Unit

__all__ = ["ExcursionCount", "LotSensorReport", "excursion_counts", "lot_sensor_reports"]


@dataclass(frozen=True)
class ExcursionCount:
    site_id: int
    excursions: int  # temperature excursions that alarmed
    dropouts: int


def excursion_counts(
    session: Session, tenant_id: int, site_ids: Iterable[int], since: datetime
) -> list[ExcursionCount]:
    """Per site, the excursions and dropouts that began since ``since`` (sites without any are absent)."""
    wanted = sorted(set(site_ids))
    if not wanted:
        return []
    rows = session.execute(
        select(Excursion.site_id, Excursion.kind, func.count())
        .where(Excursion.tenant_id == tenant_id, Excursion.site_id.in_(wanted), Excursion.started_at >= since)
        .group_by(Excursion.site_id, Excursion.kind)
    ).all()
    out: dict[int, list[int]] = {}
    for site_id, kind, n in rows:
        out.setdefault(site_id, [0, 0])[0 if kind == "temperature" else 1] += int(n)
    return [ExcursionCount(s, *v) for s, v in sorted(out.items())]


@dataclass(frozen=True)
class LotSensorReport:
    lot_id: int
    item_id: int
    site_id: int
    unit_code: str
    unit_kind: str  # fridge | freezer | hot_holding | vehicle
    direction: str  # max: above the limit is bad | min: below it
    limit_c: Decimal
    started_at: datetime
    ended_at: datetime | None  # None: still going on
    minutes_beyond: int
    decision: str  # the lot's exposure: flagged | quarantined | released | wasted
    sensors: tuple[str, ...]  # the unit's temperature sensors (device codes)
    readings: int
    min_c: Decimal | None
    max_c: Decimal | None
    mean_c: Decimal | None


_C = Decimal("0.01")


def lot_sensor_reports(
    session: Session, tenant_id: int, lot_ids: Iterable[int], site_ids: frozenset[int] | None = None
) -> list[LotSensorReport]:
    """One report per (lot, excursion) the lot was exposed to, by start time; ``site_ids`` limits the sites
    (None: all). Temperatures are summarised from the unit's readings over the excursion."""
    wanted = sorted(set(lot_ids))
    if not wanted:
        return []
    stmt = (
        select(Exposure, Excursion, Unit)
        .join(Excursion, Excursion.id == Exposure.excursion_id)
        .join(Unit, Unit.id == Excursion.unit_id)
        .where(Exposure.tenant_id == tenant_id, Exposure.lot_id.in_(wanted), Excursion.kind == "temperature")
        .order_by(Excursion.started_at, Exposure.lot_id)
    )
    rows = [r for r in session.execute(stmt).all() if site_ids is None or r[0].site_id in site_ids]
    out: list[LotSensorReport] = []
    summaries: dict[int, tuple[int, Decimal | None, Decimal | None, Decimal | None]] = {}
    for exposure, exc, unit in rows:
        if exc.id not in summaries:
            summaries[exc.id] = _summary(session, tenant_id, unit.id, exc.started_at, exc.ended_at)
        n, low, high, mean = summaries[exc.id]
        sensors = tuple(session.scalars(
            select(Sensor.code).where(Sensor.tenant_id == tenant_id, Sensor.unit_id == unit.id,
                                      Sensor.kind == "temperature").order_by(Sensor.code)
        ))  # fmt: skip
        out.append(LotSensorReport(
            exposure.lot_id, exposure.item_id, exposure.site_id, unit.code, unit.kind, unit.direction, unit.limit_c,
            exc.started_at, exc.ended_at, exc.minutes_beyond, exposure.status, sensors, n, low, high, mean,
        ))  # fmt: skip
    return out


def _summary(
    session: Session, tenant_id: int, unit_id: int, start: datetime, end: datetime | None
) -> tuple[int, Decimal | None, Decimal | None, Decimal | None]:
    """Readings, min, max and mean temperature (°C, exact to the hundredth) of a unit from ``start`` until
    ``end`` (the excursion's first reading back within the limit, not counted; None: until now)."""
    stmt = select(func.count(), func.min(Reading.value), func.max(Reading.value), func.sum(Reading.value)).where(
        Reading.tenant_id == tenant_id, Reading.unit_id == unit_id, Reading.kind == "temperature",
        Reading.at >= start,
    )  # fmt: skip
    n, low, high, total = session.execute(stmt if end is None else stmt.where(Reading.at < end)).one()
    if not n:
        return 0, None, None, None
    mean = (Decimal(int(total)) / int(n) / 100).quantize(_C)
    return int(n), (Decimal(int(low)) / 100).quantize(_C), (Decimal(int(high)) / 100).quantize(_C), mean
