"""The cold chain's sensor data in the EPCIS export: a lot exposed to an excursion gets an ObjectEvent
(bizStep sensor_reporting) with the unit's readings over the excursion (min/max/mean, an ALARM_CONDITION)
and its decision as the disposition; it validates against the standard's schema; a lot never exposed, or a
caller limited to other sites, gets none."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from boh.bootstrap import Runtime
from boh.inventory import api as inventory
from boh.trace import epcis
from tests.coldchain.helpers import ingest, make_world, readings
from tests.trace.test_fsma_epcis import EPCIS_DIR, needs_epcis

BASE = "https://boh.example"


def _export(rt: Runtime, tenant_id: int, lot_id: int, site_ids: frozenset[int] | None = None) -> dict[str, Any]:
    with rt.session_factory() as s:
        moves = inventory.lot_moves(s, tenant_id, [lot_id])
        return epcis.document(epcis.events(s, tenant_id, moves, BASE, site_ids))


def _sensor_events(doc: dict[str, Any]) -> list[dict[str, Any]]:
    return [e for e in doc["epcisBody"]["eventList"] if e.get("bizStep") == "sensor_reporting"]


@pytest.fixture
def world(runtime: Runtime) -> Any:
    w = make_world(runtime, code="SENSE")
    # 5 minutes at 3 °C, 30 at 7.5 then 8.5 °C (beyond the 5 °C limit), back to 3: one excursion
    ingest(runtime, w.tenant, readings([3.0] * 5 + [7.5] * 15 + [8.5] * 15 + [3.0] * 5))
    return w


def test_an_exposed_lot_carries_the_excursions_sensor_report(runtime: Runtime, world: Any) -> None:
    evs = _sensor_events(_export(runtime, world.tenant.id, world.chilled_lot))
    assert len(evs) == 1
    ev = evs[0]
    assert (ev["type"], ev["action"], ev["disposition"]) == ("ObjectEvent", "OBSERVE", "in_progress")  # flagged
    assert ev["readPoint"]["id"] == f"{BASE}/id/site/S001/unit/F1"
    assert ev["quantityList"][0]["epcClass"].endswith("/M-1")
    element = ev["sensorElementList"][0]
    report = element["sensorReport"][0]
    assert (report["type"], report["exception"], report["uom"]) == ("gs1:Temperature", "ALARM_CONDITION", "CEL")
    assert (Decimal(str(report["maxValue"])), Decimal(str(report["minValue"]))) == (Decimal("8.5"), Decimal("7.5"))
    assert element["sensorMetadata"]["deviceID"] == f"{BASE}/id/sensor/T-F1"
    assert element["sensorMetadata"]["startTime"] < element["sensorMetadata"]["endTime"]
    # the frozen lot in the freezer saw nothing: no sensor event
    assert _sensor_events(_export(runtime, world.tenant.id, world.frozen_lot)) == []
    # a caller limited to another site does not see the store's sensor data
    assert _sensor_events(_export(runtime, world.tenant.id, world.chilled_lot, frozenset({world.site + 999}))) == []


@needs_epcis
def test_the_sensor_events_validate_against_the_epcis_schema(runtime: Runtime, world: Any) -> None:
    validator = epcis.validator(EPCIS_DIR / "EPCIS-JSON-Schema.json")
    doc = _export(runtime, world.tenant.id, world.chilled_lot)
    assert _sensor_events(doc) and epcis.problems(doc, validator) == []
