"""Tables owned by replenishment (prefix ``replenishment_``).

Policies and sourcing rules are configuration (the per site x item parameters stay in the catalog's
assortment, supplier terms in the catalog's supplier items: see the package docstring). A run is one
computation for an order day; its lines are the suggestions (one per site x item with something to order or
to look at), each with its structured explanation in a narrow side table. Review changes, approval steps and
automatic-ordering decisions are kept, never overwritten.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from boh.kernel.clock import utcnow
from boh.kernel.db import Base, BigId, IdMixin, TimestampMixin
from boh.kernel.types import ExactDecimal, MoneyAmount, Qty, UTCDateTime

Pct = ExactDecimal(9, 3)


class Policy(IdMixin, TimestampMixin, Base):
    """How items are replenished, for the most specific match: site + item class, site, category, item class,
    everything (see domain ``pick_policy``)."""

    __tablename__ = "replenishment_policy"

    tenant_id: Mapped[int] = mapped_column(ForeignKey("org_tenant.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    site_id: Mapped[int | None] = mapped_column(ForeignKey("org_site.id"))
    category_id: Mapped[int | None] = mapped_column(ForeignKey("catalog_category.id"))
    item_class: Mapped[str | None] = mapped_column(String(2))  # "A", "AX", "CZ" ... (ABC/XYZ)
    method: Mapped[str] = mapped_column(String(20), default="order_up_to")  # order_up_to | min_max | fixed_qty
    service_level: Mapped[Decimal] = mapped_column(Pct, default=Decimal("0.95"))
    review_days: Mapped[int | None] = mapped_column(Integer)  # None: from the order days
    fixed_qty: Mapped[Decimal | None] = mapped_column(Qty())
    shelf_life_cap: Mapped[bool] = mapped_column(Boolean, default=True)
    tolerance_pct: Mapped[Decimal] = mapped_column(Pct, default=Decimal(20))
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Sourcing(IdMixin, TimestampMixin, Base):
    """Where a site gets an item: a supplier or another site (a DC). Precedence: item > category > all; a rule
    for the site beats one for its region, which beats one for every site."""

    __tablename__ = "replenishment_sourcing"

    tenant_id: Mapped[int] = mapped_column(ForeignKey("org_tenant.id"), index=True)
    site_id: Mapped[int | None] = mapped_column(ForeignKey("org_site.id"))
    region_id: Mapped[int | None] = mapped_column(ForeignKey("org_region.id"))
    item_id: Mapped[int | None] = mapped_column(ForeignKey("catalog_item.id"))
    category_id: Mapped[int | None] = mapped_column(ForeignKey("catalog_category.id"))
    source: Mapped[str] = mapped_column(String(10))  # supplier | site
    supplier_id: Mapped[int | None] = mapped_column(ForeignKey("catalog_supplier.id"))
    from_site_id: Mapped[int | None] = mapped_column(ForeignKey("org_site.id"))
    lead_time_days: Mapped[int | None] = mapped_column(Integer)  # transfers: the DC's delivery time
    order_days: Mapped[list[str]] = mapped_column(JSON, default=list)  # transfers: the DC's order days


class Budget(IdMixin, TimestampMixin, Base):
    """What one run may spend at a site (optionally one category): lines are trimmed to fit."""

    __tablename__ = "replenishment_budget"

    tenant_id: Mapped[int] = mapped_column(ForeignKey("org_tenant.id"), index=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("org_site.id"))
    category_id: Mapped[int | None] = mapped_column(ForeignKey("catalog_category.id"))
    amount: Mapped[Decimal] = mapped_column(MoneyAmount())
    currency: Mapped[str] = mapped_column(String(3))


class Settings(Base):
    """Per-tenant approval thresholds, escalation and the automatic-ordering kill switch."""

    __tablename__ = "replenishment_settings"

    tenant_id: Mapped[int] = mapped_column(ForeignKey("org_tenant.id"), primary_key=True)
    level2_amount: Mapped[Decimal] = mapped_column(MoneyAmount(), default=Decimal(5000))
    level2_deviation_pct: Mapped[Decimal] = mapped_column(Pct, default=Decimal(100))
    escalate_hours: Mapped[int] = mapped_column(Integer, default=24)
    auto_enabled: Mapped[bool] = mapped_column(Boolean, default=True)  # False: the kill switch is on
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class AutoRule(IdMixin, TimestampMixin, Base):
    """Lines of a site and/or category placed without a person when they stay in the bands."""

    __tablename__ = "replenishment_auto_rule"

    tenant_id: Mapped[int] = mapped_column(ForeignKey("org_tenant.id"), index=True)
    site_id: Mapped[int | None] = mapped_column(ForeignKey("org_site.id"))
    category_id: Mapped[int | None] = mapped_column(ForeignKey("catalog_category.id"))
    budget: Mapped[Decimal] = mapped_column(MoneyAmount())  # per run and site
    deviation_pct: Mapped[Decimal] = mapped_column(Pct, default=Decimal(50))  # vs the last weeks' daily sales
    price_band_pct: Mapped[Decimal] = mapped_column(Pct, default=Decimal(10))  # vs the site's unit cost
    dry_run: Mapped[bool] = mapped_column(Boolean, default=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Run(IdMixin, Base):
    __tablename__ = "replenishment_run"
    __table_args__ = (UniqueConstraint("tenant_id", "idempotency_key"),)

    tenant_id: Mapped[int] = mapped_column(ForeignKey("org_tenant.id"), index=True)
    order_day: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(10), default="queued")  # queued | running | done | failed
    site_ids: Mapped[list[int] | None] = mapped_column(JSON)  # None: every site
    sites_total: Mapped[int] = mapped_column(Integer, default=0)
    sites_done: Mapped[int] = mapped_column(Integer, default=0)
    lines: Mapped[int] = mapped_column(Integer, default=0)
    seconds: Mapped[Decimal] = mapped_column(Pct, default=Decimal(0))
    forecast_run_id: Mapped[int | None] = mapped_column(BigId)
    error: Mapped[str | None] = mapped_column(Text)
    idempotency_key: Mapped[str | None] = mapped_column(String(80))
    created_by: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class Line(IdMixin, Base):
    """One suggestion: what to order of an item for a site, from whom, and its review/approval state."""

    __tablename__ = "replenishment_line"
    __table_args__ = (
        UniqueConstraint("run_id", "site_id", "item_id"),
        Index("ix_replenishment_line_tenant_status", "tenant_id", "status"),
    )

    run_id: Mapped[int] = mapped_column(ForeignKey("replenishment_run.id", ondelete="CASCADE"))
    tenant_id: Mapped[int] = mapped_column(BigId)
    site_id: Mapped[int] = mapped_column(ForeignKey("org_site.id"))
    item_id: Mapped[int] = mapped_column(ForeignKey("catalog_item.id"))
    category_id: Mapped[int | None] = mapped_column(BigId)
    item_class: Mapped[str] = mapped_column(String(2), default="BY")
    method: Mapped[str] = mapped_column(String(20))
    source: Mapped[str] = mapped_column(String(10))  # supplier | site | none
    supplier_id: Mapped[int | None] = mapped_column(BigId)
    from_site_id: Mapped[int | None] = mapped_column(BigId)
    needed_by: Mapped[date] = mapped_column(Date)
    suggested_qty: Mapped[Decimal] = mapped_column(Qty())
    qty: Mapped[Decimal] = mapped_column(Qty())  # after review (= suggested until someone changes it)
    forecast_qty: Mapped[Decimal] = mapped_column(Qty())
    safety_stock: Mapped[Decimal] = mapped_column(Qty())
    position: Mapped[Decimal] = mapped_column(Qty())
    unit_price: Mapped[Decimal] = mapped_column(MoneyAmount())  # per base unit
    currency: Mapped[str] = mapped_column(String(3))
    binding: Mapped[str | None] = mapped_column(String(20))
    tolerance_pct: Mapped[Decimal] = mapped_column(Pct)
    # proposed | changed | pending | approved | rejected | ordered
    status: Mapped[str] = mapped_column(String(10), default="proposed")
    approval_level: Mapped[int] = mapped_column(Integer, default=0)  # levels still needed
    approval_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reason_code: Mapped[str | None] = mapped_column(String(20))
    order_ref: Mapped[str | None] = mapped_column(String(60))  # the purchasing document once placed
    auto: Mapped[bool] = mapped_column(Boolean, default=False)


class Explanation(Base):
    __tablename__ = "replenishment_explanation"

    line_id: Mapped[int] = mapped_column(ForeignKey("replenishment_line.id", ondelete="CASCADE"), primary_key=True)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)


class Change(IdMixin, Base):
    """A reviewed quantity (kept for learning and audit)."""

    __tablename__ = "replenishment_change"

    tenant_id: Mapped[int] = mapped_column(BigId, index=True)
    line_id: Mapped[int] = mapped_column(ForeignKey("replenishment_line.id", ondelete="CASCADE"), index=True)
    old_qty: Mapped[Decimal] = mapped_column(Qty())
    new_qty: Mapped[Decimal] = mapped_column(Qty())
    deviation_pct: Mapped[Decimal] = mapped_column(Pct)
    reason_code: Mapped[str] = mapped_column(String(20))
    note: Mapped[str | None] = mapped_column(Text)
    actor: Mapped[str] = mapped_column(String(40))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Approval(IdMixin, Base):
    """One approval step of a line: level 1 (regional manager), level 2 (buyer / HQ)."""

    __tablename__ = "replenishment_approval"

    tenant_id: Mapped[int] = mapped_column(BigId, index=True)
    line_id: Mapped[int] = mapped_column(ForeignKey("replenishment_line.id", ondelete="CASCADE"), index=True)
    level: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(10), default="pending")  # pending | approved | rejected
    due_at: Mapped[datetime] = mapped_column(UTCDateTime())
    escalated: Mapped[bool] = mapped_column(Boolean, default=False)
    actor: Mapped[str | None] = mapped_column(String(40))
    note: Mapped[str | None] = mapped_column(Text)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class AutoDecision(IdMixin, Base):
    """What automatic ordering decided about a line and why (placed, would place in dry-run, to a person)."""

    __tablename__ = "replenishment_auto_decision"

    tenant_id: Mapped[int] = mapped_column(BigId, index=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("replenishment_run.id", ondelete="CASCADE"), index=True)
    line_id: Mapped[int] = mapped_column(ForeignKey("replenishment_line.id", ondelete="CASCADE"))
    rule_id: Mapped[int | None] = mapped_column(BigId)
    decision: Mapped[str] = mapped_column(String(12))  # placed | would_place | to_review
    dry_run: Mapped[bool] = mapped_column(Boolean)
    reasons: Mapped[list[str]] = mapped_column(JSON, default=list)
    value: Mapped[Decimal] = mapped_column(MoneyAmount())
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
