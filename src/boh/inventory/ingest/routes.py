"""JSON API of floor-event ingestion under /api/v1/inventory: events, RFID sessions, alerts."""

from __future__ import annotations

from typing import Annotated, Any

import anyio.to_thread
from fastapi import Query, Request

from boh.http.deps import UowDep, request_uow
from boh.http.pagination import Page, PageDep
from boh.http.routing import SecureRouter
from boh.inventory.ingest import deadletters, domain, queries, service
from boh.inventory.ingest.deadletters import WHOLE
from boh.inventory.ingest.envelope import open_envelope
from boh.inventory.ingest.schemas import (
    AlertClose,
    AlertRead,
    DeadLetterPage,
    DeadLetterRead,
    DiscardIn,
    EventsIn,
    IngestResult,
    ReplayIn,
    ReplayResult,
    SessionReport,
)
from boh.kernel import gcpause
from boh.kernel.errors import FieldError, ValidationFailed

READ = "inventory.stock.read"
WRITE = service.WRITE

router = SecureRouter(prefix="/api/v1/inventory", tags=["inventory"])
_REF = "#/components/schemas/{model}"


@router.post(
    "/events",
    perm=WRITE,
    response_model=IngestResult,
    summary="Ingest a batch of floor events (POS sales/returns, RFID reads, weight readings)",
    description='The envelope `{"events": [...]}` of up to 5,000 events (or one bare event), the same as '
    "over MQTT. Every bad event is reported by index with a stable code (e.g. inventory.unknown_sku, "
    "inventory.invalid_text, inventory.site_not_allowed, inventory.insufficient_stock) and kept as a dead "
    "letter for replay; the good ones are applied together (an event whose values the database refuses is "
    "isolated: inventory.unstorable_value). Exactly-once per (source, event_id): a retried batch reports its "
    "events as duplicates and changes nothing. A device key bound to a site may send events for that site only.",
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
        with gcpause.paused():  # decoding allocates as much as the ingestion (see boh.kernel.gcpause)
            return _ingest(request, body)

    return await anyio.to_thread.run_sync(work, limiter=_limiter(request))


def _ingest(request: Request, body: bytes) -> IngestResult:
    """Decode and ingest a body, committed. Its own frame: the batch (events, their rows, the session) is
    freed when it returns, before the collector resumes: the collection that was due then finds only what
    outlives the request, where it would walk every object of the batch (about 1 us an event)."""
    events: list[Any] | None = domain.decode_body(body)
    if events is None:
        events = _envelope_or_422(body)
    with request_uow(request) as uow:
        result = service.ingest(uow, events, transport="http")
        uow.commit()
        return result


def _limiter(request: Request) -> anyio.CapacityLimiter:
    """How many batches this process ingests at once (``BOH_INGEST_CONCURRENCY``, default 1); more wait their
    turn. Ingestion is CPU work in Python and in the database: batches running side by side only slow each
    other and oversubscribe the cores that the stock reads of store screens need."""
    state = request.app.state
    limiter: anyio.CapacityLimiter | None = getattr(state, "ingest_limiter", None)
    if limiter is None:
        limiter = state.ingest_limiter = anyio.CapacityLimiter(max(1, state.settings.ingest_concurrency))
    return limiter


def _envelope_or_422(body: bytes) -> list[Any]:
    """The raw events of the body (each is validated alone later, for its own error): the one envelope of
    every transport (envelope.py); a body that is not one is refused whole (422, with its code)."""
    env = open_envelope(body)
    whole = next((r for r in env.rejected if r.index == WHOLE), None)
    if whole is not None:
        raise ValidationFailed([FieldError(("body",), whole.message, whole.code)], detail=whole.message)
    return env.raw_events


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


# --- dead letters --------------------------------------------------------------------------------------


@router.get(
    "/dead-letters",
    perm=READ,
    response_model=DeadLetterPage,
    summary="Floor events rejected for their own content, kept for replay",
    description="Newest first; `status` open | replayed | discarded, `code` a rejection code. Site-scoped "
    "callers see the letters of their sites.",
)
def dead_letters(
    uow: UowDep,
    page: PageDep,
    status: Annotated[str | None, Query(pattern="^(open|replayed|discarded)$")] = None,
    code: Annotated[str | None, Query(max_length=60)] = None,
    site_id: int | None = None,
) -> DeadLetterPage:
    items, total, by_code = deadletters.list_letters(
        uow, status=status, code=code, site_id=site_id, limit=page.limit, offset=page.offset
    )
    return DeadLetterPage(items=items, total=total, limit=page.limit, offset=page.offset, open_by_code=by_code)


@router.post(
    "/dead-letters/{letter_id}/replay",
    perm=WRITE,
    response_model=ReplayResult,
    summary="Ingest a dead letter's event again (as received, or corrected)",
    description="Applied (or found applied meanwhile: exactly-once holds) closes the letter as replayed; "
    "rejected again keeps it open with the new reason.",
)
def replay_dead_letter(uow: UowDep, letter_id: int, body: ReplayIn | None = None) -> ReplayResult:
    row, result = deadletters.replay(uow, letter_id, body.event if body else None)
    uow.commit()
    return ReplayResult(letter=DeadLetterRead.model_validate(row), result=result)


@router.post(
    "/dead-letters/{letter_id}/discard",
    perm=WRITE,
    response_model=DeadLetterRead,
    summary="Close a dead letter without replaying it, with a note",
)
def discard_dead_letter(uow: UowDep, letter_id: int, body: DiscardIn) -> DeadLetterRead:
    row = deadletters.discard(uow, letter_id, body.note)
    uow.commit()
    return DeadLetterRead.model_validate(row)
