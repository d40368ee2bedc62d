"""The commitments API: created / replayed status codes, problem+json refusals, site scoping, permissions."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal as D
from typing import Any

import pytest
from fastapi.testclient import TestClient

from boh.bootstrap import Runtime
from tests.factories import login, make_user
from tests.inventory.factories import World, make_world, mv, post

URL = "/api/v1/inventory"


@pytest.fixture
def w(runtime: Runtime) -> World:
    return make_world(runtime)


def res(site: int, item: int, qty: str, key: str, **extra: Any) -> dict[str, Any]:
    return {"site_id": site, "item_id": item, "quantity": qty, "document_type": "sales_order",
            "document_id": "SO-9", "idempotency_key": key, **extra}  # fmt: skip


def test_reserve_fulfil_and_read_through_the_api(runtime: Runtime, client: TestClient, w: World) -> None:
    make_user(runtime, w.tenant, "boss", [("hq_admin", None)])
    h = login(client, "boss")
    post(runtime, w.tenant, mv(w.s1, w.item, "receipt", "10", "r1", unit_cost=D(2)))
    r = client.post(f"{URL}/reservations", headers=h, json=res(w.s1, w.item, "4", "k1"))
    assert r.status_code == 201, r.text
    body = r.json()
    assert (body["open_quantity"], body["status"], body["lots"]) == (
        "4.000000",
        "open",
        [{"lot_id": None, "open_quantity": "4.000000"}],
    )
    again = client.post(f"{URL}/reservations", headers=h, json=res(w.s1, w.item, "4", "k1"))
    assert again.status_code == 200 and again.json()["id"] == body["id"]
    bal = client.get(f"{URL}/balances", headers=h, params={"site_id": w.s1}).json()["items"][0]
    assert (bal["reserved"], bal["available"]) == ("4.000000", "6.000000")
    too_much = client.post(f"{URL}/reservations", headers=h, json=res(w.s1, w.item, "7", "k2"))
    assert too_much.status_code == 409
    assert too_much.headers["content-type"].startswith("application/problem+json")
    assert too_much.json()["code"] == "inventory.insufficient_available" and "Traceback" not in too_much.text
    rid = body["id"]
    done = client.post(f"{URL}/reservations/{rid}/fulfil", headers=h, json={"quantity": "3", "idempotency_key": "f1"})
    assert done.status_code == 200, done.text
    assert [m["quantity"] for m in done.json()["moves"]] == ["-3.000000"]
    assert done.json()["open_quantity"] == "1.000000"
    over = client.post(f"{URL}/reservations/{rid}/release", headers=h,
                       json={"quantity": "2", "reason": "x", "idempotency_key": "rel1"})  # fmt: skip
    assert over.status_code == 409 and over.json()["code"] == "inventory.exceeds_open_quantity"
    listed = client.get(f"{URL}/reservations", headers=h, params={"document_id": "SO-9", "status": "open"}).json()
    assert [c["id"] for c in listed["items"]] == [rid]
    one = client.get(f"{URL}/reservations/{rid}", headers=h).json()
    assert [e["action"] for e in one["entries"]] == ["reserve", "fulfil"]
    assert client.get(f"{URL}/incoming/{rid}", headers=h).status_code == 404  # a reservation is not incoming


def test_incoming_receive_and_cancel_through_the_api(runtime: Runtime, client: TestClient, w: World) -> None:
    make_user(runtime, w.tenant, "buyer", [("buyer", None)])
    make_user(runtime, w.tenant, "boss", [("hq_admin", None)])
    buyer, boss = login(client, "buyer"), login(client, "boss")
    po = {"site_id": w.s1, "item_id": w.item, "quantity": "12", "document_type": "purchase_order",
          "document_id": "PO-7", "expected_date": "2026-12-01", "idempotency_key": "po7-1"}  # fmt: skip
    r = client.post(f"{URL}/incoming", headers=buyer, json=po)
    assert r.status_code == 201, r.text
    iid = r.json()["id"]
    bal = client.get(f"{URL}/balances", headers=buyer, params={"site_id": w.s1}).json()["items"][0]
    assert (bal["on_order"], bal["on_hand"]) == ("12.000000", "0.000000")
    # the buyer may put stock on order but not post moves: receiving is the store's (or HQ's) job
    denied = client.post(f"{URL}/incoming/{iid}/receive", headers=buyer, json={"quantity": "5", "idempotency_key": "g"})
    assert denied.status_code == 403
    got = client.post(f"{URL}/incoming/{iid}/receive", headers=boss,
                      json={"quantity": "5", "unit_cost": "1.10", "idempotency_key": "g"})  # fmt: skip
    assert got.status_code == 200 and got.json()["open_quantity"] == "7.000000"
    cancel = client.post(f"{URL}/incoming/{iid}/cancel", headers=buyer, json={"reason": "rest not coming",
                                                                            "idempotency_key": "c"})  # fmt: skip
    assert cancel.status_code == 200 and cancel.json()["status"] == "closed"
    bal = client.get(f"{URL}/balances", headers=buyer, params={"site_id": w.s1}).json()["items"][0]
    assert (bal["on_order"], bal["on_hand"]) == ("0.000000", "5.000000")
    bad = client.post(f"{URL}/incoming", headers=buyer, json={**po, "quantity": "-1", "idempotency_key": "x"})
    assert bad.status_code == 422 and bad.json()["errors"][0]["loc"][-1] == "quantity"


def test_store_roles_see_and_commit_only_their_sites(runtime: Runtime, client: TestClient, w: World) -> None:
    post(runtime, w.tenant, mv(w.s1, w.item, "receipt", "5", "r1"), mv(w.s2, w.item, "receipt", "5", "r2"))
    make_user(runtime, w.tenant, "mgr1", [("store_manager", "S001")])
    make_user(runtime, w.tenant, "staff", [("store_staff", "S001")])
    make_user(runtime, w.tenant, "boss", [("hq_admin", None)])
    m1, staff, boss = login(client, "mgr1"), login(client, "staff"), login(client, "boss")
    theirs = client.post(f"{URL}/reservations", headers=boss, json=res(w.s2, w.item, "1", "b1")).json()["id"]
    assert client.post(f"{URL}/reservations", headers=m1, json=res(w.s2, w.item, "1", "m1")).status_code == 404
    assert client.post(f"{URL}/reservations", headers=m1, json=res(w.s1, w.item, "1", "m2")).status_code == 201
    assert client.get(f"{URL}/reservations/{theirs}", headers=m1).status_code == 404
    rel = {"reason": "x", "idempotency_key": "r"}
    assert client.post(f"{URL}/reservations/{theirs}/release", headers=m1, json=rel).status_code == 404
    assert [c["site_id"] for c in client.get(f"{URL}/reservations", headers=m1).json()["items"]] == [w.s1]
    assert client.post(f"{URL}/reservations", headers=staff, json=res(w.s1, w.item, "1", "s1")).status_code == 403
    other = make_world(runtime, "OTHER")
    make_user(runtime, other.tenant, "intruder", [("hq_admin", None)])
    intruder = login(client, "intruder")
    assert client.get(f"{URL}/reservations/{theirs}", headers=intruder).status_code == 404
    assert client.get(f"{URL}/reservations", headers=intruder).json()["total"] == 0


def test_available_to_promise_adds_expected_receipts_by_due_date(
    runtime: Runtime, client: TestClient, w: World
) -> None:
    make_user(runtime, w.tenant, "boss", [("hq_admin", None)])
    make_user(runtime, w.tenant, "mgr1", [("store_manager", "S001")])
    h = login(client, "boss")
    post(runtime, w.tenant, mv(w.s1, w.item, "receipt", "10", "r1"), mv(w.s2, w.item, "receipt", "5", "r2"))
    assert client.post(f"{URL}/reservations", headers=h, json=res(w.s1, w.item, "4", "k1")).status_code == 201
    today = date.today()
    for n, (qty, due) in enumerate((("12", today + timedelta(days=2)), ("5", today + timedelta(days=1)), ("3", None))):
        body = {"site_id": w.s1, "item_id": w.item, "quantity": qty, "document_type": "purchase_order",
                "document_id": f"PO-{n}", "expected_date": due.isoformat() if due else None,
                "idempotency_key": f"po-{n}"}  # fmt: skip
        assert client.post(f"{URL}/incoming", headers=h, json=body).status_code == 201
    ship = {"from_site_id": w.s2, "to_site_id": w.s1, "item_id": w.item, "quantity": "2", "idempotency_key": "t1"}
    assert client.post(f"{URL}/transfers", headers=h, json=ship).status_code == 201
    a = client.get(f"{URL}/availability", headers=h, params={"site_id": w.s1, "item_id": w.item}).json()
    assert {k: a[k] for k in ("on_hand", "reserved", "available", "in_transit", "on_order", "projected")} == {
        "on_hand": "10.000000", "reserved": "4.000000", "available": "6.000000", "in_transit": "2.000000",
        "on_order": "20.000000", "projected": "28.000000",
    }  # fmt: skip
    assert [(s["date"], s["incoming"], s["available"]) for s in a["timeline"]] == [
        ((today + timedelta(days=1)).isoformat(), "5.000000", "11.000000"),
        ((today + timedelta(days=2)).isoformat(), "12.000000", "23.000000"),
        (None, "3.000000", "26.000000"),
    ]
    none = client.get(f"{URL}/availability", headers=h, params={"site_id": w.s2, "item_id": w.item2}).json()
    assert (none["available"], none["timeline"]) == ("0", [])
    mgr = login(client, "mgr1")
    other = client.get(f"{URL}/availability", headers=mgr, params={"site_id": w.s2, "item_id": w.item})
    assert other.status_code == 404
