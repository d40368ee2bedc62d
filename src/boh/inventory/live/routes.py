"""The live balance stream route: GET /api/v1/inventory/stream (see the package docstring)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Header, Query, Request
from fastapi.responses import StreamingResponse
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool

from boh.http.deps import PrincipalDep
from boh.http.routing import SecureRouter
from boh.inventory.live.stream import BalancePoller, last_entry_id, last_move_id, parse_cursor, stream_events
from boh.kernel.errors import FieldError, ValidationFailed
from boh.kernel.tenancy import Scope
from boh.org.api import get_site_ref

READ = "inventory.stock.read"

router = SecureRouter(prefix="/api/v1/inventory", tags=["inventory"])


def _open(
    factory: sessionmaker[Session], scope: Scope, site_id: int, after: int | None, after_entry: int | None
) -> tuple[int, int]:
    with factory() as session:
        get_site_ref(session, scope, site_id)  # SiteNotFound (404) outside the caller's scope
        moves = after if after is not None else last_move_id(session, scope.tenant_id, site_id)
        entries = after_entry if after_entry is not None else last_entry_id(session, scope.tenant_id, site_id)
        return moves, entries


@router.get(
    "/stream",
    perm=READ,
    response_class=StreamingResponse,
    summary="Live balances of a site (Server-Sent Events)",
    description="`text/event-stream` of `balance` events, one per (item, lot) whose on_hand or available "
    "changed (a move, or a reservation changing `reserved`): `{site_id, item_id, lot_id, sku, lot_code, "
    "on_hand, reserved, available}` (quantities as decimal strings). Each event's id is a cursor "
    "`<move id>.<commitment entry id>`: a reconnecting EventSource sends it back as `Last-Event-ID` and "
    "misses nothing. Starts from now, or after `after` (a move id) and `after_entry` (a commitment entry "
    "id). A `: heartbeat` comment every 15 s. 404 for a site outside the caller's scope.",
    responses={200: {"content": {"text/event-stream": {}}, "description": "The event stream"}},
)
async def stream(
    request: Request,
    principal: PrincipalDep,
    site_id: int,
    after: Annotated[int | None, Query(ge=0)] = None,
    after_entry: Annotated[int | None, Query(ge=0)] = None,
    last_event_id: Annotated[str | None, Header()] = None,
) -> StreamingResponse:
    scope = principal.scope(READ)
    if last_event_id:
        try:
            after, after_entry = parse_cursor(last_event_id)
        except ValueError as exc:
            raise ValidationFailed(
                [FieldError(("header", "last-event-id"), "expected <move id>.<entry id>", "inventory.bad_cursor")]
            ) from exc
    factory: sessionmaker[Session] = request.app.state.session_factory
    start, entries = await run_in_threadpool(_open, factory, scope, site_id, after, after_entry)
    poller = BalancePoller(factory, scope, site_id, start, entry_start=entries)
    return StreamingResponse(
        stream_events(poller, request.is_disconnected),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )
