"""Use cases of forecasting: enter promotions, events and weather; import a chain's sales history; run the
forecasts. ``uow`` first, keyword-only arguments; they check the principal's scope, audit what changed and
never commit (the entrypoint does)."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from boh.catalog.api import existing_item_ids, items_by_sku
from boh.forecasting import domain, engine, history, models, series
from boh.forecasting.errors import IdempotencyConflict
from boh.forecasting.schemas import EventIn, ImportResult, PromotionIn, WeatherIn
from boh.kernel.clock import utcnow
from boh.kernel.errors import BohError, FieldError, ValidationFailed
from boh.kernel.tenancy import Scope
from boh.kernel.uow import UnitOfWork
from boh.org.api import get_site_ref, site_ids_by_code

READ, INPUT, IMPORT, RUN = (
    "forecasting.forecast.read", "forecasting.input.write", "forecasting.history.import", "forecasting.run",
)  # fmt: skip
QTY = Decimal("0.000001")
RATIO = Decimal("0.0001")
TYPE_BASE = "https://boh.dev/problems/"  # as the API's problem+json (boh.http.problems)


def _dec(x: float, q: Decimal = QTY) -> Decimal:
    return Decimal(repr(float(x))).quantize(q)


def _check_sites(uow: UnitOfWork, perm: str, site_ids: Iterable[int], field: str) -> None:
    scope = uow.principal.scope(perm)
    errors = []
    for sid in site_ids:
        try:
            get_site_ref(uow.session, scope, sid)
        except Exception:
            errors.append(FieldError((field,), f"site {sid} not found", "not_found"))
    if errors:
        raise ValidationFailed(errors)


def _check_items(uow: UnitOfWork, item_ids: Iterable[int], field: str) -> None:
    wanted = set(item_ids)
    known = existing_item_ids(uow.session, uow.tenant_id, wanted) if wanted else set()
    errors = [FieldError((field,), f"item {i} not found", "not_found") for i in sorted(wanted - known)]
    if errors:
        raise ValidationFailed(errors)


def create_promotion(uow: UnitOfWork, body: PromotionIn) -> models.Promotion:
    uow.principal.scope(INPUT)
    _check_items(uow, [body.item_id], "item_id")
    _check_sites(uow, INPUT, body.site_ids, "site_ids")
    row = models.Promotion(tenant_id=uow.tenant_id, **body.model_dump())
    uow.session.add(row)
    uow.session.flush()
    uow.audit("forecasting.promotion.create", "forecasting_promotion", row.id, after=body.model_dump(mode="json"))
    return row


def create_event(uow: UnitOfWork, body: EventIn) -> models.Event:
    _check_sites(uow, INPUT, [body.site_id], "site_id")
    row = models.Event(tenant_id=uow.tenant_id, **body.model_dump())
    uow.session.add(row)
    uow.session.flush()
    uow.audit("forecasting.event.create", "forecasting_event", row.id, after=body.model_dump(mode="json"))
    return row


def put_weather(uow: UnitOfWork, rows: list[WeatherIn]) -> int:
    """Upsert daily weather per site (the last row of a (site, day) wins)."""
    _check_sites(uow, INPUT, sorted({r.site_id for r in rows}), "rows")
    latest = {(r.site_id, r.day): r for r in rows}
    W = models.Weather
    for (sid, day), r in sorted(latest.items()):
        row = uow.session.get(W, (uow.tenant_id, sid, day))
        if row is None:
            uow.session.add(W(tenant_id=uow.tenant_id, site_id=sid, day=day, temperature=r.temperature,
                              precipitation=r.precipitation))  # fmt: skip
        else:
            row.temperature, row.precipitation = r.temperature, r.precipitation
    uow.audit("forecasting.weather.put", "forecasting_weather", len(latest))
    return len(latest)


def import_history(
    uow: UnitOfWork, *, filename: str, data: bytes | pd.DataFrame, mapping: history.Mapping_
) -> ImportResult:
    """Import a chain's daily or hourly sales (CSV/Parquet, mapped columns): every bad row listed and nothing
    imported, or all of it (replacing the same site/item/days)."""
    scope = uow.principal.scope(IMPORT)
    rows, errors = history.parse_history(filename, data, mapping)
    given = {col: ~rows[col].isin(history.NO_CODE) for col in ("site", "item")}  # a missing code: already listed
    sites = site_ids_by_code(uow.session, uow.tenant_id, rows.loc[given["site"], "site"].unique())
    items = {k: v.id for k, v in items_by_sku(uow.session, uow.tenant_id, rows.loc[given["item"], "item"].unique())
             .items()}  # fmt: skip
    for col, known, label in (("site", sites, "site code"), ("item", items, "item SKU")):
        unknown = given[col] & ~rows[col].isin(list(known))
        for i in np.flatnonzero(unknown.to_numpy()):
            n = int(rows["_row"].iat[i])
            errors.append(FieldError(("row", n, col), f"unknown {label} '{rows[col].iat[i]}'", "not_found",
                                     row=n, column=mapping.columns[col]))  # fmt: skip
    hidden = {code for code, sid in sites.items() if not scope.allows_site(sid)}
    for i in np.flatnonzero(rows["site"].isin(sorted(hidden)).to_numpy()):
        n = int(rows["_row"].iat[i])
        errors.append(FieldError(("row", n, "site"), f"site '{rows['site'].iat[i]}' is outside your scope",
                                 "forbidden", row=n, column=mapping.columns["site"]))  # fmt: skip
    if errors:
        raise history.report(errors)
    daily = history.to_daily(rows)
    daily["site_id"] = daily["site"].map(sites).astype(int)
    daily["item_id"] = daily["item"].map(items).astype(int)
    H = models.History
    for sid, g in daily.groupby("site_id"):
        uow.session.execute(delete(H).where(H.tenant_id == uow.tenant_id, H.site_id == int(sid),
                                            H.day >= g["day"].min().date(), H.day <= g["day"].max().date(),
                                            H.item_id.in_(sorted(int(i) for i in g["item_id"].unique()))))  # fmt: skip
    has_discount, has_promo = "discount" in daily.columns, "promo" in daily.columns
    payload = [{
        "tenant_id": uow.tenant_id, "site_id": int(r.site_id), "item_id": int(r.item_id), "day": r.day.date(),
        "quantity": _dec(r.quantity), "demand": None if np.isnan(r.demand) else _dec(r.demand),
        "stockout": _dec(r.stockout, RATIO), "in_stock": bool(r.in_stock),
        "discount": _dec(r.discount, RATIO) if has_discount and not np.isnan(r.discount) else None,
        "promo": bool(has_promo and r.promo > 0),
    } for r in daily.itertuples()]  # fmt: skip
    for at in range(0, len(payload), 5000):
        uow.session.execute(insert(models.History), payload[at : at + 5000])
    n_series = int(daily[["site_id", "item_id"]].drop_duplicates().shape[0])
    uow.audit("forecasting.history.import", "forecasting_history", filename,
              after={"rows": len(rows), "days": len(daily), "series": n_series})  # fmt: skip
    return ImportResult(rows=len(rows), days=len(daily), series=n_series)


@dataclass(frozen=True)
class RunOptions:
    horizon: int = 28
    history_days: int = 365
    site_ids: tuple[int, ...] | None = None
    item_ids: tuple[int, ...] | None = None
    new_series: tuple[tuple[int, int], ...] = ()
    processes: int = 1
    dask: str | None = None
    origin: date | None = None
    chunk_size: int = engine.Config.chunk_size
    fill: str = domain.DEFAULT_FILL  # how censored days are imputed in the target (domain.impute)
    # the first days forecast by the 2-day (daily-ordering) model, the rest by the 14-day one; 0: the 14-day model's
    # everywhere (engine.Config.short_horizon)
    short_horizon: int = engine.Config.short_horizon


Progress = Callable[[float], None]  # share of the series done, 0-1


def run_forecast(uow: UnitOfWork, opts: RunOptions, progress: Progress | None = None) -> models.Run:
    """Forecast the scope's series (or the chosen sites/items) at once and store the run, its forecasts (mean and
    quantiles per day) and backtest metrics with the model version and the features used (the CLI and the
    nightly job; the API queues a run instead, ``queue_run``)."""
    scope = uow.principal.scope(RUN)
    _check_sites(uow, RUN, opts.site_ids or (), "site_ids")
    _check_items(uow, opts.item_ids or (), "item_ids")
    origin = opts.origin or utcnow().date()
    t0 = time.perf_counter()
    fr = prepare(uow.session, scope, opts, origin)
    res = compute(fr, opts, progress)
    run = models.Run(tenant_id=uow.tenant_id, model_version=engine.MODEL_VERSION, config={}, origin=origin,
                     status="running", requested_by=uow.principal.actor)  # fmt: skip
    uow.session.add(run)
    uow.session.flush()
    store_result(uow, run, fr, opts, res, time.perf_counter() - t0)
    return run


def prepare(session: Session, scope: Scope, opts: RunOptions, origin: date) -> series.Frames:
    """The run's input frames (reads only): history up to ``origin``, the horizon's features, static data."""
    return series.frames(session, scope, origin, opts.horizon, opts.history_days, opts.site_ids, opts.item_ids,
                         opts.new_series, fill=opts.fill)  # fmt: skip


def _config(opts: RunOptions) -> engine.Config:
    # the weekday model counts each series' days in its site's country's calendar (``series.frames``' static
    # ``country``: make-up working days as Mondays, holidays on a weekday as Saturdays)
    return engine.Config(horizon=opts.horizon, chunk_size=opts.chunk_size, short_horizon=opts.short_horizon,
                         weekday_calendar=engine.SITE_CALENDAR)  # fmt: skip


def compute(fr: series.Frames, opts: RunOptions, progress: Progress | None = None) -> engine.Result:
    """The models on the frames (no database): in this process, over local processes or on Dask."""
    if fr.future.empty:
        return engine.Result(pd.DataFrame(columns=["unique_id"]), pd.DataFrame())
    return engine.run(fr.hist, fr.future, fr.static, _config(opts), processes=opts.processes,
                      dask_address=opts.dask, progress=progress)  # fmt: skip


def store_result(
    uow: UnitOfWork, run: models.Run, fr: series.Frames, opts: RunOptions, res: engine.Result, seconds: float
) -> None:
    """Store a computed run: its forecasts and metrics, configuration and features; the run is ``done``."""
    cfg = _config(opts)
    config: dict[str, Any] = {**cfg.describe(), "features": fr.features,
                              "engine": "dask" if opts.dask else f"processes={opts.processes}"}  # fmt: skip
    config["quantiles"] = list(cfg.quantiles)
    config["target"] = {"recovery": domain.DEFAULT_RECOVERY, "fill": opts.fill, "fill_weeks": domain.FILL_WEEKS,
                        "short_recovery": domain.SHORT_RECOVERY}  # fmt: skip
    # the calendars the weekday model used (one per country of the run's sites; "" the plain weekday)
    ids = fr.static["unique_id"].tolist() if "unique_id" in fr.static.columns else []
    config["weekday_calendars"] = sorted(set(engine.series_calendars(fr.static, ids))) if ids else []
    run.model_version, run.config = engine.MODEL_VERSION, config
    run.series = int(res.forecasts["unique_id"].nunique()) if len(res.forecasts) else 0
    _store(uow, run, res)
    run.seconds = _dec(seconds, RATIO)
    run.status, run.progress, run.finished_at, run.error = "done", Decimal(1), utcnow(), None
    uow.audit("forecasting.run", "forecasting_run", run.id, after={"series": run.series, "origin": str(run.origin)})


# --- runs asked for through the API: queued, then executed by the worker --------------------------------------


def _request(opts: RunOptions, scope: Scope) -> dict[str, Any]:
    return {
        "horizon": opts.horizon, "history_days": opts.history_days,
        "site_ids": list(opts.site_ids) if opts.site_ids else None,
        "item_ids": list(opts.item_ids) if opts.item_ids else None,
        "origin": opts.origin.isoformat() if opts.origin else None,
        "short_horizon": opts.short_horizon,
        # the asker's sites: the worker forecasts within them (a regional manager's run stays in the region)
        "scope_site_ids": sorted(scope.site_ids) if scope.site_ids is not None else None,
    }  # fmt: skip


def queue_run(uow: UnitOfWork, opts: RunOptions, idempotency_key: str | None = None) -> tuple[models.Run, bool]:
    """Record a run to be executed by the worker (status ``queued``): the run and whether it is new. The same
    idempotency key again gives the first run back (a retry never starts a second run); with other options it
    is a conflict."""
    scope = uow.principal.scope(RUN)
    request = _request(opts, scope)
    if idempotency_key is not None:
        same = run_by_key(uow.session, uow.tenant_id, idempotency_key)
        if same is not None:
            # a run queued before model 1.12 did not record ``short_horizon``: it ran with the default
            if {"short_horizon": engine.Config.short_horizon, **(same.request or {})} != request:
                raise IdempotencyConflict(f"idempotency key {idempotency_key!r} was used for another run request")
            return same, False
    _check_sites(uow, RUN, opts.site_ids or (), "site_ids")
    _check_items(uow, opts.item_ids or (), "item_ids")
    run = models.Run(tenant_id=uow.tenant_id, model_version=engine.MODEL_VERSION, config={},
                     origin=opts.origin or utcnow().date(), status="queued", progress=Decimal("0.0000"),
                     idempotency_key=idempotency_key, request=request,
                     requested_by=uow.principal.actor)  # fmt: skip
    uow.session.add(run)
    uow.session.flush()
    uow.audit("forecasting.run.queue", "forecasting_run", run.id, after=request)
    return run, True


def run_by_key(session: Session, tenant_id: int, key: str) -> models.Run | None:
    R = models.Run
    return session.scalars(select(R).where(R.tenant_id == tenant_id, R.idempotency_key == key)).first()


def queued_options(run: models.Run, processes: int = 1) -> tuple[Scope, RunOptions]:
    """The scope and options a queued run was asked with."""
    req = run.request or {}
    scope_sites = req.get("scope_site_ids")
    scope = Scope(run.tenant_id, frozenset(scope_sites) if scope_sites is not None else None)
    opts = RunOptions(horizon=int(req.get("horizon", 28)), history_days=int(req.get("history_days", 365)),
                      site_ids=tuple(req["site_ids"]) if req.get("site_ids") else None,
                      item_ids=tuple(req["item_ids"]) if req.get("item_ids") else None,
                      origin=run.origin, processes=processes,
                      # runs queued before model 1.12 did not say: the default
                      short_horizon=int(req.get("short_horizon", engine.Config.short_horizon)))  # fmt: skip
    return scope, opts


def problem_of(exc: BaseException) -> dict[str, Any]:
    """Problem details (RFC 9457 members) of why a queued run failed; an unexpected error says no more than the
    API's 500 does (the log has the trace)."""
    if isinstance(exc, BohError):
        body: dict[str, Any] = {"type": TYPE_BASE + exc.code.replace(".", "/"), "title": exc.title,
                                "status": exc.status, "detail": exc.detail, "code": exc.code}  # fmt: skip
        if isinstance(exc, ValidationFailed):
            body["errors"] = [e.as_dict() for e in exc.errors]
        return body
    return {"type": TYPE_BASE + "forecasting/run_failed", "title": "Forecast run failed", "status": 500,
            "detail": "The forecast run failed on our side; the worker's log has the details",
            "code": "forecasting.run_failed"}  # fmt: skip


def _split(uid: str) -> tuple[int, int]:
    s, i = uid.split("|")
    return int(s), int(i)


DEMAND_COLUMNS = (engine.DEMAND, *(f"{engine.DEMAND}_q{q}" for q in engine.QUANTILES))  # engine.demand_days


def _opt(x: float | None) -> Decimal | None:
    return None if x is None or pd.isna(x) else _dec(x)


def _store(uow: UnitOfWork, run: models.Run, res: engine.Result) -> None:
    fc = [{
        "run_id": run.id, "tenant_id": uow.tenant_id, "site_id": _split(r.unique_id)[0],
        "item_id": _split(r.unique_id)[1],
        "day": r.ds.date(), "model": str(r.model), "mean": _dec(r.mean),
        "q10": _dec(r.q10) if hasattr(r, "q10") else None, "q50": _dec(r.q50), "q80": _dec(r.q80),
        "q90": _dec(r.q90), "q95": _dec(r.q95), "q99": _dec(r.q99),
        # the demand forecast of the days ordering reads (``engine.demand_days``); NULL on the others
        **{c: _opt(getattr(r, c, None)) for c in DEMAND_COLUMNS},
    } for r in res.forecasts.itertuples()]  # fmt: skip
    for i in range(0, len(fc), 5000):
        uow.session.execute(insert(models.Forecast), fc[i : i + 5000])
    metrics = _metrics(res)
    if metrics:
        for m in metrics:
            m.update(run_id=run.id, tenant_id=uow.tenant_id)
        uow.session.execute(insert(models.SeriesMetric), metrics)


def _metrics(res: engine.Result) -> list[dict[str, Any]]:
    if res.choice.empty:
        return []
    bt = res.residuals
    bt = bt[bt["in_stock"].astype(bool)] if len(bt) else bt
    agg = bt.assign(err=(bt["mean"] - bt["y_obs"]).abs(), diff=bt["mean"] - bt["y_obs"]).groupby("unique_id").agg(
        err=("err", "sum"), diff=("diff", "sum"), actual=("y_obs", "sum")) if len(bt) else pd.DataFrame()  # fmt: skip
    out = []
    for r in res.choice.itertuples():
        site_id, item_id = _split(r.unique_id)
        a = agg.loc[r.unique_id] if r.unique_id in agg.index else None
        actual = float(a["actual"]) if a is not None else 0.0
        errs = {k[4:]: round(float(v), 6) for k, v in r._asdict().items() if k.startswith("mae_") and not np.isnan(v)}
        out.append({
            "site_id": site_id, "item_id": item_id, "cls": str(r.cls), "model": str(r.model),
            "wape": _dec(float(a["err"]) / actual, RATIO) if a is not None and actual > 0 else None,
            "bias": _dec(float(a["diff"]) / actual, RATIO) if a is not None and actual > 0 else None,
            "actual": _dec(actual), "errors": errs,
        })  # fmt: skip
    return out


def latest_run_id(uow: UnitOfWork) -> int | None:
    R = models.Run
    return uow.session.scalar(select(R.id).where(R.tenant_id == uow.tenant_id, R.status == "done")
                              .order_by(R.id.desc()).limit(1))  # fmt: skip
