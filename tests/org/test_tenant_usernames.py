"""Finding 12: usernames are unique per tenant, so creating a user never tells one tenant's admin what
usernames another tenant has: the answer is the same whether or not another tenant uses the name. Sign-in
names the tenant (a tenant field or user@COMPANY); only a server hosting one tenant accepts a bare name."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from boh.bootstrap import Runtime
from tests.factories import PASSWORD, login, make_tenant, make_user
from tests.web.helpers import post_form

USERS, TOKEN = "/api/v1/org/users", "/api/v1/auth/token"


def _new(username: str) -> dict[str, Any]:
    return {"username": username, "display_name": username, "password": PASSWORD, "roles": [{"role": "buyer"}]}


@pytest.fixture
def admins(runtime: Runtime, client: TestClient) -> tuple[dict[str, str], dict[str, str]]:
    a, b = make_tenant(runtime, "ALPHA", "Alpha"), make_tenant(runtime, "BRAVO", "Bravo")
    make_user(runtime, a, "alpha_admin", [("hq_admin", None)])
    make_user(runtime, b, "bravo_admin", [("hq_admin", None)])
    return login(client, "alpha_admin"), login(client, "bravo_admin")


def _shape(r: Any) -> tuple[int, list[str]]:
    body = r.json()
    return r.status_code, sorted(k for k in body if k != "id")


def test_a_username_of_another_tenant_is_no_answer(client: TestClient, admins: tuple[dict[str, str], ...]) -> None:
    alpha, bravo = admins
    assert client.post(USERS, headers=alpha, json=_new("wang.fang")).status_code == 201
    taken_elsewhere = client.post(USERS, headers=bravo, json=_new("wang.fang"))
    fresh = client.post(USERS, headers=bravo, json=_new("li.na"))
    assert taken_elsewhere.status_code == 201, taken_elsewhere.text
    assert _shape(taken_elsewhere) == _shape(fresh)
    assert taken_elsewhere.json()["username"] == "wang.fang"
    again = client.post(USERS, headers=bravo, json=_new("wang.fang"))  # taken in one's own tenant: said so
    assert again.status_code == 409 and again.json()["code"] == "org.duplicate_code"
    assert client.post(USERS, headers=bravo, json=_new("bravo_admin")).status_code == 409
    assert client.post(USERS, headers=bravo, json=_new("alpha_admin")).status_code == 201


def test_sign_in_names_the_tenant(client: TestClient, admins: tuple[dict[str, str], ...]) -> None:
    alpha, bravo = admins
    client.post(USERS, headers=alpha, json=_new("wang.fang") | {"password": "alpha-password-1"})
    client.post(USERS, headers=bravo, json=_new("wang.fang") | {"password": "bravo-password-1"})
    tenant_of = {name: client.get("/api/v1/auth/me", headers=h).json()["tenant_id"] for name, h in
                 (("ALPHA", alpha), ("BRAVO", bravo))}  # fmt: skip
    tries = [
        ({"username": "wang.fang@ALPHA", "password": "alpha-password-1"}, "ALPHA"),
        ({"username": "wang.fang", "tenant": "bravo", "password": "bravo-password-1"}, "BRAVO"),
    ]
    for data, code in tries:
        r = client.post(TOKEN, data=data)
        assert r.status_code == 200, (data, r.text)
        me = client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {r.json()['access_token']}"}).json()
        assert (me["name"], me["tenant_id"]) == ("wang.fang", tenant_of[code])
    wrong = client.post(TOKEN, data={"username": "wang.fang@ALPHA", "password": "bravo-password-1"})
    assert wrong.status_code == 401 and wrong.json()["code"] == "auth.invalid_credentials"
    bare = client.post(TOKEN, data={"username": "wang.fang", "password": "alpha-password-1"})
    assert bare.status_code == 401 and bare.json()["code"] == "auth.tenant_required"
    unknown = client.post(TOKEN, data={"username": "nobody", "password": "whatever-1"})
    assert unknown.json()["code"] == "auth.tenant_required"  # decided before any user is looked up


def test_console_sign_in_asks_for_the_company(app: Any, admins: tuple[dict[str, str], ...]) -> None:
    console = TestClient(app, raise_server_exceptions=False)
    assert 'name="tenant"' in console.get("/login").text
    r = post_form(console, "/login", {"username": "alpha_admin", "password": PASSWORD, "next": "/"})
    assert r.status_code == 401 and "boh_session" not in r.headers.get("set-cookie", "")
    r = post_form(console, "/login", {"username": "alpha_admin", "tenant": "ALPHA", "password": PASSWORD})
    assert r.status_code == 303, r.text


def test_one_tenant_servers_accept_a_bare_username(runtime: Runtime, client: TestClient, app: Any) -> None:
    t = make_tenant(runtime)
    make_user(runtime, t, "boss", [("hq_admin", None)])
    assert client.post(TOKEN, data={"username": "boss", "password": PASSWORD}).status_code == 200
    assert client.post(TOKEN, data={"username": "boss@ACME", "password": PASSWORD}).status_code == 200
    assert 'name="tenant"' not in TestClient(app).get("/login").text
