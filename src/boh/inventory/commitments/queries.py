"""Read models of stock commitments."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from boh.inventory.api import StockLevel, stock_levels
from boh.inventory.commitments.errors import CommitmentNotFound
from boh.inventory.commitments.models import Commitment, CommitmentEntry
from boh.inventory.commitments.schemas import (
    AvailabilityRead,
    CommitmentEntryRead,
    CommitmentFilter,
    CommitmentLotRead,
    CommitmentRead,
    PromiseStep,
)
from boh.inventory.schemas import MoveRead
from boh.kernel.paging import page
from boh.kernel.tenancy import Scope

ZERO = Decimal(0)


def _reads(session: Session, rows: Sequence[Commitment], moves: Sequence[Any] = ()) -> list[CommitmentRead]:
    ids = [c.id for c in rows]
    by_commitment: dict[int, list[CommitmentEntry]] = defaultdict(list)
    if ids:
        stmt = select(CommitmentEntry).where(CommitmentEntry.commitment_id.in_(ids)).order_by(CommitmentEntry.id)
        for e in session.scalars(stmt):
            by_commitment[e.commitment_id].append(e)
    out = []
    for c in rows:
        entries = by_commitment[c.id]
        open_by_lot: dict[int, Decimal] = {}
        for e in entries:
            open_by_lot[e.lot_key] = open_by_lot.get(e.lot_key, ZERO) + e.quantity
        out.append(
            CommitmentRead(
                id=c.id, kind=c.kind, site_id=c.site_id, item_id=c.item_id, lot_id=c.lot_id,  # type: ignore[arg-type]
                document_type=c.document_type, document_id=c.document_id, document_line=c.document_line,
                quantity=c.quantity, open_quantity=c.open_quantity, status=c.status,  # type: ignore[arg-type]
                expected_date=c.expected_date, expires_at=c.expires_at, idempotency_key=c.idempotency_key,
                actor=c.actor, created_at=c.created_at, closed_at=c.closed_at, owner=c.owner,
                receive_at=c.owner_link,
                lots=[CommitmentLotRead(lot_id=lk or None, open_quantity=q) for lk, q in open_by_lot.items() if q],
                entries=[CommitmentEntryRead.model_validate(e) for e in entries],
                moves=[MoveRead.model_validate(m) for m in moves],
            )
        )  # fmt: skip
    return out


def read(session: Session, c: Commitment, moves: Sequence[Any] = ()) -> CommitmentRead:
    return _reads(session, [c], moves)[0]


def get(session: Session, scope: Scope, kind: str, commitment_id: int) -> CommitmentRead:
    c = session.scalars(
        select(Commitment).where(Commitment.tenant_id == scope.tenant_id, Commitment.id == commitment_id)
    ).one_or_none()
    if c is None or c.kind != kind or not scope.allows_site(c.site_id):
        raise CommitmentNotFound(f"{kind} {commitment_id} not found")
    return read(session, c)


def list_commitments(
    session: Session, scope: Scope, kind: str, f: CommitmentFilter, limit: int, offset: int
) -> tuple[list[CommitmentRead], int]:
    stmt = select(Commitment).where(Commitment.tenant_id == scope.tenant_id, Commitment.kind == kind)
    if scope.site_ids is not None:
        stmt = stmt.where(Commitment.site_id.in_(sorted(scope.site_ids)))
    if f.site_id is not None:
        stmt = stmt.where(Commitment.site_id == f.site_id)
    if f.item_id is not None:
        stmt = stmt.where(Commitment.item_id == f.item_id)
    if f.document_type is not None:
        stmt = stmt.where(Commitment.document_type == f.document_type)
    if f.document_id is not None:
        stmt = stmt.where(Commitment.document_id == f.document_id)
    if f.status is not None:
        stmt = stmt.where(Commitment.status == f.status)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = list(session.scalars(page(stmt.order_by(Commitment.id.desc()), limit, offset)))
    return _reads(session, rows), total


def availability(session: Session, scope: Scope, site_id: int, item_id: int) -> AvailabilityRead:
    """Available to promise: usable stock minus reservations now, then each due date's open expected
    receipts added in date order (receipts without a date last); stock in transit is shown apart."""
    level = stock_levels(session, scope, site_id, [item_id]).get(item_id)  # 404 for a site outside the scope
    zero = StockLevel(item_id, ZERO, ZERO, ZERO, ZERO, ZERO)
    lv = level or zero
    due: dict[date | None, Decimal] = defaultdict(lambda: ZERO)
    rows = session.execute(
        select(Commitment.expected_date, Commitment.open_quantity).where(
            Commitment.tenant_id == scope.tenant_id,
            Commitment.site_id == site_id,
            Commitment.item_id == item_id,
            Commitment.kind == "incoming",
            Commitment.status == "open",
        )
    )
    for when, qty in rows:
        due[when] += qty
    running = lv.available
    timeline = []
    for when in sorted(due, key=lambda d: (d is None, d or date.max)):
        running += due[when]
        timeline.append(PromiseStep(date=when, incoming=due[when], available=running))
    return AvailabilityRead(
        site_id=site_id, item_id=item_id, on_hand=lv.on_hand, reserved=lv.reserved, available=lv.available,
        in_transit=lv.in_transit, on_order=lv.on_order, projected=lv.projected, timeline=timeline,
    )  # fmt: skip
