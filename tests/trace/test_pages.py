"""The trace console and API: the explorer shows a lot's genealogy (graph data and its table) in both
languages; the recall wizard finds a supplier lot, previews what it reaches and starts a drill or a recall;
a store confirms on the recall's page; the report prints; the API traces, recalls, exports and imports."""

from __future__ import annotations

import json
import re

from fastapi import FastAPI
from fastapi.testclient import TestClient
from pypdf import PdfReader

from boh.bootstrap import Runtime
from tests.factories import login, make_user
from tests.trace.chain import make_story

API = "/api/v1/trace"


def _csrf(client: TestClient, url: str, headers: dict[str, str]) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', client.get(url, headers=headers).text)
    assert found, url
    return found.group(1)


def test_explorer_wizard_recall_page_and_report(runtime: Runtime, app: FastAPI) -> None:
    import io

    client = TestClient(app, raise_server_exceptions=True)
    s = make_story(runtime)
    make_user(runtime, s.c.tenant, "hqadmin", [("hq_admin", None)])
    make_user(runtime, s.c.tenant, "mgr1", [("store_manager", "S001")])
    hq, mgr = login(client, "hqadmin"), login(client, "mgr1")
    for lang, word in (("en", "Trace explorer"), ("zh_CN", "追溯查询")):
        client.cookies.set("boh_lang", lang)
        r = client.get("/trace/", params={"lot": "TOM-B", "direction": "forward"}, headers=hq)
        assert r.status_code == 200 and word in r.text
        graph = json.loads(re.search(r'id="trace-graph-data">(.*?)</script>', r.text, re.S).group(1))  # type: ignore[union-attr]
        assert {n["name"] for n in graph["nodes"]} == {"TOM-B", "SAU-1", "SAU-2", "RAG-1", "LAS-1", "MEA-1"}
        assert 'data-testid="trace-table"' in r.text
    client.cookies.set("boh_lang", "en")
    # a supplier's EPCIS event about the tomato lot shows in its trace
    from boh.catalog.models import ItemBarcode

    with runtime.system_uow(s.c.tenant.id) as uow:
        uow.session.add(
            ItemBarcode(tenant_id=s.c.tenant.id, item_id=s.c.items["TOMATO"], gtin="06901234000016", uom=None)
        )
        uow.commit()
    packing = {"type": "ObjectEvent", "eventTime": "2026-10-30T06:00:00Z", "eventTimeZoneOffset": "+08:00",
               "action": "ADD", "bizStep": "packing", "epcList": [],
               "quantityList": [{"epcClass": "urn:epc:class:lgtin:6901234.000001.TOM-B", "quantity": 10}]}  # fmt: skip
    doc = {"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"], "type": "EPCISDocument",
           "schemaVersion": "2.0", "creationDate": "2026-10-30T07:00:00Z",
           "epcisBody": {"eventList": [packing]}}  # fmt: skip
    assert client.post(f"{API}/epcis", json=doc, params={"name": "farm-dispatch"}, headers=hq).status_code == 200
    page = client.get("/trace/", params={"lot": "TOM-B"}, headers=hq).text
    assert 'data-testid="supplier-events"' in page and "farm-dispatch" in page
    assert "No lot with this code" in client.get("/trace/", params={"lot": "NOPE"}, headers=hq).text
    r = client.get("/trace/recalls/new", params={"lot": "TOM-B"}, headers=hq)
    assert r.status_code == 200 and "Affected: 6 lot(s)" in r.text
    lot_ids = re.search(r'name="lot_ids" value="([^"]+)"', r.text).group(1)  # type: ignore[union-attr]
    token = _csrf(client, "/trace/recalls/new?lot=TOM-B", hq)
    r = client.post("/trace/recalls", data={"csrf_token": token, "lot_ids": lot_ids, "reason": "",
                                            "mode": "mock"}, headers=hq)  # fmt: skip
    assert r.status_code == 422 and "Give the reason" in r.text
    r = client.post("/trace/recalls", data={"csrf_token": token, "lot_ids": lot_ids, "reason": "Drill",
                                            "mode": "mock"}, headers=hq, follow_redirects=False)  # fmt: skip
    assert r.status_code == 303
    url = r.headers["location"]
    page = client.get(url, headers=hq).text
    assert "Mock recall" in page and 'data-testid="site-S001"' in page
    # the store manager confirms for their store
    token = _csrf(client, url, mgr)
    store = re.search(r'name="site_id" value="(\d+)"', client.get(url, headers=mgr).text).group(1)  # type: ignore[union-attr]
    r = client.post(f"{url}/confirm", data={"csrf_token": token, "site_id": store, "note": "checked"}, headers=mgr,
                    follow_redirects=False)  # fmt: skip
    assert r.status_code == 303
    rid = int(url.rsplit("/", 1)[1])
    body = client.get(f"{API}/recalls/{rid}", headers=hq).json()
    assert body["sites_confirmed"] == [int(store)] and body["mock"] is True
    pdf = client.get(f"{url}/report.pdf", headers=hq)
    assert pdf.status_code == 200 and "MEA-1" in "".join(
        p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages
    )
    assert "recall,mock,site" in client.get(f"{url}/report.csv", headers=hq).text
    board = client.get("/trace/recalls", headers=hq).text
    assert body["number"] in board and "1 / " in board


def test_the_api_traces_recalls_and_exports(runtime: Runtime, client: TestClient) -> None:
    s = make_story(runtime)
    make_user(runtime, s.c.tenant, "hqadmin", [("hq_admin", None)])
    make_user(runtime, s.c.tenant, "staff", [("store_staff", "S001")])
    hq, staff = login(client, "hqadmin"), login(client, "staff")
    t = client.get(f"{API}/lots/{s.sauce}", params={"direction": "backward", "depth": 1}, headers=hq).json()
    assert {n["lot_code"] for n in t["nodes"]} == {"SAU-1", "TOM-A", "TOM-B", "ONI-A"}
    assert client.get(f"{API}/lots/999999", headers=hq).status_code == 404
    r = client.post(f"{API}/recalls", json={"reason": "Listeria", "lot_ids": [s.tomato[1]]}, headers=staff)
    assert r.status_code == 403
    r = client.post(f"{API}/recalls", json={"reason": "Listeria", "lot_ids": [s.tomato[1]]}, headers=hq)
    assert r.status_code == 201 and r.json()["summary"]["lots"] == 6
    doc = client.get(f"{API}/epcis/lots/{s.tomato[1]}", headers=hq).json()
    assert doc["type"] == "EPCISDocument" and doc["epcisBody"]["eventList"]
    sheet = client.get(f"{API}/fsma", params={"item_id": s.c.items["SAUCE"], "start": "2026-01-01",
                                              "end": "2026-12-31", "format": "csv"}, headers=hq)  # fmt: skip
    assert sheet.status_code == 200 and "Transformation" in sheet.text
    imported = client.post(f"{API}/epcis", json=doc, params={"name": "own"}, headers=hq).json()
    assert imported["events"] == len(doc["epcisBody"]["eventList"]) == imported["new"]
    assert client.post(f"{API}/epcis", json={"type": "nonsense"}, headers=hq).status_code == 422
    # a store's staff sees the events of their own store only
    assert "/id/site/S002" in json.dumps(doc)
    mine = client.get(f"{API}/epcis/lots/{s.tomato[1]}", headers=staff).json()
    assert mine["epcisBody"]["eventList"] and "S002" not in json.dumps(mine) and "CK01" not in json.dumps(mine)
