"""Tables owned by the trace domain: recalls (and mock recalls) with their affected lots and sites and each
store's confirmation of removal, and the EPCIS events imported from suppliers with the identifiers they
name (lots, serials, locations) for tracing."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from boh.kernel.clock import utcnow
from boh.kernel.db import Base, BigId, IdMixin
from boh.kernel.types import Qty, UTCDateTime

ZERO = Decimal(0)


class Recall(IdMixin, Base):
    __tablename__ = "trace_recall"
    __table_args__ = (UniqueConstraint("tenant_id", "number"), Index("ix_trace_recall_status", "tenant_id", "status"))

    tenant_id: Mapped[int] = mapped_column(ForeignKey("org_tenant.id"))
    number: Mapped[str] = mapped_column(String(20))
    mock: Mapped[bool] = mapped_column(Boolean, default=False)  # a drill: the same flow without blocking
    status: Mapped[str] = mapped_column(String(12), default="open")  # open | closed
    reason: Mapped[str] = mapped_column(String(500))
    origin: Mapped[dict[str, Any]] = mapped_column(JSON)  # lot_ids, or supplier_id / item_ids and a date range
    summary: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # counts and quantities at the start
    seconds: Mapped[str | None] = mapped_column(String(20))  # how long finding and blocking took
    created_by: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    closed_by: Mapped[str | None] = mapped_column(String(120))
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    close_note: Mapped[str | None] = mapped_column(String(500))


class RecallLot(IdMixin, Base):
    """A lot the recall reaches (the origin lots at depth 0 and every lot made from them)."""

    __tablename__ = "trace_recall_lot"
    __table_args__ = (UniqueConstraint("recall_id", "lot_id"),)

    recall_id: Mapped[int] = mapped_column(ForeignKey("trace_recall.id"))
    lot_id: Mapped[int] = mapped_column(BigId)
    item_id: Mapped[int] = mapped_column(BigId)
    lot_code: Mapped[str] = mapped_column(String(60))
    depth: Mapped[int] = mapped_column(Integer, default=0)


class RecallSite(IdMixin, Base):
    """A lot at a site when the recall started: on hand, sold, wasted, in transit to it; and the site's
    confirmation that it removed the stock."""

    __tablename__ = "trace_recall_site"
    __table_args__ = (
        UniqueConstraint("recall_id", "site_id", "lot_id"),
        Index("ix_trace_recall_site", "recall_id", "site_id"),
    )

    recall_id: Mapped[int] = mapped_column(ForeignKey("trace_recall.id"))
    site_id: Mapped[int] = mapped_column(BigId)
    lot_id: Mapped[int] = mapped_column(BigId)
    on_hand: Mapped[Decimal] = mapped_column(Qty(), default=ZERO)
    sold: Mapped[Decimal] = mapped_column(Qty(), default=ZERO)
    wasted: Mapped[Decimal] = mapped_column(Qty(), default=ZERO)
    in_transit: Mapped[Decimal] = mapped_column(Qty(), default=ZERO)
    notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    confirmed_by: Mapped[str | None] = mapped_column(String(120))
    removed: Mapped[Decimal | None] = mapped_column(Qty())
    note: Mapped[str | None] = mapped_column(String(500))


class EpcisEvent(IdMixin, Base):
    """One EPCIS event imported from a supplier's document (kept whole in ``body``)."""

    __tablename__ = "trace_epcis_event"
    __table_args__ = (UniqueConstraint("tenant_id", "event_key"),)

    tenant_id: Mapped[int] = mapped_column(ForeignKey("org_tenant.id"))
    event_key: Mapped[str] = mapped_column(String(200))  # its eventID, else a digest of its content
    event_type: Mapped[str] = mapped_column(String(40))
    event_time: Mapped[datetime | None] = mapped_column(UTCDateTime())
    action: Mapped[str | None] = mapped_column(String(10))
    biz_step: Mapped[str | None] = mapped_column(String(200))
    disposition: Mapped[str | None] = mapped_column(String(200))
    document: Mapped[str] = mapped_column(String(200))  # the imported document's name
    body: Mapped[str] = mapped_column(Text)
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    imported_by: Mapped[str] = mapped_column(String(120))


class EpcisIdentifier(IdMixin, Base):
    """An identifier an imported event names, normalised (GS1 Digital Link where it is a GTIN with a lot or
    serial), with its role: object | input | output | parent | child | read_point | biz_location."""

    __tablename__ = "trace_epcis_identifier"
    __table_args__ = (Index("ix_trace_epcis_identifier", "tenant_id", "identifier"),)

    tenant_id: Mapped[int] = mapped_column(ForeignKey("org_tenant.id"))
    event_id: Mapped[int] = mapped_column(ForeignKey("trace_epcis_event.id"))
    identifier: Mapped[str] = mapped_column(String(300))
    role: Mapped[str] = mapped_column(String(20))
