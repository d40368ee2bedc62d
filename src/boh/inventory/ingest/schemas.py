"""Floor events (the contract in docs: POST /api/v1/inventory/events and the MQTT payload) and the
results of ingestion. Events are validated one by one so that every bad event is reported by index."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator

MAX_BATCH = 5000
Zone = Literal["backroom", "floor", "exit"]
Kind = Literal["sale", "return", "rfid_read", "weight"]
Text = Annotated[str, Field(min_length=1, max_length=80)]
PositiveQty = Annotated[Decimal, Field(gt=0, max_digits=18, decimal_places=6)]


class _Event(BaseModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    event_id: Text = Field(description="Unique per source: the idempotency key (tenant, source, event_id)")
    source: Text = Field(description='e.g. "pos:SH01:3", "rfid:SH01:gate1", "scale:SH01:shelf12"')
    site: Text = Field(description="Site code")
    occurred_at: AwareDatetime = Field(description="Event time with offset; may be out of order or in the past")


class _ItemCode(BaseModel):
    sku: str | None = Field(default=None, min_length=1, max_length=40)
    gtin: str | None = Field(default=None, min_length=8, max_length=14)

    @model_validator(mode="after")
    def _one_code(self) -> _ItemCode:
        if (self.sku is None) == (self.gtin is None):
            raise ValueError("give exactly one of sku or gtin")
        return self


class SaleEvent(_Event, _ItemCode):
    kind: Literal["sale", "return"]
    qty: PositiveQty
    uom: str | None = Field(default=None, min_length=1, max_length=20)
    unit_price: Annotated[Decimal, Field(ge=0, max_digits=20, decimal_places=6)] | None = None
    receipt_id: str | None = Field(default=None, max_length=80)
    line: int | None = Field(default=None, ge=0)
    lot: str | None = Field(default=None, min_length=1, max_length=60)


class RfidReadEvent(_Event):
    kind: Literal["rfid_read"]
    epc: str = Field(min_length=1, max_length=64)
    reader: Text
    zone: Zone
    session_id: str | None = Field(default=None, min_length=1, max_length=80)
    rssi: float | None = None


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


class Rejected(BaseModel):
    index: int
    event_id: str | None
    code: str
    message: str


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
