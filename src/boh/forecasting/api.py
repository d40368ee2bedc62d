"""Public surface of forecasting for the layers above (replenishment, production, staffing) and the
entrypoints: the latest forecast of a site x item, and the column mapping of a sales-history import; the
latent-demand rule of censored (stocked-out) hours, ``recover_hourly`` and ``hourly_profiles``, which the
replenishment simulation applies to the same kind of data; the weekday model (``weekday_forecasts``,
``WeekdayConfig``), which is the replenishment replay's forecaster; the engine's 2-day (daily-ordering) forecast
from every origin as arrays (``short_forecasts``), the replay's other forecaster."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import date
from decimal import Decimal

import numpy as np
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from boh.forecasting.domain import MIN_SHARE, hourly_profiles, recover_hourly
from boh.forecasting.history import FIELDS as HISTORY_FIELDS
from boh.forecasting.history import Mapping_ as HistoryMapping
from boh.forecasting.queries import get_series, latest_run
from boh.forecasting.schemas import ForecastDay, SeriesRead
from boh.forecasting.weekday import DISCOUNT_EDGES, WeekdayConfig, WeekdayData, WeekdayFit, discount_bin, weekdays
from boh.forecasting.weekday import fit as fit_weekday
from boh.forecasting.weekday import forecasts as weekday_forecasts

__all__ = [
    "DISCOUNT_EDGES",
    "HISTORY_FIELDS",
    "MIN_SHARE",
    "ForecastDay",
    "HistoryMapping",
    "SeriesRead",
    "WeekdayConfig",
    "WeekdayFit",
    "blend_weekday",
    "discount_bin",
    "fit_weekday",
    "forecast_quantiles",
    "get_series",
    "hourly_profiles",
    "latest_run",
    "promoted_items",
    "recover_hourly",
    "short_forecasts",
    "weekday_forecasts",
    "weekdays",
]  # fmt: skip


def forecast_quantiles(
    session: Session, tenant_id: int, site_id: int, item_ids: Iterable[int], start: date, end: date,
    run_id: int | None = None,
) -> dict[int, list[tuple[date, Decimal, Decimal, Decimal]]]:  # fmt: skip
    """(day, mean, q50, q90) of the forecast days in [start, end) of these items at one site, from a run
    (default: the latest), per item in day order: one narrow query for all of them (replenishment runs). A day with
    a demand forecast (the daily-ordering model's, since model 1.13) gives that one, the others the sales forecast."""
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
        stmt = (select(F.item_id, F.day, func.coalesce(F.demand, F.mean), func.coalesce(F.demand_q50, F.q50),
                       func.coalesce(F.demand_q90, F.q90))
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


def short_forecasts(
    h: WeekdayData, first_origin: int, horizon: int, weekday: np.ndarray | None = None, group: np.ndarray | None = None,
    in_stock: np.ndarray | None = None, refit_every: int = 7, last_origin: int | None = None,
    blend: float | None = None, calendar: str = "CN",
) -> np.ndarray:  # fmt: skip
    """F[o, s, k]: the forecasting engine's daily-ordering forecast (``engine.predict_short``) made with data
    through day ``o`` for day ``o + 1 + k``, from every origin ``first_origin`` .. ``last_origin`` (default the
    last day; NaN elsewhere), as the weekday model's ``forecasts`` lays it out: LightGBM fitted at the first origin
    and refitted every ``refit_every`` origins on ``h.known`` of the days up to the origin (the promotion plan,
    ``h.discount`` and ``h.activity``, known ahead), blended with the weekday model by ``blend`` (None: the
    engine's ``Config.weekday_blend_2d``; 0: LightGBM alone), the engine's settings otherwise (its weekday model's
    calendar ``calendar``).

    ``weekday``: the weekday model's own forecasts (T, S, >= ``horizon``) from the same origins to blend with
    (``engine.blend_weekday``: the caller's settings and in-stock weights); None: the engine's (``predict_short``
    fits it from the frames: ``in_stock`` (S, T) 0/1, if given, marks the days in stock). ``group``: (S,) labels,
    the engine's static "group" (0 when None); ``h.category`` is its "category"."""
    import pandas as pd

    from boh.forecasting import engine

    cfg = engine.Config(weekday_calendar=calendar)
    blend = cfg.weekday_blend_2d if blend is None else blend
    cfg = replace(cfg, weekday_blend_2d=blend)
    n_s, n_t = h.known.shape
    stop = n_t if last_origin is None else min(n_t, last_origin + 1)
    out = np.full((n_t, n_s, horizon), np.nan, dtype=np.float64)
    if stop <= first_origin or n_s == 0:
        return out
    ids = np.array([f"{i:07d}" for i in range(n_s)])
    days = pd.DatetimeIndex(h.days)
    frame = pd.DataFrame({"unique_id": np.repeat(ids, n_t), "ds": np.tile(days, n_s),
                          "y": np.nan_to_num(np.asarray(h.known, dtype=float)).ravel(),
                          "discount": np.asarray(h.discount, dtype=float).ravel(),
                          "promo": np.asarray(h.activity, dtype=float).ravel()})  # fmt: skip
    if in_stock is not None:
        frame["in_stock"] = np.asarray(in_stock, dtype=bool).ravel()
    plan = frame[["unique_id", "ds", "discount", "promo"]]
    if n_t < stop + horizon:  # forecast days past the arrays: the last day's plan carried forward
        extra = pd.date_range(days[-1] + pd.Timedelta(days=1), periods=stop + horizon - n_t, freq="D")
        tail = plan[plan["ds"] == days[-1]]
        plan = pd.concat([plan, *(tail.assign(ds=d) for d in extra)], ignore_index=True)
    static = pd.DataFrame({"unique_id": ids, "category": np.asarray(h.category, dtype=float),
                           "group": np.zeros(n_s) if group is None else np.asarray(group, dtype=float),
                           "item": np.asarray(h.product)})  # fmt: skip
    if weekday is not None:
        cfg = replace(cfg, weekday_blend_2d=0.0)  # LightGBM alone here, blended below with the given model
    origins = [days[o] for o in range(first_origin, stop)]
    short = engine.predict_short(frame, plan, static, cfg, origins, horizon, refit_every=refit_every)
    o_idx = days.get_indexer(pd.DatetimeIndex(short["origin"]))
    k_idx = ((pd.DatetimeIndex(short["ds"]) - pd.DatetimeIndex(short["origin"])).days - 1).to_numpy()
    s_idx = np.searchsorted(ids, short["unique_id"].to_numpy())
    if weekday is None:
        out[o_idx, s_idx, k_idx] = short["mean"].to_numpy(dtype=float)
    else:
        lg = short["lgbm"].to_numpy(dtype=float)
        out[o_idx, s_idx, k_idx] = engine.blend_weekday(lg, weekday[o_idx, s_idx, k_idx], blend) if blend > 0 \
            else np.clip(lg, 0.0, None)  # fmt: skip
    return out


def blend_weekday(base: np.ndarray, weekday: np.ndarray, w: float) -> np.ndarray:
    """The engine's blend of a forecast with the weekday model's (``engine.blend_weekday``): (1 - w) x base + w x
    weekday, each clipped at 0; ``base`` alone (clipped) where the weekday model has no forecast."""
    from boh.forecasting import engine

    return engine.blend_weekday(base, weekday, w)
