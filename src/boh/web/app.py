"""``create_app(settings)``: the FastAPI application."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Response
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from sqlalchemy import text

from boh import __version__, registry
from boh.bootstrap import Runtime, build_runtime
from boh.http import observability, problems
from boh.http.headers import SecurityHeadersMiddleware
from boh.http.routing import SecureRouter, warm_routes
from boh.http.templating import STATIC_DIR
from boh.kernel import gcpause
from boh.org.auth import OrgAuthenticator, TokenService
from boh.settings import Settings, get_settings
from boh.web.console import install_console
from boh.worker.embedded import lifespan_hooks

DESCRIPTION = """BOH back-office API. Authenticate with `POST /api/v1/auth/token` (OAuth2 password flow) and
send `Authorization: Bearer <token>`, or send a device/integration key as `X-API-Key`. Every route states the
permission it needs (`x-permission`). Errors are RFC 9457 `application/problem+json` with a stable `code`."""


def _ops_router(runtime: Runtime, metrics: observability.Metrics) -> SecureRouter:
    ops = SecureRouter()

    @ops.get("/healthz", public=True, tags=["ops"], summary="Liveness: the process is up")
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @ops.get("/readyz", public=True, tags=["ops"], summary="Readiness: the database answers")
    def readyz() -> Any:
        try:
            with runtime.engine.connect() as conn:
                conn.execute(text("SELECT 1"))
        except Exception:
            return JSONResponse({"status": "unavailable", "database": "down"}, status_code=503)
        return {"status": "ok", "database": "up"}

    @ops.get("/metrics", public=True, tags=["ops"], summary="Prometheus metrics", include_in_schema=True)
    def metrics_endpoint() -> Response:
        body, ctype = metrics.render()
        return Response(body, media_type=ctype)

    return ops


def create_app(settings: Settings | None = None, runtime: Runtime | None = None) -> FastAPI:
    settings = settings or get_settings()
    runtime = runtime or build_runtime(settings)
    start_worker, stop_worker = lifespan_hooks(runtime)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        warm_routes(app)  # before the first request, not during it (see warm_routes)
        gcpause.freeze_once()  # what start-up built lives as long as the process: no collection walks it again
        start_worker()  # outbox relay + scheduled jobs in-process, unless a broker is configured
        try:
            yield
        finally:
            stop_worker()

    app = FastAPI(
        title="BOH",
        version=__version__,
        description=DESCRIPTION,
        docs_url="/docs",
        redoc_url=None,
        openapi_url="/openapi.json",
        lifespan=lifespan,
    )
    metrics = observability.Metrics()
    app.state.runtime = runtime
    app.state.settings = settings
    app.state.session_factory = runtime.session_factory
    app.state.tokens = TokenService(settings.resolved_secret_key(), settings.auth)
    app.state.authenticator = OrgAuthenticator(runtime.session_factory, app.state.tokens)
    problems.install(app)
    observability.install(app, metrics)
    app.include_router(_ops_router(runtime, metrics))
    for router in registry.api_routers():
        app.include_router(router)
    install_console(app)
    app.mount("/static", StaticFiles(directory=str(STATIC_DIR)), name="static")

    app.add_middleware(SecurityHeadersMiddleware)

    return app
