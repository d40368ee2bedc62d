"""Tenants as a platform operator manages them: `boh tenant ...`, `boh platform key ...` and the platform API.
A platform key is not a tenant role (deny by default both ways); a disabled tenant's tokens, console sessions
and API keys stop working at once."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from typer.testing import CliRunner

from boh.bootstrap import Runtime
from boh.cli.main import app as cli_app
from boh.kernel import cache as kernel_cache
from boh.kernel.audit import AuditRecord, verify_chain
from boh.settings import Settings, get_settings
from tests.factories import PASSWORD, login, make_site, make_tenant, make_user
from tests.web.helpers import page_login, post_form

API = "/api/v1/platform/tenants"


@pytest.fixture
def cli(runtime: Runtime, settings: Settings, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[CliRunner]:
    monkeypatch.setenv("BOH_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("BOH_DATA_DIR", str(settings.data_dir))
    get_settings.cache_clear()
    try:
        yield CliRunner()
    finally:
        get_settings.cache_clear()


def _platform_key(cli: CliRunner) -> dict[str, str]:
    r = cli.invoke(cli_app, ["platform", "key", "create", "--name", "ops team"])
    assert r.exit_code == 0, r.output
    return {"X-API-Key": r.output.strip().splitlines()[-1]}


def _chain(rt: Runtime, chain: int) -> list[tuple[int, str, str]]:
    with rt.session_factory() as s:
        recs = s.scalars(select(AuditRecord).where(AuditRecord.chain_id == chain).order_by(AuditRecord.seq))
        return [(r.seq, r.action, r.actor) for r in recs]


def test_cli_creates_a_tenant_with_its_admin_chain_and_checkpoint(
    runtime: Runtime, settings: Settings, cli: CliRunner, client: TestClient
) -> None:
    r = cli.invoke(cli_app, ["tenant", "create", "--code", "BETA", "--name", "Beta Foods", "--admin", "beta_boss"])
    assert r.exit_code == 0, r.output
    password = r.output.split("shown once, change it after the first login): ")[1].split()[0]
    assert len(password) >= 12
    tenants = cli.invoke(cli_app, ["tenant", "list"]).output
    assert "BETA" in tenants and "active" in tenants
    headers = login(client, "beta_boss", password)  # the first admin can sign in and holds hq_admin
    me = client.get("/api/v1/auth/me", headers=headers).json()
    assert me["roles"] == ["hq_admin"]
    tid = me["tenant_id"]
    assert _chain(runtime, tid) == [(1, "org.tenant.create", "platform:0"), (2, "org.user.create", "platform:0")]
    with runtime.session_factory() as s:
        assert verify_chain(s, tid) == (2, None)
    blobs = sorted((settings.data_dir / "blobs" / "audit" / "checkpoints" / str(tid)).iterdir())
    assert [json.loads(b.read_text())["seq"] for b in blobs] == [2]  # checkpointed from its first record on
    again = cli.invoke(cli_app, ["tenant", "create", "--code", "BETA", "--name", "Again", "--admin", "beta_two"])
    assert again.exit_code == 1 and "tenant code 'BETA' is already used" in again.output
    bad = cli.invoke(cli_app, ["tenant", "create", "--code", "B C", "--name", "Bad", "--admin", "x"])
    assert bad.exit_code == 2 and "code:" in bad.output and "admin_username:" in bad.output


def test_platform_api_creates_lists_disables_and_enables(runtime: Runtime, cli: CliRunner, client: TestClient) -> None:
    key = _platform_key(cli)
    body = {"code": "GAMMA", "name": "Gamma", "admin_username": "gamma_boss", "admin_password": "a-long-password-1"}
    r = client.post(API, headers=key, json=body)
    assert r.status_code == 201, r.text
    created = r.json()
    assert created["admin_password"] is None and created["active"] is True  # a password set is never echoed
    assert login(client, "gamma_boss", "a-long-password-1")
    assert [t["code"] for t in client.get(API, headers=key).json()] == ["GAMMA"]
    r = client.post(f"{API}/{created['id']}/disable", headers=key)
    assert r.status_code == 200 and r.json()["active"] is False
    assert [a for _, a, _ in _chain(runtime, created["id"])][-1] == "org.tenant.disable"
    r = client.post(f"{API}/{created['id']}/enable", headers=key)
    assert r.status_code == 200 and r.json()["active"] is True
    assert client.post(f"{API}/999999/disable", headers=key).status_code == 404
    generated = client.post(API, headers=key, json={"code": "DELTA", "name": "Delta", "admin_username": "d_boss"})
    assert generated.status_code == 201 and login(client, "d_boss", generated.json()["admin_password"])


def test_platform_routes_deny_every_tenant_principal(runtime: Runtime, cli: CliRunner, client: TestClient) -> None:
    t = make_tenant(runtime)
    make_user(runtime, t, "boss", [("hq_admin", None)])
    admin = login(client, "boss")
    device = client.post(
        "/api/v1/org/api-keys", headers=admin, json={"name": "k", "permissions": ["org.site.read"]}
    ).json()
    for who in (admin, {"X-API-Key": device["key"]}):
        for method, url in (("GET", API), ("POST", API), ("POST", f"{API}/{t.id}/disable")):
            r = client.request(method, url, headers=who, json={"code": "X", "name": "X", "admin_username": "x"})
            assert r.status_code == 403 and r.json()["code"] == "auth.permission_denied", (method, url, r.text)
    assert client.get(API).status_code == 401
    assert client.get(API, headers={"X-API-Key": "bohp_000000000000_nope"}).status_code == 401
    key = _platform_key(cli)
    for url in ("/api/v1/org/sites", "/api/v1/catalog/items", "/api/v1/inventory/balances"):  # nothing in a tenant
        assert client.get(url, headers=key).status_code == 403, url
    prefix = key["X-API-Key"].split("_")[1]
    assert cli.invoke(cli_app, ["platform", "key", "revoke", prefix]).exit_code == 0
    assert client.get(API, headers=key).status_code == 401


def test_disabled_tenant_is_locked_out_at_once(runtime: Runtime, cli: CliRunner, client: TestClient) -> None:
    t = make_tenant(runtime)
    other = make_tenant(runtime, "OTHER", "Other Foods")
    make_site(runtime, t, "S001")
    make_user(runtime, t, "boss", [("hq_admin", None)])
    make_user(runtime, other, "other_boss", [("hq_admin", None)])
    bearer = login(client, "boss")
    pair = client.post("/api/v1/auth/token", data={"username": "boss@ACME", "password": PASSWORD}).json()
    device = client.post(
        "/api/v1/org/api-keys", headers=bearer, json={"name": "k", "permissions": ["org.site.read"]}
    ).json()
    api_key = {"X-API-Key": device["key"]}
    console = TestClient(client.app, raise_server_exceptions=False)
    page_login(console, "boss")
    other_bearer = login(client, "other_boss")
    assert client.get("/api/v1/org/sites", headers=api_key).status_code == 200  # the key is cached now
    assert console.get("/org/sites").status_code == 200

    platform_key = _platform_key(cli)
    assert client.post(f"{API}/{t.id}/disable", headers=platform_key).status_code == 200
    for who in (bearer, api_key):
        r = client.get("/api/v1/org/sites", headers=who)
        assert r.status_code == 401 and r.json()["code"] == "auth.tenant_disabled", r.text
    page = console.get("/org/sites", follow_redirects=False)  # the console session is over: back to login
    assert page.status_code in (302, 303) and page.headers["location"].startswith("/login"), page.status_code
    r = client.post("/api/v1/auth/token", data={"username": "boss@ACME", "password": PASSWORD})
    assert r.status_code == 401 and r.json()["code"] == "auth.tenant_disabled"
    r = post_form(console, "/login", {"username": "boss", "tenant": "acme", "password": PASSWORD, "next": "/"})
    assert r.status_code in (401, 422) and "boh_session" not in r.headers.get("set-cookie", ""), r.status_code
    r = client.post("/api/v1/auth/refresh", json={"refresh_token": pair["refresh_token"]})
    assert r.status_code in (401, 403), r.text
    assert client.get("/api/v1/org/sites", headers=other_bearer).status_code == 200  # other tenants unaffected

    assert client.post(f"{API}/{t.id}/enable", headers=platform_key).status_code == 200
    assert client.get("/api/v1/org/sites", headers=bearer).status_code == 200
    assert client.get("/api/v1/org/sites", headers=api_key).status_code == 200
    assert "DISABLED" not in cli.invoke(cli_app, ["tenant", "list"]).output


def test_disabling_from_the_cli_stops_tokens_at_once(runtime: Runtime, cli: CliRunner, client: TestClient) -> None:
    """Another process (the CLI) disables the tenant: tokens and sessions stop at once; an API key this
    server authenticated in the last API_KEY_TTL seconds is served from its cache until then, like a
    revoked key (the cache is cleared here instead of waiting)."""
    t = make_tenant(runtime)
    make_user(runtime, t, "boss", [("hq_admin", None)])
    bearer = login(client, "boss")
    device = client.post(
        "/api/v1/org/api-keys", headers=bearer, json={"name": "k", "permissions": ["org.site.read"]}
    ).json()
    api_key = {"X-API-Key": device["key"]}
    assert client.get("/api/v1/org/sites", headers=api_key).status_code == 200
    assert cli.invoke(cli_app, ["tenant", "disable", "ACME"]).exit_code == 0
    assert client.get("/api/v1/org/sites", headers=bearer).json()["code"] == "auth.tenant_disabled"
    kernel_cache.clear(runtime.engine)  # API_KEY_TTL has passed
    assert client.get("/api/v1/org/sites", headers=api_key).json()["code"] == "auth.tenant_disabled"
    assert "DISABLED" in cli.invoke(cli_app, ["tenant", "list"]).output
