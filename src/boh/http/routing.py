"""``SecureRouter``: every route states the permission it needs (or that it is public).

The permission is enforced by a dependency and published in the OpenAPI document as
``x-permission`` (``x-public: true`` for the few open routes), which the route-walking security test
reads, so a new route is covered the moment it exists.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from fastapi import APIRouter, Depends
from fastapi.params import Depends as DependsParam

from boh.http.deps import current_principal, require

AUTHENTICATED = "authenticated"  # any signed-in principal, no particular permission

Decorator = Callable[[Callable[..., Any]], Callable[..., Any]]


class SecureRouter(APIRouter):
    def _secured(self, method: str, path: str, perm: str | None, public: bool, kw: dict[str, Any]) -> Decorator:
        if (perm is None) == (not public):
            raise ValueError(f"{method} {path}: give exactly one of perm=... or public=True")
        deps: list[DependsParam] = list(kw.pop("dependencies", None) or [])
        extra: dict[str, Any] = dict(kw.pop("openapi_extra", None) or {})
        if perm == AUTHENTICATED:
            deps.append(Depends(current_principal))
            extra["x-permission"] = perm
        elif perm is not None:
            deps.append(Depends(require(perm)))
            extra["x-permission"] = perm
        else:
            extra["x-public"] = True
        responses = dict(kw.pop("responses", None) or {})
        for status, desc in ((401, "Not authenticated"), (403, "Permission denied"), (404, "Not found"),
                             (422, "Validation failed")):
            if perm is not None or status == 422:
                responses.setdefault(status, {"description": desc + " (application/problem+json)"})
        route: Decorator = self.api_route(
            path, methods=[method], dependencies=deps, openapi_extra=extra, responses=responses, **kw
        )
        return route

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
