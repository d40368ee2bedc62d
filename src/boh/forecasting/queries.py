"""Read models of forecasting: a series' forecast beside its actuals, the accuracy of the last run rolled up by
category / site / model, the promotions of a period. DTOs out (Decimals), never ORM objects."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from boh.catalog.api import category_view, item_view
from boh.forecasting import models, series
from boh.forecasting.errors import NoForecast, RunNotFound
from boh.forecasting.schemas import ActualDay, EventRead, ForecastDay, PromotionRead, RunRead, SeriesRead
from boh.kernel.tenancy import Scope
from boh.org.api import get_site_ref, site_view

ZERO = Decimal(0)


def latest_run(session: Session, tenant_id: int) -> models.Run | None:
    """The tenant's last finished run (the one forecasts are read from)."""
    R = models.Run
    return session.scalars(select(R).where(R.tenant_id == tenant_id, R.status == "done")
                           .order_by(R.id.desc()).limit(1)).first()  # fmt: skip


def runs(session: Session, tenant_id: int, limit: int = 20) -> list[RunRead]:
    rows = session.scalars(select(models.Run).where(models.Run.tenant_id == tenant_id)
                           .order_by(models.Run.id.desc()).limit(limit))  # fmt: skip
    return [RunRead.model_validate(r) for r in rows]


def get_run(session: Session, tenant_id: int, run_id: int) -> RunRead:
    """One run of the tenant (another tenant's run is not found, like a missing one)."""
    run = session.get(models.Run, run_id)
    if run is None or run.tenant_id != tenant_id:
        raise RunNotFound(f"no forecast run {run_id}")
    return RunRead.model_validate(run)


def get_series(session: Session, scope: Scope, site_id: int, item_id: int, history_days: int = 56) -> SeriesRead:
    get_site_ref(session, scope, site_id)
    run = latest_run(session, scope.tenant_id)
    F = models.Forecast
    rows = [] if run is None else list(session.scalars(select(F).where(
        F.run_id == run.id, F.site_id == site_id, F.item_id == item_id).order_by(F.day)))  # fmt: skip
    if run is None or not rows:
        raise NoForecast(f"no forecast for site {site_id}, item {item_id}")
    M = models.SeriesMetric
    metric = session.get(M, (run.id, site_id, item_id))
    start = run.origin - timedelta(days=history_days - 1)
    d = series.demand(session, scope, start, run.origin, [site_id], [item_id])
    actual = [ActualDay(day=r.ds.date(), quantity=Decimal(repr(float(r.y_obs))).quantize(Decimal("0.001")),
                        stockout=not bool(r.in_stock)) for r in d.itertuples()]  # fmt: skip
    return SeriesRead(
        # the series' model: the 14-day model chosen for it (the first days' are the 2-day model's, ``short``)
        site_id=site_id, item_id=item_id, run_id=run.id, model=metric.model if metric else rows[-1].model,
        cls=metric.cls if metric else "new",
        forecast=[ForecastDay(day=r.day, model=r.model, mean=r.mean, q10=r.q10, q50=r.q50, q80=r.q80, q90=r.q90,
                              q95=r.q95, q99=r.q99, demand=r.demand, demand_q10=r.demand_q10,
                              demand_q50=r.demand_q50, demand_q80=r.demand_q80, demand_q90=r.demand_q90,
                              demand_q95=r.demand_q95, demand_q99=r.demand_q99) for r in rows],
        actual=actual,
    )  # fmt: skip


@dataclass(frozen=True)
class AccuracyRow:
    key: str
    series: int
    wape: Decimal | None
    bias: Decimal | None


def accuracy(session: Session, scope: Scope, by: str) -> list[AccuracyRow]:
    """Backtest WAPE and bias of the last run, weighted by actual demand, by ``category``, ``site`` or
    ``model`` (in-stock periods of the rolling-origin backtest)."""
    run = latest_run(session, scope.tenant_id)
    if run is None:
        return []
    M = models.SeriesMetric
    it, st, cat = item_view(), site_view(), category_view()
    col = {"category": func.coalesce(cat.c.code, "—"), "site": st.c.code, "model": M.model}[by]
    stmt = (select(col, M.wape, M.bias, M.actual)
            .join(it, it.c.id == M.item_id).join(st, st.c.id == M.site_id)
            .outerjoin(cat, cat.c.id == it.c.category_id)
            .where(M.run_id == run.id, M.tenant_id == scope.tenant_id))  # fmt: skip
    if scope.site_ids is not None:
        stmt = stmt.where(M.site_id.in_(sorted(scope.site_ids)))
    err: dict[str, Decimal] = defaultdict(lambda: ZERO)
    diff: dict[str, Decimal] = defaultdict(lambda: ZERO)
    act: dict[str, Decimal] = defaultdict(lambda: ZERO)
    n: dict[str, int] = defaultdict(int)
    for key, wape, bias, actual in session.execute(stmt):
        k = str(key)
        n[k] += 1
        if wape is not None and actual:
            err[k] += wape * actual
            diff[k] += (bias or ZERO) * actual
            act[k] += actual
    q = Decimal("0.001")
    return [AccuracyRow(k, n[k], (err[k] / act[k]).quantize(q) if act[k] else None,
                        (diff[k] / act[k]).quantize(q) if act[k] else None) for k in sorted(n)]  # fmt: skip


def category_names(session: Session, tenant_id: int) -> dict[str, tuple[str | None, str | None]]:
    """Category code -> (name in English, in Chinese): the labels of the accuracy table's categories."""
    cat = category_view()
    rows = session.execute(select(cat.c.code, cat.c.name_en, cat.c.name_zh).where(cat.c.tenant_id == tenant_id))
    return {code: (en, zh) for code, en, zh in rows}


def promotions(session: Session, tenant_id: int, start: date, end: date) -> list[PromotionRead]:
    P = models.Promotion
    rows = session.scalars(select(P).where(P.tenant_id == tenant_id, P.end_day >= start, P.start_day <= end)
                           .order_by(P.start_day, P.id))  # fmt: skip
    return [PromotionRead.model_validate(r) for r in rows]


def events(session: Session, scope: Scope, start: date, end: date) -> list[EventRead]:
    E = models.Event
    stmt = select(E).where(E.tenant_id == scope.tenant_id, E.end_day >= start, E.start_day <= end)
    if scope.site_ids is not None:
        stmt = stmt.where(E.site_id.in_(sorted(scope.site_ids)))
    return [EventRead.model_validate(r) for r in session.scalars(stmt.order_by(E.start_day, E.id))]


def forecast_series(
    session: Session, scope: Scope, limit: int = 200
) -> list[tuple[int, int, str, str, str | None, str | None]]:
    """(site_id, item_id, site code, item SKU, item name in English, in Chinese) of the last run's forecasts that
    the scope sees."""
    run = latest_run(session, scope.tenant_id)
    if run is None:
        return []
    F, it, st = models.Forecast, item_view(), site_view()
    stmt = (select(F.site_id, F.item_id, st.c.code, it.c.sku, it.c.name_en, it.c.name_zh).distinct()
            .join(it, it.c.id == F.item_id).join(st, st.c.id == F.site_id).where(F.run_id == run.id))  # fmt: skip
    if scope.site_ids is not None:
        stmt = stmt.where(F.site_id.in_(sorted(scope.site_ids)))
    return [tuple(r) for r in session.execute(stmt.order_by(st.c.code, it.c.sku).limit(limit))]  # type: ignore[misc]
