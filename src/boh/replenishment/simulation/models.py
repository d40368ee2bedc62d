"""Tables of the policy simulation (prefix ``replenishment_sim_``): a stored run (its parameters, both
trade-off curves overall and per category, the comparison, and a few sample series' day-by-day traces) and
the operating point a planner picked per category. Figures are stored as decimal strings in JSON (exact,
never floats); the numbers are simulation results, not stock or money."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from boh.kernel.clock import utcnow
from boh.kernel.db import Base, IdMixin
from boh.kernel.types import ExactDecimal, UTCDateTime

Ratio = ExactDecimal(12, 4)


class SimRun(IdMixin, Base):
    __tablename__ = "replenishment_sim_run"
    __table_args__ = (Index("ix_replenishment_sim_run_tenant_started", "tenant_id", "started_at"),)

    tenant_id: Mapped[int] = mapped_column(ForeignKey("org_tenant.id"))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    label: Mapped[str] = mapped_column(String(120))
    source: Mapped[str] = mapped_column(String(200))  # data file or "demo"
    series: Mapped[int] = mapped_column(Integer, default=0)
    seconds: Mapped[Decimal] = mapped_column(Ratio, default=Decimal(0))
    created_by: Mapped[str] = mapped_column(String(120))
    params: Mapped[dict[str, Any]] = mapped_column(JSON)  # the study: sweeps, category parameters, windows
    summary: Mapped[dict[str, Any]] = mapped_column(JSON)  # headline figures and the comparison
    curves: Mapped[dict[str, Any]] = mapped_column(JSON)  # {"baseline"|"boh": [{param, metrics, categories}]}
    traces: Mapped[dict[str, Any]] = mapped_column(JSON)  # sample series' days: stock, orders, lost, demand


class SimChoice(IdMixin, Base):
    """The operating point chosen for a category (``all``: the whole run) from a stored run's curves."""

    __tablename__ = "replenishment_sim_choice"
    __table_args__ = (UniqueConstraint("run_id", "category"),)

    tenant_id: Mapped[int] = mapped_column(ForeignKey("org_tenant.id"))
    run_id: Mapped[int] = mapped_column(ForeignKey("replenishment_sim_run.id", ondelete="CASCADE"))
    category: Mapped[str] = mapped_column(String(40))
    policy: Mapped[str] = mapped_column(String(20))  # boh | baseline
    param: Mapped[Decimal] = mapped_column(Ratio)  # service level or days of cover
    chosen_by: Mapped[str] = mapped_column(String(120))
    chosen_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
