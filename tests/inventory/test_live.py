"""Live balances (SSE stream: poller, generator, a real HTTP stream) and reorder alerts on the crossing."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal as D
from typing import Any

import anyio
import httpx
import pytest
import uvicorn
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from boh.bootstrap import Runtime
from boh.inventory.events import StockBelowReorderPoint, StockMoved
from boh.inventory.handlers import check_reorder_points
from boh.inventory.live.stream import BalancePoller, last_move_id, parse_cursor, stream_events
from boh.kernel.events import decode
from boh.kernel.outbox import OutboxRecord, relay_once
from boh.kernel.tenancy import Scope
from tests.catalog.helpers import make_assortment
from tests.factories import login, make_user
from tests.inventory.commitments.helpers import act, reserve
from tests.inventory.factories import World, make_lot, make_world, mv, post

STREAM = "/api/v1/inventory/stream"


@pytest.fixture
def w(runtime: Runtime) -> World:
    return make_world(runtime)


def _poller(rt: Runtime, w: World, site: int, start: int = 0, **kw: Any) -> BalancePoller:
    return BalancePoller(rt.session_factory, Scope(w.tenant.id), site, start, **kw)


# --- the poller -----------------------------------------------------------------------------------------


def test_poller_sends_each_changed_balance_once_and_only_for_its_site(runtime: Runtime, w: World) -> None:
    poller = _poller(runtime, w, w.s1)
    assert poller.poll() == []
    lot = make_lot(runtime, w.tenant, w.item, "L1", None)
    post(runtime, w.tenant, mv(w.s1, w.item, "receipt", "10", "a"), mv(w.s1, w.item, "receipt", "4", "b", lot_id=lot))
    post(runtime, w.tenant, mv(w.s2, w.item, "receipt", "7", "c"))
    rows = poller.poll()
    assert [(r.item_id, r.lot_id, r.lot_code, r.on_hand, r.available) for r in rows] == [
        (w.item, None, None, D(10), D(10)),
        (w.item, lot, "L1", D(4), D(4)),
    ]
    assert rows[0].payload() == {
        "site_id": w.s1,
        "item_id": w.item,
        "lot_id": None,
        "sku": "MILK-1L",
        "lot_code": None,
        "on_hand": "10.000000",
        "reserved": "0.000000",
        "available": "10.000000",
    }
    assert poller.poll() == []  # nothing changed: the rescan of the lookback window stays silent
    post(runtime, w.tenant, mv(w.s1, w.item, "sale", "-3", "d"))
    assert [(r.item_id, r.lot_id, r.on_hand) for r in poller.poll()] == [(w.item, None, D(7))]


def test_poller_sends_a_reservation_and_its_release(runtime: Runtime, w: World) -> None:
    post(runtime, w.tenant, mv(w.s1, w.item, "receipt", "10", "a"))
    with runtime.session_factory() as s:
        poller = _poller(runtime, w, w.s1, last_move_id(s, w.tenant.id, w.s1), entry_start=0)
    assert poller.poll() == []
    r = reserve(runtime, w.tenant, w.s1, w.item, "4", "res-1")
    assert [(x.on_hand, x.reserved, x.available) for x in poller.poll()] == [(D(10), D(4), D(6))]
    assert poller.poll() == []
    act(runtime, w.tenant, "release", r.commitment.id, reason="x", idempotency_key="rel")
    assert [(x.reserved, x.available) for x in poller.poll()] == [(D(0), D(10))]
    assert poller.high == last_move_id_of(runtime, w)
    moves, entries = parse_cursor(poller.cursor)
    assert moves == poller.high and entries is not None and entries > 0
    # a stream that resumes from this cursor misses a reservation made while it was away
    reserve(runtime, w.tenant, w.s1, w.item, "3", "res-3")
    resumed = _poller(runtime, w, w.s1, moves, entry_start=entries)
    assert [(x.reserved, x.available) for x in resumed.poll()] == [(D(3), D(7))]


def test_cursor_parsing() -> None:
    assert parse_cursor("12.7") == (12, 7) and parse_cursor("12") == (12, None)
    for bad in ("", "x", "1.y", "-1.2", "1.-2"):
        with pytest.raises(ValueError):
            parse_cursor(bad)


def last_move_id_of(rt: Runtime, w: World) -> int:
    with rt.session_factory() as s:
        return last_move_id(s, w.tenant.id, w.s1)


def test_poller_floor_trails_the_highest_id_by_the_lookback(runtime: Runtime, w: World) -> None:
    now = [100.0]
    poller = _poller(runtime, w, w.s1, lookback=10, clock=lambda: now[0])
    post(runtime, w.tenant, mv(w.s1, w.item, "receipt", "1", "a"))
    poller.poll()
    first = poller.high
    assert first > 0 and poller.floor == 0  # a lower id committed late would still be found
    now[0] += 11
    assert poller.floor == first


def test_poller_starts_after_the_given_move(runtime: Runtime, w: World) -> None:
    result = post(runtime, w.tenant, mv(w.s1, w.item, "receipt", "5", "a"))
    poller = _poller(runtime, w, w.s1, start=result.moves[0].id)
    assert poller.poll() == []


def test_stream_events_yields_balance_events_and_ends_on_disconnect(runtime: Runtime, w: World) -> None:
    poller = _poller(runtime, w, w.s1)
    post(runtime, w.tenant, mv(w.s1, w.item, "receipt", "2.5", "a"))
    calls = [0]

    async def disconnected() -> bool:
        calls[0] += 1
        return calls[0] > 3

    async def collect() -> list[str]:
        return [c async for c in stream_events(poller, disconnected, poll_seconds=0, heartbeat_seconds=0)]

    with ThreadPoolExecutor(1) as pool:  # its own thread: the e2e browser may hold this thread's loop
        chunks = pool.submit(anyio.run, collect).result(timeout=30)
    assert chunks[0] == "retry: 2000\n\n"
    balance = [c for c in chunks if c.startswith("event: balance")]
    assert len(balance) == 1
    _event, event_id, data = balance[0].strip().split("\n")
    assert event_id == f"id: {poller.cursor}" and poller.cursor.startswith(f"{poller.high}.")
    assert json.loads(data.removeprefix("data: "))["on_hand"] == "2.500000"
    assert ": heartbeat\n\n" in chunks
    assert calls[0] == 4  # stopped at the first poll after the disconnect


# --- HTTP: scoping and a real stream ---------------------------------------------------------------


def test_stream_of_a_site_outside_the_scope_is_404(runtime: Runtime, client: TestClient, w: World) -> None:
    make_user(runtime, w.tenant, "mgr", [("store_manager", "S001")])
    h = login(client, "mgr")
    r = client.get(STREAM, headers=h, params={"site_id": w.s2})
    assert r.status_code == 404 and r.json()["code"] == "org.site_not_found"
    bad = client.get(STREAM, headers={**h, "Last-Event-ID": "abc"}, params={"site_id": w.s1})
    assert bad.status_code == 422 and bad.json()["errors"][0]["code"] == "inventory.bad_cursor"
    assert client.get(STREAM, params={"site_id": w.s1}).status_code == 401


@pytest.fixture
def server(app: FastAPI) -> Iterator[tuple[str, threading.Thread, uvicorn.Server]]:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    cfg = uvicorn.Config(app, host="127.0.0.1", port=sock.getsockname()[1], log_level="warning", lifespan="off")
    srv = uvicorn.Server(cfg)
    thread = threading.Thread(target=srv.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not srv.started:
        assert time.monotonic() < deadline and thread.is_alive(), "uvicorn did not start"
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}", thread, srv
    finally:
        srv.should_exit = True
        thread.join(timeout=15)
        sock.close()


def _next_balance(lines: Iterator[str], deadline: float) -> dict[str, Any]:
    event = ""
    for line in lines:
        assert time.monotonic() < deadline, "no balance event in time"
        if line.startswith("event: "):
            event = line.removeprefix("event: ")
        elif line.startswith("data: ") and event == "balance":
            data: dict[str, Any] = json.loads(line.removeprefix("data: "))
            return data
    raise AssertionError("the stream ended")


def test_http_stream_sends_a_balance_event_after_a_move_and_ends_on_disconnect(
    runtime: Runtime, client: TestClient, w: World, server: tuple[str, threading.Thread, uvicorn.Server]
) -> None:
    url, thread, srv = server
    make_user(runtime, w.tenant, "mgr", [("store_manager", "S001")])
    h = login(client, "mgr")
    with (
        httpx.Client(base_url=url, timeout=5) as http,
        http.stream("GET", STREAM, headers=h, params={"site_id": w.s1}) as r,
    ):
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/event-stream")
        lines = r.iter_lines()
        assert next(lines) == "retry: 2000"
        started = time.monotonic()
        post(runtime, w.tenant, mv(w.s1, w.item, "receipt", "6", "a"), mv(w.s2, w.item, "receipt", "9", "b"))
        data = _next_balance(lines, started + 30)  # a generous deadline; the push's latency is not asserted
        assert (data["site_id"], data["item_id"], data["on_hand"], data["available"]) == (
            w.s1,
            w.item,
            "6.000000",
            "6.000000",
        )
    srv.should_exit = True  # uvicorn waits for open connections: it stops only if the stream ended
    thread.join(timeout=5)
    assert not thread.is_alive()


# --- reorder alerts ---------------------------------------------------------------------------------


def _below_events(rt: Runtime) -> list[StockBelowReorderPoint]:
    with rt.session_factory() as s:
        rows = s.scalars(
            select(OutboxRecord).where(OutboxRecord.topic == StockBelowReorderPoint.topic).order_by(OutboxRecord.id)
        )
        out = [decode(r.topic, r.payload) for r in rows.all()]
    return [e for e in out if isinstance(e, StockBelowReorderPoint)]


def _relay(rt: Runtime) -> None:
    relay_once(rt.session_factory, rt.system_uow, rt.bus)


def test_reorder_alert_is_published_once_on_the_crossing(runtime: Runtime, w: World) -> None:
    make_assortment(runtime, w.tenant, w.s1, w.item, reorder_point=D(10), safety_stock=D(4))
    post(runtime, w.tenant, mv(w.s1, w.item, "receipt", "12", "a"))
    _relay(runtime)
    assert _below_events(runtime) == []  # above: nothing
    post(runtime, w.tenant, mv(w.s1, w.item, "sale", "-3", "b"))  # 12 -> 9: crossing
    _relay(runtime)
    post(runtime, w.tenant, mv(w.s1, w.item, "sale", "-2", "c"))  # 9 -> 7: still below
    _relay(runtime)
    events = _below_events(runtime)
    assert [(e.site_id, e.item_id, e.available, e.threshold, e.safety_stock) for e in events] == [
        (w.s1, w.item, D(9), D(10), D(4))
    ]
    post(runtime, w.tenant, mv(w.s1, w.item, "receipt", "5", "d"))  # 7 -> 12: re-armed
    _relay(runtime)
    post(runtime, w.tenant, mv(w.s1, w.item, "sale", "-5", "e"))  # 12 -> 7: second crossing
    _relay(runtime)
    assert [e.available for e in _below_events(runtime)] == [D(9), D(7)]


def test_reorder_handler_is_idempotent_and_ignores_items_without_a_threshold(runtime: Runtime, w: World) -> None:
    make_assortment(runtime, w.tenant, w.s1, w.item, safety_stock=D(3))  # no reorder point: safety stock
    make_assortment(runtime, w.tenant, w.s1, w.item2)  # carried, no threshold
    result = post(runtime, w.tenant, mv(w.s1, w.item, "sale", "-1", "a"), mv(w.s1, w.item2, "sale", "-1", "b"))
    event = StockMoved(
        tenant_id=w.tenant.id,
        move_ids=tuple(m.id for m in result.moves),
        changes=({"site_id": w.s1, "item_id": w.item}, {"site_id": w.s1, "item_id": w.item2}),
    )
    for _ in range(2):  # a redelivered event publishes nothing new
        with runtime.system_uow(w.tenant.id) as uow:
            check_reorder_points(uow, event)
            uow.commit()
    events = _below_events(runtime)
    assert [(e.item_id, e.available, e.threshold, e.reorder_point) for e in events] == [(w.item, D(-1), D(3), None)]


def test_reorder_check_skips_inactive_rows_and_items_without_a_threshold(runtime: Runtime, w: World) -> None:
    make_assortment(runtime, w.tenant, w.s1, w.item, reorder_point=D(2))
    make_assortment(runtime, w.tenant, w.s1, w.item2, reorder_point=D(5), active=False)  # not replenished
    post(runtime, w.tenant, mv(w.s1, w.item, "receipt", "1", "a"), mv(w.s1, w.item2, "receipt", "1", "b"))
    _relay(runtime)
    assert [(e.item_id, e.available) for e in _below_events(runtime)] == [(w.item, D(1))]
