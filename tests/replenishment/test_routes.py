"""The replenishment API: a run is queued (202) and polled, lines carry their explanation, a change with a
reason beyond tolerance waits for an approver, bad input is a problem+json with every field, and another
tenant sees nothing."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from boh.bootstrap import Runtime
from boh.replenishment import models as m
from boh.replenishment import tasks
from tests.factories import login, make_user
from tests.replenishment.helpers import DAY, make_world


def test_run_is_queued_polled_and_lines_explained(runtime: Runtime, client: TestClient) -> None:
    w = make_world(runtime)
    make_user(runtime, w.tenant, "buyer", [("buyer", None)])
    h = login(client, "buyer")
    r = client.post("/api/v1/replenishment/runs", headers=h,
                    json={"order_day": DAY.isoformat(), "idempotency_key": "api-1"})  # fmt: skip
    assert r.status_code == 202, r.text
    run = r.json()
    assert (run["status"], run["sites_total"], run["sites_done"]) == ("queued", 3, 0)
    assert r.headers["location"] == f"/api/v1/replenishment/runs/{run['id']}"
    again = client.post("/api/v1/replenishment/runs", headers=h, json={"order_day": DAY.isoformat(),
                                                                        "idempotency_key": "api-1"})  # fmt: skip
    assert again.json()["id"] == run["id"]
    assert tasks.process_queued(runtime) == 1
    done = client.get(f"/api/v1/replenishment/runs/{run['id']}", headers=h).json()
    assert (done["status"], done["sites_done"]) == ("done", 3)
    lines = client.get(f"/api/v1/replenishment/lines?run_id={run['id']}&site_id={w.s1}", headers=h).json()
    assert lines["total"] == 2  # milk and bread (rice is stocked)
    milk = next(x for x in lines["items"] if x["item_id"] == w.milk)
    assert (milk["suggested_qty"], milk["status"]) == ("36.000000", "proposed")
    detail = client.get(f"/api/v1/replenishment/lines/{milk['id']}", headers=h).json()
    assert detail["explanation"]["binding"] == "case_round"
    assert detail["explanation"]["position"]["on_hand"] == "5.000"


def test_change_validation_and_approval(runtime: Runtime, client: TestClient) -> None:
    from tests.replenishment.helpers import run_day

    w = make_world(runtime)
    run_day(runtime, w)
    make_user(runtime, w.tenant, "mgr", [("store_manager", "S001")])
    make_user(runtime, w.tenant, "rmgr", [("regional_manager", None)])
    mgr, rm = login(client, "mgr"), login(client, "rmgr")
    with runtime.session_factory() as s:
        milk = s.scalars(select(m.Line).where(m.Line.site_id == w.s1, m.Line.item_id == w.milk)).one()
    bad = client.post(
        f"/api/v1/replenishment/lines/{milk.id}/change", headers=mgr, json={"qty": "-1", "reason_code": "x"}
    )
    assert bad.status_code == 422
    assert bad.headers["content-type"].startswith("application/problem+json")
    assert {tuple(e["loc"])[-1] for e in bad.json()["errors"]} == {"qty", "reason_code"}
    ok = client.post(f"/api/v1/replenishment/lines/{milk.id}/change", headers=mgr,
                     json={"qty": "60", "reason_code": "promotion", "note": "festival"})  # fmt: skip
    assert ok.status_code == 200 and ok.json()["status"] == "pending"
    assert client.post(f"/api/v1/replenishment/lines/{milk.id}/decision", headers=mgr,
                       json={"approve": True}).status_code == 403  # fmt: skip
    dec = client.post(f"/api/v1/replenishment/lines/{milk.id}/decision", headers=rm, json={"approve": True})
    assert dec.status_code == 200 and dec.json()["status"] == "approved"
    again = client.post(f"/api/v1/replenishment/lines/{milk.id}/decision", headers=rm, json={"approve": True})
    assert again.status_code == 409


def test_other_tenant_sees_nothing(runtime: Runtime, client: TestClient) -> None:
    from tests.factories import make_tenant
    from tests.replenishment.helpers import run_day

    w = make_world(runtime)
    run_day(runtime, w)
    other = make_tenant(runtime, code="OTHER")
    make_user(runtime, other, "spy", [("hq_admin", None)])
    h = login(client, "spy")
    with runtime.session_factory() as s:
        line_id = s.scalar(select(m.Line.id).limit(1))
        runs = s.scalar(select(func.count()).select_from(m.Run))
    assert client.get("/api/v1/replenishment/lines", headers=h).json()["total"] == 0
    assert client.get(f"/api/v1/replenishment/lines/{line_id}", headers=h).status_code == 404
    assert client.get("/api/v1/replenishment/runs", headers=h).json() == []
    r = client.post(
        f"/api/v1/replenishment/lines/{line_id}/change", headers=h, json={"qty": "1", "reason_code": "other"}
    )
    assert r.status_code == 404
    with runtime.session_factory() as s:
        assert s.scalar(select(func.count()).select_from(m.Change)) == 0
        assert s.scalar(select(func.count()).select_from(m.Run)) == runs
