"""Finding 9: signing out ends the access token at once, not when it expires. Access tokens carry their
login session (``sid``), checked on every request; logout, a new password, a role taken away and a
deactivation end the sessions, so the old bearer token and the old console cookie get 401 right away."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from boh.bootstrap import Runtime
from tests.factories import PASSWORD, TenantRef, make_site, make_tenant, make_user
from tests.web.helpers import page_login, post_form

ME = "/api/v1/auth/me"


@pytest.fixture
def tenant(runtime: Runtime) -> TenantRef:
    t = make_tenant(runtime)
    make_site(runtime, t, "S001")
    make_site(runtime, t, "S002")
    make_user(runtime, t, "boss", [("hq_admin", None)])
    make_user(runtime, t, "clerk", [("store_staff", "S001"), ("store_staff", "S002")])
    make_user(runtime, t, "other", [("store_staff", "S001")])
    return t


def _pair(client: TestClient, username: str, password: str = PASSWORD) -> dict[str, str]:
    r = client.post("/api/v1/auth/token", data={"username": username, "password": password})
    assert r.status_code == 200, r.text
    data: dict[str, str] = r.json()
    return data


def _bearer(pair: dict[str, str]) -> dict[str, str]:
    return {"Authorization": f"Bearer {pair['access_token']}"}


def _refused(client: TestClient, headers: dict[str, str]) -> bool:
    r = client.get(ME, headers=headers)
    return r.status_code == 401 and r.headers["content-type"].startswith("application/problem+json")


def _user_id(client: TestClient, boss: dict[str, str], username: str) -> int:
    users = client.get("/api/v1/org/users", headers=boss, params={"q": username}).json()["items"]
    return int(next(u["id"] for u in users if u["username"] == username))


def test_api_logout_ends_the_access_token_at_once(client: TestClient, tenant: TenantRef) -> None:
    pair, other = _pair(client, "clerk"), _pair(client, "clerk")  # two sessions of one user
    assert client.get(ME, headers=_bearer(pair)).status_code == 200
    assert client.post("/api/v1/auth/logout", json={"refresh_token": pair["refresh_token"]}).status_code == 204
    assert _refused(client, _bearer(pair))
    r = client.post("/api/v1/auth/refresh", json={"refresh_token": pair["refresh_token"]})
    assert r.status_code == 401
    assert client.get(ME, headers=_bearer(other)).status_code == 200  # the other session goes on


def test_logout_with_only_the_bearer_token(client: TestClient, tenant: TenantRef) -> None:
    pair = _pair(client, "clerk")
    assert client.post("/api/v1/auth/logout", headers=_bearer(pair)).status_code == 204
    assert _refused(client, _bearer(pair))
    assert client.post("/api/v1/auth/refresh", json={"refresh_token": pair["refresh_token"]}).status_code == 401


def test_console_logout_ends_the_cookie_at_once(app: object, tenant: TenantRef) -> None:
    console = TestClient(app, raise_server_exceptions=False)  # type: ignore[arg-type]
    page_login(console, "clerk")
    cookie = console.cookies.get("boh_session")
    assert cookie and console.get(ME).status_code == 200
    r = post_form(console, "/logout")
    assert r.status_code == 303
    thief = TestClient(app, raise_server_exceptions=False)  # type: ignore[arg-type]
    assert _refused(thief, {"Cookie": f"boh_session={cookie}"})
    page = thief.get("/", headers={"Cookie": f"boh_session={cookie}"}, follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"].startswith("/login")


def test_password_change_ends_every_session(client: TestClient, tenant: TenantRef) -> None:
    boss = _bearer(_pair(client, "boss"))
    one, two, other = _pair(client, "clerk"), _pair(client, "clerk"), _pair(client, "other")
    uid = _user_id(client, boss, "clerk")
    r = client.patch(f"/api/v1/org/users/{uid}", headers=boss, json={"password": "a-brand-new-password"})
    assert r.status_code == 200, r.text
    assert _refused(client, _bearer(one)) and _refused(client, _bearer(two))
    assert client.get(ME, headers=_bearer(other)).status_code == 200
    assert client.get(ME, headers=boss).status_code == 200
    assert client.get(ME, headers=_bearer(_pair(client, "clerk", "a-brand-new-password"))).status_code == 200


def test_role_removal_ends_every_session_and_role_addition_does_not(client: TestClient, tenant: TenantRef) -> None:
    boss = _bearer(_pair(client, "boss"))
    uid = _user_id(client, boss, "clerk")
    pair = _pair(client, "clerk")
    both = [{"role": "store_staff", "site_code": "S001"}, {"role": "store_staff", "site_code": "S002"}]
    added = [*both, {"role": "inspector", "site_code": "S001"}]
    assert client.patch(f"/api/v1/org/users/{uid}", headers=boss, json={"roles": added}).status_code == 200
    assert client.get(ME, headers=_bearer(pair)).status_code == 200  # nothing taken away
    r = client.patch(f"/api/v1/org/users/{uid}", headers=boss, json={"roles": both[:1]})
    assert r.status_code == 200, r.text
    assert _refused(client, _bearer(pair))


def test_deactivation_ends_every_session_for_good(client: TestClient, tenant: TenantRef) -> None:
    boss = _bearer(_pair(client, "boss"))
    uid = _user_id(client, boss, "clerk")
    pair = _pair(client, "clerk")
    assert client.patch(f"/api/v1/org/users/{uid}", headers=boss, json={"active": False}).status_code == 200
    assert _refused(client, _bearer(pair))
    assert client.patch(f"/api/v1/org/users/{uid}", headers=boss, json={"active": True}).status_code == 200
    assert _refused(client, _bearer(pair))  # reactivating the account does not revive the old session
    r = client.post("/api/v1/auth/refresh", json={"refresh_token": pair["refresh_token"]})
    assert r.status_code == 401


def test_a_reused_refresh_token_ends_the_access_token_too(client: TestClient, tenant: TenantRef) -> None:
    pair = _pair(client, "clerk")
    fresh = client.post("/api/v1/auth/refresh", json={"refresh_token": pair["refresh_token"]}).json()
    assert client.get(ME, headers=_bearer(fresh)).status_code == 200
    stolen = client.post("/api/v1/auth/refresh", json={"refresh_token": pair["refresh_token"]})
    assert stolen.status_code == 401
    assert _refused(client, _bearer(fresh))  # the thief's replay ends the whole session


def test_console_logout_without_the_refresh_cookie_still_ends_the_session(app: object, tenant: TenantRef) -> None:
    console = TestClient(app, raise_server_exceptions=False)  # type: ignore[arg-type]
    page_login(console, "clerk")
    cookie = console.cookies.get("boh_session")
    console.cookies.delete("boh_refresh")
    assert post_form(console, "/logout").status_code == 303
    assert _refused(TestClient(app, raise_server_exceptions=False), {"Cookie": f"boh_session={cookie}"})  # type: ignore[arg-type]
