"""The JSON API: events with device keys bound to a site, RFID session close, alerts."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal as D
from types import SimpleNamespace

import pytest
from fastapi.testclient import TestClient

from boh.bootstrap import Runtime
from boh.org.auth import create_api_key
from boh.org.schemas import ApiKeyCreate
from tests.factories import login, make_user
from tests.inventory.ingest.helpers import (
    Floor,
    epc_for,
    gtin_for,
    make_floor,
    move_count,
    on_hand,
    read,
    receive,
    sale,
)

URL = "/api/v1/inventory"


@pytest.fixture
def f(runtime: Runtime) -> Floor:
    f = make_floor(runtime)
    receive(runtime, f, f.sh01, f.milk, "10")
    receive(runtime, f, f.sh02, f.milk, "10")
    return f


def device_key(rt: Runtime, f: Floor, site_id: int | None, perms: list[str] | None = None) -> dict[str, str]:
    with rt.system_uow(f.tenant.id) as uow:
        created = create_api_key(
            uow, ApiKeyCreate(name="till", site_id=site_id, permissions=perms or ["inventory.events.write"])
        )
        uow.commit()
    return {"X-API-Key": created.key}


def test_device_key_of_one_site_cannot_post_for_another(runtime: Runtime, client: TestClient, f: Floor) -> None:
    h = device_key(runtime, f, f.sh01)
    body = {"events": [sale("a", site="SH01"), sale("b", site="SH02"), sale("c", site="SH01", qty=2), 42]}
    r = client.post(f"{URL}/events", json=body, headers=h)
    assert r.status_code == 200, r.text
    assert r.json()["accepted"] == 2
    assert [(x["index"], x["event_id"], x["code"]) for x in r.json()["rejected"]] == [
        (1, "b", "inventory.site_not_allowed"),
        (3, None, "inventory.malformed_event"),
    ]
    assert (on_hand(runtime, f.sh01, f.milk), on_hand(runtime, f.sh02, f.milk)) == (D(7), D(10))


def test_posting_events_needs_the_permission(runtime: Runtime, client: TestClient, f: Floor) -> None:
    h = device_key(runtime, f, f.sh01, ["inventory.stock.read"])
    r = client.post(f"{URL}/events", json={"events": [sale("a")]}, headers=h)
    assert r.status_code == 403
    assert r.json()["code"] == "auth.permission_denied"
    assert move_count(runtime) == 2
    assert client.post(f"{URL}/events", json={"events": [sale("a")]}).status_code == 401


def test_a_batch_over_5000_events_is_refused_whole(runtime: Runtime, client: TestClient, f: Floor) -> None:
    h = device_key(runtime, f, f.sh01)
    r = client.post(f"{URL}/events", json={"events": [sale(f"e{i}") for i in range(5001)]}, headers=h)
    assert r.status_code == 422
    assert move_count(runtime) == 2


def test_shrink_alert_listed_and_closed(runtime: Runtime, client: TestClient, f: Floor) -> None:
    make_user(runtime, f.tenant, "boss", [("hq_admin", None)])
    make_user(runtime, f.tenant, "clerk2", [("store_staff", "SH02")])
    h = login(client, "boss")
    tag = epc_for(gtin_for(1), 5)
    events = [
        read("r1", tag, "floor", "2026-11-25T09:00:00+08:00"),
        read("r2", tag, "exit", "2026-11-25T09:10:00+08:00"),
    ]
    assert client.post(f"{URL}/events", json={"events": events}, headers=h).json()["accepted"] == 2
    r = client.get(f"{URL}/alerts", params={"kind": "shrink", "open": True}, headers=h)
    assert r.status_code == 200
    [alert] = r.json()["items"]
    assert (alert["epc"], alert["item_id"], alert["site_id"], alert["is_open"]) == (tag, f.milk, f.sh01, True)
    other = login(client, "clerk2")  # a store of another site sees none and cannot close it
    assert client.get(f"{URL}/alerts", headers=other).json()["total"] == 0
    assert client.post(f"{URL}/alerts/{alert['id']}/close", json={}, headers=other).status_code == 404
    r = client.post(f"{URL}/alerts/{alert['id']}/close", json={"note": "customer paid"}, headers=h)
    assert r.status_code == 200, r.text
    assert (r.json()["is_open"], r.json()["close_note"]) == (False, "customer paid")
    assert client.get(f"{URL}/alerts", params={"open": True}, headers=h).json()["total"] == 0


def test_session_close_route(runtime: Runtime, client: TestClient, f: Floor) -> None:
    h = device_key(runtime, f, f.sh01)
    tag = epc_for(gtin_for(1), 9)
    ev = read("r1", tag, "floor", "2026-11-25T09:00:00+08:00", session_id="cc-9")
    assert client.post(f"{URL}/events", json={"events": [ev]}, headers=h).json()["accepted"] == 1
    r = client.post(f"{URL}/rfid/sessions/cc-9/close", headers=h)
    assert r.status_code == 200, r.text
    assert r.json()["unexpected"] == [{"epc": tag, "item_id": f.milk}]
    assert client.post(f"{URL}/rfid/sessions/nope/close", headers=h).status_code == 404
    other = device_key(runtime, f, f.sh02)
    assert client.post(f"{URL}/rfid/sessions/cc-9/close", headers=other).status_code == 404


def test_a_barcode_moved_to_another_item_resolves_to_it_at_once(runtime: Runtime, client: TestClient, f: Floor) -> None:
    """Ingestion remembers resolved codes for a while; changing an item forgets them (in this process)."""
    make_user(runtime, f.tenant, "boss", [("hq_admin", None)])
    boss, till = login(client, "boss"), device_key(runtime, f, f.sh01)
    gtin = gtin_for(1)
    assert (
        client.post(f"{URL}/events", json={"events": [sale("g1", sku=None, gtin=gtin)]}, headers=till).json()[
            "accepted"
        ]
        == 1
    )
    assert on_hand(runtime, f.sh01, f.milk) == D(9)  # the GTIN is milk's, and now cached
    assert client.delete(f"/api/v1/catalog/items/{f.milk}/barcodes/{gtin}", headers=boss).status_code == 200
    assert client.post(f"/api/v1/catalog/items/{f.soap}/barcodes", headers=boss, json={"code": gtin}).status_code == 201
    r = client.post(f"{URL}/events", json={"events": [sale("g2", sku=None, gtin=gtin)]}, headers=till)
    assert r.json()["accepted"] == 1, r.text
    assert (on_hand(runtime, f.sh01, f.milk), on_hand(runtime, f.sh01, f.soap)) == (D(9), D(-1))


@pytest.mark.parametrize(
    ("content", "loc"),
    [
        (b'{"events": [', ["body"]),  # not JSON
        (b'{"evnts": []}', ["body"]),  # no events, and not one event either
        (b'{"events": {"kind": "sale"}}', ["body"]),  # events not a list
    ],
)
def test_a_body_that_is_not_a_batch_is_refused_whole(
    runtime: Runtime, client: TestClient, f: Floor, content: bytes, loc: list[str]
) -> None:
    h = {**device_key(runtime, f, f.sh01), "Content-Type": "application/json"}
    r = client.post(f"{URL}/events", content=content, headers=h)
    assert r.status_code == 422, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    assert r.json()["code"] == "boh.validation_failed"
    assert r.json()["errors"][0]["loc"][: len(loc)] == loc
    assert r.json()["errors"][0]["code"] == "inventory.malformed_payload"  # the code MQTT reports too
    assert move_count(runtime) == 2


def test_valid_and_mixed_batches_give_the_same_results(runtime: Runtime, client: TestClient, f: Floor) -> None:
    """An all-valid body is parsed straight from its bytes; one bad event sends the body down the path that
    validates each event alone. Both apply the same good events."""
    h = device_key(runtime, f, f.sh01)
    good = client.post(f"{URL}/events", json={"events": [sale("v1"), sale("v2", qty="2")]}, headers=h).json()
    assert (good["accepted"], good["rejected"]) == (2, [])
    mixed = client.post(f"{URL}/events", json={"events": [sale("v3"), {"kind": "sale"}, sale("v1")]}, headers=h)
    body = mixed.json()
    assert (body["accepted"], body["duplicates"]) == (1, 1)
    assert [(x["index"], x["code"]) for x in body["rejected"]] == [(1, "inventory.missing_field")]
    assert on_hand(runtime, f.sh01, f.milk) == D(6)


def test_a_server_process_ingests_one_batch_at_a_time(runtime: Runtime, app, f: Floor, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """BOH_INGEST_CONCURRENCY (default 1): batches posted at once are ingested one after the other, and all
    of them are applied."""
    import threading

    import anyio
    import httpx

    from boh.inventory.ingest import service

    real, lock, state = service.ingest, threading.Lock(), {"now": 0, "most": 0}

    def spy(*args, **kwargs):  # type: ignore[no-untyped-def]
        with lock:
            state["now"] += 1
            state["most"] = max(state["most"], state["now"])
        try:
            return real(*args, **kwargs)
        finally:
            with lock:
                state["now"] -= 1

    monkeypatch.setattr(service, "ingest", spy)
    h = device_key(runtime, f, f.sh01)

    async def post_all() -> list[int]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t", headers=h) as c:
            statuses: list[int] = []

            async def post(n: int) -> None:
                events = [sale(f"c{n}-{i}") for i in range(300)]
                statuses.append((await c.post(f"{URL}/events", json={"events": events})).status_code)

            async with anyio.create_task_group() as tg:
                for n in range(4):
                    tg.start_soon(post, n)
            return statuses

    done: list[list[int]] = []  # in a thread of its own: another test may have left this one inside a loop
    runner = threading.Thread(target=lambda: done.append(anyio.run(post_all)))
    runner.start()
    runner.join(120)
    assert done == [[200] * 4]
    assert state["most"] == 1
    assert on_hand(runtime, f.sh01, f.milk) == D(10 - 4 * 300)


def test_the_batch_is_freed_before_the_collector_resumes(
    runtime: Runtime, client: TestClient, f: Floor, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The cyclic collector is paused while a batch is ingested; the collection due when it resumes walks
    every object still alive. The route's frame must have let go of the batch's events by then."""
    from boh.inventory.ingest import routes
    from boh.inventory.ingest.schemas import SaleEvent
    from boh.kernel import gcpause

    alive: list[int] = []

    @contextmanager
    def paused() -> Iterator[None]:
        with gcpause.paused():
            yield
            alive.append(sum(1 for o in gc.get_objects() if isinstance(o, SaleEvent) and o.event_id[:3] == "gc-"))

    monkeypatch.setattr(routes, "gcpause", SimpleNamespace(paused=paused))
    h = device_key(runtime, f, f.sh01)
    r = client.post(f"{URL}/events", json={"events": [sale(f"gc-{i}") for i in range(3)]}, headers=h)
    assert r.status_code == 200, r.text
    assert r.json()["accepted"] == 3
    assert alive == [0]
