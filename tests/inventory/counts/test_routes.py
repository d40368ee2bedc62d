"""The stocktake API: blind counts, counters, all-errors-at-once entries, threshold approval, scoping."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from fastapi.testclient import TestClient

from boh.bootstrap import Runtime
from boh.inventory.counts.models import CountEntry
from boh.kernel.audit import AuditRecord
from tests.factories import login, make_site, make_user
from tests.inventory.counts.helpers import GTIN_A, Shop, epc, make_shop, n_entries, n_rows, n_variance_moves, on_hand

URL = "/api/v1/inventory/counts"


@pytest.fixture
def shop(runtime: Runtime) -> Shop:
    s = make_shop(runtime)
    make_site(runtime, s.tenant, "S002")
    make_user(runtime, s.tenant, "boss", [("hq_admin", None)])
    make_user(runtime, s.tenant, "region", [("regional_manager", "S001")])
    make_user(runtime, s.tenant, "manager", [("store_manager", "S001")])
    make_user(runtime, s.tenant, "ann", [("store_staff", "S001")])
    make_user(runtime, s.tenant, "bob", [("store_staff", "S001")])
    make_user(runtime, s.tenant, "zed", [("store_staff", "S002")])
    make_user(runtime, s.tenant, "insp", [("inspector", "S001")])
    return s


def _started(client: TestClient, h: dict[str, str], shop: Shop, **extra: object) -> int:
    r = client.post(URL, headers=h, json={"site_id": shop.site, **extra})
    assert r.status_code == 201, r.text
    cid = int(r.json()["id"])
    r = client.post(f"{URL}/{cid}/start", headers=h)
    assert r.status_code == 200 and r.json()["status"] == "counting" and r.json()["lines"] == 3, r.text
    return cid


def _lines(client: TestClient, h: dict[str, str], cid: int, **params: object) -> dict[str, dict[str, object]]:
    r = client.get(f"{URL}/{cid}/lines", headers=h, params=params)
    assert r.status_code == 200, r.text
    return {ln["sku"]: ln for ln in r.json()["items"]}


def test_blind_count_hides_expected_until_review(runtime: Runtime, client: TestClient, shop: Shop) -> None:
    ann, bob = login(client, "ann"), login(client, "bob")
    cid = _started(client, ann, shop, blind=True)
    seen = _lines(client, ann, cid)
    assert {ln["expected_qty"] for ln in seen.values()} == {None}
    assert {ln["variance"] for ln in seen.values()} == {None}
    r1 = client.post(f"{URL}/{cid}/entries", headers=ann, json={"entries": [{"code": GTIN_A, "method": "scan"}] * 4})
    r2 = client.post(f"{URL}/{cid}/entries", headers=bob, json={"entries": [{"sku": "A1", "qty": "2"}]})
    assert r1.status_code == r2.status_code == 200 and r1.json()["accepted"] == 4, r1.text
    counting = _lines(client, ann, cid)["A1"]
    assert counting["counted_qty"] == "6.000000" and counting["expected_qty"] is None
    assert client.get(f"{URL}/{cid}", headers=ann).json()["total_abs_value"] is None
    listed = client.get(f"{URL}/{cid}/entries", headers=ann).json()
    assert listed["total"] == 5 and len({e["counter"] for e in listed["items"]}) == 2
    assert {e["method"] for e in listed["items"]} == {"scan", "manual"}
    assert n_rows(runtime, CountEntry, CountEntry.counter != "") == 5
    r = client.post(f"{URL}/{cid}/submit", headers=ann)
    assert (
        r.status_code == 200 and r.json()["status"] == "review" and r.json()["total_abs_value"] == "8.000000"
    )  # uncounted lines have no value yet
    review = _lines(client, ann, cid)
    assert (review["A1"]["expected_qty"], review["A1"]["variance"]) == ("10.000000", "-4.000000")
    assert review["A1"]["variance_value"] == "-8.000000" and review["A1"]["recount_required"] is True
    big = _lines(client, ann, cid, min_abs_value="8")
    assert set(big) == {"A1"}
    flagged = _lines(client, ann, cid, flagged="true")
    assert set(flagged) == {"A1", "B1", "C1"}  # B1 and C1 were not counted


def test_entries_endpoint_reports_every_error_by_index(runtime: Runtime, client: TestClient, shop: Shop) -> None:
    ann = login(client, "ann")
    cid = _started(client, ann, shop)
    body = {
        "entries": [
            {"sku": "A1", "qty": "1"},
            {"sku": "ZZZ", "qty": "1"},
            {"item_id": shop.b, "qty": "1", "uom": "crate"},
            {"code": "4006381333931"},
            {"item_id": shop.c, "qty": "-2"},
        ]
        + [{"sku": "A1", "qty": "1"}] * 5000
    }
    r = client.post(f"{URL}/{cid}/entries", headers=ann, json=body)
    assert r.status_code == 422 and r.headers["content-type"].startswith("application/problem+json"), r.text
    errors = r.json()["errors"]
    assert [(e["loc"][1], e["loc"][2], e["code"]) for e in errors] == [
        (1, "sku", "catalog.item_not_found"),
        (2, "uom", "catalog.unknown_unit"),
        (3, "code", "catalog.item_not_found"),
        (4, "qty", "inventory.count_bad_quantity"),
    ]
    assert n_entries(runtime) == 0


def test_store_manager_cannot_approve_above_the_threshold(runtime: Runtime, client: TestClient, shop: Shop) -> None:
    boss, manager, region = login(client, "boss"), login(client, "manager"), login(client, "region")
    r = client.put(
        f"{URL}/settings", headers=boss, json={"approval_threshold": "5", "recount_pct": "100", "recount_value": "100"}
    )
    assert r.status_code == 200 and r.json()["approval_threshold"] == "5.000000", r.text
    assert client.put(f"{URL}/settings", headers=manager, json=r.json()).status_code == 403  # site-scoped
    cid = _started(client, manager, shop)
    entries = [{"sku": "A1", "qty": "7"}, {"sku": "B1", "qty": "5"}, {"sku": "C1", "qty": "3"}]
    assert client.post(f"{URL}/{cid}/entries", headers=manager, json={"entries": entries}).status_code == 200
    assert client.post(f"{URL}/{cid}/submit", headers=manager).json()["total_abs_value"] == "6.000000"
    r = client.post(f"{URL}/{cid}/approve", headers=manager)
    assert r.status_code == 403 and r.json()["code"] == "inventory.count_manager_approval_required", r.text
    got = client.get(f"{URL}/{cid}", headers=manager).json()
    assert (got["status"], got["approved_by"]) == ("review", None)
    assert n_rows(runtime, AuditRecord, AuditRecord.action == "inventory.count.approve") == 0
    r = client.post(f"{URL}/{cid}/approve", headers=region)
    assert r.status_code == 200 and r.json()["status"] == "approved" and r.json()["approved_by"].startswith("user:")
    r = client.post(f"{URL}/{cid}/post", headers=manager)
    assert r.status_code == 200 and r.json()["moves_posted"] == 1 and r.json()["replayed"] is False, r.text
    again = client.post(f"{URL}/{cid}/post", headers=manager)
    assert again.status_code == 200 and again.json()["replayed"] is True
    assert n_variance_moves(runtime) == 1 and on_hand(runtime, shop.site, shop.a) == D(7)


def test_store_manager_approves_below_the_threshold(runtime: Runtime, client: TestClient, shop: Shop) -> None:
    manager = login(client, "manager")
    cid = _started(client, manager, shop)
    entries = [{"sku": "A1", "qty": "10"}, {"sku": "B1", "qty": "5"}, {"sku": "C1", "qty": "3"}]
    assert client.post(f"{URL}/{cid}/entries", headers=manager, json={"entries": entries}).status_code == 200
    assert client.post(f"{URL}/{cid}/submit", headers=manager).status_code == 200
    r = client.post(f"{URL}/{cid}/approve", headers=manager)
    assert r.status_code == 200 and r.json()["status"] == "approved", r.text
    r = client.post(f"{URL}/{cid}/post", headers=manager)
    assert r.status_code == 200 and r.json()["moves_posted"] == 0 and r.json()["count"]["status"] == "posted"


def test_roles_and_sites(runtime: Runtime, client: TestClient, shop: Shop) -> None:
    ann, zed, insp = login(client, "ann"), login(client, "zed"), login(client, "insp")
    cid = _started(client, ann, shop)
    assert client.get(f"{URL}/{cid}", headers=zed).status_code == 404  # another site's count
    assert client.post(f"{URL}/{cid}/entries", headers=zed, json={"entries": [{"sku": "A1"}]}).status_code == 404
    assert client.get(f"{URL}/{cid}", headers=insp).status_code == 200
    assert client.post(f"{URL}/{cid}/submit", headers=insp).status_code == 403
    assert client.post(f"{URL}/{cid}/submit", headers=ann).status_code == 200
    assert client.post(f"{URL}/{cid}/approve", headers=ann).status_code == 403  # staff never approve
    listed = client.get(URL, headers=zed).json()
    assert listed["total"] == 0 and client.get(URL, headers=ann).json()["total"] == 1
    assert n_entries(runtime) == 0


def test_review_actions_and_rfid_over_the_api(runtime: Runtime, client: TestClient, shop: Shop) -> None:
    manager = login(client, "manager")
    ann_id = make_user(runtime, shop.tenant, "cara", [("store_staff", "S001")])
    r = client.post(
        URL, headers=manager, json={"site_id": shop.site, "scheduled_for": "2026-12-01", "assignee_id": 999}
    )
    assert r.status_code == 422 and r.json()["errors"][0]["loc"] == ["assignee_id"]
    r = client.post(
        URL, headers=manager, json={"site_id": shop.site, "scheduled_for": "2026-12-01", "assignee_id": ann_id}
    )
    cid = r.json()["id"]
    assert client.get(URL, headers=manager, params={"assignee_id": ann_id}).json()["total"] == 1
    assert client.get(URL, headers=login(client, "cara"), params={"mine": "true"}).json()["total"] == 1
    assert client.get(URL, headers=login(client, "ann"), params={"mine": "true"}).json()["total"] == 0
    assert client.post(f"{URL}/{cid}/start", headers=manager).status_code == 200
    assert client.post(f"{URL}/{cid}/start", headers=manager).json()["code"] == "inventory.count_wrong_status"
    r = client.post(
        f"{URL}/{cid}/rfid", headers=manager, json={"session_id": "s1", "epcs": [epc(i % 7) for i in range(20)]}
    )
    assert r.json() == {"accepted": 7, "duplicates": 13, "lines_added": 0}
    client.post(f"{URL}/{cid}/entries", headers=manager, json={"entries": [{"sku": "B1", "qty": "500", "uom": "g"}]})
    assert client.post(f"{URL}/{cid}/submit", headers=manager).status_code == 200
    got = _lines(client, manager, cid)
    assert (got["A1"]["counted_qty"], got["B1"]["counted_qty"], got["C1"]["counted_qty"]) == (
        "7.000000",
        "0.500000",
        None,
    )
    assert got["B1"]["recount_required"] and got["A1"]["recount_required"]  # 90% and 30% off
    c1, b1 = got["C1"]["id"], got["B1"]["id"]
    r = client.patch(f"{URL}/{cid}/lines", headers=manager, json={"lines": [{"line_id": b1, "confirm_zero": True}]})
    assert r.status_code == 422 and r.json()["errors"][0]["code"] == "inventory.count_line_counted"
    body = {"lines": [{"line_id": c1, "confirm_zero": True, "reason_code": "THEFT"}, {"line_id": b1, "accept": True}]}
    assert client.patch(f"{URL}/{cid}/lines", headers=manager, json=body).status_code == 200
    after = _lines(client, manager, cid)
    assert after["C1"]["counted_qty"] == "0.000000" and after["C1"]["variance_value"] == "-3.000000"
    assert after["B1"]["accepted"] and after["C1"]["reason_code"] == "THEFT"
    r = client.post(f"{URL}/{cid}/recount", headers=manager, json={"line_ids": [got["A1"]["id"]]})
    assert r.status_code == 200 and r.json()["status"] == "counting"
    assert _lines(client, manager, cid)["A1"]["counted_qty"] is None
    r = client.post(f"{URL}/{cid}/entries", headers=manager, json={"entries": [{"sku": "C1"}]})
    assert r.status_code == 422 and r.json()["errors"][0]["code"] == "inventory.count_line_not_in_recount"
    r = client.post(f"{URL}/{cid}/rfid", headers=manager, json={"epcs": [epc(i) for i in range(10)]})
    assert r.json()["accepted"] == 10  # a new round: the tags count again
    assert client.post(f"{URL}/{cid}/submit", headers=manager).status_code == 200
    r = client.post(f"{URL}/{cid}/approve", headers=manager)
    assert r.status_code == 200, r.text  # |0| + |-4.5 x 4| + |-3 x 1| = 21 <= 1000
    r = client.post(f"{URL}/{cid}/post", headers=manager)
    assert r.json()["moves_posted"] == 2 and r.json()["count"]["moves_posted"] == 2
    assert on_hand(runtime, shop.site, shop.b) == D("0.5") and on_hand(runtime, shop.site, shop.c) == 0
