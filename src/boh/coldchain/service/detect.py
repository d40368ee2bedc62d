"""Re-judging units after new readings: the detector (``domain.detect``) runs again over the stored readings
around the new ones, and what it finds is reconciled with the excursions found before.

- An alarmed excursion that overlaps a stored one *is* that one: the row is updated (start, end, peak,
  minutes beyond the limit: the readings known now decide), never duplicated, so a redelivered, late or
  out-of-order reading raises no second alert. One that overlaps none is new: its row is the alert (people
  are notified once) and the lots stored in the unit are flagged (``lots.py``).
- Humidity excursions (a unit with humidity limits) are found the same way on the humidity readings and
  reconciled the same way; they are told once but flag no lots.
- Dropouts (gaps in the readings) in the window are made to match the readings exactly: a gap that a late
  reading filled disappears. They are records, not alerts; a sensor silent *now* is found by the
  ``coldchain.dropouts`` job, which does notify.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import cast

from sqlalchemy import Table, delete, or_, select

from boh.coldchain.domain import Detection, Found, Gap, Limits, centi, detect, from_centi, humidity_limits
from boh.coldchain.models import Excursion, Reading, Unit
from boh.coldchain.service._common import limits
from boh.kernel.uow import UnitOfWork


def rejudge(uow: UnitOfWork, windows: dict[int, tuple[datetime, datetime]]) -> list[Excursion]:
    """Re-run the detector for these units around these times; the excursions that are new."""
    if not windows:
        return []
    # one judge per unit at a time: concurrent batches of a unit (two HTTP calls, two subscribers) wait here,
    # then see each other's readings and rows, so an excursion is never made twice (locks in id order)
    stmt = select(Unit).where(Unit.id.in_(sorted(windows))).order_by(Unit.id).with_for_update()
    units = {u.id: u for u in uow.session.scalars(stmt)}
    new: list[Excursion] = []
    for unit_id in sorted(windows):
        unit = units[unit_id]
        lo, hi = windows[unit_id]
        new.extend(_rejudge_unit(uow, unit, lo, hi))
    return new


def _rejudge_unit(uow: UnitOfWork, unit: Unit, lo: datetime, hi: datetime) -> list[Excursion]:
    from boh.coldchain.service.lots import excursion_changed, excursion_found

    lim = limits(uow, unit)
    back = lim.lookback
    t0, t1 = lo - back, hi + back
    stored = _stored(uow, unit.id, t0, t1)
    for row in stored:
        if row.kind in ("temperature", "humidity"):
            t0 = min(t0, row.started_at - back)
            t1 = max(t1, (row.ended_at or hi) + back)
    before = _before(uow, unit.id, t0)  # the reading before the window: a gap across its start is a dropout too
    if before is not None:
        t0 = before[0]
    temps, doors, hums = _readings(uow, unit.id, t0, t1)
    found: Detection = detect(temps, doors, lim)
    rows = sorted((r for r in stored if r.kind == "temperature"), key=lambda r: r.started_at)
    new: list[Excursion] = []
    for f in found.excursions:
        if (f.ended_at is not None and f.ended_at < lo - back) or f.started_at > hi + back:
            continue  # not touched by the new readings (and maybe stored: only rows near them were loaded)
        match = next((r for r in rows if _overlaps(r, f)), None)
        if match is None:
            row = _create(uow, unit, f)
            rows.append(row)
            new.append(row)
            excursion_found(uow, unit, row)
        elif _update(match, f):
            excursion_changed(uow, unit, match)
    new.extend(_humidity(uow, unit, lim, [r for r in stored if r.kind == "humidity"], hums, doors, lo, hi))
    _sync_gaps(uow, unit, [r for r in stored if r.kind == "dropout"], found.gaps, t0, t1)
    return new


NEAR = timedelta(hours=3)


def _before(uow: UnitOfWork, unit_id: int, t0: datetime) -> tuple[datetime, int] | None:
    """The unit's last temperature reading before ``t0``: looked for in the 3 hours before it first, then in
    all its history. The planner, on young statistics, scans a bitmap of the unit's whole history for the
    unbounded query (it grew with every batch: 24 ms at 175,000 readings); bounded, its cost stays flat."""

    def last(since: datetime | None) -> tuple[datetime, int] | None:
        stmt = select(Reading.at, Reading.value).where(
            Reading.unit_id == unit_id, Reading.kind == "temperature", Reading.at < t0
        )
        if since is not None:
            stmt = stmt.where(Reading.at >= since)
        row = uow.session.execute(stmt.order_by(Reading.at.desc()).limit(1)).first()
        return (row[0], row[1]) if row is not None else None

    return last(t0 - NEAR) or last(None)


def _humidity(
    uow: UnitOfWork, unit: Unit, lim: Limits, stored: list[Excursion], hums: list[tuple[datetime, int]],
    doors: list[tuple[datetime, int]], lo: datetime, hi: datetime,
) -> list[Excursion]:  # fmt: skip
    """Humidity excursions, judged like the temperature on the humidity readings and reconciled the same
    way (an overlapping stored row is that excursion); a new one is told once, its lots are not flagged."""
    from boh.coldchain.service.lots import humidity_found

    low = centi(unit.humidity_min_pct) if unit.humidity_min_pct is not None else None
    high = centi(unit.humidity_max_pct) if unit.humidity_max_pct is not None else None
    back = lim.lookback
    rows = sorted(stored, key=lambda r: r.started_at)
    new: list[Excursion] = []
    for hlim in humidity_limits(lim, low, high, centi(unit.humidity_hysteresis_pct)):
        for f in detect(hums, doors, hlim).excursions:
            if (f.ended_at is not None and f.ended_at < lo - back) or f.started_at > hi + back:
                continue
            match = next((r for r in rows if _overlaps(r, f)), None)
            if match is None:
                row = _create(uow, unit, f, kind="humidity")
                rows.append(row)
                new.append(row)
                humidity_found(uow, unit, row, hlim.direction)
            else:
                _update(match, f)
    return new


def _stored(uow: UnitOfWork, unit_id: int, t0: datetime, t1: datetime) -> list[Excursion]:
    return list(uow.session.scalars(
        select(Excursion).where(
            Excursion.unit_id == unit_id, Excursion.started_at <= t1,
            or_(Excursion.ended_at.is_(None), Excursion.ended_at >= t0),
        )
    ))  # fmt: skip


Series = list[tuple[datetime, int]]


def _readings(uow: UnitOfWork, unit_id: int, t0: datetime, t1: datetime) -> tuple[Series, Series, Series]:
    """A unit's temperature, door and humidity readings in the window, each in time order."""
    t = cast(Table, Reading.__table__)  # Core: thousands of rows per call
    rows = (
        uow.session.connection()
        .execute(
            select(t.c.kind, t.c.at, t.c.value)
            .where(t.c.unit_id == unit_id, t.c.at >= t0, t.c.at <= t1)
            .order_by(t.c.at, t.c.id)
        )
        .all()
    )
    temps = [(r[1], r[2]) for r in rows if r[0] == "temperature"]
    doors = [(r[1], r[2]) for r in rows if r[0] == "door"]
    hums = [(r[1], r[2]) for r in rows if r[0] == "humidity"]
    return temps, doors, hums


def _overlaps(row: Excursion, f: Found) -> bool:
    row_end = row.ended_at or datetime.max.replace(tzinfo=f.started_at.tzinfo)
    f_end = f.ended_at or datetime.max.replace(tzinfo=f.started_at.tzinfo)
    return row.started_at <= f_end and f.started_at <= row_end


def _create(uow: UnitOfWork, unit: Unit, f: Found, kind: str = "temperature") -> Excursion:
    row = Excursion(
        tenant_id=unit.tenant_id, site_id=unit.site_id, unit_id=unit.id, kind=kind, started_at=f.started_at,
        alarmed_at=f.alarmed_at, ended_at=f.ended_at, peak_c=from_centi(f.peak), minutes_beyond=f.minutes_beyond,
        status="open",
    )  # fmt: skip
    uow.session.add(row)
    uow.flush()
    return row


def _update(row: Excursion, f: Found) -> bool:
    """Bring a stored excursion up to date with what was found on the readings known now (a late reading may
    move its start earlier, or its end either way); True if it changed. Its alarm time stays the first one."""
    before = (row.started_at, row.alarmed_at, row.ended_at, row.peak_c, row.minutes_beyond)
    row.started_at = min(row.started_at, f.started_at)
    row.alarmed_at = min(row.alarmed_at or f.alarmed_at, f.alarmed_at)
    row.ended_at = f.ended_at
    row.peak_c = from_centi(f.peak)
    row.minutes_beyond = f.minutes_beyond
    return before != (row.started_at, row.alarmed_at, row.ended_at, row.peak_c, row.minutes_beyond)


def _sync_gaps(uow: UnitOfWork, unit: Unit, stored: Iterable[Excursion], gaps: list[Gap], t0: datetime,
               t1: datetime) -> None:  # fmt: skip
    """Make the dropout rows inside the window exactly the gaps found in it."""
    wanted = {(g.started_at, g.ended_at) for g in gaps}
    for r in stored:  # a dropout found live (the sensor fell silent) closes when its readings resume
        if r.ended_at is None:
            end = next((e for s, e in wanted if s == r.started_at), None)
            if end is not None:
                r.ended_at, r.minutes_beyond = end, int((end - r.started_at) / timedelta(minutes=1))
    inside = [r for r in stored if r.started_at >= t0 and r.ended_at is not None and r.ended_at <= t1]
    have = {(r.started_at, r.ended_at): r for r in inside}
    stale = [r.id for key, r in have.items() if key not in wanted]
    if stale:
        uow.session.execute(delete(Excursion).where(Excursion.id.in_(stale)))
    for start, end in sorted(wanted - set(have)):
        uow.session.add(Excursion(
            tenant_id=unit.tenant_id, site_id=unit.site_id, unit_id=unit.id, kind="dropout", started_at=start,
            ended_at=end, minutes_beyond=int((end - start) / timedelta(minutes=1)), status="open",
        ))  # fmt: skip
    uow.flush()
