"""Helpers for console page tests: sign in through the login form, post forms with the CSRF token."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.factories import PASSWORD, tenant_of


def csrf(client: TestClient) -> str:
    """The CSRF cookie, fetching the login page first when the client has none yet."""
    token = client.cookies.get("boh_csrf")
    if not token:
        client.get("/login")
        token = client.cookies.get("boh_csrf")
    assert token, "the console sets a CSRF cookie on every page"
    return token


def post_form(client: TestClient, url: str, data: dict[str, Any] | None = None, **kw: Any) -> Any:
    payload = {"csrf_token": csrf(client), **(data or {})}
    return client.post(url, data=payload, follow_redirects=False, **kw)


def page_login(client: TestClient, username: str, password: str = PASSWORD, next_url: str = "/") -> Any:
    tenant = tenant_of(client, username) or ""  # usernames are unique per tenant
    r = post_form(client, "/login", {"username": username, "password": password, "next": next_url, "tenant": tenant})
    assert r.status_code == 303, r.text
    return r
