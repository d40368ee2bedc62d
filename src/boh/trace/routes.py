"""JSON API of the trace domain under /api/v1/trace: lot traces, recalls, the FSMA 204 sheet, EPCIS 2.0."""

from __future__ import annotations

import json
import os
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import Body, Query, Request, Response

from boh.http.deps import UowDep
from boh.http.routing import SecureRouter
from boh.kernel.errors import FieldError, ValidationFailed
from boh.trace import epcis, fsma, queries, recall
from boh.trace.recall import CONFIRM, READ, WRITE
from boh.trace.schemas import (
    CloseIn,
    ConfirmIn,
    ImportResult,
    LinkRead,
    NodeRead,
    PositionRead,
    RecallIn,
    RecallLineRead,
    RecallRead,
    RecallRow,
    TraceRead,
)

router = SecureRouter(prefix="/api/v1/trace", tags=["trace"])
IMPORT = epcis.IMPORT


def base_url(request: Request) -> str:
    return str(request.base_url).rstrip("/")


@lru_cache(maxsize=1)
def schema_validator() -> Any | None:
    """GS1's EPCIS 2.0 JSON schema with format checks, when BOH_EPCIS_SCHEMA names its file (it is not
    shipped); without it imports get the structural checks only."""
    path = os.environ.get("BOH_EPCIS_SCHEMA")
    return epcis.validator(Path(path)) if path and Path(path).exists() else None


@router.get("/lots/{lot_id}", perm=READ, response_model=TraceRead, summary="A lot's genealogy, forward or backward")
def lot_trace(
    uow: UowDep, lot_id: int, direction: Literal["forward", "backward"] = "forward",
    depth: Annotated[int | None, Query(ge=0, le=50, description="1: one-up/one-down; empty: the full trace")] = None,
) -> TraceRead:  # fmt: skip
    scope = uow.principal.scope(READ)
    v = queries.lot_trace(uow.session, scope, lot_id, direction, depth)
    return TraceRead(
        root=v.root, direction=v.direction, depth=depth, complete=v.complete, untracked_inputs=v.untracked,
        nodes=[NodeRead(lot_id=n.lot_id, lot_code=n.lot_code, item_id=n.item_id, sku=n.sku, depth=n.depth,
                        on_hold=n.on_hold, on_hand=n.on_hand, sold=n.sold, in_transit=n.in_transit, sites=n.sites)
               for n in v.nodes],
        links=[LinkRead(parent=x.parent, child=x.child, batch=x.batch, consumed=x.consumed, made=x.made, at=x.at)
               for x in v.links],
        positions=[PositionRead(**{k: getattr(p, k) for k in PositionRead.model_fields})
                   for p in queries.positions_rows(v, scope)],
    )  # fmt: skip


def _recall(uow: UowDep, recall_id: int, perm: str = READ) -> RecallRead:
    """The recall as the API shows it, read with the route's own permission (a write route builds its answer
    before it commits: a caller allowed to write but not to read never gets a refusal after a write)."""
    v = recall.get(uow.session, uow.principal.scope(perm), recall_id)
    return RecallRead(
        id=v.id, number=v.number, mock=v.mock, status=v.status, reason=v.reason, summary=v.summary,
        seconds=v.seconds, created_at=v.created_at, closed_at=v.closed_at, lot_ids=[lot.lot_id for lot in v.lots],
        sites_told=v.told_sites, sites_confirmed=v.confirmed_sites,
        lines=[RecallLineRead(site_id=ln.site_id, site_code=ln.site_code, lot_id=ln.lot_id, lot_code=ln.lot_code,
                              sku=ln.sku, on_hand=ln.on_hand, sold=ln.sold, wasted=ln.wasted, in_transit=ln.in_transit,
                              notified_at=ln.notified_at, confirmed_at=ln.confirmed_at, confirmed_by=ln.confirmed_by,
                              note=ln.note) for ln in v.lines],
    )  # fmt: skip


@router.get("/recalls", perm=READ, response_model=list[RecallRow], summary="Recalls and mock recalls, newest first")
def list_recalls(uow: UowDep) -> list[RecallRow]:
    return [RecallRow.model_validate(r) for r in recall.listing(uow.session, uow.principal.scope(READ))]


@router.post("/recalls", perm=WRITE, status_code=201, response_model=RecallRead,
             summary="Start a recall (or a mock recall): find, block, notify")  # fmt: skip
def start_recall(uow: UowDep, body: RecallIn) -> RecallRead:
    origin = recall.Origin(tuple(body.lot_ids), body.supplier_id, body.start, body.end)
    r = recall.start(uow, origin, reason=body.reason, mock=body.mock)
    out = _recall(uow, r.id, WRITE)
    uow.commit()
    return out


@router.get("/recalls/{recall_id}", perm=READ, response_model=RecallRead, summary="A recall with its sites")
def get_recall(uow: UowDep, recall_id: int) -> RecallRead:
    return _recall(uow, recall_id)


@router.post("/recalls/{recall_id}/confirm", perm=CONFIRM, response_model=RecallRead,
             summary="A site confirms it removed the recalled stock")  # fmt: skip
def confirm_recall(uow: UowDep, recall_id: int, body: ConfirmIn) -> RecallRead:
    recall.confirm(uow, recall_id, body.site_id, removed=body.removed, note=body.note)
    out = _recall(uow, recall_id, CONFIRM)
    uow.commit()
    return out


@router.post("/recalls/{recall_id}/close", perm=WRITE, response_model=RecallRead, summary="Close a recall")
def close_recall(uow: UowDep, recall_id: int, body: CloseIn) -> RecallRead:
    recall.close(uow, recall_id, note=body.note)
    out = _recall(uow, recall_id, WRITE)
    uow.commit()
    return out


@router.get("/recalls/{recall_id}/report.csv", perm=READ, summary="The recall's report (CSV)")
def recall_csv(uow: UowDep, recall_id: int) -> Response:
    v = recall.get(uow.session, uow.principal.scope(READ), recall_id)
    return Response(recall.report_csv(v), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="recall-{v.number}.csv"'})  # fmt: skip


def _check_range(start: date, end: date) -> None:
    """A date range that reads as one: start on or before end, both within years 1900-9998."""
    errors = [FieldError((name,), "a date between 1900 and 9998", "out_of_range")
              for name, d in (("start", start), ("end", end)) if not 1900 <= d.year <= 9998]  # fmt: skip
    if not errors and start > end:
        errors.append(FieldError(("end",), "the end is before the start", "before_start"))
    if errors:
        raise ValidationFailed(errors)


@router.get("/fsma", perm=READ, summary="FSMA 204 sortable spreadsheet for a product and date range")
def fsma_sheet(
    request: Request, uow: UowDep, item_id: int, start: date, end: date, format: Literal["csv", "xlsx"] = "xlsx"
) -> Response:
    scope = uow.principal.scope(READ)
    _check_range(start, end)
    rows = fsma.for_product(uow.session, uow.tenant_id, item_id, start, end, base_url(request), scope.site_ids)
    name = f"fsma204-{item_id}-{start}-{end}"
    if format == "csv":
        return Response(fsma.to_csv(rows), media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": f'attachment; filename="{name}.csv"'})  # fmt: skip
    return Response(
        fsma.to_xlsx(rows),
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": f'attachment; filename="{name}.xlsx"'},
    )


@router.get("/epcis/lots/{lot_id}", perm=READ, summary="EPCIS 2.0 JSON-LD document of a lot's trace")
def epcis_export(
    request: Request, uow: UowDep, lot_id: int, direction: Literal["forward", "backward"] = "forward"
) -> Response:
    scope = uow.principal.scope(READ)
    v = queries.lot_trace(uow.session, scope, lot_id, direction, None)
    moves = [m for ms in v.trace.moves.values() for m in ms]
    doc = epcis.document(epcis.events(uow.session, uow.tenant_id, moves, base_url(request), scope.site_ids))
    return Response(json.dumps(doc), media_type="application/ld+json")


@router.post("/epcis", perm=IMPORT, response_model=ImportResult, summary="Import a supplier's EPCIS 2.0 document",
             responses={422: {"description": "trace.bad_epcis_document"}})  # fmt: skip
def epcis_import(
    uow: UowDep, document: Annotated[dict[str, Any], Body()],
    name: Annotated[str, Query(max_length=200)] = "upload",
) -> ImportResult:  # fmt: skip
    done = epcis.import_document(uow, document, name=name, schema_validator=schema_validator())
    uow.commit()
    return ImportResult(events=done.events, new=done.new, identifiers=done.identifiers)


@router.get("/epcis/events", perm=READ, summary="Imported EPCIS events linked to an identifier (both ways)")
def external_events(
    uow: UowDep, identifier: Annotated[str, Query(min_length=3, max_length=300)]
) -> list[dict[str, Any]]:
    found = epcis.external_trace(uow.session, uow.principal.scope(READ).tenant_id, [identifier])
    return [{"key": e.key, "type": e.event_type, "time": e.event_time, "biz_step": e.biz_step,
             "disposition": e.disposition, "document": e.document,
             "identifiers": [{"id": i, "role": r} for i, r in e.identifiers]} for e in found]  # fmt: skip
