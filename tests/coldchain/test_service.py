"""Readings in (exactly-once, each bad reading rejected alone), excursions found once whatever the order, the
lots of the unit flagged."""

from __future__ import annotations

import random
import uuid
from datetime import datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from boh.bootstrap import Runtime
from boh.coldchain.models import DeadLetter, Excursion, Exposure, Reading
from boh.notify.models import Notification
from tests.coldchain.helpers import ingest, make_world, readings
from tests.factories import make_user

WARM = [3.0] * 10 + [8.0] * 30 + [3.0] * 10  # one excursion: 30 minutes at 8 °C


def _count(rt: Runtime, model: type, *where: object) -> int:
    with rt.session_factory() as s:
        return int(s.scalar(select(func.count()).select_from(model).where(*where)) or 0)  # type: ignore[arg-type]


def test_bad_readings_are_rejected_alone_and_kept(runtime: Runtime) -> None:
    w = make_world(runtime)
    batch = readings([3.0, 4.0]) + [
        {"reading_id": "x1", "sensor": "NOPE", "at": "2026-12-01T00:00:00+00:00", "value": 3},
        {"reading_id": "x2", "sensor": "T-F1", "at": "2026-12-01T00:00:00", "value": 3},
        {"reading_id": "x3", "sensor": "T-F1", "at": "2026-12-01T00:00:00+00:00", "value": 900},
        {"reading_id": "x4", "sensor": "T-F1", "at": "2026-12-01T00:00:00+00:00", "value": "warm"},
        "not an object",
    ]
    result = ingest(runtime, w.tenant, batch)
    assert result.accepted == 2 and result.duplicates == 0
    assert [(r.index, r.code) for r in result.rejected] == [
        (2, "coldchain.unknown_sensor"), (3, "coldchain.bad_time"), (4, "coldchain.out_of_range"),
        (5, "coldchain.malformed_reading"), (6, "coldchain.malformed_reading"),
    ]  # fmt: skip
    assert _count(runtime, Reading) == 2
    assert _count(runtime, DeadLetter) == 5


def test_a_redelivered_batch_is_a_duplicate_and_changes_nothing(runtime: Runtime) -> None:
    w = make_world(runtime)
    first = ingest(runtime, w.tenant, readings(WARM))
    again = ingest(runtime, w.tenant, readings(WARM))
    assert (first.accepted, first.duplicates) == (50, 0)
    assert (again.accepted, again.duplicates) == (0, 50)
    assert _count(runtime, Reading) == 50
    assert _count(runtime, Excursion, Excursion.kind == "temperature") == 1


def test_reading_ids_with_separators_and_quotes_are_stored_exactly_once(runtime: Runtime) -> None:
    """PostgreSQL stores a batch in one statement from joined strings: ids holding commas, quotes, braces
    and backslashes come back whole, values and times exact, and a redelivery is a duplicate."""
    w = make_world(runtime)
    raw = readings([3.25, -1.5, 4.0], prefix='a,b"c{d}\\e')
    first = ingest(runtime, w.tenant, raw)
    again = ingest(runtime, w.tenant, raw)
    assert (first.accepted, again.accepted, again.duplicates) == (3, 0, 3)
    with runtime.session_factory() as s:
        rows = s.execute(select(Reading.reading_id, Reading.value, Reading.at).order_by(Reading.at)).all()
    assert [(r.reading_id, r.value) for r in rows] == [(x["reading_id"], v) for x, v in zip(raw, (325, -150, 400),
                                                                                          strict=True)]  # fmt: skip
    assert [r.at for r in rows] == [datetime.fromisoformat(x["at"]) for x in raw]


def test_one_excursion_one_alert_whatever_the_order_and_its_lot_flagged(runtime: Runtime) -> None:
    w = make_world(runtime)
    make_user(runtime, w.tenant, "manager", [("store_manager", "S001")])
    raw = readings(WARM) + readings([0] * 20 + [100] * 3 + [0] * 27, sensor="D-F1")
    random.Random(7).shuffle(raw)
    for start in range(0, len(raw), 7):  # small batches in a random order, some sent twice
        ingest(runtime, w.tenant, raw[start : start + 7])
        if start % 21 == 0:
            ingest(runtime, w.tenant, raw[start : start + 7])
    with runtime.session_factory() as s:
        rows = list(s.scalars(select(Excursion).where(Excursion.kind == "temperature")))
        assert len(rows) == 1
        exc = rows[0]
        assert exc.started_at.isoformat() == "2026-12-01T00:10:00+00:00"
        assert exc.ended_at is not None and exc.ended_at.isoformat() == "2026-12-01T00:40:00+00:00"
        assert exc.minutes_beyond == 30
        exposures = list(s.scalars(select(Exposure)))
        assert [(e.lot_id, e.status, e.minutes) for e in exposures] == [(w.chilled_lot, "flagged", 30)]
        told = s.scalar(select(func.count()).select_from(Notification).where(
            Notification.dedupe_key == f"coldchain:excursion:{exc.id}"))  # fmt: skip
        assert told == 1


def test_a_gap_is_a_dropout_and_a_late_reading_that_fills_it_removes_it(runtime: Runtime) -> None:
    w = make_world(runtime)
    raw = readings([3.0] * 60)
    ingest(runtime, w.tenant, raw[:10] + raw[40:])
    assert _count(runtime, Excursion, Excursion.kind == "dropout") == 1
    ingest(runtime, w.tenant, raw[10:40])
    assert _count(runtime, Excursion, Excursion.kind == "dropout") == 0
    assert _count(runtime, Excursion, Excursion.kind == "temperature") == 0


def _available(rt: Runtime, w: object, item: int) -> object:
    from boh.inventory.api import stock_levels
    from boh.kernel.tenancy import Scope

    with rt.session_factory() as s:
        return stock_levels(s, Scope(w.tenant.id), w.site, [item])[item].available  # type: ignore[attr-defined]


def test_cumulative_minutes_past_the_limit_quarantine_the_lot_until_a_person_releases_it(runtime: Runtime) -> None:
    from decimal import Decimal

    from boh.coldchain import service
    from boh.kernel.tenancy import system_principal
    from tests.coldchain.helpers import T0

    w = make_world(runtime, tt_limit_min=45)
    ingest(runtime, w.tenant, readings([3.0] * 5 + [8.0] * 30 + [3.0] * 5))  # 30 min: flagged only
    assert _available(runtime, w, w.chilled_item) == Decimal(10)
    later = T0.replace(hour=6)
    ingest(runtime, w.tenant, readings([3.0] * 5 + [8.0] * 20 + [3.0] * 5, start=later, prefix="b"))  # +20 = 50
    with runtime.session_factory() as s:
        rows = sorted(s.scalars(select(Exposure)), key=lambda e: e.id)
        assert [(e.minutes, e.status) for e in rows] == [(30, "flagged"), (20, "quarantined")]
        second = rows[1].id
    assert _available(runtime, w, w.chilled_item) == Decimal(0)  # held: not available
    with runtime.system_uow(w.tenant.id) as uow, uow.acting_as(system_principal(w.tenant.id)):
        service.decide(uow, second, action="release", reason="probe: core 4 °C, quality fine")
        uow.commit()
    with runtime.session_factory() as s:
        assert sorted(e.status for e in s.scalars(select(Exposure))) == ["released", "released"]
    assert _available(runtime, w, w.chilled_item) == Decimal(10)


def test_waste_takes_the_quarantined_lot_out(runtime: Runtime) -> None:
    from decimal import Decimal

    from boh.coldchain import service
    from boh.inventory.models import Move

    w = make_world(runtime, tt_limit_min=20)
    ingest(runtime, w.tenant, readings([3.0] * 5 + [9.0] * 30 + [3.0] * 5))
    with runtime.session_factory() as s:
        exposure = s.scalars(select(Exposure)).one()
        assert exposure.status == "quarantined"
    with runtime.system_uow(w.tenant.id) as uow:
        service.decide(uow, exposure.id, action="waste", reason="30 min at 9 °C")
        uow.commit()
    with runtime.session_factory() as s:
        waste = s.scalars(select(Move).where(Move.move_type == "waste")).one()
        assert (waste.lot_id, waste.quantity, waste.reason_code) == (w.chilled_lot, Decimal(-10), "cold_chain")
    assert _available(runtime, w, w.chilled_item) == Decimal(0)


def test_a_sensor_silent_now_opens_a_dropout_once_and_its_readings_close_it(runtime: Runtime) -> None:
    from datetime import timedelta

    from boh.coldchain.tasks import open_dropouts
    from boh.kernel.clock import clock
    from tests.coldchain.helpers import T0

    w = make_world(runtime)
    make_user(runtime, w.tenant, "manager", [("store_manager", "S001")])
    ingest(runtime, w.tenant, readings([3.0] * 10))
    clock.freeze(T0 + timedelta(minutes=40))  # silent for 31 minutes: over the unit's 15
    for _ in range(2):
        with runtime.system_uow(w.tenant.id) as uow:
            open_dropouts(uow)
            uow.commit()
    with runtime.session_factory() as s:
        rows = list(s.scalars(select(Excursion).where(Excursion.kind == "dropout")))
        assert [(r.started_at.isoformat(), r.ended_at) for r in rows] == [("2026-12-01T00:09:00+00:00", None)]
        told = s.scalar(select(func.count()).select_from(Notification).where(Notification.kind == "cold_chain_dropout"))
        assert told == 1
    ingest(runtime, w.tenant, readings([3.0] * 5, start=T0 + timedelta(minutes=38), prefix="again"))
    with runtime.session_factory() as s:
        rows = list(s.scalars(select(Excursion).where(Excursion.kind == "dropout")))
        assert [(r.started_at.isoformat(), r.ended_at.isoformat() if r.ended_at else None) for r in rows] == [
            ("2026-12-01T00:09:00+00:00", "2026-12-01T00:38:00+00:00")
        ]


@pytest.mark.postgres_only
def test_concurrent_batches_of_one_unit_make_one_excursion(runtime: Runtime, backend: str) -> None:
    import threading

    if backend != "postgresql":
        pytest.skip("row locks: PostgreSQL")
    w = make_world(runtime)
    raw = readings(WARM)
    halves = [raw[:32], raw[20:]]  # overlapping parts, each alarms on its own
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def send(part: list[dict[str, object]]) -> None:
        try:
            barrier.wait(10)
            ingest(runtime, w.tenant, part)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=send, args=(h,)) for h in halves]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert not errors
    assert _count(runtime, Excursion, Excursion.kind == "temperature") == 1
    assert _count(runtime, Reading) == 50


@st.composite
def arrivals(draw: st.DrawFn) -> tuple[list[float], list[list[int]]]:
    """A fridge's hour and a half with 1-3 warm episodes, and the order its minutes arrive in: shuffled
    batches, some sent twice."""
    values: list[float] = [3.0] * 5
    for _ in range(draw(st.integers(1, 3))):
        values += [draw(st.sampled_from([6.0, 8.0, 11.0]))] * draw(st.integers(5, 25))
        values += [3.0] * draw(st.integers(3, 12))
    order = draw(st.permutations(range(len(values))))
    cuts = sorted(draw(st.lists(st.integers(1, len(values) - 1), max_size=6, unique=True)))
    batches = [list(order[a:b]) for a, b in zip([0, *cuts], [*cuts, len(values)], strict=True)]
    again = draw(st.lists(st.integers(0, len(batches) - 1), max_size=2))
    return values, batches + [batches[i] for i in again]


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(arrivals())
def test_any_arrival_order_gives_one_row_per_excursion_of_the_complete_readings(
    runtime: Runtime, case: tuple[list[float], list[list[int]]]
) -> None:
    from boh.coldchain.domain import Limits, centi, detect
    from tests.coldchain.helpers import T0

    values, batches = case
    code = f"H{uuid.uuid4().hex[:6].upper()}"
    w = make_world(runtime, code=code)
    raw = readings(values, prefix=code)
    for batch in batches:
        ingest(runtime, w.tenant, [raw[i] for i in batch])
    full = detect([(T0 + timedelta(minutes=i), centi(v)) for i, v in enumerate(values)], [], Limits(limit=500))
    with runtime.session_factory() as s:
        rows = sorted(s.scalars(select(Excursion).where(Excursion.kind == "temperature",
                                                        Excursion.tenant_id == w.tenant.id)),
                      key=lambda r: r.started_at)  # fmt: skip
        assert [(r.started_at, r.ended_at) for r in rows] == [(f.started_at, f.ended_at) for f in full.excursions]
