"""Write-side queries of stock commitments. Lock order: the commitment row, then what posting locks (the
(site, item) cost rows, balances, the audit chain head; see boh.inventory.repository)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from boh.inventory import repository as inv_repo
from boh.inventory.commitments.domain import Stock
from boh.inventory.commitments.models import Commitment, CommitmentEntry
from boh.inventory.models import Balance, Lot, Move
from boh.kernel.clock import utcnow


def _insert(session: Session, model: Any) -> Any:
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    return dialect.insert(model)


Deltas = Mapping[inv_repo.BalanceKey, tuple[Decimal, Decimal]]  # (reserved, on_order) per balance


def insert_commitment(session: Session, values: dict[str, Any]) -> int | None:
    """The new commitment's id, or None when its idempotency key is taken (atomic, no race)."""
    now = utcnow()
    stmt = (
        _insert(session, Commitment)
        .values(**values, created_at=now, updated_at=now)
        .on_conflict_do_nothing(index_elements=["tenant_id", "idempotency_key"])
        .returning(Commitment.id)
    )
    new_id: int | None = session.execute(stmt).scalar_one_or_none()
    return new_id


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
        select(Balance.lot_key, Lot.lot_code, Lot.expiry_date, Lot.status, Balance.on_hand, Balance.reserved)
        .outerjoin(Lot, Lot.id == Balance.lot_id)
        .where(Balance.tenant_id == tenant_id, Balance.site_id == site_id, Balance.item_id == item_id)
        .order_by(Balance.lot_key)
    ).all()
    return [Stock(int(lk), code, exp, status, on_hand, reserved) for lk, code, exp, status, on_hand, reserved in rows]


def add_to_balances(session: Session, tenant_id: int, deltas: Deltas) -> None:
    """Add (reserved, on_order) deltas to the balances atomically, rows in key order."""
    ordered = sorted(deltas)
    if not ordered:
        return
    now = utcnow()
    rows = [
        {
            "tenant_id": tenant_id, "site_id": s, "item_id": i, "lot_id": lk or None, "lot_key": lk, "on_hand": 0,
            "reserved": deltas[(s, i, lk)][0], "in_transit": 0, "on_order": deltas[(s, i, lk)][1],
            "updated_at": now,
        }
        for s, i, lk in ordered
    ]  # fmt: skip
    ins = _insert(session, Balance).values(rows)
    session.execute(
        ins.on_conflict_do_update(
            index_elements=["tenant_id", "site_id", "item_id", "lot_key"],
            set_={
                "reserved": Balance.reserved + ins.excluded.reserved,
                "on_order": Balance.on_order + ins.excluded.on_order,
                "updated_at": ins.excluded.updated_at,
            },
        )
    )


def due_to_expire(session: Session, now: datetime, limit: int) -> list[tuple[int, int]]:
    """(tenant_id, commitment_id) of open reservations past their expiry, oldest first."""
    rows = session.execute(
        select(Commitment.tenant_id, Commitment.id)
        .where(
            Commitment.kind == "reservation",
            Commitment.status == "open",
            Commitment.expires_at.is_not(None),
            Commitment.expires_at <= now,
        )
        .order_by(Commitment.expires_at, Commitment.id)
        .limit(limit)
    ).all()
    return [(int(t), int(c)) for t, c in rows]


def moves(session: Session, tenant_id: int, ids: Sequence[int]) -> list[Move]:
    """The moves a request posted (a replay returns them), by id."""
    if not ids:
        return []
    return list(session.scalars(select(Move).where(Move.tenant_id == tenant_id, Move.id.in_(ids)).order_by(Move.id)))
