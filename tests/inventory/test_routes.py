"""The JSON API: problem+json errors, site scoping for store roles, tenant isolation."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal as D
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from boh.bootstrap import Runtime
from boh.inventory.models import Move
from tests.factories import login, make_user
from tests.inventory.factories import World, make_lot, make_world

URL = "/api/v1/inventory"


@pytest.fixture
def w(runtime: Runtime) -> World:
    return make_world(runtime)  # real time: the access tokens are checked against the wall clock


def move(site: int, item: int, move_type: str, qty: str, key: str, **extra: Any) -> dict[str, Any]:
    return {"site_id": site, "item_id": item, "move_type": move_type, "quantity": qty, "idempotency_key": key, **extra}


def moves_count(rt: Runtime) -> int:
    with rt.session_factory() as s:
        return s.scalar(select(func.count()).select_from(Move)) or 0


def test_post_moves_then_read_balances_and_history(runtime: Runtime, client: TestClient, w: World) -> None:
    make_user(runtime, w.tenant, "boss", [("hq_admin", None)])
    h = login(client, "boss")
    body = {
        "moves": [move(w.s1, w.item, "receipt", "12.5", "a", unit_cost="2.40"), move(w.s1, w.item, "sale", "-2.5", "b")]
    }
    r = client.post(f"{URL}/moves", headers=h, json=body)
    assert r.status_code == 201, r.text
    assert [m["quantity"] for m in r.json()["moves"]] == ["12.500000", "-2.500000"]
    assert r.json()["moves"][1]["unit_cost"] == "2.400000"
    again = client.post(f"{URL}/moves", headers=h, json=body)
    assert again.status_code == 200 and again.json()["replayed"] == 2
    b = client.get(f"{URL}/balances", headers=h, params={"site_id": w.s1}).json()
    assert b["total"] == 1 and b["items"][0]["on_hand"] == "10.000000" and b["items"][0]["available"] == "10.000000"
    hist = client.get(f"{URL}/moves", headers=h, params={"item_id": w.item}).json()
    assert [m["idempotency_key"] for m in hist["items"]] == ["b", "a"]
    assert moves_count(runtime) == 2
    client.post(f"{URL}/moves", headers=h, json={"moves": [move(w.s2, w.item, "receipt", "1", "c", unit_cost="2")]})
    pages = [client.get(f"{URL}/balances", headers=h, params={"limit": n, "offset": o}).json() for n, o in
             ((1, 0), (1, 1), (5, 0), (5, 1), (5, 2))]  # fmt: skip
    assert [(len(p["items"]), p["total"]) for p in pages] == [(1, 2), (1, 2), (2, 2), (1, 2), (0, 2)]


def test_refused_move_is_409_problem_and_writes_nothing(runtime: Runtime, client: TestClient, w: World) -> None:
    make_user(runtime, w.tenant, "boss", [("hq_admin", None)])
    h = login(client, "boss")
    r = client.post(
        f"{URL}/moves",
        headers=h,
        json={"moves": [move(w.strict, w.item, "receipt", "1", "x"), move(w.strict, w.item, "sale", "-3", "y")]},
    )
    assert r.status_code == 409
    assert r.headers["content-type"].startswith("application/problem+json")
    assert r.json()["code"] == "inventory.insufficient_stock"
    assert r.json()["shortages"][0]["index"] == 1
    assert moves_count(runtime) == 0
    assert client.get(f"{URL}/balances", headers=h).json()["total"] == 0


def test_validation_errors_name_every_bad_move(runtime: Runtime, client: TestClient, w: World) -> None:
    make_user(runtime, w.tenant, "boss", [("hq_admin", None)])
    h = login(client, "boss")
    moves = [move(w.s1, w.item, "receipt", "1", f"k{i}") for i in range(10)]
    moves[1] = move(w.s1, w.item, "adjustment", "1", "k1")
    moves[4] = move(w.s1, 999_999, "receipt", "1", "k4")
    moves[7] = move(w.s1, w.item, "sale", "1", "k7")
    r = client.post(f"{URL}/moves", headers=h, json={"moves": moves})
    assert r.status_code == 422
    assert sorted(tuple(e["loc"]) for e in r.json()["errors"]) == [
        ("moves", 1, "reason_code"),
        ("moves", 4, "item_id"),
        ("moves", 7, "quantity"),
    ]
    assert moves_count(runtime) == 0


def test_store_manager_sees_and_moves_only_their_store(runtime: Runtime, client: TestClient, w: World) -> None:
    make_user(runtime, w.tenant, "boss", [("hq_admin", None)])
    make_user(runtime, w.tenant, "mgr1", [("store_manager", "S001")])
    boss, mgr = login(client, "boss"), login(client, "mgr1")
    client.post(
        f"{URL}/moves",
        headers=boss,
        json={"moves": [move(w.s1, w.item, "receipt", "1", "a"), move(w.s2, w.item, "receipt", "2", "b")]},
    )
    seen = client.get(f"{URL}/balances", headers=mgr).json()
    assert [x["site_id"] for x in seen["items"]] == [w.s1]
    assert client.get(f"{URL}/balances", headers=mgr, params={"site_id": w.s2}).status_code == 404
    assert client.get(f"{URL}/moves", headers=mgr).json()["total"] == 1
    r = client.post(f"{URL}/moves", headers=mgr, json={"moves": [move(w.s2, w.item, "receipt", "5", "c")]})
    assert r.status_code == 404 and r.json()["code"] == "org.site_not_found"
    assert moves_count(runtime) == 2
    assert (
        client.post(f"{URL}/moves", headers=mgr, json={"moves": [move(w.s1, w.item, "sale", "-1", "d")]}).status_code
        == 201
    )


def test_reader_without_write_permission_gets_403(runtime: Runtime, client: TestClient, w: World) -> None:
    make_user(runtime, w.tenant, "acc", [("accountant", None)])
    h = login(client, "acc")
    assert client.get(f"{URL}/balances", headers=h).status_code == 200
    r = client.post(f"{URL}/moves", headers=h, json={"moves": [move(w.s1, w.item, "receipt", "1", "a")]})
    assert r.status_code == 403 and moves_count(runtime) == 0


def test_tenants_are_isolated(runtime: Runtime, client: TestClient, w: World) -> None:
    other = make_world(runtime, "OTHER")
    make_user(runtime, w.tenant, "boss", [("hq_admin", None)])
    make_user(runtime, other.tenant, "rival", [("hq_admin", None)])
    boss, rival = login(client, "boss"), login(client, "rival")
    lot = make_lot(runtime, w.tenant, w.item, "L1", date(2099, 1, 1))
    client.post(
        f"{URL}/moves", headers=boss, json={"moves": [move(w.s1, w.item, "receipt", "5", "same-key", lot_id=lot)]}
    )
    # the same idempotency key in another tenant is another move
    r = client.post(
        f"{URL}/moves", headers=rival, json={"moves": [move(other.s1, other.item, "receipt", "1", "same-key")]}
    )
    assert r.status_code == 201 and r.json()["replayed"] == 0
    assert client.get(f"{URL}/balances", headers=rival).json()["total"] == 1
    assert client.get(f"{URL}/moves", headers=rival).json()["total"] == 1
    assert client.get(f"{URL}/lots", headers=rival).json()["total"] == 0
    assert client.get(f"{URL}/balances", headers=rival, params={"site_id": w.s1}).status_code == 404
    assert (
        client.get(f"{URL}/fefo", headers=rival, params={"site_id": w.s1, "item_id": w.item, "qty": "1"}).status_code
        == 404
    )
    assert client.post(f"{URL}/lots/{lot}/quarantine", headers=rival, json={"reason": "x"}).status_code == 404
    bad = client.post(f"{URL}/moves", headers=rival, json={"moves": [move(w.s1, w.item, "receipt", "1", "z")]})
    assert bad.status_code == 404 and moves_count(runtime) == 2


def test_lots_quarantine_fefo_and_transfers(runtime: Runtime, client: TestClient, w: World) -> None:
    make_user(runtime, w.tenant, "boss", [("hq_admin", None)])
    h = login(client, "boss")
    a = client.post(f"{URL}/lots", headers=h, json={"item_id": w.item, "lot_code": "A", "expiry_date": "2099-12-01"})
    b = client.post(f"{URL}/lots", headers=h, json={"item_id": w.item, "lot_code": "B", "expiry_date": "2099-11-28"})
    assert a.status_code == b.status_code == 201
    dup = client.post(f"{URL}/lots", headers=h, json={"item_id": w.item, "lot_code": "A"})
    assert dup.status_code == 409 and dup.json()["code"] == "inventory.duplicate_lot"
    la, lb = a.json()["id"], b.json()["id"]
    client.post(
        f"{URL}/moves",
        headers=h,
        json={
            "moves": [
                move(w.s1, w.item, "receipt", "4", "ra", lot_id=la),
                move(w.s1, w.item, "receipt", "4", "rb", lot_id=lb),
            ]
        },
    )
    f = client.get(f"{URL}/fefo", headers=h, params={"site_id": w.s1, "item_id": w.item, "qty": "6"}).json()
    assert [(x["lot_code"], x["take"]) for x in f["lines"]] == [("B", "4.000000"), ("A", "2.000000")]
    q = client.post(f"{URL}/lots/{lb}/quarantine", headers=h, json={"reason": "temperature breach"})
    assert q.status_code == 200 and q.json()["status"] == "quarantined"
    f = client.get(f"{URL}/fefo", headers=h, params={"site_id": w.s1, "item_id": w.item, "qty": "6"}).json()
    assert [x["lot_code"] for x in f["lines"]] == ["A"] and D(f["shortfall"]) == D(2)
    t = client.post(
        f"{URL}/transfers",
        headers=h,
        json={
            "from_site_id": w.s1,
            "to_site_id": w.s2,
            "item_id": w.item,
            "lot_id": la,
            "quantity": "3",
            "idempotency_key": "t1",
        },
    )
    assert t.status_code == 201 and t.json()["in_move"] is None
    tid = t.json()["out_move"]["id"]
    dest = client.get(f"{URL}/balances", headers=h, params={"site_id": w.s2}).json()["items"][0]
    assert (dest["on_hand"], dest["in_transit"]) == ("0.000000", "3.000000")
    rcv = client.post(f"{URL}/transfers/{tid}/receive", headers=h)
    assert rcv.status_code == 200 and rcv.json()["in_move"]["quantity"] == "3.000000"
    dest = client.get(f"{URL}/balances", headers=h, params={"site_id": w.s2}).json()["items"][0]
    assert (dest["on_hand"], dest["in_transit"], dest["lot_code"]) == ("3.000000", "0.000000", "A")
    by_code = client.get(f"{URL}/balances", headers=h, params={"lot_code": "A"}).json()["items"]
    assert sorted((x["site_id"], x["on_hand"]) for x in by_code) == [(w.s1, "1.000000"), (w.s2, "3.000000")]
    assert client.get(f"{URL}/balances", headers=h, params={"below_zero": True}).json()["total"] == 0
    r = client.post(f"{URL}/moves", headers=h, json={"moves": [move(w.s2, w.item2, "sale", "-1.5", "neg")]})
    assert r.status_code == 201 and r.json()["moves"][0]["negative"] is True  # S002 flags
    neg = client.get(f"{URL}/balances", headers=h, params={"below_zero": True}).json()["items"]
    assert [(x["site_id"], x["item_id"], x["on_hand"]) for x in neg] == [(w.s2, w.item2, "-1.500000")]


def test_balances_carry_value_and_the_valuation_totals_each_site(
    runtime: Runtime, client: TestClient, w: World
) -> None:
    lot = make_lot(runtime, w.tenant, w.item, "L1", date(2030, 1, 1))
    body = {
        "moves": [
            move(w.s1, w.item, "receipt", "10", "a", unit_cost="2.00"),
            move(w.s1, w.item, "receipt", "10", "b", unit_cost="3.00", lot_id=lot),
            move(w.s1, w.item, "sale", "-4", "c"),
            move(w.s1, w.item2, "receipt", "3", "d", unit_cost="1.111111"),
            move(w.s2, w.item, "receipt", "1", "e", unit_cost="9"),
        ]
    }
    make_user(runtime, w.tenant, "boss", [("hq_admin", None)])
    make_user(runtime, w.tenant, "mgr1", [("store_manager", "S001")])
    h, m1 = login(client, "boss"), login(client, "mgr1")
    assert client.post(f"{URL}/moves", headers=h, json=body).status_code == 201
    rows = client.get(f"{URL}/balances", headers=h, params={"site_id": w.s1, "item_id": w.item}).json()["items"]
    # the average after both receipts is 2.50; the sale leaves 6 without a lot and 10 in L1
    assert [r["projected"] for r in rows] == ["6.000000", "10.000000"]
    assert [(r["lot_id"], r["on_hand"], r["unit_cost"], r["value"], r["currency"]) for r in rows] == [
        (None, "6.000000", "2.500000", "15.000000", "CNY"),
        (lot, "10.000000", "2.500000", "25.000000", "CNY"),
    ]
    v = client.get(f"{URL}/valuation", headers=h).json()
    assert [(s["site_id"], s["items"], D(s["value"])) for s in v["sites"]] == [
        (w.s1, 2, D("43.333333")),
        (w.s2, 1, D(9)),
    ]
    assert [(i["site_id"], i["sku"], D(i["value"])) for i in v["items"]] == [
        (w.s1, "BREAD", D("3.333333")),
        (w.s1, "MILK-1L", D(40)),
        (w.s2, "MILK-1L", D(9)),
    ]
    mine = client.get(f"{URL}/valuation", headers=m1).json()
    assert [s["site_id"] for s in mine["sites"]] == [w.s1] and mine["total"] == 2
    assert client.get(f"{URL}/valuation", headers=m1, params={"site_id": w.s2}).status_code == 404
    paged = client.get(f"{URL}/valuation", headers=h, params={"limit": 1, "offset": 1}).json()
    assert [i["sku"] for i in paged["items"]] == ["MILK-1L"] and paged["total"] == 3


def test_balances_of_lots_expiring_soon(runtime: Runtime, client: TestClient, w: World) -> None:
    today = date.today()
    soon = make_lot(runtime, w.tenant, w.item, "SOON", today + timedelta(days=2))
    later = make_lot(runtime, w.tenant, w.item, "LATER", today + timedelta(days=20))
    gone = make_lot(runtime, w.tenant, w.item, "GONE", today - timedelta(days=1))
    empty = make_lot(runtime, w.tenant, w.item, "EMPTY", today + timedelta(days=1))
    lots = (("a", soon), ("b", later), ("c", gone), ("d", empty))
    receipts = [move(w.s1, w.item, "receipt", "3", k, lot_id=lot) for k, lot in lots]
    rest = [move(w.s1, w.item, "sale", "-3", "e", lot_id=empty), move(w.s1, w.item, "receipt", "9", "f")]
    body = {"moves": receipts + rest}
    make_user(runtime, w.tenant, "boss", [("hq_admin", None)])
    h = login(client, "boss")
    assert client.post(f"{URL}/moves", headers=h, json=body).status_code == 201
    got = client.get(f"{URL}/balances", headers=h, params={"site_id": w.s1, "expires_within": 3}).json()["items"]
    assert sorted(r["lot_code"] for r in got) == ["GONE", "SOON"]  # not the empty lot, nor stock without a lot
    assert client.get(f"{URL}/balances", headers=h, params={"expires_within": -1}).status_code == 422


def test_in_transit_value_stays_on_the_senders_books_until_received(
    runtime: Runtime, client: TestClient, w: World
) -> None:
    h = _admin(runtime, client, w)
    client.post(f"{URL}/moves", headers=h, json={"moves": [move(w.s1, w.item, "receipt", "10", "r", unit_cost="10")]})
    t = client.post(
        f"{URL}/transfers", headers=h,
        json={"from_site_id": w.s1, "to_site_id": w.s2, "item_id": w.item, "quantity": "4", "idempotency_key": "t"},
    )  # fmt: skip
    assert t.status_code == 201, t.text
    sites = {s["site_id"]: s for s in client.get(f"{URL}/valuation", headers=h).json()["sites"]}
    assert (D(sites[w.s1]["value"]), D(sites[w.s1]["transit_value"])) == (D(60), D(40))  # 100 in all
    r = client.post(f"{URL}/transfers/{t.json()['out_move']['id']}/receive", headers=h, json={})
    assert r.status_code in (200, 201), r.text
    sites = {s["site_id"]: s for s in client.get(f"{URL}/valuation", headers=h).json()["sites"]}
    assert (D(sites[w.s1]["transit_value"]), D(sites[w.s2]["value"])) == (D(0), D(40))


def test_a_revaluation_changes_value_not_quantity_and_needs_stock(
    runtime: Runtime, client: TestClient, w: World
) -> None:
    h = _admin(runtime, client, w)
    client.post(f"{URL}/moves", headers=h, json={"moves": [move(w.s1, w.item, "receipt", "10", "r", unit_cost="2")]})
    body = {"site_id": w.s1, "item_id": w.item, "value_change": "5", "reason_code": "LANDED", "idempotency_key": "lc"}
    r = client.post(f"{URL}/revaluations", headers=h, json=body)
    assert r.status_code == 201, r.text
    assert (D(r.json()["quantity"]), D(r.json()["value"]), r.json()["move_type"]) == (D(0), D(5), "revaluation")
    item = client.get(f"{URL}/valuation", headers=h, params={"site_id": w.s1}).json()["items"][0]
    assert (D(item["quantity"]), D(item["avg_unit_cost"]), D(item["value"])) == (D(10), D("2.5"), D(25))
    both = client.post(f"{URL}/revaluations", headers=h, json={**body, "new_unit_cost": "3", "idempotency_key": "x"})
    assert both.status_code == 422
    none = client.post(f"{URL}/revaluations", headers=h, json={**body, "site_id": w.s2, "idempotency_key": "empty"})
    assert none.status_code == 409 and none.json()["code"] == "inventory.nothing_to_revalue"
    with runtime.session_factory() as s:
        assert s.scalar(select(func.count()).select_from(Move).where(Move.site_id == w.s2)) == 0


def _admin(runtime: Runtime, client: TestClient, w: World) -> dict[str, str]:
    make_user(runtime, w.tenant, "boss", [("hq_admin", None)])
    return login(client, "boss")
