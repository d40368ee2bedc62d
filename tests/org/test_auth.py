"""Authentication: password storage, login throttling, token rotation and expiry, API keys."""

from __future__ import annotations

import hashlib
import logging
import time
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from boh.bootstrap import Runtime
from boh.kernel.clock import clock
from boh.kernel.db import Base
from boh.org.auth import API_KEY_TTL, MAX_FAILURES_PER_CLIENT
from boh.org.models import ApiKey, RefreshToken, User
from boh.org.passwords import verify_password
from boh.settings import Settings
from tests.factories import PASSWORD, TenantRef, login, make_site, make_tenant, make_user

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
TOKEN_URL = "/api/v1/auth/token"


@pytest.fixture
def tenant(runtime: Runtime) -> TenantRef:
    t = make_tenant(runtime)
    make_site(runtime, t, "S001")
    make_site(runtime, t, "S002")
    make_user(runtime, t, "boss", [("hq_admin", None)])
    make_user(runtime, t, "clerk", [("store_staff", "S001")])
    return t


def _token(client: TestClient, username: str, password: str = PASSWORD):  # type: ignore[no-untyped-def]
    return client.post(TOKEN_URL, data={"username": username, "password": password})


def _all_rows(rt: Runtime) -> str:
    with rt.session_factory() as session:
        return repr([session.execute(select(t)).all() for t in Base.metadata.sorted_tables])


def _user(rt: Runtime, username: str) -> User:
    with rt.session_factory() as session:
        return session.scalars(select(User).where(User.username == username)).one()


def _bearer(access: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {access}"}


# --- passwords ---------------------------------------------------------------------------------------


def test_only_an_argon2id_hash_is_stored(runtime: Runtime, tenant: TenantRef) -> None:
    user = _user(runtime, "clerk")
    assert user.password_hash.startswith("$argon2id$")
    assert verify_password(user.password_hash, PASSWORD)
    assert not verify_password(user.password_hash, PASSWORD + "x")
    assert PASSWORD not in _all_rows(runtime)  # not in any table: users, audit trail, outbox


def test_the_app_hashes_with_owasp_argon2id_parameters() -> None:
    """The suite hashes cheaply (tests/conftest.py); the app's own hasher, made at import, uses OWASP's
    argon2id parameters (19 MiB, 2 passes, 1 lane), which every hash records."""
    from boh.org import passwords

    assert passwords._DUMMY.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
    assert verify_password(passwords._DUMMY, "boh-dummy-password")


def test_wrong_password_and_unknown_user_look_the_same(client: TestClient, tenant: TenantRef) -> None:
    wrong, unknown = _token(client, "clerk", "wrong-password"), _token(client, "nobody", "wrong-password")
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json()["code"] == unknown.json()["code"] == "auth.invalid_credentials"
    assert wrong.json()["detail"] == unknown.json()["detail"]


def test_account_locks_after_repeated_failures_until_it_expires(
    runtime: Runtime, client: TestClient, tenant: TenantRef, settings: Settings
) -> None:
    clock.freeze(T0)
    limit, minutes = settings.auth.max_failed_logins, settings.auth.lockout_minutes
    for _ in range(limit):
        assert _token(client, "clerk", "wrong-password").status_code == 401
    locked = _token(client, "clerk")  # the right password does not help while locked
    assert locked.status_code == 429 and locked.json()["code"] == "auth.too_many_attempts"
    assert "access_token" not in locked.text
    assert _user(runtime, "clerk").locked_until == T0 + timedelta(minutes=minutes)
    assert _token(client, "boss").status_code == 200  # other accounts are not affected
    clock.advance(timedelta(minutes=minutes, seconds=-1))
    assert _token(client, "clerk").status_code == 429
    clock.advance(timedelta(seconds=2))
    assert _token(client, "clerk").status_code == 200
    user = _user(runtime, "clerk")
    assert (user.failed_logins, user.locked_until, user.last_login_at) == (
        0,
        None,
        T0 + timedelta(minutes=minutes, seconds=1),
    )


def test_failures_below_the_limit_are_forgotten_after_a_success(
    runtime: Runtime, client: TestClient, tenant: TenantRef, settings: Settings
) -> None:
    for _ in range(settings.auth.max_failed_logins - 1):
        _token(client, "clerk", "wrong-password")
    assert _token(client, "clerk").status_code == 200
    assert _user(runtime, "clerk").failed_logins == 0
    assert _token(client, "clerk", "wrong-password").status_code == 401  # one failure: not locked
    assert _token(client, "clerk").status_code == 200


def test_one_address_guessing_many_accounts_is_throttled(client: TestClient, tenant: TenantRef) -> None:
    clock.freeze(T0)
    for i in range(MAX_FAILURES_PER_CLIENT):
        assert _token(client, f"guess{i}", "wrong-password").status_code == 401
    r = _token(client, "boss")
    assert r.status_code == 429 and r.json()["code"] == "auth.too_many_attempts"
    clock.advance(timedelta(minutes=16))
    assert _token(client, "boss").status_code == 200


def test_password_never_reaches_the_logs(
    client: TestClient, tenant: TenantRef, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG):
        assert _token(client, "clerk", "wrong-" + PASSWORD).status_code == 401
        assert _token(client, "clerk").status_code == 200
        r = client.post(TOKEN_URL, data={"password": PASSWORD})  # invalid form: the error must not echo it
        assert r.status_code == 422 and PASSWORD not in r.text
    assert caplog.records, "expected request logs to be captured"
    for rec in caplog.records:
        assert PASSWORD not in rec.getMessage()
        assert PASSWORD not in repr(rec.__dict__)


# --- access and refresh tokens ------------------------------------------------------------------------


def test_access_token_expires(client: TestClient, tenant: TenantRef, settings: Settings) -> None:
    clock.freeze(T0)
    pair = _token(client, "clerk").json()
    assert pair["expires_in"] == settings.auth.access_token_minutes * 60
    clock.advance(timedelta(minutes=settings.auth.access_token_minutes, seconds=-1))
    assert client.get("/api/v1/auth/me", headers=_bearer(pair["access_token"])).status_code == 200
    clock.advance(timedelta(seconds=1))
    r = client.get("/api/v1/auth/me", headers=_bearer(pair["access_token"]))
    assert r.status_code == 401 and r.json()["code"] == "auth.invalid_token"


def test_refresh_token_is_rotated_and_reuse_revokes_the_family(
    runtime: Runtime, client: TestClient, tenant: TenantRef
) -> None:
    first = _token(client, "clerk").json()
    second = client.post("/api/v1/auth/refresh", json={"refresh_token": first["refresh_token"]})
    assert second.status_code == 200
    second_pair = second.json()
    assert second_pair["refresh_token"] != first["refresh_token"]
    assert client.get("/api/v1/auth/me", headers=_bearer(second_pair["access_token"])).status_code == 200

    replay = client.post("/api/v1/auth/refresh", json={"refresh_token": first["refresh_token"]})  # stolen copy
    assert replay.status_code == 401 and replay.json()["code"] == "auth.invalid_token"
    legit = client.post("/api/v1/auth/refresh", json={"refresh_token": second_pair["refresh_token"]})
    assert legit.status_code == 401  # the whole family was revoked by the reuse
    with runtime.session_factory() as session:
        tokens = session.scalars(select(RefreshToken)).all()
        assert len(tokens) == 2 and all(t.revoked for t in tokens)
        assert {t.token_hash for t in tokens} == {
            hashlib.sha256(p["refresh_token"].encode()).hexdigest() for p in (first, second_pair)
        }  # only hashes are stored


def test_refresh_token_expires(client: TestClient, tenant: TenantRef, settings: Settings) -> None:
    clock.freeze(T0)
    pair = _token(client, "clerk").json()
    clock.advance(timedelta(days=settings.auth.refresh_token_days))
    r = client.post("/api/v1/auth/refresh", json={"refresh_token": pair["refresh_token"]})
    assert r.status_code == 401


def test_logout_revokes_the_refresh_token(client: TestClient, tenant: TenantRef) -> None:
    pair = _token(client, "clerk").json()
    assert client.post("/api/v1/auth/logout", json={"refresh_token": pair["refresh_token"]}).status_code == 204
    assert client.post("/api/v1/auth/refresh", json={"refresh_token": pair["refresh_token"]}).status_code == 401


def test_deactivated_user_is_locked_out_at_once(client: TestClient, tenant: TenantRef) -> None:
    pair = _token(client, "clerk").json()
    boss = login(client, "boss")
    clerk_id = client.get("/api/v1/auth/me", headers=_bearer(pair["access_token"])).json()["id"]
    assert client.patch(f"/api/v1/org/users/{clerk_id}", headers=boss, json={"active": False}).status_code == 200
    r = client.get("/api/v1/auth/me", headers=_bearer(pair["access_token"]))
    assert r.status_code == 401 and r.json()["code"] == "auth.invalid_token"
    assert client.post("/api/v1/auth/refresh", json={"refresh_token": pair["refresh_token"]}).status_code == 401
    assert _token(client, "clerk").status_code == 401


# --- API keys -----------------------------------------------------------------------------------------


def _create_key(client: TestClient, headers: dict[str, str], **body: object):  # type: ignore[no-untyped-def]
    return client.post("/api/v1/org/api-keys", headers=headers, json={"name": "scale", **body})


def test_api_key_is_shown_once_and_stored_hashed(runtime: Runtime, client: TestClient, tenant: TenantRef) -> None:
    boss = login(client, "boss")
    created = _create_key(client, boss, permissions=["org.site.read"])
    assert created.status_code == 201
    key = created.json()["key"]
    assert key.startswith("boh_")
    listed = client.get("/api/v1/org/api-keys", headers=boss)
    assert listed.status_code == 200 and key not in listed.text and "key_hash" not in listed.text
    secret = key.split("_", 2)[2]
    with runtime.session_factory() as session:
        row = session.scalars(select(ApiKey)).one()
        assert row.key_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in _all_rows(runtime)
    me = client.get("/api/v1/auth/me", headers={"X-API-Key": key}).json()
    assert (me["kind"], me["permissions"]) == ("api_key", ["org.site.read"])


def test_revoked_key_is_refused(client: TestClient, tenant: TenantRef) -> None:
    boss = login(client, "boss")
    created = _create_key(client, boss, permissions=["org.site.read"]).json()
    headers = {"X-API-Key": created["key"]}
    assert client.get("/api/v1/org/sites", headers=headers).status_code == 200
    assert client.post(f"/api/v1/org/api-keys/{created['id']}/revoke", headers=boss).status_code == 200
    r = client.get("/api/v1/org/sites", headers=headers)
    assert r.status_code == 401 and r.json()["code"] == "auth.invalid_token"


def test_key_revoked_by_another_process_is_refused_once_its_cache_entry_ends(
    runtime: Runtime, client: TestClient, tenant: TenantRef
) -> None:
    """Authenticated keys are remembered API_KEY_TTL seconds per process: a revocation written by another
    process (here: straight into the table) takes effect in this one when the entry ends, not later."""
    boss = login(client, "boss")
    created = _create_key(client, boss, permissions=["org.site.read"]).json()
    headers = {"X-API-Key": created["key"]}
    assert client.get("/api/v1/org/sites", headers=headers).status_code == 200
    with runtime.session_factory() as session, session.begin():
        session.get(ApiKey, created["id"]).revoked_at = datetime.now(UTC)  # type: ignore[union-attr]
    assert client.get("/api/v1/org/sites", headers=headers).status_code == 200  # still in this process's cache
    monotonic = time.monotonic
    try:
        time.monotonic = lambda: monotonic() + API_KEY_TTL + 0.1  # type: ignore[assignment]
        assert client.get("/api/v1/org/sites", headers=headers).status_code == 401
    finally:
        time.monotonic = monotonic  # type: ignore[assignment]


def test_a_cached_key_is_still_refused_what_it_may_not_do(client: TestClient, tenant: TenantRef) -> None:
    """A key this process authenticated moments ago is recognised without the database (no worker-thread
    trip); its permissions are checked all the same."""
    headers = {"X-API-Key": _create_key(client, login(client, "boss"), permissions=["org.site.read"]).json()["key"]}
    assert client.get("/api/v1/org/sites", headers=headers).status_code == 200  # now cached
    r = client.get("/api/v1/org/users", headers=headers)
    assert r.status_code == 403 and r.json()["code"] == "auth.permission_denied"
    assert client.get("/api/v1/org/sites", headers={"X-API-Key": headers["X-API-Key"] + "x"}).status_code == 401


def test_cached_key_is_refused_the_moment_it_expires(client: TestClient, tenant: TenantRef) -> None:
    clock.freeze(T0)
    boss = login(client, "boss")
    expires = (T0 + timedelta(seconds=1)).isoformat()
    headers = {"X-API-Key": _create_key(client, boss, permissions=["org.site.read"], expires_at=expires).json()["key"]}
    assert client.get("/api/v1/org/sites", headers=headers).status_code == 200  # now cached
    clock.advance(timedelta(seconds=1))
    assert client.get("/api/v1/org/sites", headers=headers).status_code == 401


def test_expired_key_is_refused(client: TestClient, tenant: TenantRef) -> None:
    clock.freeze(T0)
    boss = login(client, "boss")
    expires = (T0 + timedelta(hours=1)).isoformat()
    headers = {"X-API-Key": _create_key(client, boss, permissions=["org.site.read"], expires_at=expires).json()["key"]}
    assert client.get("/api/v1/org/sites", headers=headers).status_code == 200
    clock.advance(timedelta(hours=1))
    assert client.get("/api/v1/org/sites", headers=headers).status_code == 401


def test_tampered_key_is_refused(client: TestClient, tenant: TenantRef) -> None:
    key = _create_key(client, login(client, "boss"), permissions=["org.site.read"]).json()["key"]
    assert client.get("/api/v1/org/sites", headers={"X-API-Key": key[:-2] + "xx"}).status_code == 401


def test_key_scoped_to_a_site(runtime: Runtime, client: TestClient, tenant: TenantRef) -> None:
    boss = login(client, "boss")
    sites = {s["code"]: s["id"] for s in client.get("/api/v1/org/sites", headers=boss).json()["items"]}
    created = _create_key(client, boss, site_id=sites["S001"], permissions=["org.site.read"]).json()
    headers = {"X-API-Key": created["key"]}
    listed = client.get("/api/v1/org/sites", headers=headers).json()
    assert [s["code"] for s in listed["items"]] == ["S001"]
    assert client.get(f"/api/v1/org/sites/{sites['S002']}", headers=headers).status_code == 404
    assert client.get(f"/api/v1/org/sites/{sites['S001']}", headers=headers).status_code == 200
    r = client.patch(f"/api/v1/org/sites/{sites['S001']}", headers=headers, json={"name": "Hacked"})
    assert r.status_code == 403
    assert client.get(f"/api/v1/org/sites/{sites['S001']}", headers=boss).json()["name"] == "Store S001"


def test_a_key_cannot_mint_a_stronger_key(runtime: Runtime, client: TestClient, tenant: TenantRef) -> None:
    boss = login(client, "boss")
    minter = {"X-API-Key": _create_key(client, boss, permissions=["org.apikey.write"]).json()["key"]}
    r = _create_key(client, minter, permissions=["org.apikey.write", "org.user.write"])
    assert r.status_code == 403 and r.json()["code"] == "auth.permission_denied"
    assert len(client.get("/api/v1/org/api-keys", headers=boss).json()) == 1  # nothing was created
    assert _create_key(client, minter, permissions=["org.apikey.write"]).status_code == 201  # what it holds: fine


def test_a_site_key_cannot_mint_a_tenant_wide_key(client: TestClient, tenant: TenantRef) -> None:
    boss = login(client, "boss")
    sites = {s["code"]: s["id"] for s in client.get("/api/v1/org/sites", headers=boss).json()["items"]}
    perms = ["org.apikey.write", "org.site.read"]
    minter = {"X-API-Key": _create_key(client, boss, site_id=sites["S001"], permissions=perms).json()["key"]}
    assert _create_key(client, minter, permissions=["org.site.read"]).status_code == 403
    assert _create_key(client, minter, site_id=sites["S002"], permissions=["org.site.read"]).status_code == 404
    assert _create_key(client, minter, site_id=sites["S001"], permissions=["org.site.read"]).status_code == 201


# --- gaps found by these tests in org code outside this suite's remit (reported; strict: fixing them fails
# these markers, so remove the marker then) -----------------------------------------------------------------


def test_naive_key_expiry_is_a_validation_error(client: TestClient, tenant: TenantRef) -> None:
    r = _create_key(client, login(client, "boss"), permissions=["org.site.read"], expires_at="2030-01-01T00:00:00")
    assert r.status_code == 422


def test_password_change_signs_out_other_sessions(client: TestClient, tenant: TenantRef) -> None:
    pair = _token(client, "clerk").json()
    clerk_id = client.get("/api/v1/auth/me", headers=_bearer(pair["access_token"])).json()["id"]
    boss = login(client, "boss")
    r = client.patch(f"/api/v1/org/users/{clerk_id}", headers=boss, json={"password": "a-brand-new-passw0rd"})
    assert r.status_code == 200
    assert client.post("/api/v1/auth/refresh", json={"refresh_token": pair["refresh_token"]}).status_code == 401
