"""Plans through the API: rules, inspector profiles, a planned period with its reasons, absences that re-plan,
risk, and the other domains' facts that feed it."""

from __future__ import annotations

import dataclasses
from collections import Counter
from datetime import date
from decimal import Decimal as D

from fastapi.testclient import TestClient
from sqlalchemy import select

from boh.bootstrap import Runtime
from boh.inspections import api, handlers, models
from boh.inventory.counts.events import CountPosted
from boh.inventory.events import NegativeStock, StockBelowReorderPoint
from boh.inventory.ingest.events import CycleCountReported, ShrinkSuspected
from tests.factories import login, make_region, make_tenant, make_user
from tests.inspections.helpers import create_template, make_store

API = "/api/v1/inspections"


def _chain(runtime: Runtime, client: TestClient) -> dict[str, object]:
    t = make_tenant(runtime)
    east, west = make_region(runtime, t, "EAST"), make_region(runtime, t, "WEST", "West")
    stores = [make_store(runtime, t, f"E{i}", D("31.2") + D(i) / 100, D("121.4") + D(i) / 100, region_code="EAST")
              for i in range(6)]  # fmt: skip
    stores += [make_store(runtime, t, f"W{i}", D("30.6") + D(i) / 100, D("104.0"), region_code="WEST",
                          format="convenience") for i in range(3)]  # fmt: skip
    make_user(runtime, t, "hqadmin", [("hq_admin", None)])
    admin = login(client, "hqadmin")
    ids = [make_user(runtime, t, f"insp{k}", [("inspector", None)]) for k in range(3)]
    for uid, region in zip(ids, (east, east, west), strict=True):
        r = client.put(f"{API}/inspectors/{uid}", json={"region_id": region, "daily_capacity": 2}, headers=admin)
        assert r.status_code == 200, r.text
    tpl = create_template(client, admin)
    return {"tenant": t, "admin": admin, "inspectors": ids, "stores": stores, "tpl": tpl, "east": east, "west": west}


def test_a_quarter_is_planned_with_reasons_and_replanned_when_an_inspector_is_away(
    runtime: Runtime, client: TestClient
) -> None:
    w = _chain(runtime, client)
    admin, tpl = w["admin"], w["tpl"]
    rule = {"name": "Monthly food safety", "kind": "every_n_days", "template_id": tpl["id"], "every_days": 30}  # type: ignore[index]
    assert client.post(f"{API}/rules", json=rule, headers=admin).status_code == 201  # type: ignore[arg-type]
    bad = client.post(f"{API}/rules", json={**rule, "every_days": None}, headers=admin)  # type: ignore[arg-type]
    assert bad.status_code == 422
    r = client.post(f"{API}/plans", json={"name": "Q1", "start": "2026-01-05", "end": "2026-04-04", "seconds": "2"},
                    headers=admin)  # type: ignore[arg-type]  # fmt: skip
    assert r.status_code == 201, r.text
    plan = r.json()
    assert plan["stats"]["needed"] == 27 and plan["stats"]["planned"] == 27 and plan["stats"]["unassigned"] == 0
    visits = client.get(f"{API}/plans/{plan['id']}/visits?limit=500", headers=admin).json()["items"]  # type: ignore[arg-type]
    assert len(visits) == 27
    east, west = set(w["inspectors"][:2]), {w["inspectors"][2]}  # type: ignore[index]
    for v in visits:  # each store by an inspector of its region, on a weekday within its window
        assert v["inspector_id"] in (east if v["site_code"].startswith("E") else west)
        assert v["window_start"] <= v["scheduled_for"] <= v["window_end"]
        assert {r["code"] for r in v["reasons"]} >= {"rule", "never_inspected"}
    per_day = Counter((v["inspector_id"], v["scheduled_for"]) for v in visits)
    assert max(per_day.values()) <= 2

    away = w["inspectors"][0]  # type: ignore[index]
    theirs = [v for v in visits if v["inspector_id"] == away]
    first_day = min(v["scheduled_for"] for v in theirs)
    r = client.post(f"{API}/inspectors/{away}/absences", json={"start": first_day, "end": first_day}, headers=admin)  # type: ignore[arg-type]
    assert r.status_code == 200, r.text
    moved = r.json()
    n = sum(1 for v in theirs if v["scheduled_for"] == first_day)
    assert moved["moved"] + moved["reassigned"] + moved["unassigned"] == n >= 1
    after = client.get(f"{API}/plans/{plan['id']}/visits?limit=500", headers=admin).json()["items"]  # type: ignore[arg-type]
    assert not [v for v in after if v["inspector_id"] == away and v["scheduled_for"] == first_day]
    per_day = Counter((v["inspector_id"], v["scheduled_for"]) for v in after if v["inspector_id"])
    assert max(per_day.values()) <= 2

    again = client.post(f"{API}/plans", json={"name": "Q1 again", "start": "2026-01-05", "end": "2026-04-04",
                                              "seconds": "1"}, headers=admin).json()  # type: ignore[arg-type]  # fmt: skip
    with runtime.session_factory() as session:
        statuses = Counter(session.scalars(select(models.Visit.status).where(models.Visit.plan_id == plan["id"])))
    assert statuses == {"cancelled": 27} and again["stats"]["planned"] == 27  # the new plan replaces the old


def test_risk_shows_its_reasons_and_other_domains_facts_count(runtime: Runtime, client: TestClient) -> None:
    w = _chain(runtime, client)
    t, store = w["tenant"], w["stores"][0]  # type: ignore[index]
    events = [
        CountPosted(tenant_id=t.id, count_id=1, site_id=store, moves_posted=3, total_abs_value=D("120.5"),
                    currency="CNY"),  # type: ignore[attr-defined]
        NegativeStock(tenant_id=t.id, site_id=store, item_id=1, lot_id=None, on_hand=D(-1), move_ids=(1,)),  # type: ignore[attr-defined]
        CycleCountReported(tenant_id=t.id, site_id=store, session_id="s", zone="z", missing=0, unexpected=0),  # type: ignore[attr-defined]
        StockBelowReorderPoint(tenant_id=t.id, site_id=store, item_id=1, available=D(0), threshold=D(5),
                               reorder_point=D(5), safety_stock=None),  # type: ignore[attr-defined]
        StockBelowReorderPoint(tenant_id=t.id, site_id=store, item_id=2, available=D(3), threshold=D(5),
                               reorder_point=D(5), safety_stock=None),  # type: ignore[attr-defined]
    ]  # fmt: skip
    bus = runtime.bus
    for e in events:
        for _name, fn in bus.handlers_for(e.topic):
            with runtime.system_uow(t.id) as uow:  # type: ignore[attr-defined]
                fn(uow, e)
                uow.commit()
    with runtime.session_factory() as session:
        kinds = Counter(session.scalars(select(models.Signal.kind)))
    assert kinds == {"stock_discrepancy": 2, "stockout": 1}  # a clean cycle count and low stock are not risks
    risk = client.get(f"{API}/risk?site_id={store}", headers=w["admin"]).json()  # type: ignore[arg-type]
    (only,) = risk
    assert {r["code"]: r["points"] for r in only["reasons"]} == {"never_inspected": "25", "stock_discrepancy": "6",
                                                               "stockout": "1"}  # fmt: skip
    assert only["score"] == "32"
    with runtime.session_factory() as session:  # the same through the public api, for the domains above
        risk = api.store_risks(session, t.id, [store], date(2026, 1, 1))[store]  # type: ignore[attr-defined]
    assert (risk.score, risk.last_score) == (D(32), None)
    assert {code for code, _points, _value in risk.reasons} == {"never_inspected", "stock_discrepancy", "stockout"}


def test_the_topics_and_fields_inspections_reads_are_inventorys() -> None:
    """Inspections subscribes by topic (same layer row as inventory): hold the names to inventory's events."""
    fields = {
        CountPosted: {"site_id", "total_abs_value"}, NegativeStock: {"site_id"},
        CycleCountReported: {"site_id", "missing", "unexpected"}, ShrinkSuspected: {"site_id", "occurred_at"},
        StockBelowReorderPoint: {"site_id", "available"},
    }  # fmt: skip
    assert {cls.topic for cls in fields} == set(handlers.TOPICS.values())
    for cls, wanted in fields.items():
        assert wanted <= {f.name for f in dataclasses.fields(cls)}
