"""Humidity limits per unit: excursions found like the temperature's (minimum duration, hysteresis, door
suppression, one alert per excursion whatever the order), too damp and too dry each on its own; they flag
no lots; units without humidity limits never alarm on humidity."""

from __future__ import annotations

import random
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from boh.bootstrap import Runtime
from boh.coldchain import service
from boh.coldchain.domain import Limits, detect, humidity_limits
from boh.coldchain.models import Excursion, Exposure
from boh.coldchain.schemas import SensorCreate, UnitCreate, UnitUpdate
from boh.kernel.errors import ValidationFailed
from boh.notify.models import Notification
from tests.coldchain.helpers import T0, ingest, make_world, readings
from tests.factories import make_user

DAMP = [80.0] * 10 + [95.0] * 30 + [80.0] * 10  # 30 minutes at 95 % RH
DRY = [80.0] * 10 + [40.0] * 20 + [80.0] * 10  # 20 minutes at 40 % RH


def _hum_world(runtime: Runtime, **limits: object):  # type: ignore[no-untyped-def]
    w = make_world(runtime, humidity_min_pct=Decimal(50), humidity_max_pct=Decimal(90), **limits)
    with runtime.system_uow(w.tenant.id) as uow:
        service.add_sensor(uow, w.fridge, SensorCreate(code="H-F1", kind="humidity"))
        uow.commit()
    return w


def _excursions(rt: Runtime) -> list[Excursion]:
    with rt.session_factory() as s:
        return list(s.scalars(select(Excursion).where(Excursion.kind == "humidity").order_by(Excursion.started_at)))


def test_the_detector_judges_humidity_in_both_directions() -> None:
    lim = Limits(limit=500, min_duration_s=900)
    damp, dry = humidity_limits(lim, 5000, 9000, 200)
    assert (damp.limit, damp.direction, damp.hysteresis) == (9000, "max", 200)
    assert (dry.limit, dry.direction, dry.min_duration_s) == (5000, "min", 900)
    hums = [(T0 + timedelta(minutes=i), int(v * 100)) for i, v in enumerate(DAMP)]
    [found] = detect(hums, [], damp).excursions
    assert (found.started_at, found.ended_at, found.peak) == (
        T0 + timedelta(minutes=10),
        T0 + timedelta(minutes=40),
        9500,
    )
    assert detect(hums, [], dry).excursions == []
    assert humidity_limits(lim, None, None, 200) == []
    short = [(T0 + timedelta(minutes=i), v) for i, v in enumerate([8000] * 5 + [9500] * 10 + [8000] * 5)]
    assert detect(short, [], damp).excursions == []  # shorter than the minimum duration


def test_too_damp_and_too_dry_alarm_once_each_and_flag_no_lots(runtime: Runtime) -> None:
    w = _hum_world(runtime)
    make_user(runtime, w.tenant, "manager", [("store_manager", "S001")])
    raw = readings(DAMP, sensor="H-F1") + readings(DRY, sensor="H-F1", start=T0 + timedelta(hours=2), prefix="dry")
    random.Random(3).shuffle(raw)
    for start in range(0, len(raw), 9):
        ingest(runtime, w.tenant, raw[start : start + 9])
        ingest(runtime, w.tenant, raw[start : start + 9])  # redelivered: changes nothing
    rows = _excursions(runtime)
    assert [(r.started_at - T0, r.ended_at - T0 if r.ended_at else None, r.peak_c) for r in rows] == [
        (timedelta(minutes=10), timedelta(minutes=40), Decimal("95.00")),
        (timedelta(hours=2, minutes=10), timedelta(hours=2, minutes=30), Decimal("40.00")),
    ]
    with runtime.session_factory() as s:
        assert s.scalar(select(func.count()).select_from(Exposure)) == 0
        keys = sorted(s.scalars(select(Notification.dedupe_key).where(Notification.kind == "cold_chain_excursion")))
        assert keys == sorted(f"coldchain:excursion:{r.id}" for r in rows)
        assert s.scalar(select(func.count()).select_from(Excursion).where(Excursion.kind == "temperature")) == 0


def test_a_short_door_opening_suppresses_a_humidity_spike(runtime: Runtime) -> None:
    w = _hum_world(runtime)
    spike = [80.0] * 10 + [95.0] * 8 + [80.0] * 12
    door = [0] * 9 + [100] * 5 + [0] * 16
    ingest(runtime, w.tenant, readings(spike, sensor="H-F1") + readings(door, sensor="D-F1"))
    assert _excursions(runtime) == []


def test_a_unit_without_humidity_limits_never_alarms(runtime: Runtime) -> None:
    w = make_world(runtime)
    with runtime.system_uow(w.tenant.id) as uow:
        service.add_sensor(uow, w.fridge, SensorCreate(code="H-F1", kind="humidity"))
        uow.commit()
    ingest(runtime, w.tenant, readings(DAMP, sensor="H-F1"))
    assert _excursions(runtime) == []


def test_limits_are_checked_and_updatable(runtime: Runtime) -> None:
    w = make_world(runtime)
    with pytest.raises(ValueError):
        UnitCreate(site_id=w.site, code="X", name="X", kind="fridge", humidity_min_pct=Decimal(90),
                   humidity_max_pct=Decimal(60))  # fmt: skip
    with runtime.system_uow(w.tenant.id) as uow:
        unit = service.update_unit(uow, w.fridge, UnitUpdate(humidity_max_pct=Decimal(85)))
        assert (unit.humidity_min_pct, unit.humidity_max_pct, unit.humidity_hysteresis_pct) == (
            None,
            Decimal(85),
            Decimal(2),
        )
        with pytest.raises(ValidationFailed):
            service.update_unit(uow, w.fridge, UnitUpdate(humidity_min_pct=Decimal(85)))


def test_the_dashboard_shows_the_humidity_limits_and_the_excursion(runtime: Runtime, client) -> None:  # type: ignore[no-untyped-def]
    from tests.web.helpers import page_login

    w = _hum_world(runtime)
    make_user(runtime, w.tenant, "mgr", [("store_manager", "S001")], locale="en")
    ingest(runtime, w.tenant, readings(DAMP, sensor="H-F1"))
    page_login(client, "mgr")
    dash = client.get("/coldchain/?day=2026-12-01").text
    assert "humidity 50.00–90.00%" in dash
    assert dash.count('data-testid="unit-excursion"') == 1 and "Humidity excursion" in dash
    assert dash.count('data-testid="humidity-chart"') == 1 and 'id="unit-' in dash and "-humidity" in dash
    [exc] = _excursions(runtime)
    page = client.get(f"/coldchain/excursions/{exc.id}").text
    assert "peak 95.00% relative humidity" in page
    assert f"unit-{exc.unit_id}-humidity" in page  # the humidity chart, its excursion marked, not the temperature
