"""Tables owned by purchasing (prefix ``purchasing_``).

One document table for purchase orders (``kind`` purchase: from a supplier) and transfer orders (``kind``
transfer: from another site, a DC or central kitchen), their lines (quantities in the item's base unit; a
purchase line also in the supplier's purchase unit and price), the status history (every change of a
document, versioned), supplier responses per line, advance shipping notices, goods receipts with their
lines and discrepancies, and the idempotency record of ``place_orders`` batches.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, BigInteger, Date, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from boh.kernel.clock import utcnow
from boh.kernel.db import Base, IdMixin
from boh.kernel.types import MoneyAmount, Qty, UTCDateTime


class Order(IdMixin, Base):
    """A purchase or transfer order: draft -> confirmed -> partially_received -> received -> closed, or
    cancelled. ``version`` grows with every amendment after confirmation."""

    __tablename__ = "purchasing_order"
    __table_args__ = (
        UniqueConstraint("tenant_id", "number"),
        Index("ix_purchasing_order_site", "tenant_id", "site_id", "status"),
        Index("ix_purchasing_order_supplier", "tenant_id", "supplier_id", "status"),
    )

    tenant_id: Mapped[int] = mapped_column(ForeignKey("org_tenant.id"))
    number: Mapped[str] = mapped_column(String(40))
    kind: Mapped[str] = mapped_column(String(10))  # purchase | transfer
    status: Mapped[str] = mapped_column(String(20), default="draft")
    site_id: Mapped[int] = mapped_column(ForeignKey("org_site.id"))  # where the goods go
    supplier_id: Mapped[int | None] = mapped_column(ForeignKey("catalog_supplier.id"))
    from_site_id: Mapped[int | None] = mapped_column(ForeignKey("org_site.id"))  # a transfer's source
    currency: Mapped[str | None] = mapped_column(String(3))  # the supplier's; none for a transfer
    needed_by: Mapped[date | None] = mapped_column(Date)
    expected_date: Mapped[date | None] = mapped_column(Date)  # promised delivery (confirmation)
    version: Mapped[int] = mapped_column(Integer, default=1)
    note: Mapped[str | None] = mapped_column(String(500))
    created_by: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    dispatched_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # a transfer's shipment
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class OrderLine(IdMixin, Base):
    __tablename__ = "purchasing_order_line"
    __table_args__ = (
        UniqueConstraint("order_id", "line_no"),
        Index("ix_purchasing_order_line_item", "tenant_id", "item_id"),
    )

    tenant_id: Mapped[int] = mapped_column(ForeignKey("org_tenant.id"))
    order_id: Mapped[int] = mapped_column(ForeignKey("purchasing_order.id"))
    line_no: Mapped[int] = mapped_column(Integer)
    item_id: Mapped[int] = mapped_column(ForeignKey("catalog_item.id"))
    quantity: Mapped[Decimal] = mapped_column(Qty())  # ordered, base units (current version)
    purchase_uom: Mapped[str | None] = mapped_column(String(20))
    purchase_factor: Mapped[Decimal] = mapped_column(Qty(), default=Decimal(1))  # base units per purchase unit
    unit_price: Mapped[Decimal | None] = mapped_column(MoneyAmount())  # agreed, per purchase unit
    needed_by: Mapped[date | None] = mapped_column(Date)
    expected_date: Mapped[date | None] = mapped_column(Date)
    # the supplier's answer: none | accepted | changed | rejected; a change waits for the buyer (pending)
    response: Mapped[str] = mapped_column(String(10), default="none")
    response_pending: Mapped[bool] = mapped_column(default=False)
    confirmed_quantity: Mapped[Decimal | None] = mapped_column(Qty())
    confirmed_date: Mapped[date | None] = mapped_column(Date)
    confirmed_price: Mapped[Decimal | None] = mapped_column(MoneyAmount())
    response_reason: Mapped[str | None] = mapped_column(String(200))
    received_quantity: Mapped[Decimal] = mapped_column(Qty(), default=Decimal(0))  # into stock
    rejected_quantity: Mapped[Decimal] = mapped_column(Qty(), default=Decimal(0))  # damaged / refused
    shipped_quantity: Mapped[Decimal] = mapped_column(Qty(), default=Decimal(0))  # a transfer's dispatch
    status: Mapped[str] = mapped_column(String(12), default="open")  # open | received | closed | cancelled
    commitment_id: Mapped[int | None] = mapped_column(BigInteger)  # inventory incoming at the destination
    reservation_id: Mapped[int | None] = mapped_column(BigInteger)  # inventory reservation at a source site
    transfer_move_ids: Mapped[list[int]] = mapped_column(JSON, default=list)  # transfer_out moves shipped
    origin_type: Mapped[str] = mapped_column(String(40), default="manual")
    origin_id: Mapped[str | None] = mapped_column(String(80))
    note: Mapped[str | None] = mapped_column(String(500))


class OrderEvent(IdMixin, Base):
    """The history of a document: every status change, amendment and supplier response, with the version
    it made."""

    __tablename__ = "purchasing_order_event"
    __table_args__ = (Index("ix_purchasing_order_event_order", "order_id", "id"),)

    tenant_id: Mapped[int] = mapped_column(ForeignKey("org_tenant.id"))
    order_id: Mapped[int] = mapped_column(ForeignKey("purchasing_order.id"))
    action: Mapped[str] = mapped_column(String(30))
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str] = mapped_column(String(20))
    version: Mapped[int] = mapped_column(Integer)
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    actor: Mapped[str] = mapped_column(String(120))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class PlaceRequest(IdMixin, Base):
    """A ``place_orders`` batch made with an idempotency key: its fingerprint and the orders it made."""

    __tablename__ = "purchasing_place_request"
    __table_args__ = (UniqueConstraint("tenant_id", "idempotency_key"),)

    tenant_id: Mapped[int] = mapped_column(ForeignKey("org_tenant.id"))
    idempotency_key: Mapped[str] = mapped_column(String(120))
    fingerprint: Mapped[str] = mapped_column(String(64))
    order_ids: Mapped[list[int]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Asn(IdMixin, Base):
    """An advance shipping notice: what a supplier says it has shipped against a purchase order."""

    __tablename__ = "purchasing_asn"
    __table_args__ = (UniqueConstraint("tenant_id", "number"), UniqueConstraint("tenant_id", "idempotency_key"))

    tenant_id: Mapped[int] = mapped_column(ForeignKey("org_tenant.id"))
    order_id: Mapped[int] = mapped_column(ForeignKey("purchasing_order.id"), index=True)
    number: Mapped[str] = mapped_column(String(60))  # the supplier's delivery note number
    expected_arrival: Mapped[datetime | None] = mapped_column(UTCDateTime())
    status: Mapped[str] = mapped_column(String(10), default="open")  # open | received
    idempotency_key: Mapped[str] = mapped_column(String(120))
    created_by: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class AsnLine(IdMixin, Base):
    __tablename__ = "purchasing_asn_line"

    tenant_id: Mapped[int] = mapped_column(ForeignKey("org_tenant.id"))
    asn_id: Mapped[int] = mapped_column(ForeignKey("purchasing_asn.id"), index=True)
    order_line_id: Mapped[int] = mapped_column(ForeignKey("purchasing_order_line.id"))
    quantity: Mapped[Decimal] = mapped_column(Qty())  # base units
    lot_code: Mapped[str | None] = mapped_column(String(60))
    expiry_date: Mapped[date | None] = mapped_column(Date)


class Receipt(IdMixin, Base):
    """A goods receipt against an order (and an ASN): posted through inventory in one transaction."""

    __tablename__ = "purchasing_receipt"
    __table_args__ = (UniqueConstraint("tenant_id", "number"), UniqueConstraint("tenant_id", "idempotency_key"))

    tenant_id: Mapped[int] = mapped_column(ForeignKey("org_tenant.id"))
    order_id: Mapped[int] = mapped_column(ForeignKey("purchasing_order.id"), index=True)
    asn_id: Mapped[int | None] = mapped_column(ForeignKey("purchasing_asn.id"))
    site_id: Mapped[int] = mapped_column(ForeignKey("org_site.id"))
    number: Mapped[str] = mapped_column(String(40))
    idempotency_key: Mapped[str] = mapped_column(String(120))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    received_by: Mapped[str] = mapped_column(String(120))
    note: Mapped[str | None] = mapped_column(String(500))


class ReceiptLine(IdMixin, Base):
    __tablename__ = "purchasing_receipt_line"

    tenant_id: Mapped[int] = mapped_column(ForeignKey("org_tenant.id"))
    receipt_id: Mapped[int] = mapped_column(ForeignKey("purchasing_receipt.id"), index=True)
    order_line_id: Mapped[int] = mapped_column(ForeignKey("purchasing_order_line.id"), index=True)
    received: Mapped[Decimal] = mapped_column(Qty())  # into stock, base units
    rejected: Mapped[Decimal] = mapped_column(Qty(), default=Decimal(0))  # damaged / refused, not in stock
    reason: Mapped[str | None] = mapped_column(String(20))
    note: Mapped[str | None] = mapped_column(String(200))
    lot_code: Mapped[str | None] = mapped_column(String(60))
    expiry_date: Mapped[date | None] = mapped_column(Date)
    invoiced_price: Mapped[Decimal | None] = mapped_column(MoneyAmount())  # per purchase unit, as delivered
    closed_short: Mapped[bool] = mapped_column(default=False)
    move_id: Mapped[int | None] = mapped_column(BigInteger)  # the inventory receipt move


class Discrepancy(IdMixin, Base):
    """A difference found on receipt (over, short, damaged, price), for the buyer and the scorecard."""

    __tablename__ = "purchasing_discrepancy"
    __table_args__ = (Index("ix_purchasing_discrepancy_order", "tenant_id", "order_id"),)

    tenant_id: Mapped[int] = mapped_column(ForeignKey("org_tenant.id"))
    order_id: Mapped[int] = mapped_column(ForeignKey("purchasing_order.id"))
    receipt_id: Mapped[int] = mapped_column(ForeignKey("purchasing_receipt.id"))
    order_line_id: Mapped[int] = mapped_column(ForeignKey("purchasing_order_line.id"))
    # over | short | damaged | price, and against the shipping notice (asn_id set): asn_over | asn_short (what
    # arrived vs what the notice said), asn_lot | asn_expiry (another lot or expiry), asn_absent (on the notice,
    # never arrived), asn_extra (arrived, not on the notice)
    kind: Mapped[str] = mapped_column(String(10))
    expected: Mapped[Decimal] = mapped_column(Qty())  # base units, or the agreed price for kind price
    actual: Mapped[Decimal] = mapped_column(Qty())
    asn_id: Mapped[int | None] = mapped_column(ForeignKey("purchasing_asn.id"))
    expected_ref: Mapped[str | None] = mapped_column(String(60))  # the notice's lot code or expiry (ISO)
    actual_ref: Mapped[str | None] = mapped_column(String(60))  # the lot code or expiry received
    reason: Mapped[str | None] = mapped_column(String(200))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
