"""Floor events (the contract in docs: POST /api/v1/inventory/events and the MQTT payload) and the
results of ingestion. Events are validated one by one so that every bad event is reported by index."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError

from boh.kernel.text import UNSTORABLE, unstorable_char

MAX_BATCH = 5000
Zone = Literal["backroom", "floor", "exit"]
Kind = Literal["sale", "return", "rfid_read", "weight"]


def storable_text(value: str) -> str:
    """Text a database can store and a person can read: no NUL or other control character, no lone UTF-16
    surrogate (JSON allows both; PostgreSQL refuses the first, UTF-8 cannot encode the second)."""
    if UNSTORABLE.search(value) is None:  # the common case, without a call per field (5 per event)
        return value
    code = unstorable_char(value)
    if code is not None:
        message = "contains a control character or an unpaired surrogate (U+{hex})"
        raise PydanticCustomError("invalid_text", message, {"hex": f"{code:04X}"})
    return value


_Clean = AfterValidator(storable_text)
Text = Annotated[str, Field(min_length=1, max_length=80), _Clean]
Text64 = Annotated[str, Field(min_length=1, max_length=64), _Clean]
Text60 = Annotated[str, Field(min_length=1, max_length=60), _Clean]
Text40 = Annotated[str, Field(min_length=1, max_length=40), _Clean]
Text20 = Annotated[str, Field(min_length=1, max_length=20), _Clean]
Gtin = Annotated[str, Field(min_length=8, max_length=14), _Clean]
Reference = Annotated[str, Field(max_length=80), _Clean]
PositiveQty = Annotated[Decimal, Field(gt=0, max_digits=18, decimal_places=6)]


class _Event(BaseModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    event_id: Text = Field(description="Unique per source: the idempotency key (tenant, source, event_id)")
    source: Text = Field(description='e.g. "pos:SH01:3", "rfid:SH01:gate1", "scale:SH01:shelf12"')
    site: Text = Field(description="Site code")
    occurred_at: AwareDatetime = Field(description="Event time with offset; may be out of order or in the past")


class _ItemCode(BaseModel):
    sku: Text40 | None = None
    gtin: Gtin | None = None

    @model_validator(mode="after")
    def _one_code(self) -> _ItemCode:
        if (self.sku is None) == (self.gtin is None):
            raise ValueError("give exactly one of sku or gtin")
        return self


class Modifier(BaseModel):
    """A POS modifier of a sold line (extra cheese, large): a catalog SKU and how many per sold unit."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)
    sku: Text40
    qty: PositiveQty = Decimal(1)


class SaleEvent(_Event, _ItemCode):
    kind: Literal["sale", "return"]
    qty: PositiveQty
    uom: Text20 | None = None
    unit_price: Annotated[Decimal, Field(ge=0, max_digits=20, decimal_places=6)] | None = None
    receipt_id: Reference | None = None
    line: int | None = Field(default=None, ge=0, le=2_147_483_647)
    lot: Text60 | None = None
    modifiers: list[Modifier] = Field(default_factory=list, max_length=20, description="POS modifiers of the line")


class RfidReadEvent(_Event):
    kind: Literal["rfid_read"]
    epc: Text64
    reader: Text
    zone: Zone
    session_id: Text | None = None
    rssi: float | None = Field(default=None, ge=-200, le=200, allow_inf_nan=False)


class WeightEvent(_Event, _ItemCode):
    kind: Literal["weight"]
    shelf: Text
    weight_g: Annotated[Decimal, Field(ge=0, max_digits=18, decimal_places=6)]


FloorEvent = SaleEvent | RfidReadEvent | WeightEvent


class EventsIn(BaseModel):
    """The HTTP body. Events stay raw here: each one is validated alone and reported by index."""

    events: list[Any] = Field(
        max_length=MAX_BATCH,
        description=f"Up to {MAX_BATCH} floor events (objects; anything else is rejected by index)",
    )


def printable(value: str) -> str:
    """A text as it can travel in JSON over UTF-8: an unpaired surrogate (which UTF-8 cannot encode) is shown
    as its escape (\\ud800), everything else is kept."""
    if not any(0xD800 <= ord(ch) <= 0xDFFF for ch in value):
        return value
    return "".join(f"\\u{ord(ch):04x}" if 0xD800 <= ord(ch) <= 0xDFFF else ch for ch in value)


class Rejected(BaseModel):
    """One rejected event: its index in the envelope (-1: the whole payload), its event id as sent (an
    unpaired surrogate shown as its escape), a stable code and a message."""

    index: int
    event_id: Annotated[str | None, AfterValidator(lambda v: printable(v) if v is not None else None)]
    code: str
    message: Annotated[str, AfterValidator(printable)]


class IngestResult(BaseModel):
    accepted: int = Field(description="Events applied by this call")
    duplicates: int = Field(description="Events already applied before (or earlier in the same batch)")
    rejected: list[Rejected] = Field(default_factory=list)


class TagRef(BaseModel):
    epc: str
    item_id: int


class SessionReport(BaseModel):
    """An RFID zone session closed: an automatic cycle count of the zone."""

    session_id: str
    site_id: int
    zone: str
    closed_at: datetime
    expected: int
    seen: int
    missing: list[TagRef]
    unexpected: list[TagRef]


class AlertRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    site_id: int
    kind: str
    item_id: int | None
    epc: str | None
    message: str
    data: dict[str, Any]
    is_open: bool
    occurred_at: datetime | None = Field(description="When it happened (for shrink: the exit read)")
    raised_at: datetime
    closed_at: datetime | None
    closed_by: str | None
    close_note: str | None


class AlertClose(BaseModel):
    note: str | None = Field(default=None, max_length=300)


class DeadLetterRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    site_id: int | None
    transport: str = Field(description="http | mqtt | replay")
    topic: str | None
    event_id: str | None
    event: str = Field(description="The event as received: JSON text, non-ASCII characters escaped")
    code: str
    message: str
    status: str = Field(description="open | replayed | discarded")
    attempts: int
    received_at: datetime
    resolved_at: datetime | None
    resolved_by: str | None
    note: str | None


class DeadLetterPage(BaseModel):
    items: list[DeadLetterRead]
    total: int
    limit: int
    offset: int
    open_by_code: dict[str, int] = Field(description="Open dead letters per rejection code (all the caller sees)")


class ReplayIn(BaseModel):
    event: dict[str, Any] | None = Field(
        default=None, description="A corrected event to ingest instead of the one received"
    )


class ReplayResult(BaseModel):
    letter: DeadLetterRead
    result: IngestResult


class DiscardIn(BaseModel):
    note: str = Field(min_length=1, max_length=300)
