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
