"""Append-only, hash-chained audit trail.

Each tenant has one chain (chain 0 is the platform's). A record's hash is SHA-256 over the previous
record's hash and a canonical JSON encoding of the record, so editing, deleting or reordering any
record breaks the chain from that point, and ``verify`` names the first broken record.
Records are appended in the same transaction as the change they describe, under a row lock on the
chain head, so the chain is a total order even with many writers.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Index, String, Text, UniqueConstraint, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, Session, mapped_column

from boh.kernel.clock import utcnow
from boh.kernel.db import Base, BigId
from boh.kernel.events import canonical_json
from boh.kernel.types import UTCDateTime

GENESIS = "0" * 64


class AuditRecord(Base):
    __tablename__ = "kernel_audit"
    __table_args__ = (
        UniqueConstraint("chain_id", "seq"),
        Index("ix_kernel_audit_entity", "chain_id", "entity_type", "entity_id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    chain_id: Mapped[int] = mapped_column(BigInteger)
    seq: Mapped[int] = mapped_column(BigInteger)
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    actor: Mapped[str] = mapped_column(String(120))
    action: Mapped[str] = mapped_column(String(120))
    entity_type: Mapped[str] = mapped_column(String(80))
    entity_id: Mapped[str] = mapped_column(String(80))
    before: Mapped[str | None] = mapped_column(Text)
    after: Mapped[str | None] = mapped_column(Text)
    request_id: Mapped[str | None] = mapped_column(String(64))
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class AuditHead(Base):
    """The last record of each chain; locked while appending so that appends are serialised."""

    __tablename__ = "kernel_audit_head"

    chain_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    seq: Mapped[int] = mapped_column(BigInteger, default=0)
    hash: Mapped[str] = mapped_column(String(64), default=GENESIS)


def _content(rec: AuditRecord) -> dict[str, Any]:
    return {
        "chain": rec.chain_id,
        "seq": rec.seq,
        "at": rec.at.isoformat(),
        "actor": rec.actor,
        "action": rec.action,
        "entity_type": rec.entity_type,
        "entity_id": rec.entity_id,
        "before": rec.before,
        "after": rec.after,
        "request_id": rec.request_id,
    }


def compute_hash(prev_hash: str, rec: AuditRecord) -> str:
    return hashlib.sha256((prev_hash + canonical_json(_content(rec))).encode()).hexdigest()


def _lock_head(session: Session, chain_id: int) -> AuditHead:
    dialect = session.get_bind().dialect.name
    ins = postgresql.insert(AuditHead) if dialect == "postgresql" else sqlite.insert(AuditHead)
    session.execute(ins.values(chain_id=chain_id, seq=0, hash=GENESIS).on_conflict_do_nothing())
    head = session.scalars(
        select(AuditHead)
        .where(AuditHead.chain_id == chain_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()
    return head


def append(
    session: Session,
    *,
    chain_id: int,
    actor: str,
    action: str,
    entity_type: str,
    entity_id: str,
    before: Any = None,
    after: Any = None,
    request_id: str | None = None,
    at: datetime | None = None,
) -> AuditRecord:
    head = _lock_head(session, chain_id)
    rec = AuditRecord(
        chain_id=chain_id,
        seq=head.seq + 1,
        at=at or utcnow(),
        actor=actor,
        action=action,
        entity_type=entity_type,
        entity_id=str(entity_id),
        before=None if before is None else canonical_json(before),
        after=None if after is None else canonical_json(after),
        request_id=request_id,
        prev_hash=head.hash,
    )
    rec.hash = compute_hash(head.hash, rec)
    session.add(rec)
    head.seq, head.hash = rec.seq, rec.hash
    return rec


@dataclass(frozen=True)
class AuditEntry:
    """One record to append with ``append_many`` (same meaning as ``append``'s arguments)."""

    action: str
    entity_type: str
    entity_id: str
    before: Any = None
    after: Any = None


def append_many(
    session: Session,
    *,
    chain_id: int,
    actor: str,
    entries: list[AuditEntry],
    request_id: str | None = None,
    at: datetime | None = None,
) -> list[AuditRecord]:
    """Append several records under one lock of the chain head (bulk imports): the same chain as
    calling ``append`` for each entry in order, in one round trip instead of one per record."""
    if not entries:
        return []
    head = _lock_head(session, chain_id)
    when = at or utcnow()
    records: list[AuditRecord] = []
    seq, prev = head.seq, head.hash
    for e in entries:
        seq += 1
        rec = AuditRecord(
            chain_id=chain_id,
            seq=seq,
            at=when,
            actor=actor,
            action=e.action,
            entity_type=e.entity_type,
            entity_id=str(e.entity_id),
            before=None if e.before is None else canonical_json(e.before),
            after=None if e.after is None else canonical_json(e.after),
            request_id=request_id,
            prev_hash=prev,
        )
        rec.hash = prev = compute_hash(prev, rec)
        records.append(rec)
    session.add_all(records)
    head.seq, head.hash = seq, prev
    return records


@dataclass(frozen=True)
class ChainProblem:
    chain_id: int
    seq: int
    record_id: int | None
    kind: str  # edited | deleted | reordered | truncated
    message: str


def _iter_chain(session: Session, chain_id: int) -> Iterator[AuditRecord]:
    stmt = select(AuditRecord).where(AuditRecord.chain_id == chain_id).order_by(AuditRecord.seq)
    yield from session.scalars(stmt.execution_options(yield_per=1000))


def verify_chain(session: Session, chain_id: int) -> tuple[int, ChainProblem | None]:
    """Walk one chain; return (records checked, first problem or None)."""
    prev_hash, expected, checked, last_id = GENESIS, 1, 0, None
    # linkage is checked before the record's own hash, so that records moved to another position are
    # reported as reordered rather than edited (their seq is part of their hash)
    for rec in _iter_chain(session, chain_id):
        if rec.seq != expected:
            kind = "deleted" if rec.seq > expected else "reordered"
            return checked, ChainProblem(
                chain_id, expected, rec.id, kind, f"record seq {expected} is missing (next found: seq {rec.seq})"
            )
        if rec.prev_hash != prev_hash:
            return checked, ChainProblem(
                chain_id,
                rec.seq,
                rec.id,
                "reordered",
                f"record seq {rec.seq} (id {rec.id}) does not follow seq {rec.seq - 1}: "
                "records were reordered, replaced or deleted",
            )
        if compute_hash(rec.prev_hash, rec) != rec.hash:
            return checked, ChainProblem(
                chain_id,
                rec.seq,
                rec.id,
                "edited",
                f"record seq {rec.seq} (id {rec.id}) was edited: its hash does not match",
            )
        if last_id is not None and rec.id < last_id:
            return checked, ChainProblem(
                chain_id,
                rec.seq,
                rec.id,
                "reordered",
                f"record seq {rec.seq} (id {rec.id}) was moved before seq {rec.seq - 1}",
            )
        prev_hash, expected, checked, last_id = rec.hash, expected + 1, checked + 1, rec.id
    head = session.get(AuditHead, chain_id)
    if head is not None and (head.seq != expected - 1 or head.hash != prev_hash):
        return checked, ChainProblem(
            chain_id,
            expected,
            None,
            "truncated",
            f"the chain ends at seq {expected - 1} but its head says seq {head.seq}: the newest records were deleted",
        )
    return checked, None


def chain_ids(session: Session) -> list[int]:
    ids = set(session.scalars(select(AuditRecord.chain_id).distinct()))
    ids |= set(session.scalars(select(AuditHead.chain_id)))
    return sorted(ids)
