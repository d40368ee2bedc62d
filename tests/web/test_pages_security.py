"""Route-walking security test for console pages (the API has its own walker over /api routes).

Every non-API route of the app is walked: without a session it must send the browser to the login
page; for a role without the route's permission it must answer 403 with the translated HTML page; a
state-changing page request without the CSRF token is refused. New pages are covered the moment they
are registered.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from boh.http.routing import AUTHENTICATED
from boh.kernel.permissions import ALL_PERMISSIONS, ROLE_PERMISSIONS, SITE_SCOPED_ROLES
from boh.web.console import is_page_path
from tests.factories import make_site, make_tenant, make_user
from tests.web.helpers import csrf, page_login

PUBLIC_PAGES = {("GET", "/login"), ("POST", "/login"), ("POST", "/logout"), ("POST", "/lang")}


def flat_routes(app: Any) -> list[tuple[str, set[str], dict[str, Any]]]:
    """(path, methods, openapi_extra) of every API route, looking inside included routers (FastAPI
    0.16x keeps them nested, so ``app.routes`` alone lists none of them)."""
    try:
        from fastapi.routing import iter_route_contexts
    except ImportError:  # older FastAPI flattens included routers into app.routes
        return [(r.path, set(r.methods), r.openapi_extra or {}) for r in app.routes if isinstance(r, APIRoute)]
    return [
        (c.path, set(c.methods or ()), c.openapi_extra or {})
        for c in iter_route_contexts(app.routes)
        if isinstance(c.original_route, APIRoute)
    ]


def page_routes(app: Any) -> list[tuple[str, str, str | None]]:
    """(method, path, permission) of every page route; permission None = public."""
    out = []
    for path, methods, extra in flat_routes(app):
        if not is_page_path(path):
            continue
        perm = extra.get("x-permission")
        assert perm or extra.get("x-public"), f"{path} states neither a permission nor public"
        for method in sorted(methods):
            out.append((method, path, perm))
    return out


def concrete(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "1", path)


def call(client: TestClient, method: str, path: str, **kw: Any) -> Any:
    if method == "GET":
        return client.get(concrete(path), follow_redirects=False, **kw)
    return client.request(method, concrete(path), data={"csrf_token": csrf(client)}, follow_redirects=False, **kw)


def test_walker_sees_the_console_pages(app) -> None:
    routes = {(m, p) for m, p, _ in page_routes(app)}
    expected = {
        ("GET", "/"),
        ("GET", "/org/sites"),
        ("GET", "/org/sites/{site_id}"),
        ("POST", "/org/sites/{site_id}"),
        ("POST", "/org/sites/import"),
        ("GET", "/org/sites/export"),
        ("POST", "/org/sites/new"),
        ("GET", "/catalog/items"),
        ("POST", "/catalog/items/{item_id}"),
        ("POST", "/catalog/items/import"),
        ("GET", "/catalog/suppliers/{supplier_id}"),
        ("POST", "/catalog/supplier-items/import"),
    }
    assert expected <= routes
    public = {(m, p) for m, p, perm in page_routes(app) if perm is None}
    assert public == PUBLIC_PAGES


def test_pages_are_not_in_the_openapi_document(app, client) -> None:
    documented = set(client.get("/openapi.json").json()["paths"])
    leaked = {p for _, p, _ in page_routes(app)} & documented
    assert leaked == set()


def test_every_page_redirects_to_login_without_a_session(runtime, app, client) -> None:
    make_tenant(runtime)
    checked = 0
    for method, path, perm in page_routes(app):
        if perm is None:
            continue
        r = call(client, method, path)
        assert r.status_code == 303, (method, path, r.status_code, r.text[:200])
        assert r.headers["location"].startswith("/login?next=/"), (method, path, r.headers["location"])
        checked += 1
    assert checked >= 25


def _role_without(perm: str) -> str | None:
    """A role lacking ``perm``; None when every role holds it (then a user without any role is used)."""
    return next((role for role, perms in ROLE_PERMISSIONS.items() if perm not in perms), None)


@pytest.mark.parametrize(
    "lang,title", [("en", "You do not have permission to do this"), ("zh_CN", "您没有权限执行此操作")]
)
def test_every_page_is_403_for_a_role_without_its_permission(runtime, app, client, lang, title) -> None:
    t = make_tenant(runtime)
    make_site(runtime, t, "S001")
    perms = {perm for _, _, perm in page_routes(app) if perm not in (None, AUTHENTICATED)}
    assert perms <= ALL_PERMISSIONS
    clients: dict[str | None, TestClient] = {}
    for perm in sorted(perms):
        role = _role_without(perm)
        if role not in clients:
            grants = [(role, "S001" if role in SITE_SCOPED_ROLES else None)] if role else []
            make_user(runtime, t, f"u_{role or 'none'}", grants)
            c = TestClient(app, raise_server_exceptions=False)
            c.cookies.set("boh_lang", lang)
            page_login(c, f"u_{role or 'none'}")
            clients[role] = c
    for method, path, perm in page_routes(app):
        if perm in (None, AUTHENTICATED):
            continue
        r = call(clients[_role_without(perm)], method, path)
        assert r.status_code == 403, (method, path, perm, r.status_code)
        assert r.headers["content-type"].startswith("text/html"), (method, path)
        assert title in r.text, (method, path)


def test_state_changing_pages_refuse_a_missing_or_wrong_csrf_token(runtime, app, client) -> None:
    t = make_tenant(runtime)
    make_user(runtime, t, "boss", [("hq_admin", None)])
    client.cookies.set("boh_lang", "en")
    page_login(client, "boss")
    unsafe = [(m, p) for m, p, _ in page_routes(app) if m != "GET"]
    assert ("POST", "/org/sites/new") in unsafe
    for method, path in unsafe:
        for token in (None, "forged-token-that-does-not-match"):
            data = {"code": "X1", "name": "X", "kind": "store"} | ({"csrf_token": token} if token else {})
            r = client.request(method, concrete(path), data=data, follow_redirects=False)
            assert r.status_code == 403, (method, path, token, r.status_code)
            assert "This form has expired" in r.text
    from boh.org.models import Site

    with runtime.session_factory() as session:
        assert session.query(Site).count() == 0


def test_htmx_request_without_session_gets_hx_redirect(runtime, client) -> None:
    r = client.get("/org/sites?q=x", headers={"HX-Request": "true"}, follow_redirects=False)
    assert r.status_code == 401
    assert r.headers["hx-redirect"] == "/login?next=/org/sites%3Fq%3Dx"
