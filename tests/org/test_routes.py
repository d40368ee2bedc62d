from __future__ import annotations

from tests.factories import login, make_region, make_site, make_tenant, make_user


def test_login_and_me(runtime, client):
    t = make_tenant(runtime)
    make_site(runtime, t, "S001")
    make_user(runtime, t, "boss", [("hq_admin", None)])
    headers = login(client, "boss")
    r = client.get("/api/v1/auth/me", headers=headers)
    assert r.status_code == 200
    body = r.json()
    assert body["roles"] == ["hq_admin"]
    assert "org.site.write" in body["permissions"]


def test_no_token_is_401_problem(runtime, client):
    r = client.get("/api/v1/org/sites")
    assert r.status_code == 401
    assert r.headers["content-type"].startswith("application/problem+json")
    assert r.json()["code"] == "auth.authentication_required"


def test_store_manager_sees_only_own_store(runtime, client):
    t = make_tenant(runtime)
    make_region(runtime, t, "EAST")
    s1 = make_site(runtime, t, "S001", region_code="EAST")
    s2 = make_site(runtime, t, "S002", region_code="EAST")
    make_user(runtime, t, "mgr1", [("store_manager", "S001")])
    h = login(client, "mgr1")
    r = client.get("/api/v1/org/sites", headers=h)
    assert [s["id"] for s in r.json()["items"]] == [s1]
    assert client.get(f"/api/v1/org/sites/{s2}", headers=h).status_code == 404
    assert client.get(f"/api/v1/org/sites/{s1}", headers=h).status_code == 200
    # cannot write sites at all
    r = client.patch(f"/api/v1/org/sites/{s1}", headers=h, json={"name": "x"})
    assert r.status_code == 403


def test_create_site_validation_lists_every_field(runtime, client):
    t = make_tenant(runtime)
    make_user(runtime, t, "boss", [("hq_admin", None)])
    h = login(client, "boss")
    r = client.post(
        "/api/v1/org/sites", headers=h, json={"code": "bad code!", "name": "", "kind": "moon", "timezone": "Mars/Base"}
    )
    assert r.status_code == 422
    locs = {tuple(e["loc"][1:]) for e in r.json()["errors"]}
    assert {("code",), ("name",), ("kind",), ("timezone",)} <= locs
    assert client.get("/api/v1/org/sites", headers=h).json()["total"] == 0
