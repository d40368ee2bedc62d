"""Facts purchasing publishes (through the outbox). Quantities are in the item's base unit, prices per
purchase unit in the order's currency."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from boh.kernel.events import Event


@dataclass(frozen=True)
class OrderConfirmed(Event):
    """A purchase order was sent to its supplier, or a transfer order confirmed at its source."""

    topic = "purchasing.order_confirmed"
    order_id: int
    number: str
    kind: str
    site_id: int
    supplier_id: int | None
    from_site_id: int | None
    expected_date: date | None


@dataclass(frozen=True)
class OrderCancelled(Event):
    topic = "purchasing.order_cancelled"
    order_id: int
    number: str
    reason: str


@dataclass(frozen=True)
class ReceivedLine:
    order_line_id: int
    item_id: int
    ordered: Decimal
    confirmed: Decimal | None  # what the supplier confirmed (None: it never answered)
    received: Decimal  # into stock by this receipt
    rejected: Decimal  # damaged or refused by this receipt
    promised_date: date | None
    agreed_price: Decimal | None
    invoiced_price: Decimal | None
    closed_short: bool


@dataclass(frozen=True)
class GoodsReceived(Event):
    """A goods receipt was posted against an order: per line what was ordered, confirmed, received and
    rejected, the promised date and the receipt time, the agreed and the invoiced price (scorecards)."""

    topic = "purchasing.goods_received"
    receipt_id: int
    order_id: int
    number: str
    kind: str
    site_id: int
    supplier_id: int | None
    currency: str | None
    ordered_at: datetime | None
    received_at: datetime
    lines: tuple[ReceivedLine, ...]
