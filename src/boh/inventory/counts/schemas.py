"""Input and output models of stocktakes. Quantities are in the item's base unit unless a ``uom`` is given."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator

CountKind = Literal["full", "cycle"]
CountStatus = Literal["draft", "counting", "review", "approved", "posted", "cancelled"]
AbcClass = Literal["A", "B", "C"]
Method = Literal["scan", "manual", "rfid"]
ReasonCode = Annotated[str, Field(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")]
EntryQty = Annotated[Decimal, Field(max_digits=18, decimal_places=6, description="In `uom` (default base unit)")]
Money = Annotated[Decimal, Field(ge=0, max_digits=20, decimal_places=6)]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class CountCreate(_In):
    site_id: int
    kind: CountKind = "full"
    abc_classes: list[AbcClass] | None = Field(
        default=None, description="Cycle counts: the ABC classes to count (from 90-day sales value)"
    )
    item_ids: list[int] | None = Field(default=None, max_length=10000, description="Cycle counts: these items")
    blind: bool = Field(default=False, description="Counters never see expected quantities until review")
    scheduled_for: date | None = None
    assignee_id: int | None = Field(default=None, description="The user who should do the count")
    note: str | None = Field(default=None, max_length=500)

    @model_validator(mode="after")
    def _scope(self) -> CountCreate:
        if self.kind == "cycle" and not self.abc_classes and not self.item_ids:
            raise ValueError("a cycle count needs abc_classes or item_ids")
        if self.kind == "full" and (self.abc_classes or self.item_ids):
            raise ValueError("a full count takes neither abc_classes nor item_ids")
        return self


class CountRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    site_id: int
    kind: str
    abc_classes: str | None
    blind: bool
    status: str
    scheduled_for: date | None
    assignee_id: int | None
    note: str | None
    currency: str
    created_by: str
    created_at: datetime
    frozen_at: datetime | None
    submitted_at: datetime | None
    total_abs_value: Decimal | None = Field(description="Sum of |variance value| (hidden while blind counting)")
    approved_by: str | None
    approved_at: datetime | None
    posted_by: str | None
    posted_at: datetime | None
    moves_posted: int
    lines: int = 0


class EntryIn(_In):
    item_id: int | None = None
    sku: str | None = Field(default=None, max_length=60)
    code: str | None = Field(default=None, max_length=200, description="A GTIN or GS1-128/DataMatrix string")
    epc: str | None = Field(default=None, max_length=120, description="An SGTIN EPC (hex or URI): 1 base unit")
    lot_code: str | None = Field(default=None, max_length=60, description="Default: the scanned AI (10)")
    qty: EntryQty | None = Field(default=None, description="Default 1 (one scanned unit)")
    uom: str | None = Field(default=None, max_length=20, description="Default: the scanned unit or base unit")
    method: Method = "manual"
    at: AwareDatetime | None = None


class EntriesIn(_In):
    entries: list[EntryIn] = Field(min_length=1, max_length=10000)


class RfidIn(_In):
    session_id: str | None = Field(default=None, max_length=80)
    epcs: list[str] = Field(min_length=1, max_length=10000)


class EntriesResult(BaseModel):
    accepted: int
    duplicates: int = Field(description="RFID tags already counted (each tag counts once)")
    lines_added: int = Field(description="Lines created for lots found that were not expected")


class EntryRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    line_id: int
    round: int
    counter: str
    qty: Decimal = Field(description="Base units")
    entered_qty: Decimal
    uom: str
    method: str
    code: str | None
    epc: str | None
    session_id: str | None
    at: datetime


class LineRead(BaseModel):
    id: int
    item_id: int
    sku: str
    item_name: str
    item_name_zh: str | None = Field(default=None, description="The item's Chinese name, when it has one")
    lot_id: int | None
    lot_code: str | None
    expected_qty: Decimal | None = Field(description="Frozen at start; null while a blind count is counted")
    counted_qty: Decimal | None
    round: int
    variance: Decimal | None
    unit_cost: Decimal | None
    variance_value: Decimal | None
    moved_since_freeze: Decimal | None = Field(description="Net quantity posted since the freeze (review on)")
    recount_required: bool
    zero_confirmed: bool
    accepted: bool
    added: bool
    reason_code: str | None


class LineUpdate(_In):
    line_id: int
    confirm_zero: bool = Field(default=False, description="An uncounted line is really empty")
    accept: bool = Field(default=False, description="Accept the variance without (another) recount")
    reason_code: ReasonCode | None = None


class LinesUpdate(_In):
    lines: list[LineUpdate] = Field(min_length=1, max_length=10000)


class RecountIn(_In):
    line_ids: list[int] | None = Field(
        default=None, description="Default: every line needing a recount and every uncounted line"
    )


class MovedWarning(BaseModel):
    line_id: int
    item_id: int
    lot_id: int | None
    moved_since_freeze: Decimal


class PostResult(BaseModel):
    count: CountRead
    moves_posted: int
    warnings: list[MovedWarning] = Field(description="Lines whose stock moved between the freeze and posting")
    replayed: bool = Field(description="True when the count was already posted (nothing done)")


class SettingsRead(BaseModel):
    approval_threshold: Decimal = Field(description="Total |variance value| above which a manager approves")
    recount_pct: Decimal
    recount_value: Decimal


class SettingsIn(_In):
    approval_threshold: Money
    recount_pct: Annotated[Decimal, Field(ge=0, max_digits=12, decimal_places=6)]
    recount_value: Money


class CountFilter(BaseModel):
    site_id: int | None = None
    status: CountStatus | None = None
    assignee_id: int | None = None
