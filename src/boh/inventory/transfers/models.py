"""Tables of transfer documents (see the package docstring)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from boh.kernel.clock import utcnow
from boh.kernel.db import Base, BigId, IdMixin
from boh.kernel.types import Qty, UTCDateTime


class TransferDoc(IdMixin, Base):
    __tablename__ = "inventory_transfer_doc"
    __table_args__ = (
        UniqueConstraint("tenant_id", "number"),
        Index("ix_inventory_transfer_doc_from", "tenant_id", "from_site_id", "status", "id"),
        Index("ix_inventory_transfer_doc_to", "tenant_id", "to_site_id", "status", "id"),
    )

    tenant_id: Mapped[int] = mapped_column(ForeignKey("org_tenant.id"))
    number: Mapped[str] = mapped_column(String(40))  # TR-<from>-<id>
    from_site_id: Mapped[int] = mapped_column(ForeignKey("org_site.id"))
    to_site_id: Mapped[int] = mapped_column(ForeignKey("org_site.id"))
    status: Mapped[str] = mapped_column(String(12), default="draft")  # draft | shipped | cancelled
    note: Mapped[str | None] = mapped_column(String(500))
    created_by: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    shipped_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class TransferDocLine(IdMixin, Base):
    __tablename__ = "inventory_transfer_doc_line"
    __table_args__ = (Index("ix_inventory_transfer_doc_line_doc", "doc_id", "id"),)

    tenant_id: Mapped[int] = mapped_column(ForeignKey("org_tenant.id"))
    doc_id: Mapped[int] = mapped_column(ForeignKey("inventory_transfer_doc.id", ondelete="CASCADE"))
    item_id: Mapped[int] = mapped_column(ForeignKey("catalog_item.id"))
    lot_id: Mapped[int | None] = mapped_column(ForeignKey("inventory_lot.id"))
    quantity: Mapped[Decimal] = mapped_column(Qty())
    move_id: Mapped[int | None] = mapped_column(BigId)  # the transfer_out move, once shipped
    position: Mapped[int] = mapped_column(Integer, default=0)
