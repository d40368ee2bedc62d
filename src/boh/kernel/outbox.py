"""Transactional outbox: events are rows written in the same transaction as the change.

``EventBus`` holds the in-process subscriptions (wired in bootstrap.py). ``deliver`` runs one handler
for one event in its own transaction and records the delivery in that same transaction, so a handler's
effect happens exactly once even though delivery is at-least-once. The relay loop and the broker
transport live in boh.worker.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import Index, Integer, String, Text, insert, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column, sessionmaker

from boh.kernel.clock import utcnow
from boh.kernel.db import Base, BigId, error_text
from boh.kernel.events import Event, decode, encode
from boh.kernel.types import UTCDateTime

if TYPE_CHECKING:
    from boh.kernel.uow import UnitOfWork

log = logging.getLogger("boh.outbox")


class OutboxRecord(Base):
    __tablename__ = "kernel_outbox"
    __table_args__ = (Index("ix_kernel_outbox_pending", "status", "available_at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    event_id: Mapped[str] = mapped_column(String(36), unique=True)
    tenant_id: Mapped[int] = mapped_column(BigId)
    topic: Mapped[str] = mapped_column(String(120))
    payload: Mapped[str] = mapped_column(Text)
    request_id: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    available_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    status: Mapped[str] = mapped_column(String(12), default="pending")  # pending | done | failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    dispatched_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class OutboxDelivery(Base):
    """One row per (event, handler) that has taken effect: the idempotency record of handlers."""

    __tablename__ = "kernel_outbox_delivery"

    event_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    handler: Mapped[str] = mapped_column(String(200), primary_key=True)
    delivered_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


Handler = Callable[["UnitOfWork", Event], None]


@dataclass
class EventBus:
    subscriptions: dict[str, list[tuple[str, Handler]]] = field(default_factory=dict)

    def subscribe(self, topic: str, handler: Handler, *, name: str | None = None) -> None:
        hname = name or f"{handler.__module__}.{handler.__qualname__}"
        self.subscriptions.setdefault(topic, []).append((hname, handler))

    def handlers_for(self, topic: str) -> list[tuple[str, Handler]]:
        return self.subscriptions.get(topic, [])

    def handler(self, topic: str, name: str) -> Handler:
        for hname, fn in self.handlers_for(topic):
            if hname == name:
                return fn
        raise KeyError(f"no handler {name} for {topic}")


def new_row(event: Event, request_id: str | None) -> dict[str, object]:
    """The outbox row of an event, for a bulk insert (``UnitOfWork`` writes its events this way)."""
    now = utcnow()
    return {
        "event_id": str(uuid.uuid4()),
        "tenant_id": event.tenant_id,
        "topic": event.topic,
        "payload": encode(event),
        "request_id": request_id,
        "created_at": now,
        "available_at": now,
        "status": "pending",
        "attempts": 0,
    }


def insert_rows(session: Session, rows: list[dict[str, object]]) -> None:
    """Bulk insert of outbox rows (an executemany of the Core insert: no ORM objects, no RETURNING)."""
    if rows:
        session.execute(insert(OutboxRecord), rows)


def new_record(event: Event, request_id: str | None) -> OutboxRecord:
    return OutboxRecord(
        event_id=str(uuid.uuid4()),
        tenant_id=event.tenant_id,
        topic=event.topic,
        payload=encode(event),
        request_id=request_id,
        created_at=utcnow(),
        available_at=utcnow(),
        status="pending",
        attempts=0,
    )


def claim_pending(session: Session, limit: int) -> list[OutboxRecord]:
    """Pending records that are due, locked so that concurrent relays skip them (PostgreSQL)."""
    stmt = (
        select(OutboxRecord)
        .where(OutboxRecord.status == "pending", OutboxRecord.available_at <= utcnow())
        .order_by(OutboxRecord.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return list(session.scalars(stmt))


def already_delivered(session: Session, event_id: str, handler: str) -> bool:
    return session.get(OutboxDelivery, (event_id, handler)) is not None


@dataclass(frozen=True)
class PendingEvent:
    record_id: int
    event_id: str
    tenant_id: int
    topic: str
    payload: str
    request_id: str | None

    @classmethod
    def of(cls, rec: OutboxRecord) -> PendingEvent:
        return cls(rec.id, rec.event_id, rec.tenant_id, rec.topic, rec.payload, rec.request_id)


def load_pending(session_factory: sessionmaker[Session], record_id: int) -> PendingEvent:
    with session_factory() as session:
        rec = session.get(OutboxRecord, record_id)
        if rec is None:
            raise LookupError(f"outbox record {record_id} not found")
        return PendingEvent.of(rec)


def deliver(uow_factory: Callable[[int], UnitOfWork], bus: EventBus, ev: PendingEvent, handler_name: str) -> bool:
    """Run one handler for one event, exactly once in effect. True if it ran now, False if it had run."""
    handler = bus.handler(ev.topic, handler_name)
    with uow_factory(ev.tenant_id) as uow:
        if already_delivered(uow.session, ev.event_id, handler_name):
            return False
        uow.request_id = ev.request_id
        handler(uow, decode(ev.topic, ev.payload))
        uow.session.add(OutboxDelivery(event_id=ev.event_id, handler=handler_name, delivered_at=utcnow()))
        uow.commit()
    return True


def mark_done(session: Session, *record_ids: int) -> None:
    session.execute(
        update(OutboxRecord)
        .where(OutboxRecord.id.in_(sorted(record_ids)))
        .values(status="done", dispatched_at=utcnow(), last_error=None)
    )


def mark_failed_attempt(session: Session, record_id: int, error: str, max_attempts: int) -> None:
    rec = session.get(OutboxRecord, record_id)
    if rec is None:
        return
    rec.attempts += 1
    rec.last_error = error[:2000]
    rec.available_at = utcnow() + timedelta(seconds=min(2**rec.attempts, 3600))
    if rec.attempts >= max_attempts:
        rec.status = "failed"


LEASE = timedelta(seconds=120)


def claim(session_factory: sessionmaker[Session], batch_size: int) -> list[PendingEvent]:
    """Take a lease on due records (short transaction) so that concurrent relays skip them."""
    with session_factory() as session, session.begin():
        rows = claim_pending(session, batch_size)
        for rec in rows:
            rec.available_at = utcnow() + LEASE
        return [PendingEvent.of(r) for r in rows]


def relay_once(
    session_factory: sessionmaker[Session],
    uow_factory: Callable[[int], UnitOfWork],
    bus: EventBus,
    *,
    batch_size: int = 200,
    max_attempts: int = 10,
) -> int:
    """Deliver due events to every subscribed handler in-process. Returns how many records completed.

    A crash anywhere leaves the lease to expire; the next relay retries, and the delivery records make
    the retry a no-op for handlers that had already taken effect.
    """
    done: list[int] = []
    try:
        for ev in claim(session_factory, batch_size):
            try:
                for hname, _fn in bus.handlers_for(ev.topic):
                    deliver(uow_factory, bus, ev, hname)
            except Exception as exc:  # one failing handler must not stop the relay
                log.warning(
                    "outbox handler failed: topic=%s record=%s error=%s", ev.topic, ev.record_id, type(exc).__name__
                )
                with session_factory() as session, session.begin():
                    mark_failed_attempt(session, ev.record_id, error_text(exc), max_attempts)
                continue
            done.append(ev.record_id)
    finally:
        # the claimed batch is marked done in ONE transaction (a commit per record cost a WAL flush each);
        # a crash before it leaves the records leased: redelivered later, a no-op for every handler
        if done:
            with session_factory() as session, session.begin():
                mark_done(session, *done)
    return len(done)
