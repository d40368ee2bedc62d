"""Tables of stock commitments: the commitment (one per request) and the append-only ledger of its
open quantity per lot."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import BigInteger, Date, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from boh.kernel.clock import utcnow
from boh.kernel.db import Base, BigId, IdMixin, TimestampMixin
from boh.kernel.types import Qty, UTCDateTime

ZERO = Decimal(0)


class Commitment(IdMixin, TimestampMixin, Base):
    __tablename__ = "inventory_commitment"
    __table_args__ = (
        UniqueConstraint("tenant_id", "idempotency_key"),
        Index("ix_inventory_commitment_open", "tenant_id", "kind", "status", "site_id", "item_id"),
        Index("ix_inventory_commitment_document", "tenant_id", "document_type", "document_id"),
    )

    tenant_id: Mapped[int] = mapped_column(ForeignKey("org_tenant.id"))
    kind: Mapped[str] = mapped_column(String(20))  # reservation | incoming
    site_id: Mapped[int] = mapped_column(ForeignKey("org_site.id"))
    item_id: Mapped[int] = mapped_column(ForeignKey("catalog_item.id"))
    lot_id: Mapped[int | None] = mapped_column(ForeignKey("inventory_lot.id"))  # a reservation of one lot
    document_type: Mapped[str] = mapped_column(String(40))
    document_id: Mapped[str] = mapped_column(String(80))
    document_line: Mapped[str | None] = mapped_column(String(40))
    quantity: Mapped[Decimal] = mapped_column(Qty())  # asked for (reservation) or ordered (incoming)
    open_quantity: Mapped[Decimal] = mapped_column(Qty(), default=ZERO)
    status: Mapped[str] = mapped_column(String(20), default="open")  # open | closed
    expected_date: Mapped[date | None] = mapped_column(Date)  # incoming: when it should arrive
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # reservation: released after this
    idempotency_key: Mapped[str] = mapped_column(String(120))
    actor: Mapped[str] = mapped_column(String(120))
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # the domain whose document owns it (e.g. "purchasing"): only that owner receives, cancels, releases or
    # ships it (service.check_owner), and the worker never expires it; ``owner_link`` is where its users do
    # that (a page of the owner). None: anyone may.
    owner: Mapped[str | None] = mapped_column(String(40))
    owner_link: Mapped[str | None] = mapped_column(String(200))


class CommitmentEntry(IdMixin, Base):
    """One change of a commitment's open quantity at one lot (lot_key 0: stock without a lot)."""

    __tablename__ = "inventory_commitment_entry"
    __table_args__ = (
        Index("ix_inventory_commitment_entry_commitment", "commitment_id", "lot_key"),
        Index("ix_inventory_commitment_entry_request", "tenant_id", "commitment_id", "request_key"),
        Index("ix_inventory_commitment_entry_site", "tenant_id", "site_id", "id"),
    )

    tenant_id: Mapped[int] = mapped_column(ForeignKey("org_tenant.id"))
    commitment_id: Mapped[int] = mapped_column(ForeignKey("inventory_commitment.id"))
    site_id: Mapped[int] = mapped_column(BigId)
    item_id: Mapped[int] = mapped_column(BigId)
    lot_id: Mapped[int | None] = mapped_column(ForeignKey("inventory_lot.id"))
    lot_key: Mapped[int] = mapped_column(BigInteger, default=0)
    action: Mapped[str] = mapped_column(String(20))  # reserve release fulfil expire | expect receive cancel
    quantity: Mapped[Decimal] = mapped_column(Qty())  # + opens, - closes
    move_id: Mapped[int | None] = mapped_column(BigId)  # the move of a fulfil or receive
    reason: Mapped[str | None] = mapped_column(String(200))
    request_key: Mapped[str] = mapped_column(String(120))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    actor: Mapped[str] = mapped_column(String(120))
