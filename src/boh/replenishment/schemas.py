"""API and form models of replenishment (quantities and money as Decimal)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class RunIn(BaseModel):
    order_day: date | None = Field(default=None, description="Order day (default: today, UTC)")
    site_ids: list[int] | None = Field(default=None, description="Only these sites (default: every site in scope)")
    idempotency_key: str | None = Field(default=None, max_length=80, description="A retry returns the first run")


class RunRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    order_day: date
    status: str = Field(description="queued | running | done | failed")
    sites_total: int
    sites_done: int
    lines: int
    seconds: Decimal
    error: str | None
    created_at: datetime
    finished_at: datetime | None


class LineRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    run_id: int
    site_id: int
    item_id: int
    item_class: str
    method: str
    source: str
    supplier_id: int | None
    from_site_id: int | None
    needed_by: date
    suggested_qty: Decimal
    qty: Decimal
    forecast_qty: Decimal
    safety_stock: Decimal
    position: Decimal
    unit_price: Decimal
    currency: str
    binding: str | None
    tolerance_pct: Decimal
    status: str = Field(description="proposed | approved | pending | ordered")
    approval_level: int
    reason_code: str | None
    auto: bool


class LineDetail(LineRead):
    explanation: dict[str, Any]


class ChangeIn(BaseModel):
    qty: Decimal = Field(ge=0, description="New quantity in the item's base unit")
    reason_code: Literal["promotion", "local_knowledge", "shelf_space", "quality", "overstock", "weather", "other"]
    note: str | None = Field(default=None, max_length=500)


class DecisionIn(BaseModel):
    approve: bool
    note: str | None = Field(default=None, max_length=500)


class AcceptIn(BaseModel):
    line_ids: list[int] = Field(min_length=1, max_length=5000)


class AutoRuleIn(BaseModel):
    site_id: int | None = None
    category_id: int | None = None
    budget: Decimal = Field(ge=0)
    deviation_pct: Decimal = Field(default=Decimal(50), ge=0, le=1000)
    price_band_pct: Decimal = Field(default=Decimal(10), ge=0, le=1000)
    dry_run: bool = True


class AutoRuleRead(AutoRuleIn):
    model_config = ConfigDict(from_attributes=True)
    id: int
    active: bool


class KillSwitchIn(BaseModel):
    auto_enabled: bool


class AutoResultRead(BaseModel):
    placed: int
    would_place: int
    to_review: int
    kill_switch: bool


# --- configuration: policies, sourcing rules, budgets, approval settings ------------------------------------
# Types only here: the rules (ranges, exactly-one-of, references in the tenant) are checked by
# ``service.config`` so that every problem of a request is reported at once.


class PolicyIn(BaseModel):
    name: str = Field(max_length=120)
    site_id: int | None = Field(default=None, description="Only this site (default: every site)")
    category_id: int | None = Field(default=None, description="Only this category")
    item_class: str | None = Field(default=None, description="A, B or C, optionally followed by X, Y or Z")
    method: str = Field(default="order_up_to", description="order_up_to | min_max | fixed_qty")
    service_level: Decimal = Field(default=Decimal("0.95"), description="0.5 .. 0.999")
    review_days: int | None = Field(default=None, description=">= 1 (default: from the order days)")
    fixed_qty: Decimal | None = Field(default=None, description="Required for fixed_qty (base unit)")
    shelf_life_cap: bool = True
    tolerance_pct: Decimal = Field(default=Decimal(20), description="Review changes within +-% need no approval")


class PolicyPatch(BaseModel):
    name: str | None = Field(default=None, max_length=120)
    site_id: int | None = None
    category_id: int | None = None
    item_class: str | None = None
    method: str | None = None
    service_level: Decimal | None = None
    review_days: int | None = None
    fixed_qty: Decimal | None = None
    shelf_life_cap: bool | None = None
    tolerance_pct: Decimal | None = None


class PolicyRead(PolicyIn):
    model_config = ConfigDict(from_attributes=True)
    id: int
    active: bool


class SourcingIn(BaseModel):
    site_id: int | None = Field(default=None, description="For this site (or region_id, or neither: every site)")
    region_id: int | None = None
    item_id: int | None = Field(default=None, description="For this item (or category_id, or neither: all)")
    category_id: int | None = None
    source: str = Field(description="supplier | site")
    supplier_id: int | None = Field(default=None, description="With source=supplier")
    from_site_id: int | None = Field(default=None, description="With source=site: the DC")
    lead_time_days: int | None = Field(default=None, description="Transfers: the DC's delivery time (>= 0)")
    order_days: list[str] = Field(default_factory=list, description="mon .. sun (empty: every day)")


class SourcingPatch(BaseModel):
    site_id: int | None = None
    region_id: int | None = None
    item_id: int | None = None
    category_id: int | None = None
    source: str | None = None
    supplier_id: int | None = None
    from_site_id: int | None = None
    lead_time_days: int | None = None
    order_days: list[str] | None = None


class SourcingRead(SourcingIn):
    model_config = ConfigDict(from_attributes=True)
    id: int


class BudgetIn(BaseModel):
    site_id: int
    category_id: int | None = Field(default=None, description="Only this category (default: the site's total)")
    amount: Decimal = Field(description="> 0, per run")
    currency: str = Field(description="ISO 4217, e.g. CNY")


class BudgetPatch(BaseModel):
    site_id: int | None = None
    category_id: int | None = None
    amount: Decimal | None = None
    currency: str | None = None


class BudgetRead(BudgetIn):
    model_config = ConfigDict(from_attributes=True)
    id: int


class SettingsIn(BaseModel):
    level2_amount: Decimal = Field(description="A change worth more needs a second (HQ) approval")
    level2_deviation_pct: Decimal = Field(description="A change deviating more (%) needs a second approval")
    escalate_hours: int = Field(description="Hours before an unanswered approval escalates (1 .. 720)")


class SettingsRead(SettingsIn):
    model_config = ConfigDict(from_attributes=True)
    auto_enabled: bool
