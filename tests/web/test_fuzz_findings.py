"""Inputs that scripts/fuzz_api.sh found to be 500s: each is now a clear 4xx problem."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.factories import login, make_tenant, make_user
from tests.inventory.factories import make_item


def test_a_code_that_is_no_barcode_is_not_found_not_an_error(runtime, client: TestClient) -> None:
    t = make_tenant(runtime)
    make_user(runtime, t, "boss", [("hq_admin", None)])
    h = login(client, "boss")
    for code in ("]<", "]C1(01", "]Q3{", "]"):  # symbology identifier prefixes with nothing valid behind them
        r = client.get("/api/v1/catalog/items/lookup", headers=h, params={"code": code})
        assert 400 <= r.status_code < 500, (code, r.status_code, r.text)
        assert r.headers["content-type"].startswith("application/problem+json")


def test_an_fsma_sheet_for_an_impossible_range_is_a_422(runtime, client: TestClient) -> None:
    t = make_tenant(runtime)
    item = make_item(runtime, t, "TOMATO")
    make_user(runtime, t, "boss", [("hq_admin", None)])
    h = login(client, "boss")
    for start, end, field in (("2027-01-05", "0001-01-01", "end"), ("2027-01-05", "2027-01-01", "end"),
                              ("0001-01-01", "2027-01-01", "start")):  # fmt: skip
        r = client.get("/api/v1/trace/fsma", headers=h, params={"item_id": item, "start": start, "end": end})
        assert r.status_code == 422, (start, end, r.text)
        assert field in {e["loc"][-1] for e in r.json()["errors"]}
    ok = client.get("/api/v1/trace/fsma", headers=h,
                    params={"item_id": item, "start": "2027-01-01", "end": "2027-01-05", "format": "csv"})  # fmt: skip
    assert ok.status_code == 200
