"""JSON API of the inventory domain under /api/v1/inventory."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated

from fastapi import Query, Request, Response
from starlette.concurrency import run_in_threadpool

from boh.http.deps import UowDep, request_uow
from boh.http.pagination import Page, PageDep
from boh.http.routing import SecureRouter
from boh.inventory import queries, service
from boh.inventory.schemas import (
    BalanceFilter,
    BalanceRead,
    FefoSuggestion,
    LotCreate,
    LotRead,
    LotStatus,
    LotStatusIn,
    MoveFilter,
    MoveRead,
    MovesIn,
    MovesPosted,
    MoveType,
    RevaluationIn,
    SettingsIn,
    SettingsRead,
    TransferIn,
    TransferRead,
    ValuationRead,
)

READ = "inventory.stock.read"
WRITE = "inventory.move.write"

router = SecureRouter(prefix="/api/v1/inventory", tags=["inventory"])

_409 = {409: {"description": "inventory.insufficient_stock or inventory.idempotency_key_reused (problem+json)"}}


@router.post(
    "/moves",
    perm=WRITE,
    status_code=201,
    response_model=MovesPosted,
    responses=_409,
    summary="Post a batch of stock moves (all or nothing)",
    description="Every error of every move is reported at once with loc ['moves', index, field]. Each move "
    "carries an idempotency key: resending a move returns the original and changes nothing (200 when the "
    "whole batch was already posted). At a site whose policy is 'refuse', a move that would take stock "
    "below zero fails the batch with 409 inventory.insufficient_stock.",
)
def post_moves(uow: UowDep, body: MovesIn, response: Response) -> MovesPosted:
    result = service.post_moves(uow, body.moves)
    uow.commit()
    if result.replayed == len(result.moves):
        response.status_code = 200
    return MovesPosted(moves=[MoveRead.model_validate(m) for m in result.moves], replayed=result.replayed)


@router.get("/balances", perm=READ, response_model=Page[BalanceRead], summary="Stock balances")
async def balances(
    request: Request,
    page: PageDep,
    site_id: int | None = None,
    item_id: int | None = None,
    lot_id: int | None = None,
    lot_code: str | None = None,
    below_zero: Annotated[bool | None, Query(description="Only balances with on_hand < 0")] = None,
    expires_within: Annotated[
        int | None,
        Query(ge=0, le=3650, description="Only lots with stock expiring within this many days (or expired)"),
    ] = None,
) -> Page[BalanceRead]:
    # the hottest read (store screens, the live page, integrations): the whole read is ONE trip to a worker
    # thread (a sync endpoint with a unit-of-work dependency makes three more: enter, call, exit) and its
    # statements run in autocommit; under ingestion load every trip and every round trip waits for a CPU
    f = BalanceFilter(
        site_id=site_id, item_id=item_id, lot_id=lot_id, lot_code=lot_code, below_zero=below_zero,
        expires_within=expires_within,
    )  # fmt: skip

    def read() -> Page[BalanceRead]:
        with request_uow(request, read_only=True) as uow:
            items, total = queries.list_balances(uow.session, uow.principal.scope(READ), f, page.limit, page.offset)
            return Page(items=items, total=total, limit=page.limit, offset=page.offset)

    return await run_in_threadpool(read)


@router.get(
    "/valuation",
    perm=READ,
    response_model=ValuationRead,
    summary="Stock value at moving average cost, per site and item",
    description="Items with stock or value, by site and SKU, and the totals of each site in its currency.",
)
def valuation(uow: UowDep, page: PageDep, site_id: int | None = None, item_id: int | None = None) -> ValuationRead:
    return queries.valuation(uow.session, uow.principal.scope(READ), site_id, item_id, page.limit, page.offset)


@router.post(
    "/revaluations",
    perm=WRITE,
    status_code=201,
    response_model=MoveRead,
    responses={409: {"description": "inventory.nothing_to_revalue or inventory.idempotency_key_reused"}},
    summary="Revalue the stock on hand of an item at a site (landed cost, price correction)",
    description="A value-only move: `value_change` is added to the stock value, or `new_unit_cost` sets the "
    "average (with nothing on hand it only sets the cost the next moves are valued at). Carries an idempotency "
    "key; the reason code is required.",
)
def post_revaluation(uow: UowDep, body: RevaluationIn) -> MoveRead:
    move = service.revalue(uow, body)
    uow.commit()
    return MoveRead.model_validate(move)


@router.get("/settings", perm=READ, response_model=SettingsRead, summary="The tenant's ledger rules")
def get_settings(uow: UowDep) -> SettingsRead:
    return queries.settings(uow.session, uow.principal.scope(READ))


@router.put(
    "/settings",
    perm=service.SETTINGS,
    response_model=SettingsRead,
    summary="Set the tenant's ledger rules (how far back a move may be dated)",
)
def put_settings(uow: UowDep, body: SettingsIn) -> SettingsRead:
    service.put_settings(uow, body)
    out = queries.settings(uow.session, uow.principal.scope(service.SETTINGS))  # before the commit
    uow.commit()
    return out


@router.get("/moves", perm=READ, response_model=Page[MoveRead], summary="Move history, newest first")
def moves(
    uow: UowDep,
    page: PageDep,
    site_id: int | None = None,
    item_id: int | None = None,
    move_type: MoveType | None = None,
    since: Annotated[datetime | None, Query(description="event_at from (inclusive)")] = None,
    until: Annotated[datetime | None, Query(description="event_at until (exclusive)")] = None,
) -> Page[MoveRead]:
    f = MoveFilter(site_id=site_id, item_id=item_id, move_type=move_type, since=since, until=until)
    items, total = queries.list_moves(uow.session, uow.principal.scope(READ), f, page.limit, page.offset)
    return Page(items=items, total=total, limit=page.limit, offset=page.offset)


@router.get("/lots", perm=READ, response_model=Page[LotRead], summary="Lots, by item and expiry")
def lots(uow: UowDep, page: PageDep, item_id: int | None = None, status: LotStatus | None = None) -> Page[LotRead]:
    items, total = queries.list_lots(uow.session, uow.principal.scope(READ), item_id, status, page.limit, page.offset)
    return Page(items=items, total=total, limit=page.limit, offset=page.offset)


@router.post(
    "/lots",
    perm=WRITE,
    status_code=201,
    response_model=LotRead,
    summary="Create a lot",
    responses={409: {"description": "inventory.duplicate_lot (problem+json)"}},
)
def create_lot(uow: UowDep, body: LotCreate) -> LotRead:
    lot = service.create_lot(uow, body)
    uow.commit()
    return LotRead.model_validate(lot)


@router.post(
    "/lots/{lot_id}/quarantine",
    perm=WRITE,
    response_model=LotRead,
    summary="Quarantine a lot (excluded from availability and FEFO)",
)
def quarantine_lot(uow: UowDep, lot_id: int, body: LotStatusIn) -> LotRead:
    lot = service.quarantine_lot(uow, lot_id, body.reason)
    uow.commit()
    return LotRead.model_validate(lot)


@router.post("/lots/{lot_id}/release", perm=WRITE, response_model=LotRead, summary="Release a quarantined lot")
def release_lot(uow: UowDep, lot_id: int, body: LotStatusIn) -> LotRead:
    lot = service.release_lot(uow, lot_id, body.reason)
    uow.commit()
    return LotRead.model_validate(lot)


@router.post(
    "/transfers",
    perm=WRITE,
    status_code=201,
    response_model=TransferRead,
    responses=_409,
    summary="Ship stock to another site (in transit until received)",
)
def create_transfer(uow: UowDep, body: TransferIn) -> TransferRead:
    out = service.transfer(uow, body)
    uow.commit()
    return queries.get_transfer(uow.session, uow.principal.scope(WRITE), out.id)


@router.get("/transfers/{transfer_id}", perm=READ, response_model=TransferRead, summary="A transfer")
def get_transfer(uow: UowDep, transfer_id: int) -> TransferRead:
    return queries.get_transfer(uow.session, uow.principal.scope(READ), transfer_id)


@router.post(
    "/transfers/{transfer_id}/receive",
    perm=WRITE,
    response_model=TransferRead,
    summary="Receive a transfer at its destination (idempotent)",
)
def receive_transfer(uow: UowDep, transfer_id: int) -> TransferRead:
    service.receive_transfer(uow, transfer_id)
    uow.commit()
    return queries.get_transfer(uow.session, uow.principal.scope(WRITE), transfer_id)


@router.get("/fefo", perm=READ, response_model=FefoSuggestion, summary="Lots to pick, first expiring first")
def fefo(
    uow: UowDep,
    site_id: int,
    item_id: int,
    qty: Annotated[Decimal, Query(gt=0, max_digits=18, decimal_places=6)],
) -> FefoSuggestion:
    return queries.suggest_fefo(uow.session, uow.principal.scope(READ), site_id, item_id, qty)
