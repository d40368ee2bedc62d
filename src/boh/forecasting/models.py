"""Tables owned by the forecasting domain (prefix ``forecasting_``).

Inputs entered in BOH: planned promotions (item, sites, dates, discount, display type), local events and a
daily weather table per site (an integration or the demo fills it); imported sales history of a chain (one
row per site x item x day: sales, the share of the day out of stock, the latent demand recovered at import).
Outputs: a run (model version, configuration and features used), its forecasts (mean and quantiles per day)
and its backtest metrics per series (class, chosen model, error of each candidate).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from boh.kernel.clock import utcnow
from boh.kernel.db import Base, BigId, IdMixin, TimestampMixin
from boh.kernel.types import ExactDecimal, Qty, UTCDateTime

Ratio = ExactDecimal(12, 4)  # price ratios, shares, errors
Measure = ExactDecimal(10, 2)  # degrees, millimetres


class Promotion(IdMixin, TimestampMixin, Base):
    __tablename__ = "forecasting_promotion"
    __table_args__ = (Index("ix_forecasting_promotion_tenant_item", "tenant_id", "item_id", "start_day"),)

    tenant_id: Mapped[int] = mapped_column(ForeignKey("org_tenant.id"))
    item_id: Mapped[int] = mapped_column(ForeignKey("catalog_item.id"))
    site_ids: Mapped[list[int]] = mapped_column(JSON, default=list)  # [] = every site
    name: Mapped[str] = mapped_column(String(120))
    start_day: Mapped[date] = mapped_column(Date)
    end_day: Mapped[date] = mapped_column(Date)
    discount: Mapped[Decimal] = mapped_column(Ratio)  # price ratio paid: 0.8 = 20% off
    display: Mapped[str] = mapped_column(String(20), default="none")  # none | shelf | endcap | flyer | online


class Event(IdMixin, TimestampMixin, Base):
    __tablename__ = "forecasting_event"
    __table_args__ = (Index("ix_forecasting_event_tenant_site_day", "tenant_id", "site_id", "start_day"),)

    tenant_id: Mapped[int] = mapped_column(ForeignKey("org_tenant.id"))
    site_id: Mapped[int] = mapped_column(ForeignKey("org_site.id"))
    name: Mapped[str] = mapped_column(String(120))
    start_day: Mapped[date] = mapped_column(Date)
    end_day: Mapped[date] = mapped_column(Date)
    impact: Mapped[str] = mapped_column(String(10), default="up")  # up | down: the expected effect on demand


class Weather(Base):
    __tablename__ = "forecasting_weather"

    tenant_id: Mapped[int] = mapped_column(ForeignKey("org_tenant.id"), primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("org_site.id"), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    temperature: Mapped[Decimal | None] = mapped_column(Measure)  # daily mean, degrees Celsius
    precipitation: Mapped[Decimal | None] = mapped_column(Measure)  # millimetres


class History(Base):
    """Imported daily sales history (any chain's, mapped at import): what the ledger does not hold."""

    __tablename__ = "forecasting_history"

    tenant_id: Mapped[int] = mapped_column(ForeignKey("org_tenant.id"), primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("org_site.id"), primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("catalog_item.id"), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    quantity: Mapped[Decimal] = mapped_column(Qty())  # sold
    demand: Mapped[Decimal | None] = mapped_column(Qty())  # latent demand; NULL: too censored, imputed at fit
    stockout: Mapped[Decimal] = mapped_column(Ratio, default=Decimal(0))  # share of the day out of stock
    in_stock: Mapped[bool] = mapped_column(Boolean, default=True)  # uncensored (scored)
    discount: Mapped[Decimal | None] = mapped_column(Ratio)
    promo: Mapped[bool] = mapped_column(Boolean, default=False)


RUN_STATUSES = ("queued", "running", "done", "failed")


class Run(IdMixin, Base):
    """A forecast run. Asked for through the API it is a background job: ``queued`` (the request: options and
    the asker's sites), ``running`` (``progress`` 0-1 as chunks of series finish), then ``done`` with its
    forecasts, or ``failed`` with ``error`` (problem details). The CLI and the nightly job run it at once."""

    __tablename__ = "forecasting_run"
    __table_args__ = (
        Index("ix_forecasting_run_tenant_started", "tenant_id", "started_at"),
        Index("ix_forecasting_run_status", "status", "id"),
        Index("uq_forecasting_run_tenant_key", "tenant_id", "idempotency_key", unique=True),
    )

    tenant_id: Mapped[int] = mapped_column(ForeignKey("org_tenant.id"))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)  # asked for (queued) or started
    status: Mapped[str] = mapped_column(String(12), default="done", server_default="done")  # RUN_STATUSES
    progress: Mapped[Decimal] = mapped_column(Ratio, default=Decimal(0), server_default="0")  # 0-1
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    error: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # problem details of a failed run
    idempotency_key: Mapped[str | None] = mapped_column(String(64))  # unique per tenant (NULLs never clash)
    request: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # options of a queued run, the asker's sites
    requested_by: Mapped[str | None] = mapped_column(String(64))  # the asker (principal actor)
    seconds: Mapped[Decimal] = mapped_column(Ratio, default=Decimal(0))
    model_version: Mapped[str] = mapped_column(String(40))
    config: Mapped[dict[str, Any]] = mapped_column(JSON)  # horizon, quantiles, features used, engine
    series: Mapped[int] = mapped_column(Integer, default=0)
    origin: Mapped[date] = mapped_column(Date)  # last day of history; forecasts start the day after


class Forecast(Base):
    __tablename__ = "forecasting_forecast"
    __table_args__ = (Index("ix_forecasting_forecast_tenant_site_item", "tenant_id", "site_id", "item_id", "day"),)

    run_id: Mapped[int] = mapped_column(ForeignKey("forecasting_run.id", ondelete="CASCADE"), primary_key=True)
    site_id: Mapped[int] = mapped_column(BigId, primary_key=True)
    item_id: Mapped[int] = mapped_column(BigId, primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    tenant_id: Mapped[int] = mapped_column(BigId)
    model: Mapped[str] = mapped_column(String(20))
    mean: Mapped[Decimal] = mapped_column(Qty())
    q10: Mapped[Decimal | None] = mapped_column(Qty())  # the band's lower bound (NULL: a run before it was kept)
    q50: Mapped[Decimal] = mapped_column(Qty())
    q80: Mapped[Decimal] = mapped_column(Qty())
    q90: Mapped[Decimal] = mapped_column(Qty())
    q95: Mapped[Decimal] = mapped_column(Qty())
    q99: Mapped[Decimal] = mapped_column(Qty())
    # the demand forecast of the days store ordering reads (``engine.Config.short_horizon``, since model 1.13): the
    # daily-ordering model's, which learns demand with stockouts recovered, and its quantiles; NULL on the other days
    # (and in runs before it), where ordering reads the sales forecast above
    demand: Mapped[Decimal | None] = mapped_column(Qty())
    demand_q10: Mapped[Decimal | None] = mapped_column(Qty())
    demand_q50: Mapped[Decimal | None] = mapped_column(Qty())
    demand_q80: Mapped[Decimal | None] = mapped_column(Qty())
    demand_q90: Mapped[Decimal | None] = mapped_column(Qty())
    demand_q95: Mapped[Decimal | None] = mapped_column(Qty())
    demand_q99: Mapped[Decimal | None] = mapped_column(Qty())


class SeriesMetric(Base):
    """Backtest of one series in a run: its class, the chosen model and each candidate's error."""

    __tablename__ = "forecasting_series_metric"

    run_id: Mapped[int] = mapped_column(ForeignKey("forecasting_run.id", ondelete="CASCADE"), primary_key=True)
    site_id: Mapped[int] = mapped_column(BigId, primary_key=True)
    item_id: Mapped[int] = mapped_column(BigId, primary_key=True)
    tenant_id: Mapped[int] = mapped_column(BigId)
    cls: Mapped[str] = mapped_column(String(20))
    model: Mapped[str] = mapped_column(String(20))
    wape: Mapped[Decimal | None] = mapped_column(Ratio)  # of the chosen model, backtest, in-stock periods
    bias: Mapped[Decimal | None] = mapped_column(Ratio)
    actual: Mapped[Decimal] = mapped_column(Qty(), default=Decimal(0))  # sum scored (weights for roll-ups)
    errors: Mapped[dict[str, Any]] = mapped_column(JSON)  # candidate -> backtest MAE
