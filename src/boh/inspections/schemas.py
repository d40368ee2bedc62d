"""API models of the inspections domain (pydantic v2). A template's definition is boh.inspections.definition."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from boh.inspections.definition import KEY, Definition
from boh.kernel.patch import PatchModel

Day = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
RuleKind = Literal["every_n_days", "self_monthly", "reinspect_below"]
VisitKind = Literal["inspection", "self"]
VisitStatus = Literal["planned", "in_progress", "submitted", "cancelled"]
ActionStatus = Literal["open", "submitted", "accepted"]
IdemKey = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._:-]+$")
EXPORT_FORMAT: Literal["boh.inspection-template/1"] = "boh.inspection-template/1"
WEEKDAYS: list[Day] = ["mon", "tue", "wed", "thu", "fri"]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


# --- templates --------------------------------------------------------------------------------------


class TemplateCreate(_In):
    code: str = Field(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9._-]+$")
    name: str = Field(min_length=1, max_length=200)
    name_zh: str | None = Field(default=None, max_length=200)
    formats: list[str] = Field(default_factory=list, max_length=20, description="Store formats ([] = every)")
    region_ids: list[int] = Field(default_factory=list, max_length=100, description="Regions ([] = every)")
    definition: Definition


class TemplateUpdate(PatchModel):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    name_zh: str | None = Field(default=None, max_length=200)
    formats: list[str] | None = Field(default=None, max_length=20)
    region_ids: list[int] | None = Field(default=None, max_length=100)
    definition: Definition | None = Field(default=None, description="Replaces the draft")
    active: bool | None = None
    nullable = frozenset({"name_zh"})


class VersionRead(BaseModel):
    version: int
    published_at: datetime
    published_by: str


class TemplateRead(BaseModel):
    id: int
    code: str
    name: str
    name_zh: str | None
    formats: list[str]
    region_ids: list[int]
    latest_version: int = Field(description="0 until the first publication")
    active: bool
    draft: Definition
    unpublished_changes: bool = Field(description="The draft differs from the latest version")
    versions: list[VersionRead]
    updated_at: datetime


class TemplateExport(_In):
    """A template as a portable JSON document (regions by code, so it moves between tenants)."""

    format: Literal["boh.inspection-template/1"] = EXPORT_FORMAT
    code: str = Field(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9._-]+$")
    name: str = Field(min_length=1, max_length=200)
    name_zh: str | None = Field(default=None, max_length=200)
    formats: list[str] = Field(default_factory=list, max_length=20)
    regions: list[str] = Field(default_factory=list, max_length=100, description="Region codes")
    definition: Definition


class ImportResult(BaseModel):
    template: TemplateRead
    created: bool
    published: bool


# --- rules, inspectors, plans -----------------------------------------------------------------------


class RuleCreate(_In):
    name: str = Field(min_length=1, max_length=200)
    kind: RuleKind
    template_id: int
    site_format: str | None = Field(default=None, max_length=40, description="Stores of this format only")
    region_id: int | None = Field(default=None, description="Stores of this region only")
    every_days: int | None = Field(default=None, ge=1, le=366, description="every_n_days: at least every N days")
    threshold: Decimal | None = Field(default=None, ge=0, le=100, decimal_places=2, description="reinspect_below")
    within_days: int | None = Field(default=None, ge=1, le=366, description="reinspect_below: within N days")
    unannounced: bool = False
    risk_based: bool = Field(default=True, description="Riskier stores are visited more often")

    @model_validator(mode="after")
    def _complete(self) -> RuleCreate:
        if self.kind == "every_n_days" and self.every_days is None:
            raise ValueError("every_n_days needs every_days")
        if self.kind == "reinspect_below" and (self.threshold is None or self.within_days is None):
            raise ValueError("reinspect_below needs threshold and within_days")
        return self


class RuleUpdate(PatchModel):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    every_days: int | None = Field(default=None, ge=1, le=366)
    threshold: Decimal | None = Field(default=None, ge=0, le=100, decimal_places=2)
    within_days: int | None = Field(default=None, ge=1, le=366)
    unannounced: bool | None = None
    risk_based: bool | None = None
    active: bool | None = None


class RuleRead(BaseModel):
    id: int
    name: str
    kind: RuleKind
    template_id: int
    site_format: str | None
    region_id: int | None
    every_days: int | None
    threshold: Decimal | None
    within_days: int | None
    unannounced: bool
    risk_based: bool
    active: bool


class InspectorIn(_In):
    region_id: int | None = Field(default=None, description="The region they inspect (none: every region)")
    working_days: list[Day] = Field(default_factory=lambda: list(WEEKDAYS), max_length=7)
    daily_capacity: int = Field(default=4, ge=1, le=20, description="Visits a day at most")
    home_lat: Decimal | None = Field(default=None, ge=-90, le=90, decimal_places=6)
    home_lon: Decimal | None = Field(default=None, ge=-180, le=180, decimal_places=6)
    active: bool = True


class InspectorRead(BaseModel):
    user_id: int
    name: str
    region_id: int | None
    working_days: list[str]
    daily_capacity: int
    home_lat: Decimal | None
    home_lon: Decimal | None
    active: bool


class AbsenceIn(_In):
    start: date
    end: date
    reason: str | None = Field(default=None, max_length=200)

    @model_validator(mode="after")
    def _order(self) -> AbsenceIn:
        if self.end < self.start:
            raise ValueError("end is before start")
        if (self.end - self.start).days > 366:
            raise ValueError("an absence is at most a year")
        return self


class ReplanRead(BaseModel):
    absence_id: int
    moved: int = Field(description="Visits moved to another day of the same inspector")
    reassigned: int = Field(description="Visits given to another inspector of the region")
    unassigned: int = Field(description="Visits nobody could take in their window")
    visit_ids: list[int]


class PlanCreate(_In):
    name: str = Field(min_length=1, max_length=200)
    start: date
    end: date
    seconds: Decimal = Field(default=Decimal(10), ge=1, le=120, decimal_places=1, description="Solver time budget")

    @model_validator(mode="after")
    def _order(self) -> PlanCreate:
        if self.end < self.start:
            raise ValueError("end is before start")
        if (self.end - self.start).days > 184:
            raise ValueError("a plan covers at most 185 days")
        return self


class PlanRead(BaseModel):
    id: int
    name: str
    start: date
    end: date
    status: str
    stats: dict[str, Any]
    created_at: datetime


class Reason(BaseModel):
    code: str = Field(description="last_score_low, repeat_failures, open_actions, overdue_actions, never_inspected, "
                      "stock_discrepancy, shrink, stockout, waste, cold_chain, rule, reinspect_below")  # fmt: skip
    points: Decimal = Field(description="Risk points it adds")
    value: str | None = Field(default=None, description="The figure behind it (a score, a count)")


class SiteRisk(BaseModel):
    site_id: int
    site_code: str
    score: Decimal = Field(description="0 (no known risk) to 100")
    reasons: list[Reason]


# --- visits -----------------------------------------------------------------------------------------


class VisitCreate(_In):
    site_id: int
    template_id: int
    kind: VisitKind = "inspection"
    inspector_id: int | None = Field(default=None, description="Who inspects (default: the caller)")
    scheduled_for: date | None = None
    unannounced: bool = False
    idempotency_key: str = IdemKey


class VisitRead(BaseModel):
    id: int
    site_id: int
    site_code: str
    site_name: str
    site_name_zh: str | None
    template_id: int
    template_name: str
    template_name_zh: str | None
    version: int | None = Field(description="The template version, pinned at check-in")
    plan_id: int | None
    kind: VisitKind
    inspector_id: int | None
    inspector_name: str | None
    scheduled_for: date | None
    window_start: date | None
    window_end: date | None
    route_order: int | None
    unannounced: bool
    risk_score: Decimal | None
    reasons: list[Reason]
    status: VisitStatus
    checkin_at: datetime | None
    checkin_distance_m: int | None
    checkin_flagged: bool
    submitted_at: datetime | None
    score: Decimal | None
    percent: Decimal | None
    passed: bool | None
    critical_failed: list[str]
    failed_items: list[str]


class CheckinIn(_In):
    latitude: Decimal = Field(ge=-90, le=90, decimal_places=6)
    longitude: Decimal = Field(ge=-180, le=180, decimal_places=6)
    accuracy_m: Decimal | None = Field(default=None, ge=0, le=100_000, decimal_places=2)


class CheckinRead(BaseModel):
    visit: VisitRead
    verdict: Literal["inside", "flagged"]
    distance_m: int | None
    radius_m: int


class AnswerIn(_In):
    item_key: str = Field(pattern=KEY)
    value: str | list[str] | None = Field(description="yes/no/na, a number, an option key (a list: multiple), text")
    note: str | None = Field(default=None, max_length=4000)
    client_id: str = IdemKey
    answered_at: datetime | None = Field(default=None, description="When it was entered on the phone")


class AnswersIn(_In):
    answers: list[AnswerIn] = Field(min_length=1, max_length=500)


class AnswerRead(BaseModel):
    item_key: str
    value: str | list[str] | None
    note: str | None
    answered_at: datetime
    saved_at: datetime


class Progress(BaseModel):
    score: Decimal | None
    percent: Decimal | None
    passed: bool
    missing: list[str]
    failed: list[str]
    visible: list[str]


class AnswersResult(BaseModel):
    saved: int
    unchanged: int = Field(description="Replays and entries older than the stored answer")
    alerts: list[int] = Field(description="Food-safety alerts raised by these answers")
    progress: Progress


class PhotoRead(BaseModel):
    id: int
    item_key: str | None
    sha256: str
    content_type: str
    size_bytes: int
    width: int
    height: int
    captured_at: datetime | None
    uploaded_at: datetime
    url: str
    thumb_url: str


class VisitDetail(BaseModel):
    visit: VisitRead
    definition: Definition | None = Field(description="The pinned version's (or for a planned visit the latest)")
    answers: list[AnswerRead]
    photos: list[PhotoRead]
    progress: Progress | None


class SubmitIn(_In):
    signature_by: str | None = Field(default=None, max_length=200)


# --- actions ----------------------------------------------------------------------------------------


class ActionRead(BaseModel):
    id: int
    visit_id: int
    site_id: int
    site_code: str
    item_key: str
    title: str
    title_zh: str | None
    severity: str
    owner_id: int | None
    owner_name: str | None
    due_date: date
    overdue: bool
    status: ActionStatus
    evidence_required: list[str]
    evidence_note: str | None
    photos: list[PhotoRead]
    submitted_at: datetime | None
    reviewed_at: datetime | None
    review_note: str | None
    reopened: int
    escalation_level: int
    closed_at: datetime | None
    created_at: datetime


class EvidenceIn(_In):
    note: str | None = Field(default=None, max_length=4000)


class ReviewIn(_In):
    note: str | None = Field(default=None, max_length=4000)


# --- settings ---------------------------------------------------------------------------------------


class SettingsIn(_In):
    geofence_m: int = Field(default=150, ge=10, le=5000, description="Default check-in radius around a store")
    checkin_policy: Literal["flag", "refuse"] = "flag"
    max_photo_mb: int = Field(default=10, ge=1, le=50)
    due_days: dict[Literal["low", "medium", "high", "critical"], int] = Field(default_factory=dict)
    escalation_step_days: int = Field(default=2, ge=1, le=30)

    @model_validator(mode="after")
    def _days(self) -> SettingsIn:
        if any(not 0 <= v <= 90 for v in self.due_days.values()):
            raise ValueError("due days lie between 0 and 90")
        return self


class SettingsRead(SettingsIn):
    site_geofence: dict[str, int]


class GeofenceIn(_In):
    radius_m: int | None = Field(ge=10, le=5000, description="This store's radius (null: the tenant's default)")
