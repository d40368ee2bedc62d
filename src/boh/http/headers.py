"""Security headers on every response (a plain ASGI middleware; a header the app set itself is kept).

**Content-Security-Policy.** The console runs only its own static files: no inline script, no event-handler
attributes, no eval (htmx's ``allowEval`` is off), no inline style (htmx's indicator style lives in
console.css); page data travels in ``<script type="application/json">`` blocks, which are data, not code.
``img-src`` adds ``data:`` (Pico's icons are SVG data URLs; the signature pad's preview) and ``blob:``
(pictures made in the page); ``media-src`` adds ``blob:`` for the camera scanner (ZXing's fallback); fetch and the
live stock stream stay on this origin. ``frame-ancestors 'none'`` (and X-Frame-Options) forbid framing.
FastAPI's /docs page (Swagger UI from its CDN, with an inline starter script) gets its own policy.

**Strict-Transport-Security** goes only on responses served over HTTPS (the request's scheme, or the
proxy's X-Forwarded-Proto when ``BOH_HTTP__TRUST_FORWARDED_PROTO`` says to believe it): one year
(``BOH_HTTP__HSTS_SECONDS``) with subdomains. A plain-HTTP response never carries it.
"""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from boh.http.csrf import is_https

CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data: blob:",
        "font-src 'self'",
        "connect-src 'self'",
        "media-src 'self' blob:",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
# Swagger UI (FastAPI's /docs, a developer's page, not the console): its files come from the jsDelivr CDN, it
# starts with an inline script and its widgets set inline styles; nothing of the console is allowed that.
DOCS_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self' https://cdn.jsdelivr.net 'unsafe-inline'",
        "style-src 'self' https://cdn.jsdelivr.net 'unsafe-inline'",
        "img-src 'self' data: https://fastapi.tiangolo.com",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
DOCS_PATHS = ("/docs", "/docs/oauth2-redirect")
DEFAULT_HSTS_SECONDS = 365 * 86400

SECURITY_HEADERS = (
    ("X-Content-Type-Options", "nosniff"),
    ("X-Frame-Options", "DENY"),
    ("Referrer-Policy", "same-origin"),
    ("Cross-Origin-Opener-Policy", "same-origin"),
)


def hsts_value(conn: HTTPConnection) -> str | None:
    """The Strict-Transport-Security header of this request's response: only over HTTPS."""
    if not is_https(conn):
        return None
    settings = getattr(conn.app.state, "settings", None)
    seconds = settings.http.hsts_seconds if settings is not None else DEFAULT_HSTS_SECONDS
    return f"max-age={seconds}; includeSubDomains"


class SecurityHeadersMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        policy = DOCS_POLICY if scope["path"] in DOCS_PATHS else CONTENT_SECURITY_POLICY
        hsts = hsts_value(HTTPConnection(scope)) if "app" in scope else None

        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS:
                    headers.setdefault(name, value)
                headers.setdefault("Content-Security-Policy", policy)
                if hsts is not None:
                    headers.setdefault("Strict-Transport-Security", hsts)
            await send(message)

        await self.app(scope, receive, sending)
