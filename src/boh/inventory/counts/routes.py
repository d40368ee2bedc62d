"""JSON API of stocktakes under /api/v1/inventory/counts."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from fastapi import Query

from boh.http.deps import UowDep
from boh.http.pagination import Page, PageDep
from boh.http.routing import SecureRouter
from boh.inventory.counts import domain, queries, service
from boh.inventory.counts.schemas import (
    CountCreate,
    CountFilter,
    CountRead,
    CountStatus,
    EntriesIn,
    EntriesResult,
    EntryRead,
    LineRead,
    LinesUpdate,
    PostResult,
    RecountIn,
    RfidIn,
    SettingsIn,
    SettingsRead,
)

READ, WRITE, APPROVE = service.READ, service.WRITE, service.APPROVE

router = SecureRouter(prefix="/api/v1/inventory/counts", tags=["inventory counts"])

_409 = {409: {"description": "inventory.count_wrong_status (problem+json)"}}


def _read(uow: UowDep, count_id: int) -> CountRead:
    return queries.get_count(uow.session, uow.principal.scope(READ), count_id)


def _commit_read(uow: UowDep, count_id: int, perm: str) -> CountRead:
    """The answer of a write, read before the commit in the scope of the route's own permission: nothing
    that could still refuse the request comes after the change is saved."""
    out = queries.get_count(uow.session, uow.principal.scope(perm), count_id)
    uow.commit()
    return out


def _settings(t: domain.Thresholds) -> SettingsRead:
    return SettingsRead(
        approval_threshold=t.approval_threshold, recount_pct=t.recount_pct, recount_value=t.recount_value
    )


@router.get("/settings", perm=READ, response_model=SettingsRead, summary="The tenant's count thresholds")
def get_settings(uow: UowDep) -> SettingsRead:
    uow.principal.scope(READ)
    return _settings(service.thresholds(uow))


@router.put("/settings", perm=APPROVE, response_model=SettingsRead, summary="Set the tenant's count thresholds")
def put_settings(uow: UowDep, body: SettingsIn) -> SettingsRead:
    t = service.put_settings(uow, body)
    uow.commit()
    return _settings(t)


@router.post("", perm=WRITE, status_code=201, response_model=CountRead, summary="Create (schedule) a count")
def create(uow: UowDep, body: CountCreate) -> CountRead:
    count = service.create_count(uow, body)
    return _commit_read(uow, count.id, WRITE)


@router.get("", perm=READ, response_model=Page[CountRead], summary="Counts, scheduled first")
def list_counts(
    uow: UowDep,
    page: PageDep,
    site_id: int | None = None,
    status: CountStatus | None = None,
    assignee_id: int | None = None,
    mine: Annotated[bool, Query(description="Only the counts assigned to the caller")] = False,
) -> Page[CountRead]:
    f = CountFilter(site_id=site_id, status=status, assignee_id=uow.principal.id if mine else assignee_id)
    items, total = queries.list_counts(uow.session, uow.principal.scope(READ), f, page.limit, page.offset)
    return Page(items=items, total=total, limit=page.limit, offset=page.offset)


@router.get("/{count_id}", perm=READ, response_model=CountRead, summary="A count")
def get_count(uow: UowDep, count_id: int) -> CountRead:
    return _read(uow, count_id)


@router.get(
    "/{count_id}/lines",
    perm=READ,
    response_model=Page[LineRead],
    summary="Lines with variance and value (expected quantities hidden while a blind count is counted)",
)
def lines(
    uow: UowDep,
    count_id: int,
    page: PageDep,
    min_abs_variance: Annotated[Decimal | None, Query(ge=0, description="|variance| at least this")] = None,
    min_abs_value: Annotated[Decimal | None, Query(ge=0, description="|variance value| at least this")] = None,
    flagged: Annotated[bool | None, Query(description="Only lines needing a recount or a zero-confirmation")] = None,
) -> Page[LineRead]:
    items, total = queries.list_lines(
        uow.session,
        uow.principal.scope(READ),
        count_id,
        page.limit,
        page.offset,
        min_abs_variance=min_abs_variance,
        min_abs_value=min_abs_value,
        flagged=flagged,
    )
    return Page(items=items, total=total, limit=page.limit, offset=page.offset)


@router.post(
    "/{count_id}/start",
    perm=WRITE,
    response_model=CountRead,
    responses=_409,
    summary="Freeze the expected quantities and start counting",
)
def start(uow: UowDep, count_id: int) -> CountRead:
    service.start_count(uow, count_id)
    return _commit_read(uow, count_id, WRITE)


@router.post(
    "/{count_id}/entries",
    perm=WRITE,
    response_model=EntriesResult,
    responses=_409,
    summary="Record up to 10,000 entries (all or nothing)",
    description="Each entry names its item by item_id, sku, a scanned code (GTIN, GS1-128) or an EPC. Every "
    "bad entry is reported at once with loc ['entries', index, field]; nothing is written if one is bad.",
)
def add_entries(uow: UowDep, count_id: int, body: EntriesIn) -> EntriesResult:
    result = service.add_entries(uow, count_id, body.entries)
    uow.commit()
    return result


@router.get("/{count_id}/entries", perm=READ, response_model=Page[EntryRead], summary="Entries, newest first")
def list_entries(
    uow: UowDep,
    count_id: int,
    page: PageDep,
    line_id: int | None = None,
    counter: Annotated[str | None, Query(description="An actor, e.g. user:12")] = None,
) -> Page[EntryRead]:
    items, total = queries.list_entries(
        uow.session, uow.principal.scope(READ), count_id, page.limit, page.offset, line_id=line_id, counter=counter
    )
    return Page(items=items, total=total, limit=page.limit, offset=page.offset)


@router.post(
    "/{count_id}/rfid",
    perm=WRITE,
    response_model=EntriesResult,
    responses=_409,
    summary="Record an RFID read session: each distinct tag counts once",
)
def add_rfid(uow: UowDep, count_id: int, body: RfidIn) -> EntriesResult:
    result = service.add_rfid(uow, count_id, body.epcs, body.session_id)
    uow.commit()
    return result


@router.post(
    "/{count_id}/submit",
    perm=WRITE,
    response_model=CountRead,
    responses=_409,
    summary="Close counting: variances, values and recount flags",
)
def submit(uow: UowDep, count_id: int) -> CountRead:
    service.submit(uow, count_id)
    return _commit_read(uow, count_id, WRITE)


@router.patch(
    "/{count_id}/lines",
    perm=WRITE,
    response_model=CountRead,
    responses=_409,
    summary="Zero-confirm, accept variances, set reason codes (review)",
)
def update_lines(uow: UowDep, count_id: int, body: LinesUpdate) -> CountRead:
    service.update_lines(uow, count_id, body)
    return _commit_read(uow, count_id, WRITE)


@router.post(
    "/{count_id}/recount",
    perm=WRITE,
    response_model=CountRead,
    responses=_409,
    summary="Send lines back to counting (default: flagged and uncounted lines)",
)
def recount(uow: UowDep, count_id: int, body: RecountIn) -> CountRead:
    service.recount(uow, count_id, body)
    return _commit_read(uow, count_id, WRITE)


@router.post(
    "/{count_id}/approve",
    perm=APPROVE,
    response_model=CountRead,
    responses=_409,
    summary="Approve a reviewed count",
    description="403 inventory.count_manager_approval_required when the total |variance value| is above the "
    "tenant's threshold and the caller does not hold inventory.count.approve_over_threshold for the count's "
    "site (a regional manager of its region, HQ).",
)
def approve(uow: UowDep, count_id: int) -> CountRead:
    service.approve(uow, count_id)
    return _commit_read(uow, count_id, APPROVE)


@router.post(
    "/{count_id}/post",
    perm=APPROVE,
    response_model=PostResult,
    responses=_409,
    summary="Post the variances as count_variance moves (idempotent)",
)
def post(uow: UowDep, count_id: int) -> PostResult:
    count, warnings, replayed = service.post(uow, count_id)
    uow.commit()
    return PostResult(count=_read(uow, count.id), moves_posted=count.moves_posted, warnings=warnings, replayed=replayed)


@router.post("/{count_id}/cancel", perm=WRITE, response_model=CountRead, responses=_409, summary="Cancel a count")
def cancel(uow: UowDep, count_id: int) -> CountRead:
    service.cancel(uow, count_id)
    return _commit_read(uow, count_id, WRITE)
