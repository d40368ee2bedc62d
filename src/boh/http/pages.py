"""Shared plumbing of the console pages (server-rendered Jinja2 + htmx) that every domain's pages.py uses:
the page router (not in the OpenAPI document, CSRF-checked, same permissions as the API), session and
flash cookies, redirects, and translated form/import errors.

The console shell itself (layout, middleware, error pages, navigation) lives in boh.web.console.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, unquote, urlencode

from fastapi import Depends, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from boh.http.csrf import CSRF_COOKIE as CSRF_COOKIE  # the cookie names stay importable from here
from boh.http.csrf import (
    CSRF_FIELD,
    CSRF_HEADER,
    UNSAFE_METHODS,
    is_https,
    refuse_cross_origin,
    sent_token_matches,
)
from boh.http.csrf import REFRESH_COOKIE as REFRESH_COOKIE
from boh.http.deps import SESSION_COOKIE
from boh.http.i18n import gettext_ as _
from boh.http.routing import SecureRouter
from boh.kernel.errors import FieldError, PermissionDenied

FLASH_COOKIE = "boh_flash"


def N_(message: str) -> str:
    """Mark a message for extraction; it is translated where it is shown."""
    return message


# --- navigation and dashboard contributions of each domain -------------------------------------------


@dataclass(frozen=True)
class NavLink:
    label: str  # a msgid (mark it with N_), translated when the layout renders
    href: str
    perm: str  # the read permission of the section: the link shows only to principals holding it


@dataclass(frozen=True)
class Tile:
    label: str  # already translated
    value: int
    href: str


# Units shown after a quantity ("12 pcs", "12 个"): a word for counted units, the symbol for metric ones.
UNIT_LABELS: dict[str, str] = {
    "each": N_("pcs"),
    "portion": N_("portion"),
    "case": N_("case"),
    "pack": N_("pack"),
    "box": N_("box"),
    "bag": N_("bag"),
    "bottle": N_("bottle"),
    "tray": N_("tray"),
}


def unit_label(code: str | None) -> str:
    """A unit code for the reader ({{ qty|num }} {{ uom|unit }}): counted units in words, symbols as they are."""
    if not code:
        return ""
    return _(UNIT_LABELS[code]) if code in UNIT_LABELS else code


# --- CSRF: a token bound to the session (boh.http.csrf), checked on every unsafe page request ----------


async def csrf_protect(request: Request) -> None:
    """Refuse a state-changing page request from another origin, or one that does not send this session's
    CSRF token (form field or htmx header); ConsoleMiddleware worked out the session's token."""
    if request.method not in UNSAFE_METHODS:
        return
    refuse_cross_origin(request, require=False)
    expected = getattr(request.state, "csrf_token", "")
    sent = request.headers.get(CSRF_HEADER, "")
    if not sent:
        ctype = request.headers.get("content-type", "")
        if ctype.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            value = (await request.form()).get(CSRF_FIELD)
            sent = value if isinstance(value, str) else ""
    if not sent_token_matches(expected, sent):
        raise PermissionDenied("the form is stale or was not sent by this site; reload the page", code="auth.csrf")


def page_router(prefix: str = "") -> SecureRouter:
    """A router for console pages: hidden from the OpenAPI document, CSRF-checked, and (being a
    SecureRouter) every route must still state its permission or ``public=True``."""
    return SecureRouter(prefix=prefix, include_in_schema=False, dependencies=[Depends(csrf_protect)])


# --- responses and cookies ----------------------------------------------------------------------------


def is_htmx(request: Request) -> bool:
    return request.headers.get("hx-request") == "true"


def safe_next(value: str | None, default: str = "/") -> str:
    """Only same-site relative paths: '/org/sites?q=x' yes; '//evil', 'https://evil', '/\\evil' no."""
    if not value or not value.startswith("/") or value.startswith(("//", "/\\")):
        return default
    if any(c in value for c in "\r\n\t") or ":" in value.split("?", 1)[0]:
        return default
    return value


def redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def _secure(request: Request) -> bool:
    return is_https(request)


def set_session_cookies(
    response: Response,
    request: Request,
    access_token: str,
    refresh_token: str,
    access_seconds: int,
    refresh_seconds: int,
) -> None:
    common: dict[str, Any] = {"httponly": True, "samesite": "strict", "secure": _secure(request), "path": "/"}
    response.set_cookie(SESSION_COOKIE, access_token, max_age=access_seconds, **common)
    response.set_cookie(REFRESH_COOKIE, refresh_token, max_age=refresh_seconds, **common)


def clear_session_cookies(response: Response, request: Request) -> None:
    for name in (SESSION_COOKIE, REFRESH_COOKIE):
        response.delete_cookie(name, path="/", httponly=True, samesite="strict", secure=_secure(request))


def flash(response: Response, message: str, level: str = "success") -> None:
    """Show ``message`` (already translated) on the next full page the browser loads."""
    value = quote(json.dumps([{"level": level, "message": message}], ensure_ascii=False))
    response.set_cookie(FLASH_COOKIE, value, max_age=60, httponly=True, samesite="lax", path="/")


def read_flash(raw: str | None) -> list[dict[str, str]]:
    if not raw:
        return []
    try:
        items = json.loads(unquote(raw))
    except ValueError:
        return []
    if not isinstance(items, list):
        return []
    return [
        {"level": str(i.get("level", "info")), "message": str(i.get("message", ""))}
        for i in items[:5]
        if isinstance(i, dict)
    ]


# --- forms --------------------------------------------------------------------------------------------


async def form_data(request: Request) -> dict[str, str]:
    """The submitted form's text fields, stripped, without the CSRF token."""
    form = await request.form()
    return {k: v.strip() for k, v in form.items() if isinstance(v, str) and k != CSRF_FIELD}


def blank_to_none(data: Mapping[str, str], *fields: str) -> dict[str, Any]:
    """Form values for a pydantic model: empty optional fields become None."""
    return {f: (data.get(f) or None) for f in fields}


def checked(data: Mapping[str, str], name: str) -> bool:
    """An HTML checkbox: present ("on") when ticked, absent otherwise."""
    return data.get(name) in ("on", "true", "1")


def pager(total: int, page: int, page_size: int, params: Mapping[str, Any]) -> dict[str, Any]:
    """Pagination links of a list page that keep its filters."""
    pages = max(1, -(-total // page_size))
    keep = {k: v for k, v in params.items() if v not in (None, "")}

    def link(n: int) -> str:
        return "?" + urlencode({**keep, "page": n})

    return {
        "page": page,
        "pages": pages,
        "total": total,
        "prev": link(page - 1) if page > 1 else None,
        "next": link(page + 1) if page < pages else None,
    }


# --- translated errors --------------------------------------------------------------------------------

# Short, parameter-free descriptions of error codes (pydantic error types and BOH import codes).
CODE_MESSAGES: dict[str, str] = {
    "missing": N_("This value is required"),
    "string_too_short": N_("Too short"),
    "string_too_long": N_("Too long"),
    "string_pattern_mismatch": N_("The format is not valid"),
    "literal_error": N_("Not one of the allowed values"),
    "enum": N_("Not one of the allowed values"),
    "decimal_parsing": N_("Not a number"),
    "decimal_type": N_("Not a number"),
    "float_parsing": N_("Not a number"),
    "int_parsing": N_("Not a whole number"),
    "greater_than_equal": N_("Too small"),
    "greater_than": N_("Too small"),
    "less_than_equal": N_("Too large"),
    "less_than": N_("Too large"),
    "decimal_max_places": N_("Too many decimal places"),
    "decimal_max_digits": N_("Too many digits"),
    "bool_parsing": N_("Not a yes/no value (use true or false)"),
    "value_error": N_("Invalid value"),
    "extra_forbidden": N_("Unknown field"),
    "duplicate": N_("Duplicate value"),
    "unknown_reference": N_("Unknown reference"),
    "missing_column": N_("Required column is missing"),
    "unknown_column": N_("Unknown column"),
    "not_found": N_("Not found"),
}


def _pydantic_message(err: Mapping[str, Any]) -> str:
    kind, ctx = str(err.get("type", "")), err.get("ctx") or {}
    if kind == "string_too_short":
        return _("Enter at least %(n)s characters") % {"n": ctx.get("min_length")}
    if kind == "string_too_long":
        return _("Enter at most %(n)s characters") % {"n": ctx.get("max_length")}
    if kind == "literal_error":
        return _("Choose one of: %(values)s") % {"values": ctx.get("expected", "")}
    if kind in ("greater_than_equal", "greater_than"):
        return _("Must be at least %(n)s") % {"n": ctx.get("ge", ctx.get("gt"))}
    if kind in ("less_than_equal", "less_than"):
        return _("Must be at most %(n)s") % {"n": ctx.get("le", ctx.get("lt"))}
    if kind == "decimal_max_places":
        return _("Use at most %(n)s decimal places") % {"n": ctx.get("decimal_places")}
    if kind == "value_error":
        return str(err.get("msg", "")).removeprefix("Value error, ")
    return _(CODE_MESSAGES.get(kind, N_("Invalid value")))


def _field_key(loc: Iterable[Any]) -> str:
    parts = [str(p) for p in loc if not isinstance(p, int)]
    return ".".join(parts) or "__all__"


def _add(out: dict[str, str], loc: Iterable[Any], message: str) -> None:
    """Errors of a list field (one line of a textarea, one range of a day) say which entry: '#2: ...'."""
    loc = tuple(loc)
    index = next((p for p in loc if isinstance(p, int)), None)
    if index is not None:
        message = f"#{index + 1}: {message}"
    key = _field_key(loc)
    out[key] = f"{out[key]}; {message}" if key in out else message


def required_errors(data: Mapping[str, str], *fields: str) -> dict[str, str]:
    """'This value is required' for each of ``fields`` left blank (partial-update models allow None)."""
    return {f: _("This value is required") for f in fields if not (data.get(f) or "").strip()}


def form_errors(exc: ValidationError) -> dict[str, str]:
    """pydantic errors of a submitted form, translated, keyed by field name ('opening_hours.mon')."""
    out: dict[str, str] = {}
    for err in exc.errors():
        _add(out, err.get("loc", ()), _pydantic_message(err))
    return out


def field_errors(errors: Iterable[FieldError]) -> dict[str, str]:
    """Errors a service raised (ValidationFailed) keyed by field name, for re-rendering a form."""
    out: dict[str, str] = {}
    for e in errors:
        _add(out, e.loc, e.message)
    return out


@dataclass(frozen=True)
class ImportErrorRow:
    row: int | None
    column: str
    summary: str  # translated description of the error code
    detail: str  # the exact message (values quoted from the file)


def import_errors(errors: Iterable[FieldError]) -> list[ImportErrorRow]:
    """Every error of an imported file, ordered by row and column, ready for an error table."""
    rows = [
        ImportErrorRow(
            e.row,
            e.column or "",
            _(CODE_MESSAGES.get(e.code, N_("Invalid value"))),
            e.message.removeprefix("Value error, "),
        )
        for e in errors
    ]
    return sorted(rows, key=lambda r: (r.row or 0, r.column))
