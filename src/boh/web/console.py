"""The web console shell: the page middleware (session refresh, CSRF cookie, locale, flash messages),
HTML error pages for page routes (the API keeps problem+json), the layout's context (tenant, user,
role-aware navigation), the dashboard and the language switch; then every domain's pages router."""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Awaitable, Callable
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import FastAPI, Form, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from boh import registry
from boh.http import csrf, i18n
from boh.http.deps import SESSION_COOKIE, UowDep
from boh.http.i18n import gettext_ as _
from boh.http.pages import (
    CSRF_COOKIE,
    FLASH_COOKIE,
    N_,
    REFRESH_COOKIE,
    NavLink,
    Tile,
    clear_session_cookies,
    is_htmx,
    page_router,
    read_flash,
    redirect,
    safe_next,
    set_session_cookies,
)
from boh.http.routing import AUTHENTICATED
from boh.http.templating import render, templates
from boh.http.today import TodayPart
from boh.kernel.errors import AuthenticationRequired, BohError, NotFound
from boh.kernel.tenancy import Principal
from boh.org import pages as org_pages
from boh.org.schemas import TokenPair

NOT_PAGES = ("/api/", "/static/", "/healthz", "/readyz", "/metrics", "/docs", "/openapi.json", "/redoc")
NAV: list[NavLink] = registry.nav_links()
TILE_SOURCES: list[Callable[[Any], list[Tile]]] = registry.tile_sources()
# the home page's parts (boh.http.today), in layer order: (session, principal, chosen site) -> parts
TODAY_SOURCES: list[Callable[[Any, Principal, int | None], list[TodayPart]]] = registry.today_sources()
REFRESH_GRACE_SECONDS = 30.0

router = page_router()


def is_page_path(path: str) -> bool:
    return path != "/api" and not path.startswith(NOT_PAGES)


# --- refresh: one rotation per refresh token, shared by the requests racing with it -------------------


class _RefreshCache:
    """Two tabs (or an htmx request racing a page load) may present the same refresh token at once;
    rotating it twice would look like token theft and revoke the session. Within a short grace period
    the first rotation's result is handed to the others (in this process)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pairs: dict[str, tuple[float, TokenPair | None]] = {}

    def refresh(self, app: FastAPI, raw: str) -> TokenPair | None:
        key = hashlib.sha256(raw.encode()).hexdigest()
        with self._lock:
            now = time.monotonic()
            self._pairs = {k: v for k, v in self._pairs.items() if v[0] > now}
            if key in self._pairs:
                return self._pairs[key][1]
            pair = org_pages.refresh_tokens(app.state.session_factory, app.state.tokens, raw)
            self._pairs[key] = (now + REFRESH_GRACE_SECONDS, pair)
            return pair


_refresh_cache = _RefreshCache()


def _resolve(app: FastAPI, access: str | None, refresh: str | None) -> tuple[Principal | None, TokenPair | None]:
    """The principal of a page request; refreshes the session when the access token has expired."""
    if access:
        try:
            return app.state.authenticator.from_bearer(access), None
        except AuthenticationRequired:
            pass
    if refresh:
        pair = _refresh_cache.refresh(app, refresh)
        if pair is not None:
            try:
                return app.state.authenticator.from_bearer(pair.access_token), pair
            except AuthenticationRequired:
                return None, None
    return None, None


def _identify(
    app: FastAPI, access: str | None, refresh: str | None
) -> tuple[Principal | None, TokenPair | None, tuple[str, str | None]]:
    """Principal, refreshed tokens and tenant name, read before the page opens its unit of work (on
    SQLite a second session inside it would wait for the first one's write lock)."""
    principal, pair = _resolve(app, access, refresh)
    if principal is None:
        return None, pair, ("", None)
    return principal, pair, org_pages.tenant_names(app.state.session_factory, principal.tenant_id)


def _cookie_headers(fill: Callable[[Response], None]) -> list[tuple[bytes, bytes]]:
    scratch = Response()
    fill(scratch)
    return [(k, v) for k, v in scratch.raw_headers if k == b"set-cookie"]


def _csrf_token(
    request: Request, principal: Principal | None, refresh: str | None, extra: list[tuple[bytes, bytes]]
) -> str:
    """This session's CSRF token (boh.http.csrf); the binding cookie is (re)issued when it must be."""
    token, cookie = csrf.page_token(request, principal, request.cookies.get(REFRESH_COOKIE), refresh)
    if cookie is not None:
        # Lax, not Strict: arriving by a link from another site must not mint a new token (stale forms in other tabs)
        secure = csrf.is_https(request)
        extra += _cookie_headers(
            lambda r: r.set_cookie(CSRF_COOKIE, cookie, httponly=True, samesite="lax", secure=secure, path="/")
        )
    return token


async def _session(
    app: FastAPI, request: Request, extra: list[tuple[bytes, bytes]]
) -> tuple[dict[str, Any], str | None]:
    """The page's principal and tenant names, and the session's refresh token after this request; a refreshed
    token pair or cleared cookies go into ``extra``."""
    access, refresh = request.cookies.get(SESSION_COOKIE), request.cookies.get(REFRESH_COOKIE)
    if not (access or refresh):
        return {}, None
    principal, pair, tenant = await run_in_threadpool(_identify, app, access, refresh)
    if pair is not None:
        seconds = app.state.tokens.settings.refresh_token_days * 86400
        extra += _cookie_headers(
            lambda r: set_session_cookies(r, request, pair.access_token, pair.refresh_token, pair.expires_in, seconds)
        )
        refresh = pair.refresh_token
    elif principal is None:
        extra += _cookie_headers(lambda r: clear_session_cookies(r, request))
    return ({}, None) if principal is None else ({"principal": principal, "tenant_names": tenant}, refresh)


class ConsoleMiddleware:
    """For page paths only: resolve (and refresh) the session, make sure a CSRF cookie exists, pick the
    locale (cookie, then the user's, then Accept-Language) and hand flash messages to the layout."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not is_page_path(scope["path"]):
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        app: FastAPI = scope["app"]
        state = scope.setdefault("state", {})
        extra: list[tuple[bytes, bytes]] = []
        session, refresh = await _session(app, request, extra)
        state.update(session)
        principal: Principal | None = state.get("principal")
        state["csrf_token"] = _csrf_token(request, principal, refresh, extra)
        locale = i18n.negotiate(
            request.cookies.get(i18n.LANG_COOKIE),
            principal.locale if principal else None,
            request.headers.get("accept-language"),
            app.state.settings.default_locale,
        )
        state["locale"] = locale
        full_page = request.method == "GET" and not is_htmx(request)
        flashes = state["flashes"] = read_flash(request.cookies.get(FLASH_COOKIE)) if full_page else []
        token = i18n.current_locale.set(locale)
        try:
            await self.app(scope, receive, self._sender(send, extra, bool(flashes)))
        finally:
            i18n.current_locale.reset(token)

    @staticmethod
    def _sender(send: Send, extra: list[tuple[bytes, bytes]], consume_flash: bool) -> Send:
        async def send_with_cookies(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [*message.get("headers", []), *extra]
                if consume_flash and message["status"] < 300:  # shown on this page: forget it
                    headers += _cookie_headers(lambda r: r.delete_cookie(FLASH_COOKIE, path="/"))
                if not any(k == b"cache-control" for k, _v in headers):
                    headers.append((b"cache-control", b"no-store"))  # pages are per user: never cached
                message = {**message, "headers": headers}
            await send(message)

        return send_with_cookies


# --- HTML error pages for page routes -----------------------------------------------------------------

ERROR_TITLES = {
    403: N_("You do not have permission to do this"),
    404: N_("Page not found"),
    405: N_("This action is not allowed here"),
    409: N_("This conflicts with existing data"),
    422: N_("The request is not valid"),
    429: N_("Too many attempts"),
    500: N_("Something went wrong"),
}
ERROR_HINTS = {
    403: N_("Your role does not include this page or action. Ask an administrator if you need it."),
    404: N_("The page or record does not exist, or it is outside the sites you can see."),
    500: N_("The error was logged. Quote the request id if you report it."),
}


def _login_redirect(request: Request) -> Response:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    url = "/login?next=" + quote(safe_next(target), safe="/")
    if is_htmx(request):  # htmx would follow a redirect inside the page; ask it to navigate instead
        return Response(status_code=401, headers={"HX-Redirect": url})
    return redirect(url)  # stale session cookies were already cleared by ConsoleMiddleware


def error_page(request: Request, status: int, detail: str = "") -> HTMLResponse:
    locale = getattr(request.state, "locale", None)
    if locale:
        i18n.current_locale.set(locale)
    status_key = status if status in ERROR_TITLES else (500 if status >= 500 else 422)
    ctx = {
        "status": status,
        "title": _(ERROR_TITLES[status_key]),
        "hint": _(ERROR_HINTS[status_key]) if status_key in ERROR_HINTS else "",
        "detail": detail,
        "request_id": getattr(request.state, "request_id", None),
    }
    name = "errors/_error_block.html" if is_htmx(request) else "errors/error.html"
    return render(request, name, ctx, status_code=status)


Handler = Callable[[Request, Exception], Awaitable[Response]]


def _page_aware(api_handler: Handler | None, html: Callable[[Request, Exception], Response]) -> Handler:
    async def handler(request: Request, exc: Exception) -> Response:
        if is_page_path(request.url.path) or api_handler is None:
            return await run_in_threadpool(html, request, exc)
        return await api_handler(request, exc)

    return handler


def _html_boh_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, BohError)
    if isinstance(exc, AuthenticationRequired):
        return _login_redirect(request)
    detail = _("This form has expired. Reload the page and try again.") if exc.code == "auth.csrf" else ""
    return error_page(request, exc.status, detail)


def _html_http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    if exc.status_code == 401:
        return _login_redirect(request)
    return error_page(request, exc.status_code)


def _html_validation_error(request: Request, exc: Exception) -> Response:
    return error_page(request, 404 if request.method == "GET" else 422)


def _html_unhandled(request: Request, exc: Exception) -> Response:
    return error_page(request, 500)


def install_error_pages(app: FastAPI) -> None:
    """Wrap the problem+json handlers of boh.http.problems: page paths get HTML, /api keeps problems."""
    for key, html in (
        (BohError, _html_boh_error),
        (StarletteHTTPException, _html_http_error),
        (RequestValidationError, _html_validation_error),
        (Exception, _html_unhandled),
    ):
        app.exception_handlers[key] = _page_aware(app.exception_handlers.get(key), html)  # type: ignore[arg-type]


# --- layout context, dashboard, language ---------------------------------------------------------------


def shell_context(request: Request) -> dict[str, Any]:
    principal: Principal | None = getattr(request.state, "principal", None)

    return {
        "principal": principal,
        "nav": [link for link in NAV if principal is not None and principal.can(link.perm)],
        "tenant_name": i18n.localized_name(*getattr(request.state, "tenant_names", ("", None))),
        "csrf_token": getattr(request.state, "csrf_token", ""),
        "flashes": getattr(request.state, "flashes", []),
        "current_path": request.url.path,
        "current_url": request.url.path + (f"?{request.url.query}" if request.url.query else ""),
        "html_lang": "zh-CN" if i18n.current_locale.get() == "zh_CN" else "en",
    }


@router.get("/", perm=AUTHENTICATED)
def dashboard(request: Request, uow: UowDep, site_id: int | None = None) -> HTMLResponse:
    """Today: what needs doing and the figures that matter, per role (every domain's TODAY_SOURCES part);
    ``site_id`` narrows a multi-site view to one site's day."""
    parts = [p for source in TODAY_SOURCES for p in source(uow.session, uow.principal, site_id)]
    if site_id is not None and not parts:
        raise NotFound(f"site {site_id} not found", code="org.site_not_found")
    tiles = [] if parts else [tile for source in TILE_SOURCES for tile in source(uow)]
    return render(request, "home.html", {"tiles": tiles, "parts": parts, "site_id": site_id})


@router.post("/lang", public=True)
def switch_language(
    request: Request, lang: Annotated[str, Form()] = "", next: Annotated[str, Form()] = "/"
) -> Response:
    response = redirect(safe_next(next))
    locale = i18n.normalize(lang)
    if locale in i18n.LOCALES:
        response.set_cookie(
            i18n.LANG_COOKIE,
            locale,
            max_age=365 * 86400,
            samesite="lax",
            path="/",
            secure=request.url.scheme == "https",
        )
    return response


def install_console(app: FastAPI) -> None:
    if shell_context not in templates.context_processors:
        templates.context_processors.append(shell_context)
    install_error_pages(app)
    app.add_middleware(ConsoleMiddleware)
    app.include_router(router)
    for page_router_ in registry.page_routers():
        app.include_router(page_router_)
