"""JSON API of floor-event ingestion under /api/v1/inventory: events, RFID sessions, alerts."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query

from boh.http.deps import UowDep
from boh.http.pagination import Page, PageDep
from boh.http.routing import SecureRouter
from boh.inventory.ingest import queries, service
from boh.inventory.ingest.schemas import AlertClose, AlertRead, EventsIn, IngestResult, SessionReport

READ = "inventory.stock.read"
WRITE = service.WRITE

router = SecureRouter(prefix="/api/v1/inventory", tags=["inventory"])


@router.post(
    "/events",
    perm=WRITE,
    response_model=IngestResult,
    summary="Ingest a batch of floor events (POS sales/returns, RFID reads, weight readings)",
    description="Up to 5,000 events. Every bad event is reported by index with a stable code (e.g. "
    "inventory.unknown_sku, inventory.site_not_allowed, inventory.insufficient_stock); the good ones are "
    "applied together. Exactly-once per (source, event_id): a retried batch reports its events as duplicates "
    "and changes nothing. A device key bound to a site may send events for that site only.",
)
def post_events(uow: UowDep, body: EventsIn) -> IngestResult:
    result = service.ingest(uow, body.events, transport="http")
    uow.commit()
    return result


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
