"""Readings in, from every transport (HTTP batches, MQTT messages, the simulator): each reading validated
alone (a bad one is rejected with its code and kept as a dead letter, the others are applied), stored once
by its ``reading_id`` (a redelivered reading is a duplicate and changes nothing), then the units it touched
are re-judged by the detector (``detect.py``)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any, cast

from sqlalchemy import Table, bindparam, or_, select, text, update
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from boh.coldchain.domain import RANGES
from boh.coldchain.models import DeadLetter, Reading, Sensor, Unit
from boh.coldchain.schemas import IngestResult, Rejected
from boh.coldchain.service._common import INGEST
from boh.coldchain.service.detect import rejudge
from boh.kernel.clock import utcnow
from boh.kernel.uow import UnitOfWork

FUTURE = timedelta(minutes=10)  # a device clock this far ahead is wrong


@dataclass(frozen=True)
class _Parsed:
    index: int
    reading_id: str
    sensor: str
    at: datetime
    value: int  # hundredths


def _text(v: Any, limit: int) -> str | None:
    return v if isinstance(v, str) and 0 < len(v) <= limit and v.isprintable() else None


def _parse(index: int, raw: Any) -> _Parsed | Rejected:
    rid = raw.get("reading_id") if isinstance(raw, dict) else None
    shown = rid if isinstance(rid, str) else None
    if not isinstance(raw, dict):
        return Rejected(index=index, reading_id=None, code="coldchain.malformed_reading", message="not an object")
    if _text(rid, 120) is None:
        return Rejected(index=index, reading_id=shown, code="coldchain.malformed_reading",
                        message="reading_id must be 1-120 printable characters")  # fmt: skip
    sensor = _text(raw.get("sensor"), 80)
    if sensor is None:
        return Rejected(index=index, reading_id=rid, code="coldchain.malformed_reading", message="sensor is missing")
    try:
        at = datetime.fromisoformat(str(raw.get("at")))
    except ValueError:
        at = None
    if at is None or at.tzinfo is None:
        return Rejected(index=index, reading_id=rid, code="coldchain.bad_time",
                        message="at must be an ISO 8601 time with its UTC offset")  # fmt: skip
    value = raw.get("value")
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return Rejected(
            index=index, reading_id=rid, code="coldchain.malformed_reading", message="value is not a number"
        )
    try:
        dec = Decimal(str(value))
        if not dec.is_finite():
            raise InvalidOperation
    except InvalidOperation:
        return Rejected(
            index=index, reading_id=rid, code="coldchain.malformed_reading", message="value is not a number"
        )
    return _Parsed(index, str(rid), sensor, at.astimezone(UTC), int((dec * 100).to_integral_value()))


def _sensors(uow: UnitOfWork, codes: set[str]) -> dict[str, tuple[int, int, str, int]]:
    """code -> (sensor id, unit id, kind, site id) of the tenant's active sensors."""
    if not codes:
        return {}
    rows = uow.session.execute(
        select(Sensor.code, Sensor.id, Sensor.unit_id, Sensor.kind, Unit.site_id)
        .join(Unit, Unit.id == Sensor.unit_id)
        .where(Sensor.tenant_id == uow.tenant_id, Sensor.code.in_(sorted(codes)), Sensor.active, Unit.active)
    ).all()
    return {r.code: (r.id, r.unit_id, r.kind, r.site_id) for r in rows}


def _check(p: _Parsed, sensor: tuple[int, int, str, int] | None, site_id: int | None, now: datetime,
           allowed: frozenset[int] | None) -> Rejected | None:  # fmt: skip
    if sensor is None:
        return Rejected(index=p.index, reading_id=p.reading_id, code="coldchain.unknown_sensor",
                        message=f"no active sensor {p.sensor!r}")  # fmt: skip
    if (site_id is not None and sensor[3] != site_id) or (allowed is not None and sensor[3] not in allowed):
        return Rejected(index=p.index, reading_id=p.reading_id, code="coldchain.site_mismatch",
                        message=f"sensor {p.sensor!r} is not at this site")  # fmt: skip
    lo, hi = RANGES[sensor[2]]
    if not lo <= p.value <= hi:
        return Rejected(index=p.index, reading_id=p.reading_id, code="coldchain.out_of_range",
                        message=f"{p.value / 100} is outside {lo / 100}..{hi / 100} ({sensor[2]})")  # fmt: skip
    if p.at > now + FUTURE:
        return Rejected(index=p.index, reading_id=p.reading_id, code="coldchain.future_reading",
                        message="the reading is dated in the future (device clock?)")  # fmt: skip
    return None


def ingest(
    uow: UnitOfWork, raw: Sequence[Any], *, transport: str, site_id: int | None = None, topic: str | None = None,
    dead_letters: bool = True,
) -> IngestResult:  # fmt: skip
    """Validate, store once, re-judge the units touched. ``site_id``: the site the transport vouches for (an
    MQTT topic's); a reading of a sensor elsewhere is rejected alone."""
    allowed = uow.principal.scope(INGEST).site_ids
    parsed: list[_Parsed] = []
    rejected: list[Rejected] = []
    for i, r in enumerate(raw):
        p = _parse(i, r)
        (parsed if isinstance(p, _Parsed) else rejected).append(p)  # type: ignore[arg-type]
    sensors = _sensors(uow, {p.sensor for p in parsed})
    now = utcnow()
    good: dict[str, tuple[_Parsed, tuple[int, int, str, int]]] = {}
    duplicates = 0
    for p in parsed:
        problem = _check(p, sensors.get(p.sensor), site_id, now, allowed)
        if problem is not None:
            rejected.append(problem)
        elif p.reading_id in good:
            duplicates += 1
        else:
            good[p.reading_id] = (p, sensors[p.sensor])
    fresh = _store(uow, good)
    duplicates += len(good) - len(fresh)
    if fresh:
        _touch_sensors(uow, fresh)
        windows: dict[int, tuple[datetime, datetime]] = {}
        for p, s in fresh:
            lo, hi = windows.get(s[1], (p.at, p.at))
            windows[s[1]] = (min(lo, p.at), max(hi, p.at))
        rejudge(uow, windows)
    rejected.sort(key=lambda r: r.index)
    if rejected and dead_letters:
        keep_dead_letters(uow, raw, rejected, transport=transport, topic=topic)
    return IngestResult(accepted=len(fresh), duplicates=duplicates, rejected=rejected)


def _store(uow: UnitOfWork, good: dict[str, tuple[_Parsed, tuple[int, int, str, int]]]
           ) -> list[tuple[_Parsed, tuple[int, int, str, int]]]:  # fmt: skip
    """Insert the readings not stored before (one INSERT .. ON CONFLICT DO NOTHING RETURNING: the unique
    (tenant, reading_id) decides, even between concurrent batches); the ones inserted now."""
    table = cast(Table, Reading.__table__)  # Core: the bulk path
    rows = [
        {"tenant_id": uow.tenant_id, "unit_id": s[1], "sensor_id": s[0], "kind": s[2], "reading_id": p.reading_id,
         "at": p.at, "value": p.value}
        for p, s in good.values()
    ]  # fmt: skip
    if not rows:
        return []
    dialect = uow.session.get_bind().dialect.name
    if dialect == "postgresql":
        return [good[i] for i in sorted(_store_pg(uow, rows))]
    stmt = sqlite_insert(table).on_conflict_do_nothing(index_elements=["tenant_id", "reading_id"])
    inserted = set(uow.session.connection().execute(stmt.returning(table.c.reading_id), rows).scalars())
    return [good[i] for i in sorted(inserted)]


SEP = "\x1f"  # joins reading ids: a reading id is printable (``_text``), so it never holds this character
_PG_STORE = text(
    "INSERT INTO coldchain_reading (tenant_id, unit_id, sensor_id, kind, reading_id, at, value) "
    "SELECT :tenant, u, s, k, r, a, v FROM unnest(CAST(string_to_array(:u, ',') AS bigint[]), "
    "CAST(string_to_array(:s, ',') AS bigint[]), string_to_array(:k, ','), string_to_array(:r, :sep), "
    "CAST(string_to_array(:a, ',') AS timestamptz[]), CAST(string_to_array(:v, ',') AS integer[])) "
    "AS x(u, s, k, r, a, v) ON CONFLICT (tenant_id, reading_id) DO NOTHING RETURNING reading_id"
)


def _store_pg(uow: UnitOfWork, rows: list[dict[str, Any]]) -> set[str]:
    """PostgreSQL: the whole batch in ONE statement, its columns sent as seven joined strings that the
    database splits (``unnest``), instead of thousands of placeholders: psycopg parsed each multi-row
    INSERT's SQL in Python (about 0.1 s a batch of 3,000 readings, more than storing them)."""
    params = {
        "tenant": uow.tenant_id, "sep": SEP,
        "u": ",".join(str(r["unit_id"]) for r in rows), "s": ",".join(str(r["sensor_id"]) for r in rows),
        "k": ",".join(r["kind"] for r in rows), "r": SEP.join(r["reading_id"] for r in rows),
        "a": ",".join(r["at"].isoformat() for r in rows), "v": ",".join(str(r["value"]) for r in rows),
    }  # fmt: skip
    return set(uow.session.connection().execute(_PG_STORE, params).scalars())


def _touch_sensors(uow: UnitOfWork, fresh: list[tuple[_Parsed, tuple[int, int, str, int]]]) -> None:
    latest: dict[int, datetime] = {}
    for p, s in fresh:
        if p.at > latest.get(s[0], p.at - timedelta(seconds=1)):
            latest[s[0]] = p.at
    table = cast(Table, Sensor.__table__)
    stmt = (
        update(table)
        .where(table.c.id == bindparam("sid"), or_(table.c.last_at.is_(None), table.c.last_at < bindparam("at")))
        .values(last_at=bindparam("at"))
    )
    uow.session.connection().execute(stmt, [{"sid": sid, "at": latest[sid]} for sid in sorted(latest)])


def keep_dead_letters(uow: UnitOfWork, raw: Sequence[Any], rejected: Sequence[Rejected], *, transport: str,
                      topic: str | None, payload: bytes | None = None) -> None:  # fmt: skip
    now = utcnow()
    for r in rejected:
        body = raw[r.index] if 0 <= r.index < len(raw) else (payload or b"").decode("utf-8", "backslashreplace")
        uow.session.add(DeadLetter(
            tenant_id=uow.tenant_id, transport=transport, topic=topic[:200] if topic else None,
            reading_id=(r.reading_id or "")[:200] or None, payload=json.dumps(body, ensure_ascii=True, default=str),
            code=r.code[:60], message=r.message[:500], received_at=now,
        ))  # fmt: skip
    uow.flush()
