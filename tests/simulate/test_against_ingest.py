"""Simulated events go through the real ingest service (SQLite and PostgreSQL): all accepted, exactly
once, EPCs resolve to the right items, and the shrink story raises a shrink alert."""

from __future__ import annotations

import random

from sqlalchemy import func, select

from boh.bootstrap import Runtime
from boh.catalog.api import item_by_epc
from boh.inventory.ingest.models import Alert, IngestedEvent
from boh.inventory.ingest.service import ingest
from boh.inventory.models import Balance, Move
from boh.simulate.generator import FloorGenerator
from tests.simulate.support import make_floor_world


def _ingest(rt: Runtime, tenant_id: int, events: list[dict[str, object]]):  # type: ignore[no-untyped-def]
    with rt.system_uow(tenant_id) as uow:
        result = ingest(uow, events, transport="http")  # type: ignore[arg-type]
        uow.commit()
    return result


def test_generated_events_are_all_accepted_once(runtime: Runtime) -> None:
    w = make_floor_world(runtime)
    events = FloorGenerator(random.Random(5), w.snapshot).next_events(600)
    first = _ingest(runtime, w.tenant.id, events[:400])
    second = _ingest(runtime, w.tenant.id, events)  # a retry overlapping the first batch
    assert (first.accepted, first.duplicates, first.rejected) == (400, 0, [])
    assert (second.accepted, second.duplicates, second.rejected) == (200, 400, [])
    sales = [e for e in events if e["kind"] in ("sale", "return")]
    with runtime.session_factory() as s:
        assert s.scalar(select(func.count()).select_from(IngestedEvent)) == 600
        assert s.scalar(select(func.count()).select_from(Move)) == len(sales)
        assert s.scalar(select(func.count()).select_from(Balance)) > 0


def test_epcs_decode_back_to_the_right_item(runtime: Runtime) -> None:
    w = make_floor_world(runtime)
    gen = FloorGenerator(random.Random(9), w.snapshot, mix={"rfid": 1.0})
    reads = gen.next_events(200)
    with runtime.session_factory() as s:
        for e in reads[:50]:
            scanned = item_by_epc(s, w.tenant.id, e["epc"])
            expected = gen.tags[e["epc"]].sku
            assert scanned.item.sku == expected
            assert scanned.item.id == w.item_ids[expected]


def test_shrink_story_raises_a_shrink_alert(runtime: Runtime) -> None:
    w = make_floor_world(runtime)
    gen = FloorGenerator(random.Random(2), w.snapshot)
    story = gen.shrink_story("SH02")
    result = _ingest(runtime, w.tenant.id, story)
    assert (result.accepted, result.rejected) == (3, [])
    with runtime.session_factory() as s:
        alerts = s.scalars(select(Alert)).all()
    assert [(a.kind, a.site_id, a.epc) for a in alerts] == [("shrink", w.site_ids["SH02"], story[-1]["epc"].upper())]
