"""Tables owned by the inventory domain.

``inventory_move`` is the append-only ledger; ``inventory_balance`` and ``inventory_item_cost`` are
projections of it, updated in the same transaction as the moves.

Balances key on ``lot_key`` = ``COALESCE(lot_id, 0)`` (NOT NULL), not on the nullable ``lot_id``: a NULL
never equals another NULL in a unique constraint (SQLite always, PostgreSQL before 15 without NULLS NOT
DISTINCT), so ``ON CONFLICT`` would never fire for non-lot stock and duplicates would appear. A plain
column with a check constraint works the same on both databases and keeps ``ON CONFLICT (tenant_id,
site_id, item_id, lot_key)`` a simple column list; ``lot_id`` stays as a real foreign key.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from boh.kernel.clock import utcnow
from boh.kernel.db import Base, BigId, IdMixin, TimestampMixin
from boh.kernel.types import MoneyAmount, Qty, UTCDateTime

ZERO = Decimal(0)


class Lot(IdMixin, TimestampMixin, Base):
    __tablename__ = "inventory_lot"
    __table_args__ = (
        UniqueConstraint("tenant_id", "item_id", "lot_code"),
        Index("ix_inventory_lot_tenant_item_expiry", "tenant_id", "item_id", "expiry_date"),
    )

    tenant_id: Mapped[int] = mapped_column(ForeignKey("org_tenant.id"))
    item_id: Mapped[int] = mapped_column(ForeignKey("catalog_item.id"))
    lot_code: Mapped[str] = mapped_column(String(60))
    expiry_date: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), default="available")  # available | quarantined
    received_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # True while the lot has an open hold (``LotHold``): not available, not pickable, not sellable
    on_hold: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class LotHold(IdMixin, Base):
    """A hold on a lot (a recall, a quarantine): who placed it, when, why, from where; open until released.
    A lot is on hold while it has an open hold (``Lot.on_hold`` mirrors that, set by ``holds.py``)."""

    __tablename__ = "inventory_lot_hold"
    __table_args__ = (Index("ix_inventory_lot_hold_lot", "tenant_id", "lot_id", "released_at"),)

    tenant_id: Mapped[int] = mapped_column(ForeignKey("org_tenant.id"))
    lot_id: Mapped[int] = mapped_column(ForeignKey("inventory_lot.id"))
    reason: Mapped[str] = mapped_column(String(500))
    source: Mapped[str] = mapped_column(String(40))  # recall | quarantine | inspection | ...
    source_ref: Mapped[str | None] = mapped_column(String(80))  # e.g. the recall's id
    held_by: Mapped[str] = mapped_column(String(120))
    held_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    released_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    released_by: Mapped[str | None] = mapped_column(String(120))
    release_reason: Mapped[str | None] = mapped_column(String(500))


class Move(IdMixin, Base):
    """One immutable stock movement in base units: positive in, negative out."""

    __tablename__ = "inventory_move"
    __table_args__ = (
        UniqueConstraint("tenant_id", "idempotency_key"),
        Index("ix_inventory_move_tenant_item_site_at", "tenant_id", "item_id", "site_id", "event_at"),
        Index("ix_inventory_move_tenant_site_at", "tenant_id", "site_id", "event_at"),
        # the moves of a document of another kind (a transfer's receipts, a production batch): nothing looks
        # a sale or a return up by its source, and floor sales (most moves) each paid for an entry; every
        # reader states its move type, which proves the condition (PostgreSQL; migration 0112movesrc)
        Index(
            "ix_inventory_move_source",
            "tenant_id",
            "source_type",
            "source_id",
            postgresql_where=text("move_type NOT IN ('sale', 'return')"),
        ),
        # lot genealogy (boh.trace): only the moves of a lot. Most moves (floor sales) have none, and a full
        # index took one more entry per move; any ``lot_id = ..`` (a strict comparison) proves the predicate
        Index(
            "ix_inventory_move_lot",
            "tenant_id",
            "lot_id",
            postgresql_where=text("lot_id IS NOT NULL"),
            sqlite_where=text("lot_id IS NOT NULL"),
        ),
    )

    # No foreign keys on this append-only fact table (a per-row FK trigger costs as much as the insert):
    # every move's (site, item) has its ``inventory_item_cost`` row, which carries the foreign keys and
    # which the writer locks in the same transaction; lots and sites are never deleted.
    # ``boh inventory rebuild --check`` reports any move whose references do not exist.
    tenant_id: Mapped[int] = mapped_column(BigId)
    site_id: Mapped[int] = mapped_column(BigId)
    item_id: Mapped[int] = mapped_column(BigId)
    lot_id: Mapped[int | None] = mapped_column(BigId)
    move_type: Mapped[str] = mapped_column(String(30))
    reason_code: Mapped[str | None] = mapped_column(String(40))
    quantity: Mapped[Decimal] = mapped_column(Qty())  # 0 for a value-only move (revaluation)
    unit_cost: Mapped[Decimal | None] = mapped_column(MoneyAmount())  # receipts: given; issues: average used
    # the change this move made to the stock value of its (site, item): value = sum of the moves' values
    value: Mapped[Decimal] = mapped_column(MoneyAmount(), default=ZERO, server_default="0")
    # valued at a fallback cost because the item had no costed inflow at the site yet (trued up later)
    provisional: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    currency: Mapped[str] = mapped_column(String(3))
    # the other site of a transfer: destination of a transfer_out, origin of a transfer_in
    counter_site_id: Mapped[int | None] = mapped_column(BigId)
    source_type: Mapped[str | None] = mapped_column(String(40))
    source_id: Mapped[str | None] = mapped_column(String(80))
    idempotency_key: Mapped[str] = mapped_column(String(120))
    negative: Mapped[bool] = mapped_column(Boolean, default=False)  # left the balance below zero (flag policy)
    event_at: Mapped[datetime] = mapped_column(UTCDateTime())
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    actor: Mapped[str] = mapped_column(String(120))


class Balance(IdMixin, Base):
    __tablename__ = "inventory_balance"
    __table_args__ = (
        UniqueConstraint("tenant_id", "site_id", "item_id", "lot_key"),
        CheckConstraint("lot_key = COALESCE(lot_id, 0)", name="lot_key"),
        Index("ix_inventory_balance_tenant_item", "tenant_id", "item_id"),
        # every sale rewrites its balance row: room in each page keeps the new version there (a HOT update,
        # no index entries); migration 0102ingestperf
        {"postgresql_with": {"fillfactor": 80}},
    )

    tenant_id: Mapped[int] = mapped_column(ForeignKey("org_tenant.id"))
    site_id: Mapped[int] = mapped_column(ForeignKey("org_site.id"))
    item_id: Mapped[int] = mapped_column(ForeignKey("catalog_item.id"))
    lot_id: Mapped[int | None] = mapped_column(ForeignKey("inventory_lot.id"))
    lot_key: Mapped[int] = mapped_column(BigInteger, default=0)
    on_hand: Mapped[Decimal] = mapped_column(Qty(), default=ZERO)
    reserved: Mapped[Decimal] = mapped_column(Qty(), default=ZERO)
    in_transit: Mapped[Decimal] = mapped_column(Qty(), default=ZERO)
    on_order: Mapped[Decimal] = mapped_column(Qty(), default=ZERO)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class ItemCost(IdMixin, Base):
    """Moving average cost and stock value of an item at a site, in the site's currency (see
    ledger/valuation.py). Its row lock serialises every writer of the (site, item): see the ledger's lock
    order. ``total_value`` is the sum of the values of the site x item's moves; ``transit_value`` is the
    value of what this site shipped that has not been received yet (in-transit stock stays on the
    sender's books until the receiver receives it)."""

    __tablename__ = "inventory_item_cost"
    # every sale rewrites its cost row: room for HOT updates, as for the balance
    __table_args__ = (UniqueConstraint("tenant_id", "site_id", "item_id"), {"postgresql_with": {"fillfactor": 80}})

    tenant_id: Mapped[int] = mapped_column(ForeignKey("org_tenant.id"))
    site_id: Mapped[int] = mapped_column(ForeignKey("org_site.id"))
    item_id: Mapped[int] = mapped_column(ForeignKey("catalog_item.id"))
    currency: Mapped[str] = mapped_column(String(3))
    quantity: Mapped[Decimal] = mapped_column(Qty(), default=ZERO)  # quantity the value is spread over
    avg_unit_cost: Mapped[Decimal] = mapped_column(MoneyAmount(), default=ZERO)
    total_value: Mapped[Decimal] = mapped_column(MoneyAmount(), default=ZERO)
    cost_source: Mapped[str] = mapped_column(String(12), default="none", server_default="none")
    transit_value: Mapped[Decimal] = mapped_column(MoneyAmount(), default=ZERO, server_default="0")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class ReorderState(Base):
    """Whether an item's available stock at a site was last seen below its reorder threshold: the memory
    that lets the StockMoved handler (handlers.py) publish StockBelowReorderPoint once per crossing."""

    __tablename__ = "inventory_reorder_state"

    tenant_id: Mapped[int] = mapped_column(ForeignKey("org_tenant.id"), primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("org_site.id"), primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("catalog_item.id"), primary_key=True)
    below: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class InventorySettings(Base):
    """Per-tenant rules of the stock ledger; a tenant without a row has no limits."""

    __tablename__ = "inventory_settings"

    tenant_id: Mapped[int] = mapped_column(ForeignKey("org_tenant.id"), primary_key=True)
    # moves posted by people and integrations (not floor events) may be dated at most this many days back
    max_backdate_days: Mapped[int | None] = mapped_column(Integer)
    # a sale of a lot on hold: "refuse" it (documents: an error; floor events: rejected alone) or "flag" it
    # (posted, and HeldLotSold published)
    held_lot_sales: Mapped[str] = mapped_column(String(8), default="refuse", server_default="refuse")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_by: Mapped[str] = mapped_column(String(120))
