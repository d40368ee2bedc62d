"""Finding 3: nobody grants more than they hold, and a refused request saves nothing.

A granter gives only roles whose every permission (and org.user.write) it holds over every site the role
reaches; a tenant-wide role takes no site (422 naming the field); every check comes before the first
write, and the answer is read before the commit, so a refusal can never follow a saved change."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from boh.bootstrap import Runtime
from boh.kernel.permissions import ROLE_PERMISSIONS
from boh.org.models import RoleAssignment, User
from tests.factories import PASSWORD, TenantRef, login, make_region, make_site, make_tenant, make_user

USERS = "/api/v1/org/users"
MANAGER = ROLE_PERMISSIONS["store_manager"] | ROLE_PERMISSIONS["store_staff"]  # what a store's user manager holds


@pytest.fixture
def chain(runtime: Runtime) -> TenantRef:
    t = make_tenant(runtime)
    make_region(runtime, t, "EAST")
    make_site(runtime, t, "SH01", region_code="EAST")
    make_site(runtime, t, "BJ01")
    make_user(runtime, t, "boss", [("hq_admin", None)])
    return t


def _counts(rt: Runtime) -> tuple[int, int]:
    with rt.session_factory() as session:
        users = session.scalar(select(func.count()).select_from(User)) or 0
        roles = session.scalar(select(func.count()).select_from(RoleAssignment)) or 0
        return users, roles


def _site_id(client: TestClient, boss: dict[str, str], code: str) -> int:
    return int(
        next(s["id"] for s in client.get("/api/v1/org/sites", headers=boss).json()["items"] if s["code"] == code)
    )


def _key(client: TestClient, boss: dict[str, str], site_id: int | None, permissions: list[str]) -> dict[str, str]:
    body = {"name": "user manager", "site_id": site_id, "permissions": permissions}
    r = client.post("/api/v1/org/api-keys", headers=boss, json=body)
    assert r.status_code == 201, r.text
    return {"X-API-Key": r.json()["key"]}


def _new(username: str, *roles: dict[str, Any]) -> dict[str, Any]:
    return {"username": username, "display_name": username, "password": PASSWORD, "roles": list(roles)}


def test_site_key_with_user_write_only_saves_nothing_when_refused(
    runtime: Runtime, client: TestClient, chain: TenantRef
) -> None:
    """The issue's case: {"site_id": SH01, "permissions": ["org.user.write"]} granting store_manager at BJ01
    answered 403 *after* saving the user."""
    boss = login(client, "boss")
    key = _key(client, boss, _site_id(client, boss, "SH01"), ["org.user.write"])
    before = _counts(runtime)
    for grant in ({"role": "store_manager", "site_code": "BJ01"}, {"role": "store_manager", "site_code": "SH01"}):
        r = client.post(USERS, headers=key, json=_new("mallory", grant))
        assert r.status_code == 403 and r.json()["code"] == "auth.permission_denied", r.text
        assert _counts(runtime) == before


def test_a_site_manager_grants_only_at_its_site(runtime: Runtime, client: TestClient, chain: TenantRef) -> None:
    boss = login(client, "boss")
    sh01 = _site_id(client, boss, "SH01")
    key = _key(client, boss, sh01, sorted(MANAGER | {"org.user.write"}))
    refused = [
        {"role": "store_manager", "site_code": "BJ01"},  # another site
        {"role": "store_manager"},  # the whole tenant
        {"role": "store_manager", "region_code": "EAST"},  # a region (its sites may grow)
        {"role": "hq_admin"},
        {"role": "buyer"},  # tenant-wide, and permissions the key does not hold
        {"role": "regional_manager", "site_code": "SH01"},  # a permission the key does not hold
    ]
    before = _counts(runtime)
    for grant in refused:
        r = client.post(USERS, headers=key, json=_new("mallory", grant))
        assert r.status_code == 403 and r.json()["code"] == "auth.permission_denied", (grant, r.text)
        assert _counts(runtime) == before, grant
    r = client.post(USERS, headers=key, json=_new("mallory", {"role": "store_staff", "site_code": "BJ01"}))
    assert r.status_code == 403 and _counts(runtime) == before
    r = client.post(USERS, headers=key, json=_new("mallory"))  # no role: outside the key's sight
    assert r.status_code == 422 and _counts(runtime) == before, r.text
    ok = client.post(USERS, headers=key, json=_new("sally", {"role": "store_staff", "site_code": "SH01"}))
    assert ok.status_code == 201, ok.text  # answered without org.user.read: the route's own permission
    assert ok.json()["roles"] == [{"role": "store_staff", "region_id": None, "site_id": sh01}]


def test_a_site_manager_cannot_take_over_a_wider_user(runtime: Runtime, client: TestClient, chain: TenantRef) -> None:
    """An HQ admin who also works a shift at SH01 is visible to SH01's user manager, not theirs to change."""
    boss = login(client, "boss")
    key = _key(client, boss, _site_id(client, boss, "SH01"), sorted(MANAGER | {"org.user.write"}))
    uid = make_user(runtime, chain, "ceo", [("hq_admin", None), ("store_staff", "SH01")])
    with runtime.session_factory() as session:
        before = session.get(User, uid)
        assert before is not None
        snapshot = (before.password_hash, before.active)
    for change in ({"password": "taken-over-password"}, {"active": False}, {"roles": []}):
        r = client.patch(f"{USERS}/{uid}", headers=key, json=change)
        assert r.status_code == 403 and r.json()["code"] == "auth.permission_denied", (change, r.text)
    with runtime.session_factory() as session:
        after = session.get(User, uid)
        assert after is not None and (after.password_hash, after.active) == snapshot
    assert client.get("/api/v1/auth/me", headers=login(client, "ceo")).json()["roles"] == ["hq_admin", "store_staff"]


def test_a_tenant_wide_role_takes_no_site(runtime: Runtime, client: TestClient, chain: TenantRef) -> None:
    boss = login(client, "boss")
    before = _counts(runtime)
    for field in ("site_code", "region_code"):
        where = "SH01" if field == "site_code" else "EAST"
        r = client.post(USERS, headers=boss, json=_new("bob", {"role": "accountant"}, {"role": "buyer", field: where}))
        assert r.status_code == 422 and r.headers["content-type"].startswith("application/problem+json"), r.text
        errors = r.json()["errors"]
        assert [(e["loc"][-3:], e["code"]) for e in errors] == [(["roles", 1, field], "org.role_not_site_scoped")]
        assert _counts(runtime) == before
    uid = make_user(runtime, chain, "carol", [("store_staff", "SH01")])
    r = client.patch(f"{USERS}/{uid}", headers=boss, json={"roles": [{"role": "buyer", "site_code": "SH01"}]})
    assert r.status_code == 422 and _counts(runtime) == (before[0] + 1, before[1] + 1), r.text
    r = client.post(USERS, headers=boss, json=_new("bob", {"role": "buyer"}))
    assert r.status_code == 201, r.text


def test_a_refused_import_saves_nothing(runtime: Runtime, client: TestClient, chain: TenantRef) -> None:
    boss = login(client, "boss")
    key = _key(
        client,
        boss,
        _site_id(client, boss, "SH01"),
        sorted(MANAGER | {"org.user.write"}),
    )
    rows = f"username,display_name,password,role,site_code\nsam,Sam,{PASSWORD},store_staff,SH01\n"
    rows += f"eve,Eve,{PASSWORD},store_manager,BJ01\n"
    before = _counts(runtime)
    files = {"file": ("users.csv", rows.encode(), "text/csv")}
    r = client.post(f"{USERS}/import", headers=key, files=files)
    assert r.status_code in (403, 422), r.text
    assert _counts(runtime) == before
    bad = f"username,display_name,password,role,site_code\nbo,Bo Buyer,{PASSWORD},buyer,SH01\n".replace("bo,", "bob,")
    r = client.post(f"{USERS}/import", headers=boss, files={"file": ("users.csv", bad.encode(), "text/csv")})
    assert r.status_code == 422 and r.json()["errors"][0]["column"] == "site_code", r.text
    assert _counts(runtime) == before


def test_a_tenant_wide_user_manager_grants_only_what_it_holds(
    runtime: Runtime, client: TestClient, chain: TenantRef
) -> None:
    """A key for the whole tenant holding org.user.write (and read) only: it may add people, not power."""
    boss = login(client, "boss")
    key = _key(client, boss, None, ["org.user.read", "org.user.write"])
    before = _counts(runtime)
    for grant in ({"role": "hq_admin"}, {"role": "store_staff", "site_code": "SH01"}, {"role": "accountant"}):
        r = client.post(USERS, headers=key, json=_new("mallory", grant))
        assert r.status_code == 403 and r.json()["code"] == "auth.permission_denied", (grant, r.text)
        assert _counts(runtime) == before
    boss_id = client.get("/api/v1/auth/me", headers=boss).json()["id"]
    r = client.patch(f"{USERS}/{boss_id}", headers=key, json={"password": "taken-over-password"})
    assert r.status_code == 403, r.text
    assert client.post(USERS, headers=key, json=_new("newcomer")).status_code == 201  # no role: nothing handed out
