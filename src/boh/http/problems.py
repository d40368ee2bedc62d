"""The one place where errors become HTTP responses: RFC 9457 problem+json for the API, an HTML
message for console pages. Clients never see a stack trace."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import StatementError
from starlette.exceptions import HTTPException as StarletteHTTPException

from boh.kernel.db import unstorable_value
from boh.kernel.errors import AuthenticationRequired, BohError, FieldError, ValidationFailed

log = logging.getLogger("boh.http")

PROBLEM = "application/problem+json"
TYPE_BASE = "https://boh.dev/problems/"


def problem(
    status: int, code: str, title: str, detail: str, request: Request, extra: Mapping[str, Any] | None = None
) -> JSONResponse:
    """A problem+json response. ``extra`` holds extension members; they never replace the standard ones
    (an error's ``status=...`` keyword cannot turn into the HTTP status)."""
    body: dict[str, Any] = {
        "type": TYPE_BASE + code.replace(".", "/"),
        "title": title,
        "status": status,
        "detail": detail,
        "code": code,
        "instance": request.url.path,
        "request_id": getattr(request.state, "request_id", None),
    }
    for key, value in (extra or {}).items():
        body.setdefault(key, value)
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else {}
    if body["request_id"]:  # also on a 500, which escapes the middleware that normally sets it
        headers["X-Request-ID"] = body["request_id"]
    return JSONResponse(body, status_code=status, media_type=PROBLEM, headers=headers)


def _errors(errors: list[FieldError]) -> list[dict[str, Any]]:
    return [e.as_dict() for e in errors]


async def _boh_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, BohError)
    extra: dict[str, Any] = {k: v for k, v in exc.extra.items() if isinstance(v, str | int | float | list | dict)}
    if isinstance(exc, ValidationFailed):
        extra["errors"] = _errors(exc.errors)
    return problem(exc.status, exc.code, exc.title, exc.detail, request, extra)


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = []
    for err in exc.errors():
        loc = tuple(x for x in err.get("loc", ()) if isinstance(x, str | int))
        errors.append(FieldError(loc, str(err.get("msg", "invalid")), str(err.get("type", "invalid"))).as_dict())
    return problem(
        422,
        ValidationFailed.code,
        ValidationFailed.title,
        "The request is not valid; see errors for each field",
        request,
        {"errors": errors},
    )


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    if exc.status_code == 401:
        return problem(401, AuthenticationRequired.code, AuthenticationRequired.title, str(exc.detail), request)
    code = {404: "http.not_found", 405: "http.method_not_allowed"}.get(exc.status_code, "http.error")
    return problem(exc.status_code, code, str(exc.detail), str(exc.detail), request)


async def _database_error(request: Request, exc: Exception) -> JSONResponse:
    """Errors of binding or storing values. Registered for their own classes, so that they are answered here
    like any typed error (the catch-all below re-raises to the server after answering)."""
    reason = unstorable_value(exc)
    if reason is not None:  # the request's own value, past its validation: a client error, nothing was written
        log.warning("unstorable value refused: %s", type(exc).__name__)  # never the values (personal data)
        return problem(422, "request.unstorable_value", "Value cannot be stored", reason, request)
    return await _unhandled(request, exc)


async def _unhandled(request: Request, exc: Exception) -> JSONResponse:
    log.error("unhandled error", exc_info=exc)
    return problem(
        500,
        "boh.internal_error",
        "Internal error",
        "Something went wrong on our side; quote the request id when reporting it",
        request,
    )


def install(app: FastAPI) -> None:
    app.add_exception_handler(BohError, _boh_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    for db_error in (StatementError, OverflowError):  # StatementError: every SQLAlchemy error with a statement
        app.add_exception_handler(db_error, _database_error)
    app.add_exception_handler(Exception, _unhandled)
