"""Console pages are hidden from the OpenAPI document, so they are walked from the application's own route
table: every route must come from a SecureRouter, and the same rules hold as for the API (anonymous ->
login, role without the permission -> 403, another tenant's object -> 404, nothing written on refusal)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute
from starlette.routing import BaseRoute

from boh.http import csrf
from boh.http.routing import SecureRoute
from boh.kernel.permissions import ROLE_PERMISSIONS
from tests.security.checks import nothing_written, report, require_creators
from tests.security.spec import Operation
from tests.security.world import World

PUBLIC_PAGES = {"GET /login", "POST /login", "POST /logout", "POST /lang"}
FRAMEWORK_ROUTES = {"/openapi.json", "/docs", "/docs/oauth2-redirect", "/static"}
A_DATA = re.compile(r"alpha[-_ ]", re.IGNORECASE)  # tenant A's codes, usernames and names


@dataclass(frozen=True)
class Page:
    method: str
    path: str
    extra: dict[str, Any]

    @property
    def id(self) -> str:
        return f"{self.method} {self.path}"

    @property
    def permission(self) -> str | None:
        value = self.extra.get("x-permission")
        return value if isinstance(value, str) else None

    @property
    def path_params(self) -> list[str]:
        return re.findall(r"\{(\w+)(?::\w+)?\}", self.path)


def _flatten(routes: list[BaseRoute], prefix: str = "") -> Iterator[tuple[str, BaseRoute]]:
    for route in routes:
        inner = getattr(route, "original_router", None)  # FastAPI keeps included routers as branches
        if inner is not None:
            yield from _flatten(inner.routes, prefix + getattr(route.include_context, "prefix", ""))  # type: ignore[attr-defined]
        else:
            yield prefix + str(getattr(route, "path", "")), route


@pytest.fixture
def pages(app: FastAPI) -> list[Page]:
    out = []
    for path, route in _flatten(app.routes):
        if isinstance(route, APIRoute) and not route.include_in_schema:
            out += [Page(m, path, dict(route.openapi_extra or {})) for m in sorted(route.methods or ())]
    return out


def test_every_route_comes_from_a_secure_router(app: FastAPI, ops: list[Operation]) -> None:
    loose, api_routes = [], 0
    for path, route in _flatten(app.routes):
        if isinstance(route, APIRoute):
            api_routes += 1
            extra = set(route.openapi_extra or {})
            if not isinstance(route, SecureRoute) or not ({"x-permission", "x-public"} & extra):
                loose.append(f"{sorted(route.methods or ())} {path}")
        elif path not in FRAMEWORK_ROUTES:
            loose.append(f"{type(route).__name__} {path}")
    assert loose == [], "routes must be declared on a SecureRouter with perm=... or public=True"
    assert api_routes >= len({op.path for op in ops})


def test_public_pages_are_an_allow_list(pages: list[Page]) -> None:
    assert {p.id for p in pages if p.extra.get("x-public") is True} == PUBLIC_PAGES


def _send(w: World, page: Page, headers: dict[str, str], path: dict[str, Any] | None = None) -> httpx.Response:
    values = {p: (path or {}).get(p, w.get(p)) for p in page.path_params}
    url = re.sub(r"\{(\w+)(?::\w+)?\}", lambda m: str(values[m.group(1)]), page.path)
    key = csrf.app_key(w.client.app)  # a valid CSRF pair (anonymous: the walk signs in by header), not the guard here
    cookie, token = csrf.binding_cookie(key, "route-walk", None, None), csrf.token_for(key, "route-walk")
    hdrs = {**headers, "x-csrf-token": token, "Cookie": f"boh_csrf={cookie}"}
    w.client.cookies.clear()
    data: dict[str, str] | None = {} if page.method == "POST" else None
    r: httpx.Response = w.client.request(page.method, url, headers=hdrs, data=data, follow_redirects=False)
    return r


def _secured(pages: list[Page], world: World) -> list[Page]:
    require_creators(f"{{{p}}} in {page.id}" for page in pages for p in page.path_params)
    for page in pages:  # page-only objects exist before any check too, so "nothing changed" is measurable
        for name in page.path_params:
            world.get(name)
    return [p for p in pages if p.permission is not None]


def test_anonymous_is_sent_to_login(world: World, pages: list[Page]) -> None:
    failures: list[str] = []
    for page in _secured(pages, world):
        with nothing_written(world, failures, page.id):
            r = _send(world, page, {})
            if r.status_code != 303 or not r.headers.get("location", "").startswith("/login"):
                failures.append(f"{page.id} as anonymous: {r.status_code} {r.headers.get('location')}")
            htmx = _send(world, page, {"HX-Request": "true"})
            if htmx.status_code != 401 or not htmx.headers.get("hx-redirect", "").startswith("/login"):
                failures.append(f"{page.id} as anonymous (htmx): {htmx.status_code}")
    report("page-401", failures)


def test_role_without_the_permission_is_403(world: World, pages: list[Page]) -> None:
    failures: list[str] = []
    for page in _secured(pages, world):
        if page.permission == "authenticated":
            continue
        with nothing_written(world, failures, page.id):
            for role, headers in world.by_role.items():
                if page.permission not in ROLE_PERMISSIONS.get(role.split("@")[0], ()):
                    r = _send(world, page, headers)
                    if r.status_code != 403:
                        failures.append(f"{page.id} as role '{role or 'none'}': {r.status_code}")
    report("page-403", failures)


def test_other_tenant_never_reaches_a(world: World, pages: list[Page]) -> None:
    failures: list[str] = []
    for page in _secured(pages, world):
        with nothing_written(world, failures, page.id):
            r = _send(world, page, world.admin_b)
        if page.path_params and page.method == "GET" and r.status_code != 404:
            failures.append(f"{page.id} as tenant B's admin: {r.status_code}, expected 404")
        elif page.path_params and r.status_code < 400:
            failures.append(f"{page.id} as tenant B's admin: {r.status_code}, expected a refusal")
        if A_DATA.search(r.text):
            failures.append(f"{page.id} as tenant B's admin shows tenant A's data: {A_DATA.search(r.text)}")
    report("page-404", failures)


def test_site_scoped_manager_never_reaches_site_2(world: World, pages: list[Page]) -> None:
    failures: list[str] = []
    grants = ROLE_PERMISSIONS["store_manager"]
    headers = world.by_role["store_manager@S1"]
    for page in _secured(pages, world):
        if "site_id" not in page.path_params or page.permission not in grants:
            continue
        with nothing_written(world, failures, page.id):
            r = _send(world, page, headers, path={"site_id": world.site2})
        if r.status_code != 404:
            failures.append(f"{page.id} as the site-1 manager on site 2: {r.status_code}, expected 404")
    report("page-site", failures)
