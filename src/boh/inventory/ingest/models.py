"""Tables owned by floor-event ingestion (a sub-area of the inventory domain).

- ``inventory_ingested_event``: the exactly-once ledger of floor events, keyed by (tenant, source,
  event_id). An event is *claimed* with ``INSERT .. ON CONFLICT DO NOTHING RETURNING`` in the transaction
  that applies it, so a retried batch (or the same batch sent twice at once) applies each event once.
  The move an event made carries the idempotency key ``ev:<len>:<source>:<len>:<event_id>`` (service.move_key).
- ``inventory_rfid_tag``: one row per RFID tag, keyed by its EPC: where it was last seen and its status
  (present | sold | missing | left). A projection of RFID reads and sales; it never moves stock.
- ``inventory_rfid_session`` / ``inventory_rfid_session_read``: zone read sessions (automatic cycle
  counts) and the tags seen in them; closing a session stores its report.
- ``inventory_weight_shelf`` / ``inventory_shelf_observation``: the last reading of each weight shelf and
  the drops between readings (kept for reconciliation, not stock moves).
- ``inventory_alert``: floor alerts (kind "shrink" for now), opened and closed.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from boh.kernel.clock import utcnow
from boh.kernel.db import Base, BigId, IdMixin
from boh.kernel.types import Qty, UTCDateTime

_PRESENT = text("status = 'present'")
_GONE = text("status <> 'present'")


class IngestedEvent(Base):
    __tablename__ = "inventory_ingested_event"

    # no foreign keys on this append-only claim ledger (see inventory.models.Move): the site is resolved in
    # the claiming transaction and sites are never deleted. No surrogate id either: the claim's key is its
    # identity, so a claim costs one index entry and no sequence call
    tenant_id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=False)
    source: Mapped[str] = mapped_column(String(80), primary_key=True)
    event_id: Mapped[str] = mapped_column(String(80), primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    site_id: Mapped[int] = mapped_column(BigId)
    transport: Mapped[str] = mapped_column(String(20))
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ingested_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class RfidTag(Base):
    __tablename__ = "inventory_rfid_tag"
    __table_args__ = (
        # Every tag write (a read, a sale marking it sold) is a new row version with an entry in each index:
        # the tag is keyed by its EPC alone (no surrogate id, migration 0111tagkey), and its (site, item)
        # indexes are split by status, so a sold tag's version goes into one of them. Present tags: per
        # (site, item) the most recently seen first (rfid.TagWant, read backwards), and the site's present
        # tags when a zone session closes
        Index(
            "ix_inventory_rfid_tag_present", "tenant_id", "site_id", "item_id", "last_seen_at", "epc",
            postgresql_where=_PRESENT, sqlite_where=_PRESENT,
        ),
        # the others: sold tags by when they were sold (the swap candidates of an exit read); a query states
        # ``status <> 'present'`` (SQLite uses a partial index only for a query that repeats its condition)
        Index(
            "ix_inventory_rfid_tag_gone", "tenant_id", "site_id", "item_id", "status", "sold_at",
            postgresql_where=_GONE, sqlite_where=_GONE,
        ),
    )  # fmt: skip

    tenant_id: Mapped[int] = mapped_column(ForeignKey("org_tenant.id"), primary_key=True, autoincrement=False)
    epc: Mapped[str] = mapped_column(String(64), primary_key=True)  # upper-case tag hex as read
    item_id: Mapped[int] = mapped_column(ForeignKey("catalog_item.id"))
    site_id: Mapped[int] = mapped_column(ForeignKey("org_site.id"))
    last_zone: Mapped[str] = mapped_column(String(20))
    last_reader: Mapped[str | None] = mapped_column(String(80))
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime())
    status: Mapped[str] = mapped_column(String(10))  # present | sold | missing | left
    sold_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class RfidSession(IdMixin, Base):
    __tablename__ = "inventory_rfid_session"
    __table_args__ = (UniqueConstraint("tenant_id", "session_id"),)

    tenant_id: Mapped[int] = mapped_column(ForeignKey("org_tenant.id"))
    session_id: Mapped[str] = mapped_column(String(80))
    site_id: Mapped[int] = mapped_column(ForeignKey("org_site.id"))
    zone: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(10), default="open")  # open | closed
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    report: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class RfidSessionRead(IdMixin, Base):
    __tablename__ = "inventory_rfid_session_read"
    __table_args__ = (UniqueConstraint("tenant_id", "session_id", "epc"),)

    tenant_id: Mapped[int] = mapped_column(ForeignKey("org_tenant.id"))
    session_id: Mapped[str] = mapped_column(String(80))
    epc: Mapped[str] = mapped_column(String(64))
    item_id: Mapped[int] = mapped_column(ForeignKey("catalog_item.id"))
    expected: Mapped[bool] = mapped_column(Boolean)  # present in the session's site and zone before this read
    read_at: Mapped[datetime] = mapped_column(UTCDateTime())


class WeightShelf(IdMixin, Base):
    __tablename__ = "inventory_weight_shelf"
    __table_args__ = (UniqueConstraint("tenant_id", "site_id", "shelf"),)

    tenant_id: Mapped[int] = mapped_column(ForeignKey("org_tenant.id"))
    site_id: Mapped[int] = mapped_column(ForeignKey("org_site.id"))
    shelf: Mapped[str] = mapped_column(String(80))
    item_id: Mapped[int] = mapped_column(ForeignKey("catalog_item.id"))
    weight_g: Mapped[Decimal] = mapped_column(Qty())
    quantity: Mapped[Decimal] = mapped_column(Qty())  # in the item's base unit
    read_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ShelfObservation(IdMixin, Base):
    __tablename__ = "inventory_shelf_observation"
    __table_args__ = (Index("ix_inventory_shelf_observation_site_item", "tenant_id", "site_id", "item_id"),)

    tenant_id: Mapped[int] = mapped_column(ForeignKey("org_tenant.id"))
    site_id: Mapped[int] = mapped_column(ForeignKey("org_site.id"))
    shelf: Mapped[str] = mapped_column(String(80))
    item_id: Mapped[int] = mapped_column(ForeignKey("catalog_item.id"))
    kind: Mapped[str] = mapped_column(String(20))  # shelf_drop
    quantity: Mapped[Decimal] = mapped_column(Qty())  # base units that left the shelf
    weight_g: Mapped[Decimal] = mapped_column(Qty())  # grams that left the shelf
    observed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    reconciled: Mapped[bool] = mapped_column(Boolean, default=False)


class Alert(IdMixin, Base):
    __tablename__ = "inventory_alert"
    __table_args__ = (Index("ix_inventory_alert_tenant_site_open", "tenant_id", "site_id", "is_open"),)

    tenant_id: Mapped[int] = mapped_column(ForeignKey("org_tenant.id"))
    site_id: Mapped[int] = mapped_column(ForeignKey("org_site.id"))
    kind: Mapped[str] = mapped_column(String(20))  # shrink
    item_id: Mapped[int | None] = mapped_column(ForeignKey("catalog_item.id"))
    epc: Mapped[str | None] = mapped_column(String(64))
    message: Mapped[str] = mapped_column(String(300))
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    is_open: Mapped[bool] = mapped_column(Boolean, default=True)
    occurred_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # when it happened (the exit read)
    raised_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_by: Mapped[str | None] = mapped_column(String(120))
    close_note: Mapped[str | None] = mapped_column(String(300))


class DeadLetter(IdMixin, Base):
    """A floor event that was rejected for its own content (validation, a value the database cannot store, a
    stock rule), kept so that nothing a device sent is lost: people list it, fix what was wrong (master
    data, stock) and replay it, or discard it with a note. ``event`` is the event as received, as JSON text
    with every non-ASCII character escaped (so a NUL or an unpaired surrogate is kept and stored safely)."""

    __tablename__ = "inventory_dead_letter"
    __table_args__ = (Index("ix_inventory_dead_letter_tenant_status", "tenant_id", "status", "id"),)

    tenant_id: Mapped[int] = mapped_column(ForeignKey("org_tenant.id"))
    site_id: Mapped[int | None] = mapped_column(ForeignKey("org_site.id"))  # when the event's site is known
    transport: Mapped[str] = mapped_column(String(20))  # http | mqtt | replay
    topic: Mapped[str | None] = mapped_column(String(200))
    event_id: Mapped[str | None] = mapped_column(String(200))  # escaped like ``event``
    event: Mapped[str] = mapped_column(Text)
    code: Mapped[str] = mapped_column(String(60))
    message: Mapped[str] = mapped_column(String(500))
    status: Mapped[str] = mapped_column(String(12), default="open")  # open | replayed | discarded
    attempts: Mapped[int] = mapped_column(Integer, default=1)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    resolved_by: Mapped[str | None] = mapped_column(String(120))
    note: Mapped[str | None] = mapped_column(String(300))
