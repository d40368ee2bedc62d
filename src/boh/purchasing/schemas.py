"""API models of purchasing. Quantities are in the item's base unit unless named purchase_*; prices are per
purchase unit in the order's currency."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

Positive = Annotated[Decimal, Field(gt=0, max_digits=18, decimal_places=6, description="Base units")]
NonNegative = Annotated[Decimal, Field(ge=0, max_digits=18, decimal_places=6, description="Base units")]
Price = Annotated[Decimal, Field(ge=0, max_digits=20, decimal_places=6)]
Key = Annotated[str, Field(min_length=1, max_length=120, description="Unique per tenant; a retry with it is a no-op")]
Reason = Annotated[str, Field(min_length=1, max_length=200)]
Status = Literal["draft", "confirmed", "partially_received", "received", "closed", "cancelled"]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class OrderRequestIn(_In):
    site_id: int = Field(description="Where the goods go")
    item_id: int
    quantity: Positive
    source: Literal["supplier", "site"]
    supplier_id: int | None = None
    from_site_id: int | None = Field(default=None, description="A transfer's source (a DC, a central kitchen)")
    needed_by: date | None = None
    unit_price: Price | None = Field(default=None, description="Per base unit; default: the supplier's terms")
    currency: str | None = Field(default=None, min_length=3, max_length=3)
    origin_type: str = Field(default="manual", max_length=40)
    origin_id: str | None = Field(default=None, max_length=80)
    note: str | None = Field(default=None, max_length=500)


class OrdersCreate(_In):
    """Lines to order: one document per (kind, site, supplier or source site)."""

    lines: list[OrderRequestIn] = Field(min_length=1, max_length=1000)
    confirm: bool = Field(default=False, description="Send at once instead of keeping drafts")
    idempotency_key: Key | None = None


class PlacedOrderRead(BaseModel):
    order_id: int
    number: str
    kind: str
    status: str
    line_ids: list[int]


class LineEdit(_In):
    quantity: Positive | None = None
    unit_price: Price | None = Field(default=None, description="Per purchase unit")
    expected_date: date | None = None


class LineAmend(LineEdit):
    reason: Reason


class ReasonIn(_In):
    reason: Reason


class LineResponseIn(_In):
    line_id: int
    action: Literal["accept", "change", "reject"]
    quantity: Positive | None = None
    expected_date: date | None = None
    unit_price: Price | None = Field(default=None, description="Per purchase unit")
    reason: str | None = Field(default=None, max_length=200)


class ResponsesIn(_In):
    lines: list[LineResponseIn] = Field(min_length=1, max_length=1000)


class DecisionIn(_In):
    accept: bool
    note: str | None = Field(default=None, max_length=200)


class AsnLineIn(_In):
    line_id: int
    quantity: Positive
    lot_code: str | None = Field(default=None, min_length=1, max_length=60)
    expiry_date: date | None = None


class AsnIn(_In):
    number: str = Field(min_length=1, max_length=60, description="The supplier's delivery note number")
    expected_arrival: AwareDatetime | None = None
    lines: list[AsnLineIn] = Field(min_length=1, max_length=1000)
    idempotency_key: Key


class ReceiptLineIn(_In):
    line_id: int
    received: NonNegative = Field(description="Put into stock")
    rejected: NonNegative = Field(default=Decimal(0), description="Damaged or refused: not put into stock")
    reason: Literal["short", "over", "damaged", "quality", "expired", "wrong_item"] | None = None
    lot_code: str | None = Field(default=None, min_length=1, max_length=60)
    expiry_date: date | None = None
    invoiced_price: Price | None = Field(default=None, description="Per purchase unit, as on the delivery note")
    close: bool = Field(default=False, description="What stays open will not come (a short delivery)")
    note: str | None = Field(default=None, max_length=200)


class ReceiptIn(_In):
    lines: list[ReceiptLineIn] = Field(min_length=1, max_length=1000)
    asn_id: int | None = None
    note: str | None = Field(default=None, max_length=500)
    idempotency_key: Key


class DispatchIn(_In):
    idempotency_key: Key


class ResendIn(_In):
    idempotency_key: Key


class ResendRead(BaseModel):
    mail_id: int | None = Field(description="The mail queued now; None: this key was already used (nothing sent)")
    queued: bool


class AllocateIn(_In):
    from_site_id: int
    order_ids: list[int] | None = Field(default=None, description="Default: every draft transfer from the site")
    step: Positive = Field(default=Decimal(1), description="Share in multiples of this (a case)")


class OrderSummary(BaseModel):
    id: int
    number: str
    kind: str
    status: str
    site_id: int
    site_code: str
    supplier_id: int | None
    supplier_name: str | None
    supplier_name_zh: str | None = None
    from_site_id: int | None
    from_site_code: str | None
    currency: str | None
    needed_by: date | None
    expected_date: date | None
    version: int
    lines: int
    amount: Decimal | None = Field(description="Sum of quantity x price in the order's currency")
    pending_responses: int = Field(description="Supplier changes or rejections waiting for the buyer")
    created_at: datetime
    confirmed_at: datetime | None


class OrderLineRead(BaseModel):
    id: int
    line_no: int
    item_id: int
    sku: str
    name_en: str
    name_zh: str | None
    base_uom: str
    quantity: Decimal
    purchase_uom: str | None
    purchase_factor: Decimal
    purchase_quantity: Decimal
    unit_price: Decimal | None
    amount: Decimal | None
    expected_date: date | None
    response: str
    response_pending: bool
    confirmed_quantity: Decimal | None
    confirmed_date: date | None
    confirmed_price: Decimal | None
    response_reason: str | None
    received_quantity: Decimal
    rejected_quantity: Decimal
    shipped_quantity: Decimal
    status: str
    origin_type: str
    origin_id: str | None


class OrderEventRead(BaseModel):
    action: str
    from_status: str | None
    to_status: str
    version: int
    detail: dict[str, object]
    actor: str
    at: datetime


class AsnLineRead(BaseModel):
    order_line_id: int
    quantity: Decimal
    lot_code: str | None
    expiry_date: date | None
    arrived: Decimal = Field(default=Decimal(0), description="Of the order line, received + refused so far on the "
                             "receipts made against this notice")  # fmt: skip


class AsnRead(BaseModel):
    id: int
    number: str
    expected_arrival: datetime | None
    status: str
    created_at: datetime
    lines: list[AsnLineRead]


class DiscrepancyRead(BaseModel):
    receipt_id: int
    order_line_id: int
    kind: str = Field(description="over | short | damaged | price; against the shipping notice (asn_id): asn_over "
                      "| asn_short | asn_lot | asn_expiry | asn_absent | asn_extra")  # fmt: skip
    expected: Decimal
    actual: Decimal
    reason: str | None
    asn_id: int | None = None
    expected_ref: str | None = Field(default=None, description="The notice's lot code(s) or expiry date(s)")
    actual_ref: str | None = Field(default=None, description="The lot code or expiry date received")


class ReceiptRead(BaseModel):
    id: int
    number: str
    asn_id: int | None
    received_at: datetime
    received_by: str


class OrderRead(OrderSummary):
    note: str | None
    line_items: list[OrderLineRead]
    history: list[OrderEventRead]
    asns: list[AsnRead]
    receipts: list[ReceiptRead]
    discrepancies: list[DiscrepancyRead]
