"""Input and output models of the inventory domain. Quantities are in the item's base unit."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from boh.kernel.text import storable

MoveType = Literal[
    "receipt",
    "sale",
    "return",
    "transfer_out",
    "transfer_in",
    "adjustment",
    "waste",
    "count_variance",
    "production_consume",
    "production_output",
    "revaluation",
]
LotStatus = Literal["available", "quarantined"]
Code = Annotated[str, Field(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")]
Currency = Annotated[str, Field(pattern=r"^[A-Z]{3}$", description="ISO 4217 code")]
Quantity = Annotated[Decimal, Field(max_digits=18, decimal_places=6, description="Base units; + in, - out")]
UnitCost = Annotated[Decimal, Field(ge=0, max_digits=20, decimal_places=6)]
IdempotencyKey = Annotated[
    str,
    Field(min_length=1, max_length=120, description="Unique per tenant; a retry with it is a no-op"),
    AfterValidator(storable),
]


class _Base(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class MoveIn(_Base):
    site_id: int
    item_id: int
    lot_id: int | None = None
    lot_code: Annotated[str, AfterValidator(storable)] | None = Field(
        default=None,
        min_length=1,
        max_length=60,
        description="Instead of lot_id, e.g. a scanned GS1 AI (10); an inflow with a new code creates the lot",
    )
    expiry_date: date | None = Field(default=None, description="Expiry of a lot this move creates (GS1 AI 17)")
    move_type: MoveType
    quantity: Quantity
    unit_cost: UnitCost | None = Field(
        default=None, description="Per base unit, in the site's currency; receipts with a cost update the average"
    )
    currency: Currency | None = Field(default=None, description="Defaults to the site's currency")
    reason_code: Code | None = Field(default=None, description="Required for adjustment and waste")
    source_type: Annotated[str, AfterValidator(storable)] | None = Field(
        default=None, max_length=40, description="Document type, e.g. pos_sale"
    )
    source_id: Annotated[str, AfterValidator(storable)] | None = Field(default=None, max_length=80)
    idempotency_key: IdempotencyKey
    event_at: AwareDatetime | None = Field(default=None, description="When it happened; default now; may be past")


class MovesIn(_Base):
    moves: list[MoveIn] = Field(min_length=1, max_length=5000)


class MoveRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    site_id: int
    item_id: int
    lot_id: int | None
    move_type: str
    reason_code: str | None
    quantity: Decimal = Field(description="Base units, + in, - out; 0 for a revaluation (value only)")
    unit_cost: Decimal | None = Field(description="The unit cost the move was valued at")
    value: Decimal = Field(
        description="What the move changed the stock value of its site and item by (site currency); the stock "
        "value of a site and item is the sum of its moves' values"
    )
    provisional: bool = Field(
        description="Valued at a fallback cost because the item had no costed receipt at the site yet"
    )
    currency: str
    counter_site_id: int | None
    source_type: str | None
    source_id: str | None
    idempotency_key: str
    negative: bool
    event_at: datetime
    recorded_at: datetime
    actor: str


class MovesPosted(BaseModel):
    moves: list[MoveRead] = Field(description="In request order; replayed moves are the originals")
    replayed: int = Field(description="How many moves were retries of moves already posted (no-ops)")


class BalanceRead(BaseModel):
    site_id: int
    item_id: int
    lot_id: int | None
    lot_code: str | None
    expiry_date: date | None
    lot_status: str | None
    on_hand: Decimal
    reserved: Decimal
    in_transit: Decimal
    on_order: Decimal
    available: Decimal = Field(description="on_hand - reserved; 0 for expired or quarantined lots")
    projected: Decimal = Field(description="available + in_transit + on_order: what there will be once it arrives")
    usable: bool = Field(description="False when the lot is expired (site's local date) or quarantined")
    unit_cost: Decimal | None = Field(
        default=None, description="Moving average cost of the item at the site (null before its first move)"
    )
    value: Decimal | None = Field(default=None, description="on_hand x unit_cost, in the site's currency")
    currency: str | None = None


class BalanceFilter(BaseModel):
    site_id: int | None = None
    item_id: int | None = None
    lot_id: int | None = None
    lot_code: str | None = None
    below_zero: bool | None = None
    expires_within: int | None = None  # days: lots with stock expiring by then (expired ones included)


class MoveFilter(BaseModel):
    site_id: int | None = None
    item_id: int | None = None
    move_type: MoveType | None = None
    since: datetime | None = None
    until: datetime | None = None


class LotCreate(_Base):
    item_id: int
    lot_code: str = Field(min_length=1, max_length=60)
    expiry_date: date | None = None


class LotRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    item_id: int
    lot_code: str
    expiry_date: date | None
    status: str
    received_at: datetime
    on_hold: bool = Field(
        default=False, description="An open hold (recall, quarantine): not available, pickable or sellable"
    )


class LotStatusIn(_Base):
    reason: str = Field(min_length=1, max_length=200)


class RevaluationIn(_Base):
    """A change of the value of the stock on hand (landed cost, price correction): give the change of value,
    or the new unit cost."""

    site_id: int
    item_id: int
    value_change: Annotated[Decimal, Field(max_digits=20, decimal_places=6)] | None = Field(
        default=None, description="Added to the stock value (negative to lower it), in the site's currency"
    )
    new_unit_cost: UnitCost | None = Field(default=None, description="Revalue the stock on hand to this unit cost")
    reason_code: Code
    document_ref: str | None = Field(default=None, max_length=80, description="e.g. the landed-cost invoice")
    idempotency_key: IdempotencyKey
    event_at: AwareDatetime | None = None

    @model_validator(mode="after")
    def _one_way(self) -> RevaluationIn:
        if (self.value_change is None) == (self.new_unit_cost is None):
            raise ValueError("give exactly one of value_change or new_unit_cost")
        return self


class TransferIn(_Base):
    from_site_id: int
    to_site_id: int
    item_id: int
    lot_id: int | None = None
    quantity: Annotated[Decimal, Field(gt=0, max_digits=18, decimal_places=6)]
    idempotency_key: IdempotencyKey
    event_at: AwareDatetime | None = None


class TransferRead(BaseModel):
    out_move: MoveRead
    in_move: MoveRead | None = Field(default=None, description="Set once the destination has received it")


class FefoLine(BaseModel):
    lot_id: int
    lot_code: str
    expiry_date: date | None
    available: Decimal
    take: Decimal


class FefoSuggestion(BaseModel):
    site_id: int
    item_id: int
    requested: Decimal
    lines: list[FefoLine]
    shortfall: Decimal = Field(description="What the usable lots cannot cover")


class BalanceDifference(BaseModel):
    site_id: int
    item_id: int
    lot_id: int | None
    field: str
    recorded: Decimal
    expected: Decimal


class ItemValue(BaseModel):
    site_id: int
    item_id: int
    sku: str
    quantity: Decimal = Field(description="On hand over all lots")
    avg_unit_cost: Decimal
    value: Decimal = Field(description="Stock on hand: the sum of the values of the item's moves at the site")
    transit_value: Decimal = Field(
        description="Shipped from this site and not yet received: in-transit stock stays on the sender's books"
    )
    cost_source: str = Field(description="actual | provisional (a fallback cost, trued up by the first receipt)")
    currency: str


class SiteValue(BaseModel):
    site_id: int
    currency: str
    items: int = Field(description="Items with stock or value at the site")
    value: Decimal
    transit_value: Decimal = Field(description="Value of the site's transfers out not yet received")


class ValuationRead(BaseModel):
    """Stock value at moving average cost, in each site's currency (never summed across currencies)."""

    sites: list[SiteValue] = Field(description="Totals per site of the whole filter, not only of this page")
    items: list[ItemValue]
    total: int
    limit: int
    offset: int


class SettingsIn(_Base):
    max_backdate_days: int | None = Field(
        default=None,
        ge=0,
        le=3650,
        description="Moves posted by people and integrations may be dated at most this many days back (null: no "
        "limit). Floor events (POS, RFID, sensors) are facts recorded at their own time and are not limited.",
    )
    held_lot_sales: Literal["refuse", "flag"] = Field(
        default="refuse",
        description="A sale of a lot on hold (recall, quarantine): refuse it, or post it and flag it (HeldLotSold)",
    )


class SettingsRead(BaseModel):
    max_backdate_days: int | None
    held_lot_sales: str = "refuse"
    updated_at: datetime | None
    updated_by: str | None
