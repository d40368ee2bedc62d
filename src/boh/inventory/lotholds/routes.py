"""JSON API of lot holds under /api/v1/inventory/holds: list, hold lots, release a lot."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query

from boh.http.deps import UowDep
from boh.http.pagination import Page, PageDep
from boh.http.routing import SecureRouter
from boh.inventory.holds import HOLD
from boh.inventory.lotholds import queries, service
from boh.inventory.lotholds.schemas import HoldIn, HoldRead, HoldsPlaced, LotReleased, ReleaseIn

READ = "inventory.stock.read"
router = SecureRouter(prefix="/api/v1/inventory", tags=["inventory"])


@router.get(
    "/holds",
    perm=READ,
    response_model=Page[HoldRead],
    summary="Lot holds (open ones by default) of the lots at the sites you see, newest first",
)
def list_holds(
    uow: UowDep,
    page: PageDep,
    site_id: int | None = None,
    lot_id: int | None = None,
    source: Annotated[str | None, Query(max_length=40)] = None,
    include_released: bool = False,
) -> Page[HoldRead]:
    items, total = queries.list_holds(
        uow.session, uow.principal.scope(READ), open_only=not include_released, site_id=site_id, lot_id=lot_id,
        source=source, limit=page.limit, offset=page.offset,
    )  # fmt: skip
    return Page(items=items, total=total, limit=page.limit, offset=page.offset)


@router.post(
    "/holds",
    perm=HOLD,
    status_code=201,
    response_model=HoldsPlaced,
    summary="Hold lots (not available, pickable or sellable) with a reason; all or none; a retry holds nothing twice",
)
def create_holds(uow: UowDep, body: HoldIn) -> HoldsPlaced:
    placed = service.hold(uow, body)
    uow.commit()
    return HoldsPlaced(holds=queries.holds_by_id(uow.session, uow.tenant_id, [h.id for h in placed]))


@router.post(
    "/holds/lots/{lot_id}/release",
    perm=HOLD,
    response_model=LotReleased,
    summary="Release a lot's holds with a reason (a recall's holds are released by closing the recall)",
)
def release_lot(uow: UowDep, lot_id: int, body: ReleaseIn) -> LotReleased:
    closed, left = service.release(uow, lot_id, body)
    uow.commit()
    return LotReleased(
        lot_id=lot_id, on_hold=bool(left), released=queries.holds_by_id(uow.session, uow.tenant_id, closed),
        still_open=queries.holds_by_id(uow.session, uow.tenant_id, [h.id for h in left]),
    )  # fmt: skip
