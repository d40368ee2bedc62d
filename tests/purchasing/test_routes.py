"""The purchasing API: permissions, scopes (a supplier sees only its own sent orders; a store its own),
problem+json errors with every bad field, idempotent retries."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from boh.bootstrap import Runtime
from boh.purchasing.models import Order, Receipt
from tests.catalog.helpers import make_supplier
from tests.factories import login, make_tenant, make_user
from tests.purchasing.helpers import World, count, levels, make_world


def _po(w: World, qty: str = "24", **extra: Any) -> dict[str, Any]:
    return {"site_id": w.store, "item_id": w.milk, "quantity": qty, "source": "supplier", "supplier_id": w.supplier,
            **extra}  # fmt: skip


def _setup(runtime: Runtime, client: TestClient) -> tuple[World, dict[str, str]]:
    w = make_world(runtime)
    make_user(runtime, w.tenant, "buyer", [("buyer", None)])
    return w, login(client, "buyer")


def test_a_buyer_creates_confirms_and_reads_an_order(runtime: Runtime, client: TestClient) -> None:
    w, buyer = _setup(runtime, client)
    body = {"lines": [_po(w), _po(w, "5", item_id=w.bread)], "idempotency_key": "c-1"}
    r = client.post("/api/v1/purchasing/orders", json=body, headers=buyer)
    assert r.status_code == 201, r.text
    [placed] = r.json()
    again = client.post("/api/v1/purchasing/orders", json=body, headers=buyer)
    assert again.json() == [placed] and count(runtime, Order) == 1
    oid = placed["order_id"]
    r = client.post(f"/api/v1/purchasing/orders/{oid}/confirm", headers=buyer)
    assert r.status_code == 200, r.text
    order = r.json()
    assert (order["status"], order["currency"], order["supplier_name"], order["amount"]) == (
        "confirmed", "CNY", "Supplier FRESH", "24.60")  # fmt: skip
    lines = order["line_items"]
    assert [(ln["sku"], ln["purchase_uom"], ln["purchase_quantity"], ln["unit_price"]) for ln in lines] == [
        ("MILK", "case", "2", "4.800000"), ("BREAD", "each", "5", "3.000000"),
    ]  # fmt: skip
    assert [h["action"] for h in order["history"]] == ["create", "confirm"]
    page = client.get("/api/v1/purchasing/orders?status=confirmed&kind=purchase", headers=buyer).json()
    assert (page["total"], [o["id"] for o in page["items"]]) == (1, [oid])
    line = order["line_items"][0]["id"]
    r = client.patch(f"/api/v1/purchasing/orders/{oid}/lines/{line}", json={"quantity": "1"}, headers=buyer)
    assert (r.status_code, r.headers["content-type"], r.json()["code"]) == (
        409, "application/problem+json", "purchasing.wrong_status")  # fmt: skip


def test_bad_lines_are_all_reported_as_problem_json_and_nothing_is_written(
    runtime: Runtime, client: TestClient
) -> None:
    w, buyer = _setup(runtime, client)
    body = {"lines": [_po(w), _po(w, "0"), _po(w, "3", supplier_id=None), _po(w, "2", item_id=99999)]}
    r = client.post("/api/v1/purchasing/orders", json=body, headers=buyer)
    assert r.status_code == 422 and r.headers["content-type"] == "application/problem+json"
    locs = [e["loc"] for e in r.json()["errors"]]
    assert ["body", "lines", 1, "quantity"] in locs
    assert count(runtime, Order) == 0
    body = {"lines": [_po(w), _po(w, "3", supplier_id=None), _po(w, "2", item_id=99999)]}
    r = client.post("/api/v1/purchasing/orders", json=body, headers=buyer)
    assert r.status_code == 422
    assert [(e["loc"], e["code"]) for e in r.json()["errors"]] == [
        (["requests", 1, "supplier_id"], "invalid"), (["requests", 2, "item_id"], "catalog.item_not_found"),
    ]  # fmt: skip
    assert count(runtime, Order) == 0


def test_a_supplier_sees_and_answers_only_its_own_sent_orders(runtime: Runtime, client: TestClient) -> None:
    w, buyer = _setup(runtime, client)
    other = make_supplier(runtime, w.tenant, "OTHER")
    make_user(runtime, w.tenant, "fresh", [("supplier", None)], supplier_id=w.supplier)
    make_user(runtime, w.tenant, "other", [("supplier", None)], supplier_id=other)
    sent = client.post("/api/v1/purchasing/orders", json={"lines": [_po(w)], "confirm": True}, headers=buyer).json()
    client.post("/api/v1/purchasing/orders", json={"lines": [_po(w, site_id=w.store2)]}, headers=buyer)  # a draft
    fresh, them = login(client, "fresh"), login(client, "other")
    page = client.get("/api/v1/purchasing/orders", headers=fresh).json()
    assert [o["id"] for o in page["items"]] == [sent[0]["order_id"]]
    assert client.get("/api/v1/purchasing/orders", headers=them).json()["total"] == 0
    oid, line = sent[0]["order_id"], sent[0]["line_ids"][0]
    assert client.get(f"/api/v1/purchasing/orders/{oid}", headers=them).status_code == 404
    answer = {"lines": [{"line_id": line, "action": "change", "quantity": "12", "reason": "short"}]}
    r = client.post(f"/api/v1/purchasing/orders/{oid}/responses", headers=fresh, json=answer)
    assert r.status_code == 200, r.text
    assert r.json()["pending_responses"] == 1
    asn = {"number": "DN-1", "expected_arrival": "2026-12-09T01:00:00+00:00", "idempotency_key": "a1",
           "lines": [{"line_id": line, "quantity": "12", "lot_code": "L1", "expiry_date": "2026-12-20"}]}  # fmt: skip
    r = client.post(f"/api/v1/purchasing/orders/{oid}/asns", json=asn, headers=fresh)
    assert r.status_code == 201 and r.json()["lines"][0]["lot_code"] == "L1"
    assert client.post(f"/api/v1/purchasing/orders/{oid}/confirm", headers=fresh).status_code == 403
    r = client.post(f"/api/v1/purchasing/orders/{oid}/lines/{line}/decision", json={"accept": True}, headers=buyer)
    assert r.status_code == 200 and r.json()["line_items"][0]["quantity"] == "12.000000"


def test_store_staff_receive_at_their_store_only(runtime: Runtime, client: TestClient) -> None:
    w, buyer = _setup(runtime, client)
    make_user(runtime, w.tenant, "staff", [("store_staff", "S001")])
    placed = client.post("/api/v1/purchasing/orders", headers=buyer, json={
        "lines": [_po(w), _po(w, site_id=w.store2)], "confirm": True}).json()  # fmt: skip
    staff = login(client, "staff")
    assert client.get("/api/v1/purchasing/orders", headers=staff).json()["total"] == 1
    mine, theirs = placed[0], placed[1]
    receipt = {"idempotency_key": "g1", "lines": [{"line_id": mine["line_ids"][0], "received": "24",
                                                  "lot_code": "L5", "expiry_date": "2026-12-21"}]}  # fmt: skip
    r = client.post(f"/api/v1/purchasing/orders/{mine['order_id']}/receipts", json=receipt, headers=staff)
    assert r.status_code == 201, r.text
    assert r.json()["number"].startswith("GR-S001-")
    receipt["idempotency_key"] = "g2"
    receipt["lines"][0]["line_id"] = theirs["line_ids"][0]  # type: ignore[index]
    r = client.post(f"/api/v1/purchasing/orders/{theirs['order_id']}/receipts", json=receipt, headers=staff)
    assert r.status_code == 404 and count(runtime, Receipt) == 1
    assert levels(runtime, w, w.store, w.milk)[:2] == (24, 0)
    assert client.post("/api/v1/purchasing/orders", json={"lines": [_po(w)]}, headers=staff).status_code == 403


def test_another_tenant_sees_nothing(runtime: Runtime, client: TestClient) -> None:
    w, buyer = _setup(runtime, client)
    placed = client.post("/api/v1/purchasing/orders", json={"lines": [_po(w)]}, headers=buyer).json()
    t2 = make_tenant(runtime, code="OTHER")
    make_user(runtime, t2, "buyer2", [("buyer", None)])
    them = login(client, "buyer2")
    assert client.get("/api/v1/purchasing/orders", headers=them).json()["total"] == 0
    assert client.get(f"/api/v1/purchasing/orders/{placed[0]['order_id']}", headers=them).status_code == 404
    r = client.post(f"/api/v1/purchasing/orders/{placed[0]['order_id']}/confirm", headers=them)
    assert r.status_code == 404 and count(runtime, Order, Order.status == "confirmed") == 0
