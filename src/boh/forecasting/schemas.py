"""Request and response bodies of forecasting (pydantic v2). Quantities and ratios are Decimal."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

Display = Literal["none", "shelf", "endcap", "flyer", "online"]


class _Span(BaseModel):
    start_day: date
    end_day: date

    @model_validator(mode="after")
    def _order(self) -> _Span:
        if self.end_day < self.start_day:
            raise ValueError("end_day is before start_day")
        return self


class PromotionIn(_Span):
    item_id: int
    site_ids: list[int] = Field(default_factory=list, description="[] = every site")
    name: str = Field(min_length=1, max_length=120)
    discount: Decimal = Field(gt=0, le=Decimal("1.5"), description="price ratio paid: 0.8 = 20% off")
    display: Display = "none"


class PromotionRead(PromotionIn):
    model_config = ConfigDict(from_attributes=True)
    id: int


class EventIn(_Span):
    site_id: int
    name: str = Field(min_length=1, max_length=120)
    impact: Literal["up", "down"] = "up"


class EventRead(EventIn):
    model_config = ConfigDict(from_attributes=True)
    id: int


class WeatherIn(BaseModel):
    site_id: int
    day: date
    temperature: Decimal | None = Field(default=None, ge=-80, le=70)
    precipitation: Decimal | None = Field(default=None, ge=0, le=2000)


class WeatherBatch(BaseModel):
    rows: list[WeatherIn] = Field(min_length=1, max_length=10_000)


class RunIn(BaseModel):
    site_ids: list[int] | None = None
    item_ids: list[int] | None = None
    horizon: int = Field(default=28, ge=1, le=365)
    history_days: int = Field(default=365, ge=14, le=3 * 366)
    short_horizon: int = Field(default=2, ge=0, le=14,
                               description="the first days forecast by the daily-ordering (2-day) model, which store "
                                           "orders read; 0: the 14-day model on every day")  # fmt: skip
    idempotency_key: str | None = Field(default=None, min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._:-]+$",
                                        description="a retry with the same key gets the same run back")  # fmt: skip


class RunRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    status: Literal["queued", "running", "done", "failed"]
    progress: Decimal = Field(description="share done, 0-1")
    model_version: str
    series: int
    origin: date
    started_at: datetime
    finished_at: datetime | None = None
    seconds: Decimal
    config: dict[str, object]
    error: dict[str, Any] | None = Field(default=None, description="problem details (RFC 9457) of a failed run")


class ForecastDay(BaseModel):
    day: date
    model: str
    mean: Decimal
    q10: Decimal | None = None
    q50: Decimal
    q80: Decimal
    q90: Decimal
    q95: Decimal
    q99: Decimal
    # the demand forecast store ordering reads on this day (the daily-ordering model's: demand with stockouts
    # recovered) and its quantiles; null on the days it does not cover
    demand: Decimal | None = None
    demand_q10: Decimal | None = None
    demand_q50: Decimal | None = None
    demand_q80: Decimal | None = None
    demand_q90: Decimal | None = None
    demand_q95: Decimal | None = None
    demand_q99: Decimal | None = None


class ActualDay(BaseModel):
    day: date
    quantity: Decimal
    stockout: bool


class SeriesRead(BaseModel):
    site_id: int
    item_id: int
    run_id: int
    model: str
    cls: str
    forecast: list[ForecastDay]
    actual: list[ActualDay]


class ImportResult(BaseModel):
    rows: int
    days: int
    series: int
