"""JSON API of floor-event ingestion under /api/v1/inventory: events, RFID sessions, alerts."""

from __future__ import annotations

from typing import Annotated, Any

import anyio.to_thread
from fastapi import Query, Request
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError

from boh.http.deps import UowDep, request_uow
from boh.http.pagination import Page, PageDep
from boh.http.routing import SecureRouter
from boh.inventory.ingest import domain, queries, service
from boh.inventory.ingest.schemas import AlertClose, AlertRead, EventsIn, IngestResult, SessionReport

READ = "inventory.stock.read"
WRITE = service.WRITE

router = SecureRouter(prefix="/api/v1/inventory", tags=["inventory"])
_REF = "#/components/schemas/{model}"


@router.post(
    "/events",
    perm=WRITE,
    response_model=IngestResult,
    summary="Ingest a batch of floor events (POS sales/returns, RFID reads, weight readings)",
    description="Up to 5,000 events. Every bad event is reported by index with a stable code (e.g. "
    "inventory.unknown_sku, inventory.site_not_allowed, inventory.insufficient_stock); the good ones are "
    "applied together. Exactly-once per (source, event_id): a retried batch reports its events as duplicates "
    "and changes nothing. A device key bound to a site may send events for that site only.",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": EventsIn.model_json_schema(ref_template=_REF)}},
        }
    },
)
async def post_events(request: Request) -> IngestResult:
    # the hot write path: the body is read here, and decoding, validation and the ingestion run in ONE trip
    # to a worker thread; a body whose events are all valid is parsed straight from its bytes
    body = await request.body()

    def work() -> IngestResult:
        events = domain.decode_body(body)
        if events is None:
            events = _events_or_422(body)
        with request_uow(request) as uow:
            result = service.ingest(uow, events, transport="http")
            uow.commit()
            return result

    return await anyio.to_thread.run_sync(work, limiter=_limiter(request))


def _limiter(request: Request) -> anyio.CapacityLimiter:
    """How many batches this process ingests at once (``BOH_INGEST_CONCURRENCY``, default 1); more wait their
    turn. Ingestion is CPU work in Python and in the database: batches running side by side only slow each
    other and oversubscribe the cores that the stock reads of store screens need."""
    state = request.app.state
    limiter: anyio.CapacityLimiter | None = getattr(state, "ingest_limiter", None)
    if limiter is None:
        limiter = state.ingest_limiter = anyio.CapacityLimiter(max(1, state.settings.ingest_concurrency))
    return limiter


def _events_or_422(body: bytes) -> list[Any]:
    """The raw events of the body (each is validated alone later, for its own error); a body that is not
    ``{"events": [...]}`` of at most 5,000 items is refused whole, as FastAPI refuses a bad body."""
    try:
        return EventsIn.model_validate_json(body).events
    except ValidationError as exc:
        errors = exc.errors(include_url=False)
        raise RequestValidationError([{**e, "loc": ("body", *e["loc"])} for e in errors], body=body) from None


@router.post(
    "/rfid/sessions/{session_id}/close",
    perm=WRITE,
    response_model=SessionReport,
    summary="Close an RFID zone read session: the cycle count of its zone (missing and unexpected tags)",
)
def close_session(uow: UowDep, session_id: str) -> SessionReport:
    report = service.close_session(uow, session_id)
    uow.commit()
    return report


@router.get("/alerts", perm=READ, response_model=Page[AlertRead], summary="Floor alerts (shrink), newest first")
def alerts(
    uow: UowDep,
    page: PageDep,
    site_id: int | None = None,
    kind: str | None = None,
    open: Annotated[bool | None, Query(description="Only open (true) or closed (false) alerts")] = None,
) -> Page[AlertRead]:
    items, total = queries.list_alerts(
        uow.session,
        uow.principal.scope(READ),
        site_id=site_id,
        kind=kind,
        is_open=open,
        limit=page.limit,
        offset=page.offset,
    )
    return Page(items=items, total=total, limit=page.limit, offset=page.offset)


@router.post("/alerts/{alert_id}/close", perm=service.ALERT_WRITE, response_model=AlertRead, summary="Close an alert")
def close_alert(uow: UowDep, alert_id: int, body: AlertClose | None = None) -> AlertRead:
    alert = service.close_alert(uow, alert_id, body.note if body else None)
    uow.commit()
    return AlertRead.model_validate(alert)
