"""The inspection pages render for HQ in both languages with real data, and their forms work without script:
the builder adds an item and reports every problem beside its field, publishes; a rule and a plan are made
from the plan page; evidence and review of an action; a store manager sees only what is theirs."""

from __future__ import annotations

import re
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient

from boh.bootstrap import Runtime
from tests.inspections.helpers import Shop, jpeg, shop
from tests.inspections.test_visits import API, AT_STORE, _complete, _visit


def _world(runtime: Runtime, client: TestClient) -> tuple[Shop, int, int, int]:
    s = shop(runtime, client)
    vid = _visit(client, s)["id"]
    client.post(f"{API}/visits/{vid}/checkin", json=AT_STORE, headers=s.inspector)
    _complete(client, s, vid, chiller="9")
    client.post(f"{API}/visits/{vid}/submit", json={}, headers=s.inspector)
    v2 = _visit(client, s, key="v2")["id"]
    client.post(f"{API}/visits/{v2}/checkin", json=AT_STORE, headers=s.inspector)
    aid = client.get(f"{API}/actions", headers=s.admin).json()["items"][0]["id"]
    rule = {"name": "Monthly", "kind": "every_n_days", "template_id": s.template["id"], "every_days": 30}
    client.post(f"{API}/rules", json=rule, headers=s.admin)
    client.put(f"{API}/inspectors/{s.inspector_id}", json={}, headers=s.admin)
    client.post(f"{API}/plans", json={"name": "P", "start": "2026-01-05", "end": "2026-02-05", "seconds": "1"},
                headers=s.admin)  # fmt: skip
    return s, vid, v2, aid


def _csrf(client: TestClient, url: str, headers: dict[str, str]) -> str:
    page = client.get(url, headers=headers).text
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found, url
    return found.group(1)


def test_every_page_renders_in_both_languages(runtime: Runtime, app: FastAPI) -> None:
    client = TestClient(app, raise_server_exceptions=True)
    s, vid, v2, aid = _world(runtime, client)
    urls = ["/inspections/", f"/inspections/visits/{vid}", f"/inspections/visits/{v2}", "/inspections/actions",
            f"/inspections/actions/{aid}", "/inspections/templates", f"/inspections/templates/{s.template['id']}",
            "/inspections/plan", "/inspections/analytics", "/"]  # fmt: skip
    for lang, word in (("en", "Inspections"), ("zh_CN", "巡检")):
        client.cookies.set("boh_lang", lang)
        for url in urls:
            r = client.get(url, headers=s.admin)
            assert r.status_code == 200, (url, lang)
            assert word in r.text, (url, lang)
    client.cookies.set("boh_lang", "zh_CN")
    assert "已完成" in client.get(f"/inspections/visits/{vid}", headers=s.admin).text


def test_builder_adds_items_reports_problems_and_publishes(runtime: Runtime, client: TestClient) -> None:
    s, *_ = _world(runtime, client)
    url = f"/inspections/templates/{s.template['id']}"
    token = _csrf(client, url, s.admin)
    form: dict[str, Any] = {"csrf_token": token, "name": "Food safety", "sections": "1", "s0_key": "cold",
                            "s0_title": "Cold chain", "s0_items": "1", "s0_i0_key": "chiller",
                            "s0_i0_kind": "temperature", "s0_i0_text": "Chiller", "s0_i0_max": "5",
                            "s0_i0_critical": "on", "pass_score": "80", "op": "add_item:0"}  # fmt: skip
    r = client.post(url, data=form, headers=s.admin)
    assert r.status_code == 200 and r.text.count('name="s0_i1_text"') == 1  # a new blank item, nothing saved
    form |= {"s0_items": "2", "s0_i1_key": "clean", "s0_i1_kind": "scale", "s0_i1_text": "", "op": "save"}
    r = client.post(url, data=form, headers=s.admin)
    assert r.status_code == 422
    assert 'data-error="s0_i1_text"' in r.text and 'data-error="s0_i1_scale_max"' in r.text  # both problems
    form |= {"s0_i1_text": "Floor clean", "s0_i1_scale_max": "5", "op": "publish"}
    r = client.post(url, data=form, headers=s.admin, follow_redirects=False)
    assert r.status_code == 303, r.text[-500:]
    t = client.get(f"{API}/templates/{s.template['id']}", headers=s.admin).json()
    assert t["latest_version"] == 2 and [i["key"] for sec in t["draft"]["sections"] for i in sec["items"]] == [
        "chiller", "clean"]  # fmt: skip


def test_action_evidence_and_review_through_the_pages(runtime: Runtime, client: TestClient) -> None:
    s, _vid, _v2, _aid = _world(runtime, client)
    acts = client.get(f"{API}/actions", headers=s.admin).json()["items"]
    aid = next(a["id"] for a in acts if a["item_key"] == "chiller")
    url = f"/inspections/actions/{aid}"
    token = _csrf(client, url, s.manager)
    r = client.post(f"{url}/evidence", data={"csrf_token": token, "note": "fixed"}, headers=s.manager,
                    follow_redirects=False)  # fmt: skip
    assert r.status_code == 303  # refused (a photo is required), told by a flash message
    assert client.get(f"{API}/actions/{aid}", headers=s.manager).json()["status"] == "open"
    r = client.post(f"{url}/photos", data={"csrf_token": token, "client_id": "page-1"},
                    files={"file": ("fix.jpg", jpeg(), "image/jpeg")}, headers=s.manager,
                    follow_redirects=False)  # fmt: skip
    assert r.status_code == 303
    client.post(f"{url}/evidence", data={"csrf_token": token, "note": "fixed"}, headers=s.manager)
    assert client.get(f"{API}/actions/{aid}", headers=s.manager).json()["status"] == "submitted"
    token = _csrf(client, url, s.inspector)
    client.post(f"{url}/review", data={"csrf_token": token, "decision": "accept"}, headers=s.inspector)
    assert client.get(f"{API}/actions/{aid}", headers=s.manager).json()["status"] == "accepted"
