"""Pydantic models of the cold-chain API and forms."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

UnitKind = Literal["fridge", "freezer", "hot_holding", "vehicle"]
SensorKind = Literal["temperature", "humidity", "door"]
Code = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40)]
MAX_READINGS = 5000


class DefrostWindow(BaseModel):
    start: Annotated[str, StringConstraints(pattern=r"^([01]\d|2[0-3]):[0-5]\d$")] = Field(
        description="Local time of the site, HH:MM"
    )
    minutes: int = Field(ge=1, le=180)


class UnitCreate(BaseModel):
    site_id: int
    code: Code
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    name_zh: str | None = None
    kind: UnitKind
    limit_c: Decimal | None = Field(None, ge=-60, le=150, description="Default by kind: 5, -18, 57 (hot holding)")
    hysteresis_c: Decimal = Field(Decimal(1), ge=0, le=10)
    min_duration_s: int = Field(900, ge=0, le=86400)
    door_grace_s: int = Field(600, ge=0, le=7200)
    door_max_s: int = Field(600, ge=0, le=7200)
    dropout_s: int = Field(900, ge=60, le=86400)
    reading_gap_s: int = Field(90, ge=10, le=3600)
    tt_limit_min: int | None = Field(None, ge=1, le=10080, description="A lot's minutes beyond the limit before "
                                     "it is quarantined; default by kind")  # fmt: skip
    defrost: list[DefrostWindow] = Field(default_factory=list)
    defrost_recovery_s: int = Field(1200, ge=0, le=7200)
    is_default: bool = True
    humidity_min_pct: Decimal | None = Field(None, ge=0, le=100, description="Too dry below this % RH (none: no limit)")
    humidity_max_pct: Decimal | None = Field(
        None, ge=0, le=100, description="Too damp above this % RH (none: no limit)"
    )
    humidity_hysteresis_pct: Decimal = Field(Decimal(2), ge=0, le=20)

    @model_validator(mode="after")
    def _humidity(self) -> UnitCreate:
        _check_humidity(self.humidity_min_pct, self.humidity_max_pct)
        return self


def _check_humidity(low: Decimal | None, high: Decimal | None) -> None:
    if low is not None and high is not None and low >= high:
        raise ValueError("humidity_min_pct must be below humidity_max_pct")


class UnitUpdate(BaseModel):
    name: str | None = None
    name_zh: str | None = None
    limit_c: Decimal | None = Field(None, ge=-60, le=150)
    hysteresis_c: Decimal | None = Field(None, ge=0, le=10)
    min_duration_s: int | None = Field(None, ge=0, le=86400)
    door_grace_s: int | None = Field(None, ge=0, le=7200)
    door_max_s: int | None = Field(None, ge=0, le=7200)
    dropout_s: int | None = Field(None, ge=60, le=86400)
    tt_limit_min: int | None = Field(None, ge=1, le=10080)
    defrost: list[DefrostWindow] | None = None
    active: bool | None = None
    humidity_min_pct: Decimal | None = Field(None, ge=0, le=100)
    humidity_max_pct: Decimal | None = Field(None, ge=0, le=100)
    humidity_hysteresis_pct: Decimal | None = Field(None, ge=0, le=20)

    @model_validator(mode="after")
    def _humidity(self) -> UnitUpdate:
        _check_humidity(self.humidity_min_pct, self.humidity_max_pct)
        return self


class SensorCreate(BaseModel):
    code: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=80)]
    kind: SensorKind


class SensorRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    unit_id: int
    code: str
    kind: str
    last_at: datetime | None
    active: bool


class UnitRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    site_id: int
    code: str
    name: str
    name_zh: str | None
    kind: str
    storage_class: str
    is_default: bool
    limit_c: Decimal
    direction: str
    hysteresis_c: Decimal
    min_duration_s: int
    door_grace_s: int
    door_max_s: int
    dropout_s: int
    reading_gap_s: int
    tt_limit_min: int
    defrost: list[DefrostWindow]
    defrost_recovery_s: int
    humidity_min_pct: Decimal | None = None
    humidity_max_pct: Decimal | None = None
    humidity_hysteresis_pct: Decimal = Decimal(2)
    active: bool
    sensors: list[SensorRead] = Field(default_factory=list)


class ReadingIn(BaseModel):
    """One reading as a device sends it (documentation of the envelope; each is validated alone)."""

    reading_id: str = Field(description="The device's unique id of the reading: exactly-once by it")
    sensor: str = Field(description="The sensor's code")
    at: datetime = Field(description="When it was measured (ISO 8601 with offset)")
    value: Decimal = Field(description="°C, % relative humidity, or door 1 open / 0 closed")


class ReadingsIn(BaseModel):
    readings: list[ReadingIn] = Field(max_length=MAX_READINGS)


class Rejected(BaseModel):
    """A reading refused on its own (RFC 9457 style: a stable code as ``type``'s tail and a detail)."""

    index: int = Field(description="Its index in the batch (-1: the whole payload)")
    reading_id: str | None
    code: str
    message: str


class IngestResult(BaseModel):
    accepted: int
    duplicates: int
    rejected: list[Rejected] = Field(default_factory=list)


class ExposureRead(BaseModel):
    id: int
    excursion_id: int
    lot_id: int
    lot_code: str
    item_id: int
    sku: str
    item_name: str
    minutes: int
    cumulative_minutes: int
    status: str
    reason: str | None
    decided_by: str | None
    decided_at: datetime | None


class ExcursionRead(BaseModel):
    id: int
    site_id: int
    unit_id: int
    unit_code: str
    unit_name: str
    kind: str
    started_at: datetime
    alarmed_at: datetime | None
    ended_at: datetime | None
    peak_c: Decimal | None
    minutes_beyond: int
    status: str
    exposures: list[ExposureRead] = Field(default_factory=list)


class DecisionIn(BaseModel):
    action: Literal["release", "waste"]
    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=500)]


class RecordIn(BaseModel):
    kind: Literal["corrective", "signoff"]
    day: date | None = None
    excursion_id: int | None = None
    note: Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)] = ""


class RecordRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    unit_id: int
    day: date
    kind: str
    excursion_id: int | None
    note: str
    by_name: str
    at: datetime


class PlacementIn(BaseModel):
    site_id: int
    lot_id: int
    unit_id: int
