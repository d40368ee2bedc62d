"""Walk every route of the OpenAPI document and prove the foundation's security rules:

no token -> 401; a user of another tenant -> 404 for reads and writes (and lists show none of the other
tenant's data); a role without the permission -> 403, with nothing written; a principal scoped to one site
-> 404 for another site. Operations, parameters and bodies are read from the document, so a new route is
covered the moment it exists; a path parameter nobody knows how to create fails the walk.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import jwt

from boh.kernel.permissions import ALL_PERMISSIONS, PLATFORM_OPERATOR, ROLE_PERMISSIONS
from tests.security.checks import expect, nothing_written, report, require_creators, send
from tests.security.spec import Examples, Operation
from tests.security.world import MARKER, World

PUBLIC_ALLOW_LIST = {
    "GET /healthz",
    "GET /readyz",
    "GET /metrics",
    "POST /api/v1/auth/token",
    "POST /api/v1/auth/refresh",
    "POST /api/v1/auth/logout",
}


# --- the document -----------------------------------------------------------------------------------


def test_every_operation_declares_permission_or_public(ops: list[Operation]) -> None:
    assert len(ops) > 20
    both_or_none = [op.id for op in ops if (op.permission is None) == (not op.public)]
    assert both_or_none == [], "each operation needs exactly one of x-permission or x-public"
    assert {op.id for op in ops if op.public} == PUBLIC_ALLOW_LIST
    known = (None, "authenticated", *ALL_PERMISSIONS, *PLATFORM_OPERATOR)
    unknown = {op.id: op.permission for op in ops if op.permission not in known}
    assert unknown == {}, "x-permission must be 'authenticated' or a permission of boh.kernel.permissions"


def test_every_path_parameter_has_a_creator(ops: list[Operation]) -> None:
    require_creators(f"{{{p}}} in {op.id}" for op in ops for p in op.path_params)


# --- the walk ---------------------------------------------------------------------------------------


def test_no_credentials_is_401_everywhere(world: World, ex: Examples, secured: list[Operation]) -> None:
    me = world.client.get("/api/v1/auth/me", headers=world.admin_a).json()
    claims = {"sub": str(me["id"]), "tid": me["tenant_id"], "typ": "access"}
    claims["exp"] = int((datetime.now(UTC) + timedelta(minutes=5)).timestamp())
    forged = jwt.encode(claims, "not-the-server-secret-but-long-enough-for-hs256", algorithm="HS256")
    unsigned = jwt.encode(claims, None, algorithm="none")
    bad = {
        "anonymous": {},
        "bad bearer": {"Authorization": "Bearer not-a-token"},
        "forged bearer": {"Authorization": f"Bearer {forged}"},
        "unsigned bearer": {"Authorization": f"Bearer {unsigned}"},
        "bad api key": {"X-API-Key": "boh_000000000000_nope"},
        "bad cookie": {"Cookie": "boh_session=not-a-token"},
    }
    failures: list[str] = []
    for op in secured:
        with nothing_written(world, failures, op.id):
            for who, headers in bad.items():
                r = send(world, ex, op, headers)
                expect(failures, op.id, who, r, 401)
                if r.status_code == 401 and r.headers.get("www-authenticate") != "Bearer":
                    failures.append(f"{op.id} as {who}: 401 without 'WWW-Authenticate: Bearer'")
            if op.body_media:  # auth runs before the body is read: a broken body still gets 401, not 422/400
                expect(failures, op.id, "anonymous, broken body", send(world, ex, op, {}, raw_body=b"{broken"), 401)
    report("401", failures)


def test_role_without_the_permission_is_403(world: World, ex: Examples, secured: list[Operation]) -> None:
    failures: list[str] = []
    checked = 0
    for op in secured:
        if op.permission == "authenticated":
            continue
        lacking = [role for role in world.by_role if op.permission not in ROLE_PERMISSIONS.get(role.split("@")[0], ())]
        assert "" in lacking  # a user with no role at all always lacks it
        with nothing_written(world, failures, op.id):
            for role in lacking:
                r = send(world, ex, op, world.by_role[role])
                expect(failures, op.id, f"role '{role or 'none'}'", r, 403, "auth.permission_denied")
                checked += 1
    assert checked > len(secured)
    report("403", failures)


def test_other_tenant_gets_404_for_every_object(world: World, ex: Examples, secured: list[Operation]) -> None:
    failures: list[str] = []
    targeted = [op for op in secured if op.path_params]
    assert targeted
    for op in targeted:
        with nothing_written(world, failures, op.id):
            expect(failures, op.id, "tenant B's hq_admin", send(world, ex, op, world.admin_b), 404)
    report("404", failures)


def _items(r: httpx.Response) -> list[Any] | None:
    """The records of a list response (a Page or a JSON array), or None for other responses."""
    if not r.headers.get("content-type", "").startswith("application/json"):
        return None
    data = r.json()
    if isinstance(data, dict) and isinstance(data.get("items"), list):
        return list(data["items"])
    return data if isinstance(data, list) else None


def test_other_tenant_sees_none_of_a_in_lists(world: World, ex: Examples, secured: list[Operation]) -> None:
    """B owns no records but its tenant, one site and its admin, all marked 'bravo': anything else B is shown
    belongs to A. A's own view of the same request is the control: a list must show A's data."""
    failures: list[str] = []
    for op in [op for op in secured if op.method == "get" and not op.path_params]:
        a_view = send(world, ex, op, world.admin_a)
        a_items = _items(a_view)
        if a_view.status_code != 200 or (a_items is not None and not a_items and MARKER not in a_view.text.lower()):
            failures.append(
                f"{op.id}: tenant A's admin sees none of A's data ({a_view.status_code}), so the isolation check "
                "proves nothing there; make the world in tests/security/world.py create some"
            )
        for label, all_refs in (("plain", False), ("filtered by A's ids", True)):
            r = send(world, ex, op, world.admin_b, all_refs=all_refs)
            foreign = [i for i in _items(r) or [] if "bravo" not in json.dumps(i, ensure_ascii=False).lower()]
            if r.status_code >= 500 or MARKER in r.text.lower() or foreign:
                failures.append(f"{op.id} ({label}) shows tenant A's data to tenant B: {r.status_code} {r.text[:200]}")
    report("lists", failures)


def _refs(body: Any) -> dict[str, Any]:
    if isinstance(body, list):
        return {k: v for item in body for k, v in _refs(item).items()}
    if not isinstance(body, dict):
        return {}
    out = {k: v for k, v in body.items() if k.endswith("_id") and isinstance(v, int)}
    for v in body.values():
        out |= _refs(v)
    return out


def test_other_tenant_cannot_refer_to_a_in_bodies(world: World, ex: Examples, secured: list[Operation]) -> None:
    """Creating or changing B's own records with ids of A's objects in the body is refused."""
    failures: list[str] = []
    writes = [op for op in secured if op.method != "get" and not op.path_params and op.body_media == "application/json"]
    for op in writes:
        refs = _refs(ex.body(op, all_refs=True))
        if not refs:
            continue
        with nothing_written(world, failures, f"{op.id} with {refs}"):
            r = send(world, ex, op, world.admin_b, all_refs=True)
            if r.status_code < 400 or r.status_code >= 500:
                failures.append(f"{op.id} as tenant B with A's {refs}: {r.status_code} {r.text[:200]}")
    report("body-refs", failures)


def _site_scoped_checks(
    w: World, ex: Examples, secured: list[Operation], who: str, headers: dict[str, str], grants: frozenset[str]
) -> list[str]:
    failures: list[str] = []
    for op in secured:
        allowed = op.permission == "authenticated" or op.permission in grants
        if not allowed:
            with nothing_written(w, failures, f"{op.id} as {who}"):
                expect(failures, op.id, who, send(w, ex, op, headers), 403, "auth.permission_denied")
            continue
        if "site_id" in op.path_params:
            with nothing_written(w, failures, f"{op.id} as {who} on site 2"):
                expect(failures, op.id, f"{who} on site 2", send(w, ex, op, headers, path={"site_id": w.site2}), 404)
        if op.method == "get":
            r = send(w, ex, op, headers, path={"site_id": w.site1})
            if r.status_code != 200 or "alpha-s2" in r.text.lower():
                failures.append(f"{op.id} as {who} on site 1: {r.status_code} {r.text[:200]}")
    return failures


def test_site_scoped_api_key(world: World, ex: Examples, secured: list[Operation]) -> None:
    created = world.api(
        "POST",
        "/api/v1/org/api-keys",
        {"name": "alpha s1 device", "site_id": world.site1, "permissions": ["org.site.read"]},
    )
    headers = {"X-API-Key": created["key"]}
    sites = world.client.get("/api/v1/org/sites", headers=headers).json()
    assert [s["code"] for s in sites["items"]] == ["ALPHA-S1"]
    report("site-key", _site_scoped_checks(world, ex, secured, "site-1 API key", headers, frozenset({"org.site.read"})))


def test_site_scoped_manager(world: World, ex: Examples, secured: list[Operation]) -> None:
    grants = ROLE_PERMISSIONS["store_manager"]
    headers = world.by_role["store_manager@S1"]
    report("site-manager", _site_scoped_checks(world, ex, secured, "site-1 store manager", headers, grants))
