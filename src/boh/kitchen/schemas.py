"""API models of the kitchen domain (pydantic v2)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

Pct = Annotated[Decimal, Field(ge=0, lt=100, max_digits=8, decimal_places=4)]
PosQty = Annotated[Decimal, Field(gt=0, max_digits=18, decimal_places=6)]
Unit = Annotated[str, Field(min_length=1, max_length=20)]
Station = Annotated[str, Field(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9._-]+$")]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class LineIn(_In):
    item_id: int
    quantity: PosQty = Field(description="Net quantity used, in `uom` (converted exactly by the catalog)")
    uom: Unit | None = Field(default=None, description="Unit of the quantity; default the item's base unit")
    loss_pct: Pct = Field(default=Decimal(0), description="Trim loss: gross = net / (1 - loss)")


class RecipeDefinition(_In):
    yield_qty: PosQty = Field(description="What one batch of the recipe makes")
    yield_uom: Unit | None = Field(default=None, description="Unit of the yield; default the output's base unit")
    lines: list[LineIn] = Field(min_length=1, max_length=200)
    cook_loss_pct: Pct = Field(default=Decimal(0), description="Weight lost in cooking (informational)")
    stocked: bool = Field(
        default=True,
        description="Made ahead and kept in stock (sauces, kitchen outputs); False: made to order (dishes, "
        "meals): a POS sale depletes through it to the stocked components",
    )
    station: Station | None = Field(default=None, description="Kitchen station that makes it (planning)")
    minutes_per_batch: int = Field(default=0, ge=0, le=24 * 60)
    max_batches_per_day: int = Field(default=20, ge=1, le=1000)
    shelf_life_days: int | None = Field(default=None, ge=1, le=3650, description="Default: the item's")
    notes: str | None = Field(default=None, max_length=2000)


class RecipeCreate(_In):
    item_id: int
    definition: RecipeDefinition


class RecipeUpdate(_In):
    definition: RecipeDefinition


class CostLineRead(BaseModel):
    item_id: int
    sku: str
    name: str
    quantity: Decimal
    uom: str
    unit_cost: Decimal
    cost: Decimal
    priced: bool


class RecipeRead(BaseModel):
    id: int
    item_id: int
    sku: str
    name: str
    latest_version: int
    draft: dict[str, Any]
    active: bool


class RecipeCard(BaseModel):
    """A recipe with its rolled-up figures at a site (cost from the current moving averages)."""

    recipe: RecipeRead
    version_id: int | None
    currency: str
    yield_qty: Decimal
    uom: str
    cost: Decimal
    unit_cost: Decimal
    lines: list[CostLineRead]
    unpriced: list[int]
    allergens: list[str]
    nutrition: dict[str, Decimal] | None
    nutrition_missing: list[int]


class WhatIfIn(_In):
    site_id: int
    prices: dict[int, Annotated[Decimal, Field(ge=0, max_digits=20, decimal_places=6)]] = Field(
        description="item_id -> new unit cost per base unit"
    )


class WhatIfRead(BaseModel):
    item_id: int
    before: Decimal
    after: Decimal
    delta: Decimal
    delta_pct: Decimal


class NutritionIn(_In):
    item_id: int
    values: dict[Literal["kcal", "protein_g", "fat_g", "carbs_g", "salt_g"], Annotated[Decimal, Field(ge=0)]]


# --- batches ------------------------------------------------------------------------------------------


class BatchCreate(_In):
    site_id: int
    item_id: int
    planned_qty: PosQty
    plan_id: int | None = None


class ActualInput(_In):
    item_id: int
    quantity: PosQty
    lot_id: int | None = Field(default=None, description="None: first expiring lots first")


class ByProduct(_In):
    item_id: int
    quantity: PosQty
    cost_share: Annotated[Decimal, Field(ge=0, le=1, max_digits=8, decimal_places=6)]


class WasteIn(_In):
    item_id: int
    quantity: PosQty
    reason_code: str = Field(min_length=1, max_length=40)


class BatchRecord(_In):
    """What the batch really used and made. ``inputs`` omitted: the recipe's quantities scaled to the
    planned output."""

    actual_qty: PosQty
    inputs: list[ActualInput] | None = None
    by_products: list[ByProduct] = Field(default_factory=list, max_length=10)
    waste: list[WasteIn] = Field(default_factory=list, max_length=20)
    lot_code: str | None = Field(default=None, max_length=60)
    idempotency_key: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._:-]+$")


class BatchRead(BaseModel):
    id: int
    number: str
    site_id: int
    item_id: int
    sku: str
    name: str
    version_id: int
    version: int
    planned_qty: Decimal
    actual_qty: Decimal | None
    yield_pct: Decimal | None
    status: str
    lot_id: int | None
    lot_code: str | None
    expiry_date: date | None
    cost: Decimal | None
    record: dict[str, Any]
    created_at: datetime


# --- plans --------------------------------------------------------------------------------------------


class DemandIn(_In):
    item_id: int
    delivery_date: date
    quantity: PosQty
    store_id: int | None = None
    source: Literal["order", "forecast"] = "order"


class PlanCreate(_In):
    site_id: int = Field(description="The central kitchen")
    start: date
    days: int = Field(default=7, ge=1, le=14)
    lead_days: int = Field(default=1, ge=0, le=7)
    capacity: dict[Station, int] = Field(description="Station -> minutes per day")
    demand: list[DemandIn] = Field(default_factory=list, max_length=50_000)
    time_limit_s: float = Field(default=10, gt=0, le=60)


class PlanRead(BaseModel):
    id: int
    site_id: int
    start: date
    days: int
    status: str
    lines: list[dict[str, Any]]
    conflicts: list[str]
    figures: dict[str, Any]
    created_at: datetime


class UsageRow(BaseModel):
    item_id: int
    sku: str
    name: str
    name_zh: str | None = None
    uom: str
    opening: Decimal
    inflow: Decimal
    closing: Decimal
    actual: Decimal
    theoretical: Decimal
    variance: Decimal
    unit_cost: Decimal
    variance_value: Decimal


class UnmappedRead(BaseModel):
    site_id: int
    day: date
    item_id: int
    sku: str
    name: str
    role: str
    events: int
    quantity: Decimal
