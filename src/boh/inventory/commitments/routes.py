"""JSON API of stock commitments: /api/v1/inventory/reservations and /api/v1/inventory/incoming."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Response

from boh.http.deps import UowDep
from boh.http.pagination import Page, PageDep
from boh.http.routing import SecureRouter
from boh.inventory.commitments import domain, queries, service
from boh.inventory.commitments.schemas import (
    AvailabilityRead,
    CommitmentFilter,
    CommitmentRead,
    CommitmentStatus,
    FulfilIn,
    IncomingIn,
    ReceiveIn,
    ReleaseIn,
    ReservationIn,
)

READ = "inventory.stock.read"
RESERVE, INCOMING = service.RESERVE, service.INCOMING

router = SecureRouter(prefix="/api/v1/inventory", tags=["inventory commitments"])

_RETRY = "Each request carries an idempotency key: a retry returns the commitment as it is (200) and changes nothing."
_409 = {409: {"description": "inventory.commitment_closed, inventory.exceeds_open_quantity, "
              "inventory.insufficient_stock, inventory.idempotency_key_reused, or (a commitment an order owns: "
              "changed only through that order, see owner / receive_at) inventory.owned_elsewhere (release, "
              "fulfil, cancel) and inventory.received_by_owner (receive) (problem+json)"}}  # fmt: skip


def _answer(uow: UowDep, outcome: service.Outcome, response: Response, created: bool = False) -> CommitmentRead:
    if not outcome.replayed:
        uow.commit()
    response.status_code = 201 if created and not outcome.replayed else 200
    return queries.read(uow.session, outcome.commitment, outcome.moves)


def _filter(
    site_id: int | None = None,
    item_id: int | None = None,
    document_type: str | None = None,
    document_id: str | None = None,
    status: CommitmentStatus | None = None,
) -> CommitmentFilter:
    return CommitmentFilter(
        site_id=site_id, item_id=item_id, document_type=document_type, document_id=document_id, status=status
    )


FilterDep = Annotated[CommitmentFilter, Depends(_filter)]


def _list(uow: UowDep, page: PageDep, kind: str, f: CommitmentFilter) -> Page[CommitmentRead]:
    items, total = queries.list_commitments(uow.session, uow.principal.scope(READ), kind, f, page.limit, page.offset)
    return Page(items=items, total=total, limit=page.limit, offset=page.offset)


@router.get(
    "/availability",
    perm=READ,
    response_model=AvailabilityRead,
    summary="Available to promise of an item at a site, now and by expected receipt date",
)
def availability(uow: UowDep, site_id: int, item_id: int) -> AvailabilityRead:
    return queries.availability(uow.session, uow.principal.scope(READ), site_id, item_id)


@router.post(
    "/reservations",
    perm=RESERVE,
    status_code=201,
    response_model=CommitmentRead,
    responses={409: {"description": "inventory.insufficient_available: not enough to reserve (problem+json)"}},
    summary="Reserve available stock for a document",
    description="Without lot_id the quantity is allocated first-expiry-first-out over the usable lots, then "
    "the stock without a lot. Never more than is available (on hand minus reserved, no expired or "
    "quarantined lot): 409 unless allow_partial. " + _RETRY,
)
def create_reservation(uow: UowDep, body: ReservationIn, response: Response) -> CommitmentRead:
    return _answer(uow, service.reserve(uow, body), response, created=True)


@router.get("/reservations", perm=READ, response_model=Page[CommitmentRead], summary="Reservations, newest first")
def reservations(uow: UowDep, page: PageDep, f: FilterDep) -> Page[CommitmentRead]:
    return _list(uow, page, domain.RESERVATION, f)


@router.get("/reservations/{reservation_id}", perm=READ, response_model=CommitmentRead, summary="A reservation")
def get_reservation(uow: UowDep, reservation_id: int) -> CommitmentRead:
    return queries.get(uow.session, uow.principal.scope(READ), domain.RESERVATION, reservation_id)


@router.post(
    "/reservations/{reservation_id}/release",
    perm=RESERVE,
    response_model=CommitmentRead,
    responses=_409,
    summary="Release reserved stock (all that is open by default)",
    description=_RETRY,
)
def release_reservation(uow: UowDep, reservation_id: int, body: ReleaseIn, response: Response) -> CommitmentRead:
    return _answer(uow, service.release(uow, reservation_id, body), response)


@router.post(
    "/reservations/{reservation_id}/fulfil",
    perm=RESERVE,
    response_model=CommitmentRead,
    responses=_409,
    summary="Issue reserved stock (a sale, transfer_out or production_consume move per lot)",
    description="Posts the moves through the ledger and lowers reserved in the same transaction. " + _RETRY,
)
def fulfil_reservation(uow: UowDep, reservation_id: int, body: FulfilIn, response: Response) -> CommitmentRead:
    return _answer(uow, service.fulfil(uow, reservation_id, body), response)


@router.post(
    "/incoming",
    perm=INCOMING,
    status_code=201,
    response_model=CommitmentRead,
    responses=_409,
    summary="Record stock on order for a site (expected receipt)",
    description=_RETRY,
)
def create_incoming(uow: UowDep, body: IncomingIn, response: Response) -> CommitmentRead:
    return _answer(uow, service.expect(uow, body), response, created=True)


@router.get("/incoming", perm=READ, response_model=Page[CommitmentRead], summary="Expected receipts, newest first")
def incoming(uow: UowDep, page: PageDep, f: FilterDep) -> Page[CommitmentRead]:
    return _list(uow, page, domain.INCOMING, f)


@router.get("/incoming/{incoming_id}", perm=READ, response_model=CommitmentRead, summary="An expected receipt")
def get_incoming(uow: UowDep, incoming_id: int) -> CommitmentRead:
    return queries.get(uow.session, uow.principal.scope(READ), domain.INCOMING, incoming_id)


@router.post(
    "/incoming/{incoming_id}/receive",
    perm=INCOMING,
    response_model=CommitmentRead,
    responses=_409,
    summary="Receive against an expected receipt (a receipt move; over-receipt accepted)",
    description=_RETRY,
)
def receive_incoming(uow: UowDep, incoming_id: int, body: ReceiveIn, response: Response) -> CommitmentRead:
    return _answer(uow, service.receive(uow, incoming_id, body), response)


@router.post(
    "/incoming/{incoming_id}/cancel",
    perm=INCOMING,
    response_model=CommitmentRead,
    responses=_409,
    summary="Take an expected receipt (or part of it) off order",
    description=_RETRY,
)
def cancel_incoming(uow: UowDep, incoming_id: int, body: ReleaseIn, response: Response) -> CommitmentRead:
    return _answer(uow, service.cancel(uow, incoming_id, body), response)
