"""The route table is built at start-up (``boh.http.routing.warm_routes``), not by the first requests."""

from __future__ import annotations

import fastapi.routing
from fastapi.testclient import TestClient

from boh.http.routing import warm_routes
from boh.web.app import create_app


def test_start_up_builds_every_route_so_requests_build_none(runtime, settings, monkeypatch):
    app = create_app(settings, runtime)
    built: list[str] = []
    real = fastapi.routing.get_dependant

    def counting(*, path: str, **kw):  # type: ignore[no-untyped-def]
        built.append(path)
        return real(path=path, **kw)

    monkeypatch.setattr(fastapi.routing, "get_dependant", counting)
    with TestClient(app, raise_server_exceptions=False) as client:
        at_start_up = len(built)
        assert "/api/v1/inventory/events" in built  # the ingestion route among them
        assert client.get("/healthz").status_code == 200
        # routes of routers included late, an unknown path (matched against every route) and a POST
        assert client.get("/api/v1/inventory/alerts").status_code == 401
        assert client.post("/api/v1/inventory/events", json={"events": []}).status_code == 401
        assert client.get("/no/such/route").status_code == 404
        assert len(built) == at_start_up  # nothing was built on a request
    assert warm_routes(app) == len(app.router.routes)
