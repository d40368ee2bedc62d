"""Public surface of forecasting for the layers above (replenishment, production, staffing) and the
entrypoints: the latest forecast of a site x item, and the column mapping of a sales-history import; the
latent-demand rule of censored (stocked-out) hours, ``recover_hourly`` and ``hourly_profiles``, which the
replenishment simulation applies to the same kind of data; the weekday model (``weekday_forecasts``,
``WeekdayConfig``), which is the replenishment replay's forecaster."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from boh.forecasting.domain import MIN_SHARE, hourly_profiles, recover_hourly
from boh.forecasting.history import FIELDS as HISTORY_FIELDS
from boh.forecasting.history import Mapping_ as HistoryMapping
from boh.forecasting.queries import get_series, latest_run
from boh.forecasting.schemas import ForecastDay, SeriesRead
from boh.forecasting.weekday import DISCOUNT_EDGES, WeekdayConfig, WeekdayFit, discount_bin, weekdays
from boh.forecasting.weekday import fit as fit_weekday
from boh.forecasting.weekday import forecasts as weekday_forecasts

__all__ = [
    "DISCOUNT_EDGES", "HISTORY_FIELDS", "MIN_SHARE", "ForecastDay", "HistoryMapping", "SeriesRead", "WeekdayConfig",
    "WeekdayFit", "discount_bin", "fit_weekday", "forecast_quantiles", "get_series", "hourly_profiles", "latest_run",
    "promoted_items", "recover_hourly", "weekday_forecasts", "weekdays",
]  # fmt: skip


def forecast_quantiles(
    session: Session, tenant_id: int, site_id: int, item_ids: Iterable[int], start: date, end: date,
    run_id: int | None = None,
) -> dict[int, list[tuple[date, Decimal, Decimal, Decimal]]]:  # fmt: skip
    """(day, mean, q50, q90) of the forecast days in [start, end) of these items at one site, from a run
    (default: the latest), per item in day order: one narrow query for all of them (replenishment runs)."""
    from boh.forecasting import models

    if run_id is None:
        run = latest_run(session, tenant_id)
        if run is None:
            return {}
        run_id = run.id
    F = models.Forecast
    wanted = sorted(set(item_ids))
    out: dict[int, list[tuple[date, Decimal, Decimal, Decimal]]] = {}
    for s in range(0, len(wanted), 1000):
        stmt = (select(F.item_id, F.day, F.mean, F.q50, F.q90)
                .where(F.run_id == run_id, F.tenant_id == tenant_id, F.site_id == site_id,
                       F.item_id.in_(wanted[s : s + 1000]), F.day >= start, F.day < end)
                .order_by(F.item_id, F.day))  # fmt: skip
        for item_id, day, mean, q50, q90 in session.execute(stmt):
            out.setdefault(item_id, []).append((day, mean, q50, q90))
    return out


def promoted_items(session: Session, tenant_id: int, site_id: int, start: date, end: date) -> set[int]:
    """Items with a promotion at the site overlapping [start, end]."""
    from boh.forecasting import queries as q

    return {p.item_id for p in q.promotions(session, tenant_id, start, end) if not p.site_ids or site_id in p.site_ids}
