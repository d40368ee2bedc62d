"""The console's CSRF token is bound to its session (boh.http.csrf): a cookie and token pair planted from
another session, another user or an anonymous visit is refused; the session's own pair works, also after
the refresh token rotated. State-changing requests from another origin are refused, on pages and on the
API when it is authenticated by the session cookie (the cookie walk over every API route is in
tests/security/test_cookie_walk.py)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from boh.org.models import Site
from tests.factories import make_tenant, make_user
from tests.web.helpers import csrf, page_login

SITE = {"code": "NEW1", "name": "New site", "kind": "store"}


@pytest.fixture
def clients(app: Any, runtime: Any) -> Iterator[dict[str, TestClient]]:
    """Browsers: the victim 'boss' (two sessions), another user 'mallory' and an anonymous visitor."""
    t = make_tenant(runtime)
    make_user(runtime, t, "boss", [("hq_admin", None)])
    make_user(runtime, t, "mallory", [("hq_admin", None)])
    names = ("boss", "boss_again", "mallory", "anonymous")
    with (
        TestClient(app, raise_server_exceptions=False) as boss,
        TestClient(app, raise_server_exceptions=False) as boss_again,
        TestClient(app, raise_server_exceptions=False) as mallory,
        TestClient(app, raise_server_exceptions=False) as anonymous,
    ):
        out = dict(zip(names, (boss, boss_again, mallory, anonymous), strict=True))
        page_login(boss, "boss")
        page_login(boss_again, "boss")
        page_login(mallory, "mallory")
        yield out


def _pair(client: TestClient) -> tuple[str, str]:
    token = csrf(client)
    cookie = client.cookies.get("boh_csrf")
    assert cookie
    return cookie, token


def _plant(client: TestClient, value: str) -> None:
    """Set the browser's boh_csrf cookie as a sibling subdomain could (replacing the one it has)."""
    domain = next((c.domain for c in client.cookies.jar if c.name == "boh_csrf"), "")
    client.cookies.delete("boh_csrf")
    client.cookies.set("boh_csrf", value, domain=domain)


def _create_site(client: TestClient, token: str, code: str, **headers: str) -> Any:
    return client.post("/org/sites/new", data={**SITE, "code": code, "csrf_token": token}, headers=headers,
                       follow_redirects=False)  # fmt: skip


def _site_codes(runtime: Any) -> set[str]:
    with runtime.session_factory() as s:
        return set(s.scalars(select(Site.code)))


def test_a_planted_csrf_pair_from_another_session_or_none_is_refused(runtime, clients) -> None:
    boss = clients["boss"]
    own_cookie, own_token = _pair(boss)
    planted = {
        "another user's session": _pair(clients["mallory"]),
        "another session of the same user": _pair(clients["boss_again"]),
        "an anonymous visit": _pair(clients["anonymous"]),
        "a made-up value": ("planted-csrf-value-0123456789abcdef", "planted-csrf-value-0123456789abcdef"),
        "own cookie, another session's token": (own_cookie, _pair(clients["boss_again"])[1]),
    }
    for n, (what, (cookie, token)) in enumerate(planted.items()):
        _plant(boss, cookie)
        r = _create_site(boss, token, f"BAD{n}")
        assert r.status_code == 403, (what, r.status_code)
        assert "expired" in r.text or "过期" in r.text, what
    assert not {c for c in _site_codes(runtime) if c.startswith("BAD")}

    _plant(boss, own_cookie)
    r = _create_site(boss, own_token, "GOOD1")
    assert r.status_code == 303, r.text
    r = boss.post("/lang", data={"lang": "en"}, headers={"X-CSRF-Token": own_token}, follow_redirects=False)
    assert r.status_code == 303  # htmx sends the token as a header
    assert "GOOD1" in _site_codes(runtime)


def test_the_token_is_not_the_cookie_and_survives_a_refresh(runtime, clients) -> None:
    boss = clients["boss"]
    cookie, token = _pair(boss)
    assert token not in cookie  # the page's token cannot be read from, nor planted as, the cookie
    boss.cookies.delete("boh_session")  # the access token expired: the next page refreshes the session
    old_refresh = boss.cookies.get("boh_refresh")
    page = boss.get("/org/sites")
    assert page.status_code == 200 and boss.cookies.get("boh_refresh") != old_refresh
    assert f'<meta name="csrf-token" content="{token}">' in page.text  # same token: open forms keep working
    r = _create_site(boss, token, "AFTER1")
    assert r.status_code == 303, r.text


def test_signing_in_gives_a_new_token(runtime, app) -> None:
    t = make_tenant(runtime)
    make_user(runtime, t, "boss", [("hq_admin", None)])
    with TestClient(app, raise_server_exceptions=False) as browser:
        before = csrf(browser)
        page_login(browser, "boss")
        after = csrf(browser)
        assert after != before
        r = _create_site(browser, before, "OLD1")  # the anonymous token does not carry over into the session
        assert r.status_code == 403


def test_pages_refuse_changes_from_another_origin(runtime, clients) -> None:
    boss = clients["boss"]
    token = csrf(boss)
    for n, headers in enumerate(
        (
            {"Origin": "https://evil.example"},
            {"Origin": "null"},
            {"Sec-Fetch-Site": "same-site"},  # a sibling subdomain: same site, another origin
            {"Sec-Fetch-Site": "cross-site", "Origin": "http://testserver"},
        )
    ):
        r = _create_site(boss, token, f"X{n}", **headers)
        assert r.status_code == 403, headers
    r = _create_site(boss, token, "SAME1", Origin="http://testserver", **{"Sec-Fetch-Site": "same-origin"})
    assert r.status_code == 303, r.text
    assert {c for c in _site_codes(runtime) if c.startswith(("X", "SAME"))} == {"SAME1"}


def test_the_api_takes_the_session_cookie_only_with_the_token_from_this_origin(runtime, clients) -> None:
    """The allowed case of the cookie walk: the console's own script (inspections) posts with the cookie."""
    boss = clients["boss"]
    token = csrf(boss)
    same = {"Origin": "http://testserver", "X-CSRF-Token": token}
    refused = {
        "cross-origin": {**same, "Origin": "https://evil.example"},
        "sibling subdomain": {**same, "Origin": "https://shop.testserver", "Sec-Fetch-Site": "same-site"},
        "no Origin nor Sec-Fetch-Site": {"X-CSRF-Token": token},
        "no token": {"Origin": "http://testserver"},
        "wrong token": {**same, "X-CSRF-Token": csrf(clients["boss_again"])},
    }
    for n, (what, headers) in enumerate(refused.items()):
        r = boss.post("/api/v1/org/sites", json={**SITE, "code": f"API{n}"}, headers=headers)
        assert r.status_code == 403, (what, r.text)
        assert r.headers["content-type"].startswith("application/problem+json")
        assert r.json()["code"] in ("auth.csrf", "auth.cross_origin"), what
    r = boss.post("/api/v1/org/sites", json={**SITE, "code": "APIOK"}, headers=same)
    assert r.status_code == 201, r.text
    r = boss.post(
        "/api/v1/org/sites", json={**SITE, "code": "APIOK2"}, headers={**same, "Sec-Fetch-Site": "same-origin"}
    )
    assert r.status_code == 201, r.text
    behind_tls = {**same, "Origin": "https://testserver"}  # a TLS-terminating proxy in front of plain HTTP
    assert boss.post("/api/v1/org/sites", json={**SITE, "code": "APIOK3"}, headers=behind_tls).status_code == 201
    assert boss.get("/api/v1/org/sites").status_code == 200  # reads need neither
    assert {c for c in _site_codes(runtime) if c.startswith("API")} == {"APIOK", "APIOK2", "APIOK3"}
