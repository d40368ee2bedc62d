"""Helpers for console page tests: sign in through the login form, post forms with the CSRF token."""

from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient

from tests.factories import PASSWORD

_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf(client: TestClient) -> str:
    """The session's CSRF token (bound to the session: boh.http.csrf), read from a page's form (the sign-in
    form, or the sign-out form of every signed-in page); fetched again only when the session or its CSRF
    cookie changed."""
    key = (client.cookies.get("boh_csrf"), client.cookies.get("boh_refresh"), client.cookies.get("boh_session"))
    cached: tuple[Any, str] | None = getattr(client, "_boh_csrf_token", None)
    if cached is not None and cached[0] == key and key[0]:
        return cached[1]
    page = client.get("/login")  # signed in: redirected to the home page; both render the token
    found = _TOKEN.search(page.text)
    assert found, "every console page renders the session's CSRF token"
    key = (client.cookies.get("boh_csrf"), client.cookies.get("boh_refresh"), client.cookies.get("boh_session"))
    client._boh_csrf_token = (key, found.group(1))  # type: ignore[attr-defined]
    return found.group(1)


def post_form(client: TestClient, url: str, data: dict[str, Any] | None = None, **kw: Any) -> Any:
    payload = {"csrf_token": csrf(client), **(data or {})}
    return client.post(url, data=payload, follow_redirects=False, **kw)


def page_login(client: TestClient, username: str, password: str = PASSWORD, next_url: str = "/") -> Any:
    r = post_form(client, "/login", {"username": username, "password": password, "next": next_url})
    assert r.status_code == 303, r.text
    return r
