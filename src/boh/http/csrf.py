"""Cross-site request forgery: the console's CSRF token, bound to the browser's session, and the same-origin
check of state-changing requests that a browser authenticates by itself (with a cookie).

**The token.** The HttpOnly cookie ``boh_csrf`` holds a random id (``sid``) and a MAC that binds it to the
session it was issued for: for a signed-in browser the user (tenant and id) and the session's refresh token,
which no other site can read nor set to this browser's value; before sign-in, "anonymous". The token that
pages put into their forms (``csrf_token``), htmx's ``X-CSRF-Token`` header and ``<meta name="csrf-token">``
is a MAC of the sid. So a cookie and token pair that someone planted (from a sibling subdomain, say) is
refused unless it was issued to this very session: a pair from another session, another user or an
anonymous visit does not verify. When the refresh token rotates, the binding is signed again for the new
one and the sid stays, so forms open in other tabs keep working. MACs use a key derived from the app's
secret key.

**Same origin.** A state-changing request whose ``Origin`` names another origin, or whose
``Sec-Fetch-Site`` is anything but ``same-origin``, is refused. ``SameSite=Strict`` cookies stop other
sites, but a sibling subdomain is the same *site*. The JSON API accepts the session cookie (the inspection
screen posts answers and photos with it) only with both: the token header and a same-origin
``Origin``/``Sec-Fetch-Site``; bearer tokens and API keys are not sent by browsers on their own and need
neither.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from base64 import urlsafe_b64encode
from typing import Any
from urllib.parse import urlsplit

from starlette.requests import HTTPConnection, Request

from boh.kernel.errors import PermissionDenied
from boh.kernel.tenancy import Principal

CSRF_COOKIE = "boh_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
REFRESH_COOKIE = "boh_refresh"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_DEFAULT_PORTS = {"http": "80", "https": "443"}


def app_key(app: Any) -> bytes:
    """The MAC key of the app's CSRF tokens, derived from its secret key."""
    state = app.state
    key: bytes | None = getattr(state, "csrf_key", None)
    if key is None:
        key = hmac.new(state.tokens.secret.encode(), b"boh.csrf.v1", hashlib.sha256).digest()
        state.csrf_key = key
    return key


def _key(conn: HTTPConnection) -> bytes:
    return app_key(conn.app)


def _mac(key: bytes, *parts: str) -> str:
    digest = hmac.new(key, "\x1f".join(parts).encode(), hashlib.sha256).digest()
    return urlsafe_b64encode(digest).rstrip(b"=").decode()


def _subject(principal: Principal | None, refresh: str | None) -> str:
    if principal is None:
        return "anonymous"
    session = hashlib.sha256(refresh.encode()).hexdigest() if refresh else "-"
    return f"{principal.kind}:{principal.tenant_id}:{principal.id}:{session}"


def binding_cookie(key: bytes, sid: str, principal: Principal | None, refresh: str | None) -> str:
    return f"{sid}.{_mac(key, 'bind', sid, _subject(principal, refresh))}"


def bound_sid(key: bytes, cookie: str | None, principal: Principal | None, refresh: str | None) -> str | None:
    """The sid of ``cookie`` if it was issued to this session (principal and refresh token), else None."""
    sid, _, mac = (cookie or "").partition(".")
    if not sid or not mac:
        return None
    expected = _mac(key, "bind", sid, _subject(principal, refresh))
    return sid if hmac.compare_digest(mac.encode(), expected.encode()) else None


def token_for(key: bytes, sid: str) -> str:
    return _mac(key, "token", sid)


def page_token(
    conn: HTTPConnection, principal: Principal | None, old_refresh: str | None, new_refresh: str | None
) -> tuple[str, str | None]:
    """The CSRF token of a page request and, when the binding cookie must be (re)issued, its new value:
    a new sid when the browser has none for this session, the same sid re-signed after a refresh."""
    key = _key(conn)
    cookie = conn.cookies.get(CSRF_COOKIE)
    sid = bound_sid(key, cookie, principal, old_refresh)
    if sid is None:
        sid = secrets.token_urlsafe(18)
        return token_for(key, sid), binding_cookie(key, sid, principal, new_refresh)
    if new_refresh != old_refresh and principal is not None:
        return token_for(key, sid), binding_cookie(key, sid, principal, new_refresh)
    return token_for(key, sid), None


def sent_token_matches(expected: str, sent: str) -> bool:
    return bool(expected) and bool(sent) and hmac.compare_digest(expected.encode(), sent.encode())


# --- same origin ----------------------------------------------------------------------------------------


def is_https(conn: HTTPConnection) -> bool:
    """Served over HTTPS: the request's scheme, or the proxy's X-Forwarded-Proto when settings trust it."""
    if conn.url.scheme in ("https", "wss"):
        return True
    settings = getattr(conn.app.state, "settings", None)
    if settings is not None and settings.http.trust_forwarded_proto:
        proto = conn.headers.get("x-forwarded-proto", "").split(",")[0].strip().lower()
        return proto == "https"
    return False


def _origin(scheme: str, netloc: str) -> str:
    netloc = netloc.strip().lower()
    port = _DEFAULT_PORTS.get(scheme)
    if port and netloc.endswith(f":{port}"):
        netloc = netloc[: -len(port) - 1]
    return f"{scheme}://{netloc}"


def own_origins(conn: HTTPConnection) -> set[str]:
    """This server's origins: the one the browser addressed (Host; over plain HTTP its https:// twin too,
    as a TLS-terminating proxy makes it) and the configured public URL's."""
    host = conn.headers.get("host", "")
    origins = {_origin("https", host)} if is_https(conn) else {_origin("http", host), _origin("https", host)}
    settings = getattr(conn.app.state, "settings", None)
    if settings is not None and settings.public_url:
        public = urlsplit(settings.public_url)
        if public.scheme and public.netloc:
            origins.add(_origin(public.scheme.lower(), public.netloc))
    return origins


def cross_origin(conn: HTTPConnection, *, require: bool) -> str | None:
    """Why the request does not come from this server's own pages, or None. ``require``: a browser request
    must prove it (an Origin or Sec-Fetch-Site header); otherwise a request with neither passes."""
    site = conn.headers.get("sec-fetch-site")
    if site is not None and site.strip().lower() != "same-origin":
        return f"Sec-Fetch-Site is {site!r}"
    origin = conn.headers.get("origin")
    if origin is None:
        return "neither Origin nor Sec-Fetch-Site was sent" if require and site is None else None
    scheme, _, rest = origin.strip().lower().partition("://")
    if not rest or _origin(scheme, rest.rstrip("/")) not in own_origins(conn):
        return f"Origin {origin!r} is not this server's"
    return None


def refuse_cross_origin(conn: HTTPConnection, *, require: bool) -> None:
    reason = cross_origin(conn, require=require)
    if reason is not None:
        raise PermissionDenied(f"cross-origin request refused: {reason}", code="auth.cross_origin", reason=reason)


def check_cookie_request(request: Request, principal: Principal) -> None:
    """A state-changing API request authenticated by the console's session cookie: it must come from this
    server's own pages (Origin or Sec-Fetch-Site) and carry the session's CSRF token in X-CSRF-Token."""
    key = _key(request)
    sid = bound_sid(key, request.cookies.get(CSRF_COOKIE), principal, request.cookies.get(REFRESH_COOKIE))
    sent = request.headers.get(CSRF_HEADER, "")
    if sid is None or not sent_token_matches(token_for(key, sid), sent):
        raise PermissionDenied(
            "a request authenticated by the console's session cookie must send the page's CSRF token in the "
            "X-CSRF-Token header (or authenticate with a bearer token or an API key)",
            code="auth.csrf",
        )
