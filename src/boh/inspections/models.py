"""Tables owned by the inspections domain (prefix ``inspections_``).

Templates keep an editable draft and immutable published versions; a visit pins the version it was
inspected with at check-in. Answers are one row per (visit, item), written as they are entered; photos are
blobs (BlobStore) with their hash, size, capture time and a thumbnail; actions follow each failed item to
closure. ``inspections_signal`` keeps the facts other domains publish about a store (stock discrepancies,
shrink, stockouts; waste and cold-chain alerts as those domains land) for the risk score and analytics.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from boh.kernel.clock import utcnow
from boh.kernel.db import Base, BigId, IdMixin, TimestampMixin
from boh.kernel.types import ExactDecimal, UTCDateTime

Score = ExactDecimal(12, 4)  # points and percents
Coord = ExactDecimal(10, 6)


class Template(IdMixin, TimestampMixin, Base):
    __tablename__ = "inspections_template"
    __table_args__ = (UniqueConstraint("tenant_id", "code"),)

    tenant_id: Mapped[int] = mapped_column(ForeignKey("org_tenant.id"), index=True)
    code: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(200))
    name_zh: Mapped[str | None] = mapped_column(String(200))
    formats: Mapped[list[str]] = mapped_column(JSON, default=list)  # store formats it applies to ([] = every)
    region_ids: Mapped[list[int]] = mapped_column(JSON, default=list)  # regions it applies to ([] = every)
    draft: Mapped[dict[str, Any]] = mapped_column(JSON)  # the definition being edited
    latest_version: Mapped[int] = mapped_column(Integer, default=0)  # 0: never published
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class TemplateVersion(IdMixin, Base):
    """A published definition: never changed again (visits keep the version they used)."""

    __tablename__ = "inspections_template_version"
    __table_args__ = (UniqueConstraint("template_id", "version"),)

    tenant_id: Mapped[int] = mapped_column(ForeignKey("org_tenant.id"), index=True)
    template_id: Mapped[int] = mapped_column(ForeignKey("inspections_template.id"))
    version: Mapped[int] = mapped_column(Integer)
    definition: Mapped[dict[str, Any]] = mapped_column(JSON)
    published_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    published_by: Mapped[str] = mapped_column(String(120))


class Rule(IdMixin, TimestampMixin, Base):
    """A planning rule: ``every_n_days`` (stores of a format/region get the template at least every N days),
    ``self_monthly`` (the store manager inspects their store every month), ``reinspect_below`` (a store whose
    last score was below ``threshold`` is re-inspected within ``within_days``)."""

    __tablename__ = "inspections_rule"

    tenant_id: Mapped[int] = mapped_column(ForeignKey("org_tenant.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))
    template_id: Mapped[int] = mapped_column(ForeignKey("inspections_template.id"))
    site_format: Mapped[str | None] = mapped_column(String(40))
    region_id: Mapped[int | None] = mapped_column(ForeignKey("org_region.id"))
    every_days: Mapped[int | None] = mapped_column(Integer)
    threshold: Mapped[Decimal | None] = mapped_column(ExactDecimal(6, 2))
    within_days: Mapped[int | None] = mapped_column(Integer)
    unannounced: Mapped[bool] = mapped_column(Boolean, default=False)
    risk_based: Mapped[bool] = mapped_column(Boolean, default=True)  # riskier stores more often
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Inspector(IdMixin, TimestampMixin, Base):
    """An inspector's planning profile: region, working days, visits a day, and where their day starts."""

    __tablename__ = "inspections_inspector"
    __table_args__ = (UniqueConstraint("tenant_id", "user_id"),)

    tenant_id: Mapped[int] = mapped_column(ForeignKey("org_tenant.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("org_user.id"))
    region_id: Mapped[int | None] = mapped_column(ForeignKey("org_region.id"))
    working_days: Mapped[list[str]] = mapped_column(JSON, default=list)  # ["mon", ...]
    daily_capacity: Mapped[int] = mapped_column(Integer, default=4)
    home_lat: Mapped[Decimal | None] = mapped_column(Coord)
    home_lon: Mapped[Decimal | None] = mapped_column(Coord)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Absence(IdMixin, Base):
    __tablename__ = "inspections_absence"
    __table_args__ = (Index("ix_inspections_absence_user", "tenant_id", "user_id"),)

    tenant_id: Mapped[int] = mapped_column(ForeignKey("org_tenant.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("org_user.id"))
    start: Mapped[date] = mapped_column(Date)
    end: Mapped[date] = mapped_column(Date)
    reason: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Plan(IdMixin, Base):
    __tablename__ = "inspections_plan"

    tenant_id: Mapped[int] = mapped_column(ForeignKey("org_tenant.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    start: Mapped[date] = mapped_column(Date)
    end: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(12), default="active")  # active | cancelled
    stats: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # travel_km, visits, workload_cv, ...
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by: Mapped[str] = mapped_column(String(120))


class Visit(IdMixin, TimestampMixin, Base):
    __tablename__ = "inspections_visit"
    __table_args__ = (
        Index("ix_inspections_visit_site", "tenant_id", "site_id", "status"),
        Index("ix_inspections_visit_inspector_day", "tenant_id", "inspector_id", "scheduled_for"),
        Index("ix_inspections_visit_plan", "plan_id"),
        UniqueConstraint("tenant_id", "client_key"),
    )

    tenant_id: Mapped[int] = mapped_column(ForeignKey("org_tenant.id"))
    site_id: Mapped[int] = mapped_column(ForeignKey("org_site.id"))
    template_id: Mapped[int] = mapped_column(ForeignKey("inspections_template.id"))
    version_id: Mapped[int | None] = mapped_column(ForeignKey("inspections_template_version.id"))
    plan_id: Mapped[int | None] = mapped_column(ForeignKey("inspections_plan.id"))
    rule_id: Mapped[int | None] = mapped_column(ForeignKey("inspections_rule.id"))
    kind: Mapped[str] = mapped_column(String(12), default="inspection")  # inspection | self
    inspector_id: Mapped[int | None] = mapped_column(ForeignKey("org_user.id"))
    scheduled_for: Mapped[date | None] = mapped_column(Date)
    window_start: Mapped[date | None] = mapped_column(Date)
    window_end: Mapped[date | None] = mapped_column(Date)
    route_order: Mapped[int | None] = mapped_column(Integer)
    unannounced: Mapped[bool] = mapped_column(Boolean, default=False)
    risk_score: Mapped[Decimal | None] = mapped_column(ExactDecimal(8, 2))
    reasons: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(12), default="planned")  # planned|in_progress|submitted|cancelled
    client_key: Mapped[str | None] = mapped_column(String(64))  # idempotency key of an ad hoc visit
    checkin_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    checkin_lat: Mapped[Decimal | None] = mapped_column(Coord)
    checkin_lon: Mapped[Decimal | None] = mapped_column(Coord)
    checkin_accuracy_m: Mapped[int | None] = mapped_column(Integer)
    checkin_distance_m: Mapped[int | None] = mapped_column(Integer)
    checkin_flagged: Mapped[bool] = mapped_column(Boolean, default=False)
    checkin_by: Mapped[int | None] = mapped_column(ForeignKey("org_user.id"))
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    submitted_by: Mapped[int | None] = mapped_column(ForeignKey("org_user.id"))
    earned: Mapped[Decimal | None] = mapped_column(Score)
    possible: Mapped[Decimal | None] = mapped_column(Score)
    percent: Mapped[Decimal | None] = mapped_column(Score)
    score: Mapped[Decimal | None] = mapped_column(Score)
    passed: Mapped[bool | None] = mapped_column(Boolean)
    critical_failed: Mapped[list[str]] = mapped_column(JSON, default=list)
    failed_items: Mapped[list[str]] = mapped_column(JSON, default=list)


class Answer(IdMixin, Base):
    __tablename__ = "inspections_answer"
    __table_args__ = (UniqueConstraint("visit_id", "item_key"),)

    tenant_id: Mapped[int] = mapped_column(ForeignKey("org_tenant.id"), index=True)
    visit_id: Mapped[int] = mapped_column(ForeignKey("inspections_visit.id"))
    item_key: Mapped[str] = mapped_column(String(40))
    value: Mapped[Any] = mapped_column(JSON)  # str | list[str] | None
    note: Mapped[str | None] = mapped_column(Text)
    client_id: Mapped[str] = mapped_column(String(64))  # the phone's id of this entry: a replay is a no-op
    answered_at: Mapped[datetime] = mapped_column(UTCDateTime())  # on the phone (later entries win)
    saved_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    saved_by: Mapped[int | None] = mapped_column(ForeignKey("org_user.id"))


class Photo(IdMixin, Base):
    """A photo of a visit's item, of an action's evidence or a template's reference photo."""

    __tablename__ = "inspections_photo"
    __table_args__ = (
        UniqueConstraint("tenant_id", "client_id"),
        Index("ix_inspections_photo_visit", "visit_id"),
        Index("ix_inspections_photo_action", "action_id"),
    )

    tenant_id: Mapped[int] = mapped_column(ForeignKey("org_tenant.id"))
    visit_id: Mapped[int | None] = mapped_column(ForeignKey("inspections_visit.id"))
    action_id: Mapped[int | None] = mapped_column(ForeignKey("inspections_action.id"))
    template_id: Mapped[int | None] = mapped_column(ForeignKey("inspections_template.id"))
    site_id: Mapped[int | None] = mapped_column(ForeignKey("org_site.id"))
    item_key: Mapped[str | None] = mapped_column(String(40))
    client_id: Mapped[str] = mapped_column(String(64))
    sha256: Mapped[str] = mapped_column(String(64))
    content_type: Mapped[str] = mapped_column(String(40))
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    captured_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # from EXIF, when present
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    uploaded_by: Mapped[int | None] = mapped_column(ForeignKey("org_user.id"))
    blob_key: Mapped[str] = mapped_column(String(200))
    thumb_key: Mapped[str] = mapped_column(String(200))


class Action(IdMixin, TimestampMixin, Base):
    __tablename__ = "inspections_action"
    __table_args__ = (
        UniqueConstraint("visit_id", "item_key"),
        Index("ix_inspections_action_site_status", "tenant_id", "site_id", "status"),
        Index("ix_inspections_action_owner", "tenant_id", "owner_id", "status"),
    )

    tenant_id: Mapped[int] = mapped_column(ForeignKey("org_tenant.id"))
    visit_id: Mapped[int] = mapped_column(ForeignKey("inspections_visit.id"))
    site_id: Mapped[int] = mapped_column(ForeignKey("org_site.id"))
    item_key: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(500))
    title_zh: Mapped[str | None] = mapped_column(String(500))
    severity: Mapped[str] = mapped_column(String(10))
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("org_user.id"))
    due_date: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(12), default="open")  # open | submitted | accepted
    evidence_required: Mapped[list[str]] = mapped_column(JSON, default=list)  # photo, note
    evidence_note: Mapped[str | None] = mapped_column(Text)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    submitted_by: Mapped[int | None] = mapped_column(ForeignKey("org_user.id"))
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reviewed_by: Mapped[int | None] = mapped_column(ForeignKey("org_user.id"))
    review_note: Mapped[str | None] = mapped_column(Text)
    reopened: Mapped[int] = mapped_column(Integer, default=0)
    escalation_level: Mapped[int] = mapped_column(Integer, default=0)
    escalated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class Alert(IdMixin, Base):
    """An immediate food-safety alert (a chiller above its limit), raised once per visit and item."""

    __tablename__ = "inspections_alert"
    __table_args__ = (UniqueConstraint("visit_id", "item_key"),)

    tenant_id: Mapped[int] = mapped_column(ForeignKey("org_tenant.id"), index=True)
    visit_id: Mapped[int] = mapped_column(ForeignKey("inspections_visit.id"))
    site_id: Mapped[int] = mapped_column(ForeignKey("org_site.id"))
    item_key: Mapped[str] = mapped_column(String(40))
    reading: Mapped[str | None] = mapped_column(String(100))
    raised_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Signal(IdMixin, Base):
    """A fact of another domain about a store that weighs on its risk: stock_discrepancy, shrink, stockout,
    waste, cold_chain (``value``: its size where it has one, e.g. a count's variance value)."""

    __tablename__ = "inspections_signal"
    __table_args__ = (Index("ix_inspections_signal_site", "tenant_id", "site_id", "kind", "at"),)

    tenant_id: Mapped[int] = mapped_column(ForeignKey("org_tenant.id"))
    site_id: Mapped[int] = mapped_column(ForeignKey("org_site.id"))
    kind: Mapped[str] = mapped_column(String(20))
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    value: Mapped[Decimal | None] = mapped_column(ExactDecimal(20, 6))
    source: Mapped[str] = mapped_column(String(120))  # the event topic


class Settings(Base):
    __tablename__ = "inspections_settings"

    tenant_id: Mapped[int] = mapped_column(BigId, ForeignKey("org_tenant.id"), primary_key=True, autoincrement=False)
    geofence_m: Mapped[int] = mapped_column(Integer, default=150)
    checkin_policy: Mapped[str] = mapped_column(String(10), default="flag")  # flag | refuse
    max_photo_mb: Mapped[int] = mapped_column(Integer, default=10)
    due_days: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)
    escalation_step_days: Mapped[int] = mapped_column(Integer, default=2)
    site_geofence: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)  # site id -> radius in metres
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_by: Mapped[str] = mapped_column(String(120))
