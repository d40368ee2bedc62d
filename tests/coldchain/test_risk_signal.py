"""Repeated excursions at a site publish SiteColdChainRisk (from the second one within a week, not for a
single one, not across sites), and inspections, subscribed by topic, keeps it as a cold-chain signal of
the site's risk score."""

from __future__ import annotations

import dataclasses
from collections import Counter
from datetime import timedelta
from decimal import Decimal

from sqlalchemy import select

from boh.bootstrap import Runtime
from boh.coldchain.events import SiteColdChainRisk
from boh.inspections import handlers, models
from boh.kernel.events import decode
from boh.kernel.outbox import OutboxRecord
from tests.coldchain.helpers import T0, ingest, make_world, readings
from tests.coldchain.test_service import WARM


def _risks(rt: Runtime) -> list[SiteColdChainRisk]:
    with rt.session_factory() as s:
        rows = s.execute(select(OutboxRecord.topic, OutboxRecord.payload).where(
            OutboxRecord.topic == SiteColdChainRisk.topic).order_by(OutboxRecord.id)).all()  # fmt: skip
    return [decode(t, p) for t, p in rows]  # type: ignore[misc]


def test_a_second_excursion_within_a_week_publishes_the_sites_risk(runtime: Runtime) -> None:
    w = make_world(runtime)
    ingest(runtime, w.tenant, readings(WARM))
    assert _risks(runtime) == []  # one excursion is not a pattern
    ingest(runtime, w.tenant, readings(WARM, start=T0 + timedelta(days=2), prefix="second"))
    ingest(runtime, w.tenant, readings(WARM, start=T0 + timedelta(days=2), prefix="second"))  # redelivered
    [risk] = _risks(runtime)
    assert (risk.site_id, risk.excursions, risk.window_days, risk.unit_ids) == (w.site, 2, 7, (w.fridge,))
    ingest(runtime, w.tenant, readings(WARM, start=T0 + timedelta(days=20), prefix="later"))
    assert len(_risks(runtime)) == 1  # alone in its week: no new risk


def test_inspections_keeps_the_risk_as_a_cold_chain_signal(runtime: Runtime) -> None:
    w = make_world(runtime)
    ingest(runtime, w.tenant, readings(WARM))
    ingest(runtime, w.tenant, readings(WARM, start=T0 + timedelta(days=1), prefix="second"))
    [risk] = _risks(runtime)
    handlers_for = runtime.bus.handlers_for(risk.topic)  # type: ignore[attr-defined]
    assert [name for name, _fn in handlers_for] == ["boh.inspections.handlers.on_cold_chain_risk"]
    for _name, fn in handlers_for:
        with runtime.system_uow(w.tenant.id) as uow:
            fn(uow, risk)
            uow.commit()
    with runtime.session_factory() as s:
        rows = s.scalars(select(models.Signal)).all()
    assert Counter((r.site_id, r.kind, r.value, r.source) for r in rows) == {
        (w.site, "cold_chain", Decimal(2), "coldchain.site_risk_raised"): 1}  # fmt: skip


def test_the_topic_and_fields_inspections_reads_are_the_cold_chains() -> None:
    assert {"site_risk": SiteColdChainRisk.topic} == handlers.COLDCHAIN_TOPICS
    assert {"site_id", "excursions", "occurred_at"} <= {f.name for f in dataclasses.fields(SiteColdChainRisk)}
