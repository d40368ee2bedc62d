"""Input and output models of stock commitments. Quantities are in the item's base unit."""

from __future__ import annotations

from datetime import date, datetime
from datetime import date as date_
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from boh.inventory.schemas import IdempotencyKey, MoveRead, UnitCost

Positive = Annotated[Decimal, Field(gt=0, max_digits=18, decimal_places=6, description="Base units")]
DocType = Annotated[str, Field(min_length=1, max_length=40, description="e.g. sales_order, purchase_order")]
DocId = Annotated[str, Field(min_length=1, max_length=80)]
Reason = Annotated[str, Field(min_length=1, max_length=200)]
CommitmentKind = Literal["reservation", "incoming"]
CommitmentStatus = Literal["open", "closed"]
FulfilType = Literal["sale", "transfer_out", "production_consume"]


class _Base(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class ReservationIn(_Base):
    site_id: int
    item_id: int
    lot_id: int | None = Field(default=None, description="Reserve this lot only; default: first expiring first")
    quantity: Positive
    document_type: DocType
    document_id: DocId
    document_line: str | None = Field(default=None, max_length=40)
    allow_partial: bool = Field(default=False, description="Reserve what is available instead of refusing")
    expires_at: AwareDatetime | None = Field(default=None, description="Released automatically after this")
    idempotency_key: IdempotencyKey


class IncomingIn(_Base):
    site_id: int
    item_id: int
    quantity: Positive
    document_type: DocType
    document_id: DocId
    document_line: str | None = Field(default=None, max_length=40)
    expected_date: date | None = None
    idempotency_key: IdempotencyKey


class ReleaseIn(_Base):
    quantity: Positive | None = Field(default=None, description="Default: all that is open")
    reason: Reason
    idempotency_key: IdempotencyKey


class FulfilIn(_Base):
    quantity: Positive | None = Field(default=None, description="Default: all that is open")
    move_type: FulfilType = "sale"
    to_site_id: int | None = Field(default=None, description="Destination of a transfer_out")
    event_at: AwareDatetime | None = None
    idempotency_key: IdempotencyKey


class ReceiveIn(_Base):
    quantity: Positive = Field(description="Received; more than is open is accepted (over-receipt)")
    unit_cost: UnitCost | None = None
    lot_code: str | None = Field(default=None, min_length=1, max_length=60)
    expiry_date: date | None = None
    close: bool = Field(default=False, description="Cancel what stays open after this receipt (short delivery)")
    event_at: AwareDatetime | None = None
    idempotency_key: IdempotencyKey


class CommitmentLotRead(BaseModel):
    lot_id: int | None
    open_quantity: Decimal


class CommitmentEntryRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    action: str
    lot_id: int | None
    quantity: Decimal
    move_id: int | None
    reason: str | None
    request_key: str
    recorded_at: datetime
    actor: str


class CommitmentRead(BaseModel):
    id: int
    kind: CommitmentKind
    site_id: int
    item_id: int
    lot_id: int | None
    document_type: str
    document_id: str
    document_line: str | None
    quantity: Decimal = Field(description="Asked for (reservation) or ordered (incoming)")
    open_quantity: Decimal
    status: CommitmentStatus
    expected_date: date | None
    expires_at: datetime | None
    idempotency_key: str
    actor: str
    created_at: datetime
    closed_at: datetime | None
    owner: str | None = Field(
        default=None, description="The domain whose document owns it (e.g. purchasing): only it receives it"
    )
    receive_at: str | None = Field(default=None, description="The page where the owner's users receive it")
    lots: list[CommitmentLotRead] = Field(description="Open quantity per lot (lot_id null: stock without a lot)")
    entries: list[CommitmentEntryRead]
    moves: list[MoveRead] = Field(default_factory=list, description="Moves posted by the request just made")


class CommitmentFilter(BaseModel):
    site_id: int | None = None
    item_id: int | None = None
    document_type: str | None = None
    document_id: str | None = None
    status: CommitmentStatus | None = None


class PromiseStep(BaseModel):
    date: date_ | None = Field(description="When the expected receipts are due; null: no date given")
    incoming: Decimal = Field(description="Due on that date (expected receipts still open)")
    available: Decimal = Field(description="Available to promise from that date on (cumulative)")


class AvailabilityRead(BaseModel):
    """What can be promised of an item at a site, today and as expected receipts arrive."""

    site_id: int
    item_id: int
    on_hand: Decimal
    reserved: Decimal
    available: Decimal = Field(description="Usable on hand minus reserved: what can be promised today")
    in_transit: Decimal = Field(description="Shipped to this site by transfers, not yet received")
    on_order: Decimal
    projected: Decimal = Field(description="available + in_transit + on_order")
    timeline: list[PromiseStep] = Field(description="Expected receipts by due date, earliest first")
