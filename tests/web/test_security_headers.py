"""Security headers (boh.http.headers): a strict Content-Security-Policy on every console page, HSTS only
over HTTPS, and templates that need nothing the policy forbids (no inline script, handler or style). The
browser check that no page reports a violation is tests/e2e/test_csp_e2e.py."""

from __future__ import annotations

import re
from pathlib import Path

from fastapi.testclient import TestClient

from boh.settings import HttpSettings
from tests.factories import make_tenant, make_user
from tests.web.helpers import page_login

SRC = Path(__file__).resolve().parents[2] / "src" / "boh"


def _policy(header: str) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for part in header.split(";"):
        name, *values = part.split()
        out[name] = values
    return out


def test_console_pages_send_a_strict_content_security_policy(runtime, client) -> None:
    t = make_tenant(runtime)
    make_user(runtime, t, "boss", [("hq_admin", None)])
    page_login(client, "boss")
    for url in ("/login", "/", "/org/sites", "/no-such-page", "/api/v1/org/sites"):
        r = client.get(url, follow_redirects=False)
        csp = _policy(r.headers.get("content-security-policy", ""))
        assert csp.get("script-src") == ["'self'"], (url, csp)
        assert csp.get("style-src") == ["'self'"], (url, csp)
        assert csp.get("default-src") == ["'self'"] and csp.get("object-src") == ["'none'"]
        assert csp.get("frame-ancestors") == ["'none'"] and csp.get("base-uri") == ["'self'"]
        assert csp.get("form-action") == ["'self'"]
        for directive in ("img-src", "font-src", "connect-src", "media-src"):
            assert all(s in ("'self'", "data:", "blob:") for s in csp[directive]), (directive, csp[directive])
        assert r.headers["x-content-type-options"] == "nosniff"
        assert r.headers["referrer-policy"] == "same-origin"
        assert "strict-transport-security" not in r.headers  # plain HTTP: never


def test_hsts_only_over_https_or_a_trusted_forwarded_proto(app, runtime) -> None:
    with TestClient(app, base_url="https://testserver") as https:
        hsts = https.get("/login").headers.get("strict-transport-security", "")
        max_age = int(re.search(r"max-age=(\d+)", hsts).group(1))  # type: ignore[union-attr]
        assert max_age >= 365 * 86400 and "includeSubDomains" in hsts
    with TestClient(app) as plain:
        forwarded = {"X-Forwarded-Proto": "https"}
        assert "strict-transport-security" not in plain.get("/login", headers=forwarded).headers  # not trusted
        app.state.settings = app.state.settings.model_copy(update={"http": HttpSettings(trust_forwarded_proto=True)})
        assert "strict-transport-security" in plain.get("/login", headers=forwarded).headers
        assert "strict-transport-security" not in plain.get("/login").headers
        plain.cookies.clear()  # a new visitor gets its CSRF cookie marked Secure
        assert "secure" in plain.get("/login", headers=forwarded).headers["set-cookie"].lower()


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.IGNORECASE)
HANDLER = re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.IGNORECASE)
STYLE = re.compile(r"<[a-z][^>]*\sstyle\s*=|<style", re.IGNORECASE)
JS_URL = re.compile(r"(href|src|action)\s*=\s*[\"']?\s*javascript:", re.IGNORECASE)


def test_no_template_needs_inline_script_or_style() -> None:
    found = []
    for path in sorted(SRC.rglob("templates/**/*.html")):
        text = path.read_text()
        for name, pattern in (("inline script", INLINE_SCRIPT), ("on* handler", HANDLER), ("style", STYLE),
                              ("javascript: URL", JS_URL)):  # fmt: skip
            found += [f"{path.relative_to(SRC)}: {name}: {m.group(0)[:80]}" for m in pattern.finditer(text)]
    assert found == []


def test_swagger_ui_has_its_own_policy_and_nothing_else_does(client) -> None:
    docs = _policy(client.get("/docs").headers["content-security-policy"])
    assert "https://cdn.jsdelivr.net" in docs["script-src"] and docs["frame-ancestors"] == ["'none'"]
    for url in ("/docs/x", "/openapi.json", "/healthz"):
        assert _policy(client.get(url).headers["content-security-policy"])["script-src"] == ["'self'"], url
