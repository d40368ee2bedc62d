"""The cold-chain API: a batch with an error per reading, a body refused whole as problem+json, units
configured, excursions listed with their lots."""

from __future__ import annotations

from fastapi.testclient import TestClient

from boh.bootstrap import Runtime
from tests.coldchain.helpers import make_world, readings
from tests.factories import login, make_user


def test_batch_reports_each_bad_reading_and_refuses_a_non_envelope(runtime: Runtime, client: TestClient) -> None:
    w = make_world(runtime)
    make_user(runtime, w.tenant, "boss", [("hq_admin", None)])
    h = login(client, "boss")
    batch = readings([3.0] * 10 + [8.0] * 20 + [3.0] * 5)
    batch.insert(3, {"reading_id": "bad", "sensor": "T-F1", "at": "yesterday", "value": 4})
    r = client.post("/api/v1/coldchain/readings", json={"readings": batch}, headers=h)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["accepted"] == 35 and body["duplicates"] == 0
    assert body["rejected"] == [{"index": 3, "reading_id": "bad", "code": "coldchain.bad_time",
                                 "message": "at must be an ISO 8601 time with its UTC offset"}]  # fmt: skip
    again = client.post("/api/v1/coldchain/readings", json={"readings": batch}, headers=h).json()
    assert (again["accepted"], again["duplicates"]) == (0, 35)
    whole = client.post("/api/v1/coldchain/readings", content=b"[1, 2]", headers=h)
    assert whole.status_code == 422
    assert whole.headers["content-type"].startswith("application/problem+json")
    assert whole.json()["code"] == "boh.validation_failed"
    page = client.get("/api/v1/coldchain/excursions?kind=temperature", headers=h).json()
    assert page["total"] == 1
    exc = client.get(f"/api/v1/coldchain/excursions/{page['items'][0]['id']}", headers=h).json()
    assert exc["minutes_beyond"] == 20 and [e["lot_code"] for e in exc["exposures"]] == ["M-1"]
    letters = client.get("/api/v1/coldchain/dead-letters", headers=h).json()
    assert [x["code"] for x in letters["items"]] == ["coldchain.bad_time"] * 2  # sent twice, kept twice


def test_units_take_haccp_defaults_and_a_store_manager_sees_only_their_store(
    runtime: Runtime, client: TestClient
) -> None:
    w = make_world(runtime)
    make_user(runtime, w.tenant, "boss", [("hq_admin", None)])
    h = login(client, "boss")
    r = client.post("/api/v1/coldchain/units", json={"site_id": w.site, "code": "H1", "name": "Bain-marie",
                                                     "kind": "hot_holding", "defrost": []}, headers=h)  # fmt: skip
    assert r.status_code == 201, r.text
    assert (r.json()["limit_c"], r.json()["direction"]) == ("57", "min")
    dup = client.post("/api/v1/coldchain/units", json={"site_id": w.site, "code": "H1", "name": "x",
                                                       "kind": "fridge"}, headers=h)  # fmt: skip
    assert dup.status_code == 409 and dup.json()["code"] == "coldchain.duplicate_code"
    from tests.factories import make_site

    make_site(runtime, w.tenant, "S002")
    make_user(runtime, w.tenant, "mgr2", [("store_manager", "S002")])
    other = client.get("/api/v1/coldchain/units", headers=login(client, "mgr2")).json()
    assert other == []
