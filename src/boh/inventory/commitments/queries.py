"""Read models of stock commitments."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from boh.inventory.commitments.errors import CommitmentNotFound
from boh.inventory.commitments.models import Commitment, CommitmentEntry
from boh.inventory.commitments.schemas import (
    CommitmentEntryRead,
    CommitmentFilter,
    CommitmentLotRead,
    CommitmentRead,
)
from boh.inventory.models import Move
from boh.inventory.schemas import MoveRead
from boh.kernel.tenancy import Scope

ZERO = Decimal(0)


def _reads(session: Session, rows: Sequence[Commitment], moves: Sequence[Move] = ()) -> list[CommitmentRead]:
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
                actor=c.actor, created_at=c.created_at, closed_at=c.closed_at,
                lots=[CommitmentLotRead(lot_id=lk or None, open_quantity=q) for lk, q in open_by_lot.items() if q],
                entries=[CommitmentEntryRead.model_validate(e) for e in entries],
                moves=[MoveRead.model_validate(m) for m in moves],
            )
        )  # fmt: skip
    return out


def read(session: Session, c: Commitment, moves: Sequence[Move] = ()) -> CommitmentRead:
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
    rows = list(session.scalars(stmt.order_by(Commitment.id.desc()).limit(limit).offset(offset)))
    return _reads(session, rows), total
