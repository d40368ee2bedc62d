"""Read-side queries of stock commitments; the ledger writes them (boh.inventory.ledger.commitments)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from boh.inventory.commitments.domain import Stock
from boh.inventory.commitments.models import Commitment, CommitmentEntry
from boh.inventory.ledger.contract import PostedMove
from boh.inventory.ledger.store import posted_move
from boh.inventory.models import Balance, Lot, Move


def _insert(session: Session, model: Any) -> Any:
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    return dialect.insert(model)


def get(session: Session, tenant_id: int, commitment_id: int, *, for_update: bool = False) -> Commitment | None:
    stmt = select(Commitment).where(Commitment.tenant_id == tenant_id, Commitment.id == commitment_id)
    if for_update:
        stmt = stmt.with_for_update().execution_options(populate_existing=True)
    return session.scalars(stmt).one_or_none()


def by_key(session: Session, tenant_id: int, key: str) -> Commitment | None:
    stmt = select(Commitment).where(Commitment.tenant_id == tenant_id, Commitment.idempotency_key == key)
    return session.scalars(stmt).one_or_none()


def open_by_lot(session: Session, commitment_id: int) -> list[tuple[int, Decimal]]:
    """(lot_key, open quantity) of a commitment, in the order its lots were first allocated."""
    rows = session.execute(
        select(CommitmentEntry.lot_key, func.sum(CommitmentEntry.quantity), func.min(CommitmentEntry.id))
        .where(CommitmentEntry.commitment_id == commitment_id)
        .group_by(CommitmentEntry.lot_key)
        .order_by(func.min(CommitmentEntry.id))
    ).all()
    return [(int(lk), Decimal(q)) for lk, q, _first in rows]


def request_entries(session: Session, tenant_id: int, commitment_id: int, key: str) -> list[CommitmentEntry]:
    stmt = select(CommitmentEntry).where(
        CommitmentEntry.tenant_id == tenant_id,
        CommitmentEntry.commitment_id == commitment_id,
        CommitmentEntry.request_key == key,
    )
    return list(session.scalars(stmt.order_by(CommitmentEntry.id)))


def entries(session: Session, commitment_id: int) -> list[CommitmentEntry]:
    stmt = select(CommitmentEntry).where(CommitmentEntry.commitment_id == commitment_id)
    return list(session.scalars(stmt.order_by(CommitmentEntry.id)))


def stock_of(session: Session, tenant_id: int, site_id: int, item_id: int) -> list[Stock]:
    """The balances of an item at a site with their lots, read fresh (call it after locking the cost row)."""
    rows = session.execute(
        select(
            Balance.lot_key, Lot.lot_code, Lot.expiry_date, Lot.status, Balance.on_hand, Balance.reserved, Lot.on_hold
        )
        .outerjoin(Lot, Lot.id == Balance.lot_id)
        .where(Balance.tenant_id == tenant_id, Balance.site_id == site_id, Balance.item_id == item_id)
        .order_by(Balance.lot_key)
    ).all()
    return [
        Stock(int(lk), code, exp, status, on_hand, reserved, bool(held))
        for lk, code, exp, status, on_hand, reserved, held in rows
    ]


def due_to_expire(session: Session, now: datetime, limit: int) -> list[tuple[int, int]]:
    """(tenant_id, commitment_id) of open reservations past their expiry, oldest first; a reservation a
    document owns is not expired by the worker (its owner releases it)."""
    rows = session.execute(
        select(Commitment.tenant_id, Commitment.id)
        .where(
            Commitment.kind == "reservation",
            Commitment.status == "open",
            Commitment.owner.is_(None),
            Commitment.expires_at.is_not(None),
            Commitment.expires_at <= now,
        )
        .order_by(Commitment.expires_at, Commitment.id)
        .limit(limit)
    ).all()
    return [(int(t), int(c)) for t, c in rows]


def moves(session: Session, tenant_id: int, ids: Sequence[int]) -> list[PostedMove]:
    """The moves a request posted (a replay returns them), by id."""
    if not ids:
        return []
    rows = session.scalars(select(Move).where(Move.tenant_id == tenant_id, Move.id.in_(ids)).order_by(Move.id))
    return [posted_move(m) for m in rows]
