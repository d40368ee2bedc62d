"""Tables of stocktakes (owned by the inventory domain, sub-area counts).

``inventory_count`` is the count document, ``inventory_count_line`` one line per (item, lot) with the
expected quantity frozen at the start, ``inventory_count_entry`` every quantity a counter entered (scan,
manual or RFID), and ``inventory_count_settings`` the per-tenant thresholds. Lines key on ``lot_key`` =
``COALESCE(lot_id, 0)`` like the balances, so (count, item, lot_key) is a plain unique constraint.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import JSON, BigInteger, Boolean, Date, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from boh.kernel.clock import utcnow
from boh.kernel.db import Base, IdMixin, TimestampMixin
from boh.kernel.types import MoneyAmount, Qty, UTCDateTime

ZERO = Decimal(0)


class Count(IdMixin, TimestampMixin, Base):
    __tablename__ = "inventory_count"
    __table_args__ = (
        Index("ix_inventory_count_tenant_site_status", "tenant_id", "site_id", "status"),
        Index("ix_inventory_count_tenant_assignee", "tenant_id", "assignee_id"),
    )

    tenant_id: Mapped[int] = mapped_column(ForeignKey("org_tenant.id"))
    site_id: Mapped[int] = mapped_column(ForeignKey("org_site.id"))
    kind: Mapped[str] = mapped_column(String(10))  # full | cycle
    abc_classes: Mapped[str | None] = mapped_column(String(5))  # e.g. "AB" (cycle counts)
    item_ids: Mapped[list[int] | None] = mapped_column(JSON)  # cycle counts: these items only
    blind: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(12), default="draft")
    scheduled_for: Mapped[date | None] = mapped_column(Date)
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("org_user.id"))
    note: Mapped[str | None] = mapped_column(String(500))
    currency: Mapped[str] = mapped_column(String(3))
    created_by: Mapped[str] = mapped_column(String(120))
    frozen_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    total_abs_value: Mapped[Decimal | None] = mapped_column(MoneyAmount())  # sum |variance value| at review
    approved_by: Mapped[str | None] = mapped_column(String(120))
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    posted_by: Mapped[str | None] = mapped_column(String(120))
    posted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    moves_posted: Mapped[int] = mapped_column(Integer, default=0)
    round: Mapped[int] = mapped_column(Integer, default=0)  # recount rounds so far; entries go to this round


class CountLine(IdMixin, Base):
    __tablename__ = "inventory_count_line"
    __table_args__ = (UniqueConstraint("count_id", "item_id", "lot_key"),)

    tenant_id: Mapped[int] = mapped_column(ForeignKey("org_tenant.id"))
    count_id: Mapped[int] = mapped_column(ForeignKey("inventory_count.id"))
    item_id: Mapped[int] = mapped_column(ForeignKey("catalog_item.id"))
    lot_id: Mapped[int | None] = mapped_column(ForeignKey("inventory_lot.id"))
    lot_key: Mapped[int] = mapped_column(BigInteger, default=0)
    expected_qty: Mapped[Decimal] = mapped_column(Qty(), default=ZERO)  # on hand frozen at the start
    counted_qty: Mapped[Decimal | None] = mapped_column(Qty())  # sum of this round's entries; None: not counted
    round: Mapped[int] = mapped_column(Integer, default=0)  # 0 first count, 1.. recounts
    variance: Mapped[Decimal | None] = mapped_column(Qty())
    unit_cost: Mapped[Decimal | None] = mapped_column(MoneyAmount())
    variance_value: Mapped[Decimal | None] = mapped_column(MoneyAmount())
    recount_required: Mapped[bool] = mapped_column(Boolean, default=False)
    zero_confirmed: Mapped[bool] = mapped_column(Boolean, default=False)
    accepted: Mapped[bool] = mapped_column(Boolean, default=False)  # variance accepted without (more) recount
    added: Mapped[bool] = mapped_column(Boolean, default=False)  # found during the count, not frozen
    reason_code: Mapped[str | None] = mapped_column(String(40))


class CountEntry(IdMixin, Base):
    __tablename__ = "inventory_count_entry"
    __table_args__ = (
        Index("ix_inventory_count_entry_line_round", "line_id", "round"),
        Index("ix_inventory_count_entry_count_epc", "count_id", "epc"),
    )

    tenant_id: Mapped[int] = mapped_column(ForeignKey("org_tenant.id"))
    count_id: Mapped[int] = mapped_column(ForeignKey("inventory_count.id"))
    line_id: Mapped[int] = mapped_column(ForeignKey("inventory_count_line.id"))
    round: Mapped[int] = mapped_column(Integer, default=0)
    counter: Mapped[str] = mapped_column(String(120))  # actor, e.g. user:12
    counter_id: Mapped[int] = mapped_column(BigInteger)
    qty: Mapped[Decimal] = mapped_column(Qty())  # base units
    entered_qty: Mapped[Decimal] = mapped_column(Qty())
    uom: Mapped[str] = mapped_column(String(20))
    method: Mapped[str] = mapped_column(String(10))  # scan | manual | rfid
    code: Mapped[str | None] = mapped_column(String(200))
    epc: Mapped[str | None] = mapped_column(String(120))  # pure-identity URI of an RFID tag
    session_id: Mapped[str | None] = mapped_column(String(80))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class CountSettings(IdMixin, Base):
    """Per-tenant thresholds; a tenant without a row uses the defaults of domain.DEFAULTS."""

    __tablename__ = "inventory_count_settings"
    __table_args__ = (UniqueConstraint("tenant_id"),)

    tenant_id: Mapped[int] = mapped_column(ForeignKey("org_tenant.id"))
    approval_threshold: Mapped[Decimal] = mapped_column(MoneyAmount())
    recount_pct: Mapped[Decimal] = mapped_column(Qty())
    recount_value: Mapped[Decimal] = mapped_column(MoneyAmount())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
