"""Templates through the API: draft, versions, every error at once, JSON export and import."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from boh.bootstrap import Runtime
from boh.inspections import models
from tests.factories import TenantRef, login, make_region, make_tenant, make_user
from tests.inspections.helpers import create_template, definition_dict

URL = "/api/v1/inspections/templates"


def _admin(runtime: Runtime, client: TestClient) -> dict[str, str]:
    t = make_tenant(runtime)
    make_region(runtime, t, "EAST")
    make_user(runtime, t, "hqadmin", [("hq_admin", None)])
    return login(client, "hqadmin")


def _count(runtime: Runtime, model: Any) -> int:
    with runtime.session_factory() as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)


def test_draft_publish_and_versions(runtime: Runtime, client: TestClient) -> None:
    h = _admin(runtime, client)
    draft = create_template(client, h, publish=False)
    assert draft["latest_version"] == 0 and draft["unpublished_changes"] and draft["versions"] == []
    v1 = client.post(f"{URL}/{draft['id']}/publish", headers=h).json()
    assert v1["latest_version"] == 1 and not v1["unpublished_changes"]
    again = client.post(f"{URL}/{draft['id']}/publish", headers=h).json()  # nothing changed: no new version
    assert again["latest_version"] == 1 and _count(runtime, models.TemplateVersion) == 1

    changed = definition_dict(pass_score="90")
    r = client.patch(f"{URL}/{draft['id']}", json={"definition": changed, "name": "Food safety v2"}, headers=h)
    assert r.status_code == 200 and r.json()["unpublished_changes"] and r.json()["name"] == "Food safety v2"
    v2 = client.post(f"{URL}/{draft['id']}/publish", headers=h).json()
    assert v2["latest_version"] == 2 and [v["version"] for v in v2["versions"]] == [2, 1]
    with runtime.session_factory() as s:  # version 1 is frozen as it was
        v = s.scalars(select(models.TemplateVersion).where(models.TemplateVersion.version == 1)).one()
        assert v.definition["pass_score"] == "80"


def test_every_problem_of_a_definition_is_reported_and_nothing_written(runtime: Runtime, client: TestClient) -> None:
    h = _admin(runtime, client)
    bad = definition_dict()
    bad["sections"][0]["items"][0]["max"] = "-5"  # below min 0
    bad["sections"][1]["items"][0]["key"] = "clean"  # duplicate key
    body = {"code": "BAD", "name": "Bad", "definition": bad, "region_ids": [999999]}
    r = client.post(URL, json=body, headers=h)
    assert r.status_code == 422 and r.headers["content-type"].startswith("application/problem+json")
    locs = {tuple(e["loc"]) for e in r.json()["errors"]}
    assert locs == {
        ("definition", "sections", 0, "items", 0, "max"),
        ("definition", "sections", 1, "items", 0, "key"),
        ("region_ids", 0),
    }
    assert _count(runtime, models.Template) == 0
    # pydantic-level problems come back together too
    r = client.post(URL, json={"code": "X", "name": "", "definition": {"sections": []}}, headers=h)
    assert r.status_code == 422 and len(r.json()["errors"]) == 2


def test_export_import_round_trip(runtime: Runtime, client: TestClient) -> None:
    h = _admin(runtime, client)
    region = client.get("/api/v1/org/regions", headers=h).json()[0]["id"]
    tpl = create_template(client, h, region_ids=[region], formats=["supermarket"])
    exported = client.get(f"{URL}/{tpl['id']}/export", headers=h).json()
    assert exported["format"] == "boh.inspection-template/1" and exported["regions"] == ["EAST"]

    # into another tenant: created (and published on request)
    t2 = make_tenant(runtime, "OTHER", "Other")
    make_region(runtime, t2, "EAST")
    make_user(runtime, t2, "hqadmin2", [("hq_admin", None)])
    h2 = login(client, "hqadmin2")
    r = client.post(f"{URL}/import?publish=true", json=exported, headers=h2)
    assert r.status_code == 200, r.text
    data = r.json()
    assert data["created"] and data["template"]["latest_version"] == 1
    assert data["template"]["draft"] == tpl["draft"]
    # importing again replaces the draft of the same code (no second template)
    exported["definition"]["pass_score"] = "70.00"
    again = client.post(f"{URL}/import", json=exported, headers=h2).json()
    assert not again["created"] and again["template"]["unpublished_changes"]
    assert again["template"]["draft"]["pass_score"] == "70.00"

    # an unknown region code and a broken definition: both reported, nothing written
    before = _count(runtime, models.Template)
    exported["regions"] = ["NOWHERE"]
    exported["definition"]["sections"][0]["items"][0]["show_if"] = {"item": "clean", "failed": True}
    r = client.post(f"{URL}/import", json={**exported, "code": "NEW"}, headers=h2)
    assert r.status_code == 422
    assert {e["code"] for e in r.json()["errors"]} == {"unknown_reference"} and len(r.json()["errors"]) == 2
    assert _count(runtime, models.Template) == before


def test_store_roles_read_but_do_not_write_templates(runtime: Runtime, client: TestClient) -> None:
    h = _admin(runtime, client)
    tpl = create_template(client, h)
    make_user(runtime, TenantRef(1, "ACME"), "staff", [("store_staff", None)])
    s = login(client, "staff")
    assert client.get(f"{URL}/{tpl['id']}", headers=s).status_code == 200
    r = client.patch(f"{URL}/{tpl['id']}", json={"name": "x"}, headers=s)
    assert r.status_code == 403 and r.json()["code"] == "auth.permission_denied"
