"""Tables of receiving (see the package docstring)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import BigInteger, Date, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from boh.kernel.clock import utcnow
from boh.kernel.db import Base, BigId, IdMixin
from boh.kernel.types import Qty, UTCDateTime

ZERO = Decimal(0)


class Receipt(IdMixin, Base):
    __tablename__ = "inventory_receipt"
    __table_args__ = (
        UniqueConstraint("tenant_id", "number"),
        UniqueConstraint("tenant_id", "idempotency_key"),
        Index("ix_inventory_receipt_site_status", "tenant_id", "site_id", "status", "id"),
    )

    tenant_id: Mapped[int] = mapped_column(ForeignKey("org_tenant.id"))
    site_id: Mapped[int] = mapped_column(ForeignKey("org_site.id"))
    number: Mapped[str] = mapped_column(String(40))  # RC-<site>-<id>, printed and barcoded
    source: Mapped[str] = mapped_column(String(20))  # purchase_order | transfer | unannounced
    document_id: Mapped[str | None] = mapped_column(String(80))  # the PO number
    from_site_id: Mapped[int | None] = mapped_column(ForeignKey("org_site.id"))  # a transfer's sender
    supplier_id: Mapped[int | None] = mapped_column(ForeignKey("catalog_supplier.id"))
    status: Mapped[str] = mapped_column(String(12), default="draft")  # draft | posted | cancelled
    note: Mapped[str | None] = mapped_column(String(500))
    photo_key: Mapped[str | None] = mapped_column(String(200))  # the delivery note's photo in the blob store
    idempotency_key: Mapped[str] = mapped_column(String(120))
    created_by: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    posted_by: Mapped[str | None] = mapped_column(String(120))
    posted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    discrepancies: Mapped[int] = mapped_column(Integer, default=0)  # lines that differ, set when posted


class ReceiptLine(IdMixin, Base):
    __tablename__ = "inventory_receipt_line"
    __table_args__ = (Index("ix_inventory_receipt_line_receipt", "receipt_id", "id"),)

    tenant_id: Mapped[int] = mapped_column(ForeignKey("org_tenant.id"))
    receipt_id: Mapped[int] = mapped_column(ForeignKey("inventory_receipt.id", ondelete="CASCADE"))
    item_id: Mapped[int] = mapped_column(ForeignKey("catalog_item.id"))
    commitment_id: Mapped[int | None] = mapped_column(ForeignKey("inventory_commitment.id"))  # a PO line
    transfer_move_id: Mapped[int | None] = mapped_column(BigId)  # the transfer_out move it receives
    expected_qty: Mapped[Decimal] = mapped_column(Qty(), default=ZERO)  # base units; 0: not announced
    received_qty: Mapped[Decimal] = mapped_column(Qty(), default=ZERO)  # good units put into stock
    damaged_qty: Mapped[Decimal] = mapped_column(Qty(), default=ZERO)  # delivered but refused/damaged
    lot_code: Mapped[str | None] = mapped_column(String(60))
    expiry_date: Mapped[date | None] = mapped_column(Date)
    reason: Mapped[str | None] = mapped_column(String(20))  # short | over | damaged | wrong_item | expired
    counted: Mapped[bool] = mapped_column(default=False)  # someone scanned or typed it
    move_id: Mapped[int | None] = mapped_column(BigInteger)  # the receipt move when posted
    position: Mapped[int] = mapped_column(Integer, default=0)
