"""Every decimal query (and path/header) parameter of every route is bounded like the bodies' decimals:
out-of-range, over-long, infinite or NaN values are a 422 naming the parameter, never a 500."""

from __future__ import annotations

import types
from collections.abc import Iterator
from decimal import Decimal
from typing import Annotated, Any, Union, get_args, get_origin

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute

from tests.security.world import World

BAD = [
    "1e30",
    "1234567890123",
    "1" + "0" * 30,
    "0." + "0" * 29 + "1",
    "NaN",
    "Infinity",
    "-Infinity",
    "1e-30",
    "9" * 25 + ".5",
]


def _has_decimal(tp: Any) -> bool:
    if tp is Decimal:
        return True
    origin = get_origin(tp)
    if origin is Annotated:
        return _has_decimal(get_args(tp)[0])
    if origin in (Union, types.UnionType):
        return any(_has_decimal(a) for a in get_args(tp))
    return False


def _flat(dependant: Dependant) -> Iterator[tuple[str, Any]]:
    for where in ("query", "path", "header"):
        for p in getattr(dependant, f"{where}_params"):
            yield where, p
    for sub in dependant.dependencies:
        yield from _flat(sub)


def api_routes(app: FastAPI) -> Iterator[tuple[str, APIRoute]]:
    """(full path, route) of every API route, looking inside included routers (FastAPI 0.16x keeps them
    nested, so ``app.routes`` alone lists none of them)."""
    try:
        from fastapi.routing import iter_route_contexts
    except ImportError:  # older FastAPI flattens included routers into app.routes
        yield from ((r.path, r) for r in app.routes if isinstance(r, APIRoute))
        return
    for c in iter_route_contexts(app.routes):
        if isinstance(c.original_route, APIRoute):
            yield c.path, c.original_route


def decimal_params(app: FastAPI) -> list[tuple[str, APIRoute, str, str]]:
    """(path, route, location, name) of every decimal parameter outside a body, dependencies included."""
    found = []
    for path, route in api_routes(app):
        for where, p in _flat(route.dependant):
            if _has_decimal(p.field_info.annotation):
                found.append((path, route, where, p.alias))
    return found


def _url(world: World, path: str, route: APIRoute) -> str:
    for where, p in _flat(route.dependant):
        if where == "path":
            path = path.replace("{" + p.name + "}", str(world.get(p.name)))
    return path


def test_every_decimal_parameter_is_bounded(app: FastAPI, world: World) -> None:
    params = decimal_params(app)
    names = {(path, n) for path, _, _, n in params}
    assert ("/api/v1/inventory/counts/{count_id}/lines", "min_abs_variance") in names  # the walk finds them
    assert ("/api/v1/inventory/counts/{count_id}/lines", "min_abs_value") in names
    failures = []
    for path, route, where, name in params:
        url = _url(world, path, route)
        method = sorted(route.methods)[0]
        for value in BAD:
            kw: dict[str, Any] = {"headers": dict(world.admin_a)}
            if where == "query":
                kw["params"] = {name: value}
            else:
                kw["headers"][name] = value
            r = world.client.request(method, url, **kw)
            ok = r.status_code == 422 and any(e["loc"][-1] == name for e in r.json().get("errors", []) if e.get("loc"))
            if not ok:
                failures.append(f"{method} {path} {name}={value[:20]}: {r.status_code} {r.text[:160]}")
    assert not failures, "\n".join(failures)


def test_a_bounded_decimal_still_filters(world: World) -> None:
    count = world.get("count_id")
    url = f"/api/v1/inventory/counts/{count}/lines"
    for value in ("0", "0.5", "123456789012.123456"):
        r = world.client.get(url, params={"min_abs_variance": value, "min_abs_value": value}, headers=world.admin_a)
        assert r.status_code == 200, r.text
