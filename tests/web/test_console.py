"""The console shell: sign-in, session cookies and refresh, sign-out, language, navigation, error pages."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select

from boh.kernel.clock import clock, utcnow
from boh.org.models import LoginAttempt, RefreshToken
from tests.factories import make_site, make_tenant, make_user
from tests.web.helpers import csrf, page_login, post_form


def _cookie_attrs(response, name: str) -> str:  # type: ignore[no-untyped-def]
    headers = [h for h in response.headers.get_list("set-cookie") if h.startswith(f"{name}=")]
    assert len(headers) == 1, response.headers.get_list("set-cookie")
    return headers[0].lower()


def test_pages_redirect_to_login_with_next(runtime, client) -> None:
    r = client.get("/org/sites?q=a", follow_redirects=False)
    assert r.status_code == 303
    assert r.headers["location"] == "/login?next=/org/sites%3Fq%3Da"


def test_wrong_password_shows_an_error_and_sets_no_session(runtime, client) -> None:
    t = make_tenant(runtime)
    make_user(runtime, t, "boss", [("hq_admin", None)])
    client.cookies.set("boh_lang", "en")
    r = post_form(client, "/login", {"username": "boss", "password": "not-the-password"})
    assert r.status_code == 401
    assert "Wrong username or password." in r.text
    assert 'value="boss"' in r.text  # the username is kept, the password is not
    assert not any(h.startswith(("boh_session=", "boh_refresh=")) for h in r.headers.get_list("set-cookie"))
    with runtime.session_factory() as s:
        assert len(s.scalars(select(LoginAttempt)).all()) == 1  # the failure was recorded


def test_login_sets_strict_http_only_cookies_and_follows_next(runtime, client) -> None:
    t = make_tenant(runtime)
    make_user(runtime, t, "boss", [("hq_admin", None)])
    r = page_login(client, "boss", next_url="/org/sites?kind=store")
    assert r.headers["location"] == "/org/sites?kind=store"
    for name in ("boh_session", "boh_refresh"):
        attrs = _cookie_attrs(r, name)
        assert "httponly" in attrs and "samesite=strict" in attrs and "path=/" in attrs
    page = client.get("/")
    assert page.status_code == 200
    assert 'data-testid="tenant-name">阿克米食品<' in page.text  # the user's locale is zh_CN by default


def test_login_ignores_a_next_that_leaves_the_site(runtime, client) -> None:
    t = make_tenant(runtime)
    make_user(runtime, t, "boss", [("hq_admin", None)])
    for target in ("//evil.example/x", "https://evil.example/", "/\\evil.example", "javascript:alert(1)"):
        client.cookies.clear()
        r = page_login(client, "boss", next_url=target)
        assert r.headers["location"] == "/", target


def test_expired_access_token_is_refreshed_transparently(runtime, client) -> None:
    t = make_tenant(runtime)
    make_user(runtime, t, "boss", [("hq_admin", None)])
    with clock.frozen(utcnow() - timedelta(hours=1)):  # the access token (15 min) is long expired now
        page_login(client, "boss")
    old_refresh = client.cookies.get("boh_refresh")
    r = client.get("/org/sites", follow_redirects=False)
    assert r.status_code == 200
    assert "boh_session=" in r.headers.get("set-cookie", "")
    assert client.cookies.get("boh_refresh") != old_refresh
    with runtime.session_factory() as s:
        tokens = s.scalars(select(RefreshToken).order_by(RefreshToken.id)).all()
        assert len(tokens) == 2 and tokens[0].used_at is not None and not tokens[1].revoked
    assert client.get("/org/sites", follow_redirects=False).status_code == 200  # the new pair works


def test_two_requests_racing_with_the_same_refresh_token_both_stay_signed_in(runtime, app, client) -> None:
    t = make_tenant(runtime)
    make_user(runtime, t, "boss", [("hq_admin", None)])
    with clock.frozen(utcnow() - timedelta(hours=1)):
        page_login(client, "boss")
    other_tab = TestClient(app, raise_server_exceptions=False)
    other_tab.cookies.update(dict(client.cookies.items()))
    assert client.get("/", follow_redirects=False).status_code == 200
    assert other_tab.get("/", follow_redirects=False).status_code == 200  # not treated as token theft
    with runtime.session_factory() as s:
        assert not any(tok.revoked for tok in s.scalars(select(RefreshToken)))


def test_invalid_refresh_cookie_clears_the_session_and_redirects(runtime, client) -> None:
    client.cookies.set("boh_session", "not-a-valid-access-token")
    client.cookies.set("boh_refresh", "not-a-valid-refresh-token-at-all")
    r = client.get("/", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/login")
    assert "max-age=0" in _cookie_attrs(r, "boh_refresh") and "max-age=0" in _cookie_attrs(r, "boh_session")


def test_logout_revokes_the_refresh_token_and_clears_cookies(runtime, client) -> None:
    t = make_tenant(runtime)
    make_user(runtime, t, "boss", [("hq_admin", None)])
    page_login(client, "boss")
    raw = client.cookies.get("boh_refresh")
    r = post_form(client, "/logout")
    assert r.status_code == 303 and r.headers["location"] == "/login"
    assert "max-age=0" in _cookie_attrs(r, "boh_session") and "max-age=0" in _cookie_attrs(r, "boh_refresh")
    with runtime.session_factory() as s:
        assert all(tok.revoked for tok in s.scalars(select(RefreshToken)))
    api = client.post("/api/v1/auth/refresh", json={"refresh_token": raw})
    assert api.status_code == 401
    assert client.get("/", follow_redirects=False).status_code == 303


def test_language_switch_sets_the_cookie_and_returns_to_the_page(runtime, client) -> None:
    t = make_tenant(runtime)
    make_user(runtime, t, "boss", [("hq_admin", None)], locale="en")
    page_login(client, "boss")
    assert ">Sites</a>" in client.get("/").text
    r = post_form(client, "/lang", {"lang": "zh_CN", "next": "/org/sites?q=x"})
    assert r.status_code == 303 and r.headers["location"] == "/org/sites?q=x"
    assert client.cookies.get("boh_lang") == "zh_CN"
    page = client.get("/")
    assert ">站点</a>" in page.text and '<html lang="zh-CN">' in page.text
    post_form(client, "/lang", {"lang": "en", "next": "https://evil.example"})
    assert client.cookies.get("boh_lang") == "en"
    assert ">Sites</a>" in client.get("/").text


def test_locale_comes_from_cookie_then_user_then_accept_language(runtime, app, client) -> None:
    t = make_tenant(runtime)
    make_user(runtime, t, "zh_user", [("hq_admin", None)], locale="zh_CN")
    anon = TestClient(app, raise_server_exceptions=False)
    assert "登录" in anon.get("/login", headers={"Accept-Language": "zh-CN,zh;q=0.9"}).text
    assert "Sign in" in anon.get("/login", headers={"Accept-Language": "en-US"}).text
    page_login(client, "zh_user")
    assert "今日" in client.get("/", headers={"Accept-Language": "en-US"}).text  # the user's locale wins
    client.cookies.set("boh_lang", "en")
    assert "Today" in client.get("/", headers={"Accept-Language": "zh-CN"}).text  # the cookie wins


def test_navigation_shows_only_sections_the_role_may_read(runtime, app, client) -> None:
    t = make_tenant(runtime)
    make_site(runtime, t, "S001")
    make_user(runtime, t, "staff", [("store_staff", "S001")], locale="en")
    make_user(runtime, t, "vendor", [("supplier", None)], locale="en")
    page_login(client, "staff")
    nav = client.get("/").text.split('<ul class="nav-links">')[1].split("</ul>")[0]
    assert 'href="/org/sites"' in nav
    vendor = TestClient(app, raise_server_exceptions=False)
    page_login(vendor, "vendor")
    page = vendor.get("/")
    nav = page.text.split('<ul class="nav-links">')[1].split("</ul>")[0]
    assert 'href="/org/sites"' not in nav
    assert 'href="/org/sites"' not in page.text.split("<main")[1]  # and no dashboard tile either


def test_dashboard_counts_only_what_the_user_can_see(runtime, client) -> None:
    t = make_tenant(runtime)
    make_site(runtime, t, "S001")
    make_site(runtime, t, "S002")
    make_user(runtime, t, "mgr", [("store_manager", "S001")], locale="en")
    page_login(client, "mgr")
    page = client.get("/").text  # the today page of the manager's one site
    assert "Store S001" in page and "Store S002" not in page and 'data-testid="todos"' in page
    assert client.get("/", params={"site_id": 999999}).status_code == 404
    make_user(runtime, t, "viewer", [("inspector", "S001")], locale="en")
    client.cookies.clear()
    page_login(client, "viewer")
    assert "Store S001" in client.get("/").text


def test_unknown_page_is_an_html_404_but_the_api_keeps_problem_json(runtime, client) -> None:
    client.cookies.set("boh_lang", "en")
    r = client.get("/no/such/page")
    assert r.status_code == 404 and r.headers["content-type"].startswith("text/html")
    assert "Page not found" in r.text
    api = client.get("/api/v1/no/such/thing")
    assert api.status_code == 404 and api.headers["content-type"].startswith("application/problem+json")


def test_api_errors_stay_problem_json_with_a_session_cookie(runtime, client) -> None:
    t = make_tenant(runtime)
    make_user(runtime, t, "vendor", [("supplier", None)])
    page_login(client, "vendor")
    api = client.get("/api/v1/org/sites")
    assert api.status_code == 403 and api.headers["content-type"].startswith("application/problem+json")
    assert client.get("/org/sites").headers["content-type"].startswith("text/html")


def test_pages_set_a_csrf_cookie_and_render_it_in_forms(runtime, client) -> None:
    r = client.get("/login")
    token = csrf(client)
    assert "httponly" in _cookie_attrs(r, "boh_csrf") and "samesite=lax" in _cookie_attrs(r, "boh_csrf")
    assert f'name="csrf_token" value="{token}"' in r.text
    assert f'"X-CSRF-Token": "{token}"' in r.text  # htmx requests send it as a header


def test_htmx_post_with_the_csrf_header_is_accepted(runtime, client) -> None:
    token = csrf(client)
    r = client.post("/lang", data={"lang": "en"}, headers={"X-CSRF-Token": token}, follow_redirects=False)
    assert r.status_code == 303
    r = client.post("/lang", data={"lang": "en"}, headers={"X-CSRF-Token": "wrong"}, follow_redirects=False)
    assert r.status_code == 403


def test_pages_use_only_local_assets(runtime, client) -> None:
    page = client.get("/login").text
    assert "/static/vendor/htmx.min.js" in page and "/static/vendor/pico.min.css" in page
    assert "http://" not in page and "https://" not in page  # nothing from a CDN
    assert client.get("/static/console.css").status_code == 200


def test_every_link_of_the_console_leads_to_a_page(runtime, client) -> None:
    """Crawl the console from the today page two links deep, as an HQ admin and as a store manager, on a chain
    with stock, moves and a little of everything a new tenant has: no link may end on a 404 or a server
    error (the today page's waste figure once linked to a page that did not exist)."""
    import re

    from tests.inventory.factories import make_world, mv, post

    w = make_world(runtime)
    now = utcnow()
    post(runtime, w.tenant, mv(w.s1, w.item, "receipt", "10", "c1", unit_cost="2", event_at=now - timedelta(days=2)),
         mv(w.s1, w.item, "waste", "-1", "c2", reason_code="spoiled", event_at=now - timedelta(hours=1)))  # fmt: skip
    make_user(runtime, w.tenant, "hqcrawler", [("hq_admin", None)], locale="en")
    make_user(runtime, w.tenant, "smcrawler", [("store_manager", "S001")], locale="zh_CN")
    for user in ("hqcrawler", "smcrawler"):
        page_login(client, user)
        seen: dict[str, int] = {}
        frontier = ["/"]
        for _depth in range(3):
            found: list[str] = []
            for url in frontier:
                r = client.get(url, follow_redirects=True)
                seen[url] = r.status_code
                if r.status_code == 200 and "text/html" in r.headers.get("content-type", ""):
                    for href in re.findall(r'href="(/[^"#]*)"', r.text):
                        href = href.replace("&amp;", "&")
                        if href.startswith(("/static/", "/logout", "/api/")) or href in seen or href in found:
                            continue
                        found.append(href)
            frontier = found[:400]
        broken = {url: status for url, status in seen.items() if status == 404 or status >= 500}
        assert not broken, f"{user}: {broken}"
        assert len(seen) > 30, seen  # the crawl reached the console's sections
        assert any(url.startswith("/inventory/moves?") for url in seen)  # the today page's waste figure
