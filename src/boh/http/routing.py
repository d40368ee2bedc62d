"""``SecureRouter``: every route states the permission it needs (or that it is public).

The permission is published in the OpenAPI document as ``x-permission`` (``x-public: true`` for the few
open routes), which the route-walking security test reads, so a new route is covered the moment it exists.

It is enforced by ``SecureRoute`` *before* FastAPI reads the request body: an anonymous or unauthorised
caller gets 401/403, never a 422 about their body, and cannot make the server parse an upload. The
principal it authenticated stays on the request for the handler's dependencies (``current_principal``).
"""

from __future__ import annotations

import inspect
import types
from collections.abc import Callable, Coroutine, Sequence
from decimal import Decimal
from typing import Annotated, Any, Union, get_args, get_origin, get_type_hints

from fastapi import APIRouter, Request, Response
from fastapi.params import Depends as DependsParam
from fastapi.routing import APIRoute
from pydantic import Field
from starlette.concurrency import run_in_threadpool

from boh.http.deps import current_principal, known_principal
from boh.kernel.tenancy import Principal

AUTHENTICATED = "authenticated"  # any signed-in principal, no particular permission

Decorator = Callable[[Callable[..., Any]], Callable[..., Any]]


def authorize(request: Request, permission: str) -> Principal:
    """Authenticate the caller (401) and check ``permission`` (403), unless it is AUTHENTICATED."""
    principal = current_principal(request)
    if permission != AUTHENTICATED:
        principal.scope(permission)
    return principal


# Decimal parameters outside a body (query, path, header) get the same bounds as the bodies' quantities: at
# most 18 digits, 6 after the point (what a quantity column holds), finite. Without them "1e30" or a 30-digit
# number reaches Decimal arithmetic and fails there (a 500) instead of being a 422 naming the parameter.
BoundedDecimal = Annotated[Decimal, Field(max_digits=18, decimal_places=6, allow_inf_nan=False)]


def _bounded(tp: Any) -> Any:
    if tp is Decimal:
        return BoundedDecimal
    origin = get_origin(tp)
    if origin is Annotated:
        base, *meta = get_args(tp)
        new = _bounded(base)
        return tp if new is base else Annotated.__class_getitem__((new, *meta))  # type: ignore[attr-defined]
    if origin in (Union, types.UnionType):
        args = get_args(tp)
        bounded = tuple(_bounded(a) for a in args)
        return tp if bounded == args else Union.__getitem__(bounded)  # type: ignore[attr-defined]
    return tp


def bound_decimal_params(endpoint: Callable[..., Any]) -> Callable[..., Any]:
    """Give every Decimal parameter of ``endpoint`` the bounds of ``BoundedDecimal`` (bodies are pydantic
    models with their own bounds and are left alone). FastAPI reads the rewritten ``__signature__``."""
    hints = get_type_hints(endpoint, include_extras=True)
    sig = inspect.signature(endpoint)
    params, changed = [], False
    for p in sig.parameters.values():
        ann = hints.get(p.name, p.annotation)
        new = _bounded(ann)
        changed = changed or new is not ann
        params.append(p.replace(annotation=new))
    if changed:
        ret = hints.get("return", sig.return_annotation)
        endpoint.__signature__ = sig.replace(parameters=params, return_annotation=ret)  # type: ignore[attr-defined]
    return endpoint


class SecureRoute(APIRoute):
    """An APIRoute that checks the route's ``x-permission`` before the body is read or validated."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()
        permission = (self.openapi_extra or {}).get("x-permission")
        if not isinstance(permission, str):
            return handler

        async def secured(request: Request) -> Response:
            known = known_principal(request)
            if known is None:
                await run_in_threadpool(authorize, request, permission)  # the lookup is blocking database I/O
            elif permission != AUTHENTICATED:
                known.scope(permission)  # raises PermissionDenied
            return await handler(request)

        return secured


class SecureRouter(APIRouter):
    def __init__(self, **kw: Any) -> None:
        kw.setdefault("route_class", SecureRoute)
        super().__init__(**kw)

    def _secured(self, method: str, path: str, perm: str | None, public: bool, kw: dict[str, Any]) -> Decorator:
        if (perm is None) == (not public):
            raise ValueError(f"{method} {path}: give exactly one of perm=... or public=True")
        deps: list[DependsParam] = list(kw.pop("dependencies", None) or [])
        extra: dict[str, Any] = dict(kw.pop("openapi_extra", None) or {})
        if perm is not None:  # enforced by SecureRoute (no dependency as well: each costs every request)
            extra["x-permission"] = perm
        else:
            extra["x-public"] = True
        responses = dict(kw.pop("responses", None) or {})
        for status, desc in (
            (401, "Not authenticated"),
            (403, "Permission denied"),
            (404, "Not found"),
            (422, "Validation failed"),
        ):
            if perm is not None or status == 422:
                responses.setdefault(status, {"description": desc + " (application/problem+json)"})
        route: Decorator = self.api_route(
            path, methods=[method], dependencies=deps, openapi_extra=extra, responses=responses, **kw
        )

        def register(endpoint: Callable[..., Any]) -> Callable[..., Any]:
            return route(bound_decimal_params(endpoint))

        return register

    # The signatures shadow APIRouter's on purpose: a permission is mandatory.
    def get(self, path: str, *, perm: str | None = None, public: bool = False, **kw: Any) -> Decorator:  # type: ignore[override]
        return self._secured("GET", path, perm, public, kw)

    def post(self, path: str, *, perm: str | None = None, public: bool = False, **kw: Any) -> Decorator:  # type: ignore[override]
        return self._secured("POST", path, perm, public, kw)

    def put(self, path: str, *, perm: str | None = None, public: bool = False, **kw: Any) -> Decorator:  # type: ignore[override]
        return self._secured("PUT", path, perm, public, kw)

    def patch(self, path: str, *, perm: str | None = None, public: bool = False, **kw: Any) -> Decorator:  # type: ignore[override]
        return self._secured("PATCH", path, perm, public, kw)

    def delete(self, path: str, *, perm: str | None = None, public: bool = False, **kw: Any) -> Decorator:  # type: ignore[override]
        return self._secured("DELETE", path, perm, public, kw)


def tags(*names: str) -> Sequence[str]:
    return list(names)


def warm_routes(app: Any) -> int:
    """Build the app's route table now, at start-up, instead of on the first requests: FastAPI builds each
    included router's routes (their dependants, body and response models) the first time a request is
    matched against it, paid by whichever requests come first in each new worker (65 ms of CPU for a
    device's first batch; about 0.3 s for all of BOH's routers). A path no route has is matched against every
    route, which builds them all and dispatches nothing. Returns how many top-level routes were matched."""
    scope = {"type": "http", "method": "GET", "path": "/.warm-up", "root_path": "", "headers": [],
             "query_string": b"", "app": app}  # fmt: skip
    routes = list(app.router.routes)
    for route in routes:
        route.matches(scope)
    return len(routes)
