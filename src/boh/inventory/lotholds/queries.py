"""Reads of lot holds for the API: holds with their lot and item, filtered to the sites in scope."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session

from boh.catalog.api import item_view
from boh.inventory.lotholds.schemas import HoldRead
from boh.inventory.models import Balance, Lot, LotHold
from boh.kernel.paging import page
from boh.kernel.tenancy import Scope


def at_sites(scope: Scope, site_id: int | None = None) -> Any:
    """SQL condition: the lot (``Lot.id``) has a balance row at a site in scope (and at ``site_id``)."""
    cond = [Balance.tenant_id == scope.tenant_id, Balance.lot_id == Lot.id]
    if scope.site_ids is not None:
        cond.append(Balance.site_id.in_(sorted(scope.site_ids)))
    if site_id is not None:
        cond.append(Balance.site_id == site_id)
    return exists().where(*cond)


def lots_in_scope(session: Session, scope: Scope, lot_ids: Iterable[int]) -> set[int]:
    """Which of these lots the scope may act on: every lot of the tenant for tenant-wide scopes, else the
    lots with a balance at one of its sites."""
    ids = sorted(set(lot_ids))
    stmt = select(Lot.id).where(Lot.tenant_id == scope.tenant_id, Lot.id.in_(ids))
    if scope.site_ids is not None:
        stmt = stmt.where(at_sites(scope))
    return set(session.scalars(stmt))


def list_holds(
    session: Session,
    scope: Scope,
    *,
    open_only: bool = True,
    site_id: int | None = None,
    lot_id: int | None = None,
    source: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[HoldRead], int]:
    item = item_view()
    stmt = (
        select(LotHold, Lot.lot_code, Lot.item_id, Lot.expiry_date, item.c.sku)
        .join(Lot, Lot.id == LotHold.lot_id)
        .join(item, item.c.id == Lot.item_id)
        .where(LotHold.tenant_id == scope.tenant_id)
    )
    if scope.site_ids is not None or site_id is not None:
        stmt = stmt.where(at_sites(scope, site_id))
    if open_only:
        stmt = stmt.where(LotHold.released_at.is_(None))
    if lot_id is not None:
        stmt = stmt.where(LotHold.lot_id == lot_id)
    if source is not None:
        stmt = stmt.where(LotHold.source == source)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = session.execute(page(stmt.order_by(LotHold.id.desc()), limit, offset)).all()
    return [_read(h, code, item_id, sku) for h, code, item_id, _exp, sku in rows], total


def holds_by_id(session: Session, tenant_id: int, hold_ids: Iterable[int]) -> list[HoldRead]:
    ids = sorted(set(hold_ids))
    if not ids:
        return []
    item = item_view()
    rows = session.execute(
        select(LotHold, Lot.lot_code, Lot.item_id, Lot.expiry_date, item.c.sku)
        .join(Lot, Lot.id == LotHold.lot_id)
        .join(item, item.c.id == Lot.item_id)
        .where(LotHold.tenant_id == tenant_id, LotHold.id.in_(ids))
        .order_by(LotHold.id)
    ).all()
    return [_read(h, code, item_id, sku) for h, code, item_id, _exp, sku in rows]


def _read(h: LotHold, lot_code: str, item_id: int, sku: str) -> HoldRead:
    return HoldRead(
        id=h.id, lot_id=h.lot_id, lot_code=lot_code, item_id=item_id, sku=sku, reason=h.reason, source=h.source,
        source_ref=h.source_ref, held_by=h.held_by, held_at=h.held_at, released_at=h.released_at,
        released_by=h.released_by, release_reason=h.release_reason,
    )  # fmt: skip
