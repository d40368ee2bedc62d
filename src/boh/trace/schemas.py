"""API models of the trace domain."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator


class _Base(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class NodeRead(BaseModel):
    lot_id: int
    lot_code: str
    item_id: int
    sku: str
    depth: int
    on_hold: bool
    on_hand: Decimal
    sold: Decimal
    in_transit: Decimal
    sites: str


class LinkRead(BaseModel):
    parent: int
    child: int
    batch: str
    consumed: Decimal
    made: Decimal
    at: datetime


class PositionRead(BaseModel):
    lot_id: int
    site_id: int
    received: Decimal
    produced: Decimal
    transferred_in: Decimal
    transferred_out: Decimal
    sold: Decimal
    wasted: Decimal
    consumed: Decimal
    on_hand: Decimal
    in_transit: Decimal


class TraceRead(BaseModel):
    root: int
    direction: Literal["forward", "backward"]
    depth: int | None
    complete: bool = Field(description="False when the depth limit left links unexplored")
    untracked_inputs: int = Field(description="Batch inputs consumed without a lot: gaps in the chain")
    nodes: list[NodeRead]
    links: list[LinkRead]
    positions: list[PositionRead]


class RecallIn(_Base):
    reason: str = Field(min_length=1, max_length=500)
    mock: bool = Field(default=False, description="A drill: the same flow without blocking the lots")
    lot_ids: list[int] = Field(default_factory=list, max_length=1000)
    supplier_id: int | None = None
    start: AwareDatetime | None = None
    end: AwareDatetime | None = None

    @model_validator(mode="after")
    def _origin(self) -> RecallIn:
        if not self.lot_ids and self.supplier_id is None:
            raise ValueError("give lot_ids, or a supplier_id with start and end")
        if self.supplier_id is not None and (self.start is None or self.end is None):
            raise ValueError("a supplier recall needs start and end")
        return self


class RecallLineRead(BaseModel):
    site_id: int
    site_code: str
    lot_id: int
    lot_code: str
    sku: str
    on_hand: Decimal
    sold: Decimal
    wasted: Decimal
    in_transit: Decimal
    notified_at: datetime | None
    confirmed_at: datetime | None
    confirmed_by: str | None
    note: str | None


class RecallRead(BaseModel):
    id: int
    number: str
    mock: bool
    status: str
    reason: str
    summary: dict[str, object]
    seconds: str | None
    created_at: datetime
    closed_at: datetime | None
    lot_ids: list[int]
    sites_told: list[int]
    sites_confirmed: list[int]
    lines: list[RecallLineRead]


class RecallRow(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    number: str
    mock: bool
    status: str
    reason: str
    created_at: datetime
    closed_at: datetime | None


class ConfirmIn(_Base):
    site_id: int
    removed: Annotated[Decimal, Field(ge=0, max_digits=20, decimal_places=6)] | None = None
    note: str | None = Field(default=None, max_length=500)


class CloseIn(_Base):
    note: str | None = Field(default=None, max_length=500)


class FsmaQuery(_Base):
    item_id: int
    start: date
    end: date


class ImportResult(BaseModel):
    events: int
    new: int
    identifiers: int
