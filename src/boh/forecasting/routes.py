"""JSON API of forecasting under /api/v1/forecasting: read forecasts and accuracy, enter promotions, events and
weather, import a chain's sales history (CSV/Parquet with a column mapping; all-or-nothing), start a run."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Annotated, Any, Literal

from fastapi import File, Form, Response, UploadFile
from sqlalchemy.exc import IntegrityError

from boh.forecasting import history, queries, service
from boh.forecasting.schemas import (
    EventIn,
    EventRead,
    ImportResult,
    PromotionIn,
    PromotionRead,
    RunIn,
    RunRead,
    SeriesRead,
    WeatherBatch,
)
from boh.forecasting.service import IMPORT, INPUT, READ, RUN
from boh.http.deps import UowDep
from boh.http.files import read_upload_sync
from boh.http.routing import SecureRouter
from boh.kernel.clock import utcnow
from boh.kernel.errors import FieldError, ValidationFailed

router = SecureRouter(prefix="/api/v1/forecasting", tags=["forecasting"])


@router.get("/series/{site_id}/{item_id}", perm=READ, response_model=SeriesRead,
            summary="The last run's forecast of a site x item (quantiles per day) and its recent actuals")  # fmt: skip
def get_series(uow: UowDep, site_id: int, item_id: int) -> SeriesRead:
    return queries.get_series(uow.session, uow.principal.scope(READ), site_id, item_id)


@router.get("/runs", perm=READ, response_model=list[RunRead], summary="Recent forecast runs (model version, features)")
def list_runs(uow: UowDep) -> list[RunRead]:
    return queries.runs(uow.session, uow.tenant_id)


@router.post("/runs", perm=RUN, status_code=202, response_model=RunRead,
             summary="Ask for a forecast run: queued for the worker; poll the run at the Location given")  # fmt: skip
def create_run(uow: UowDep, body: RunIn, response: Response) -> RunRead:
    opts = service.RunOptions(horizon=body.horizon, history_days=body.history_days,
                              site_ids=tuple(body.site_ids) if body.site_ids else None,
                              item_ids=tuple(body.item_ids) if body.item_ids else None,
                              short_horizon=body.short_horizon)  # fmt: skip
    try:
        run, _new = service.queue_run(uow, opts, body.idempotency_key)
        uow.commit()
    except IntegrityError:  # the same key committed by a concurrent retry: answer with that run
        uow.rollback()
        same = service.run_by_key(uow.session, uow.tenant_id, body.idempotency_key) if body.idempotency_key else None
        if same is None:
            raise
        run, _new = service.queue_run(uow, opts, body.idempotency_key)  # that run, or a conflict on other options
    response.headers["Location"] = f"{router.prefix}/runs/{run.id}"
    response.headers["Retry-After"] = "2"
    return RunRead.model_validate(run)


@router.get("/runs/{forecast_run_id}", perm=READ, response_model=RunRead,
            summary="A run: status (queued, running, done, failed), progress, errors as problem details")  # fmt: skip
def get_run(uow: UowDep, forecast_run_id: int) -> RunRead:
    return queries.get_run(uow.session, uow.tenant_id, forecast_run_id)


@router.get("/accuracy", perm=READ, summary="Backtest WAPE and bias of the last run by category, site or model")
def get_accuracy(uow: UowDep, by: Literal["category", "site", "model"] = "model") -> list[dict[str, Any]]:
    return [r.__dict__ for r in queries.accuracy(uow.session, uow.principal.scope(READ), by)]


@router.get("/promotions", perm=READ, response_model=list[PromotionRead], summary="Promotions of a period")
def list_promotions(uow: UowDep, start: date | None = None, end: date | None = None) -> list[PromotionRead]:
    start = start or utcnow().date() - timedelta(days=30)
    return queries.promotions(uow.session, uow.tenant_id, start, end or start + timedelta(days=90))


@router.post("/promotions", perm=INPUT, status_code=201, response_model=PromotionRead, summary="Plan a promotion")
def create_promotion(uow: UowDep, body: PromotionIn) -> PromotionRead:
    row = service.create_promotion(uow, body)
    uow.commit()
    return PromotionRead.model_validate(row)


@router.post("/events", perm=INPUT, status_code=201, response_model=EventRead, summary="Enter a local event")
def create_event(uow: UowDep, body: EventIn) -> EventRead:
    row = service.create_event(uow, body)
    uow.commit()
    return EventRead.model_validate(row)


@router.put("/weather", perm=INPUT, summary="Daily weather per site (upsert)")
def put_weather(uow: UowDep, body: WeatherBatch) -> dict[str, int]:
    n = service.put_weather(uow, body.rows)
    uow.commit()
    return {"days": n}


@router.post("/history/import", perm=IMPORT, response_model=ImportResult,
             summary="Import daily or hourly sales (CSV/Parquet) with a column mapping; all-or-nothing")  # fmt: skip
def import_history(
    uow: UowDep, file: Annotated[UploadFile, File()],
    mapping: Annotated[str, Form(description='JSON: {"site": "store", "item": "sku", "date": "day", ...}')] = "{}",
    stockout_unit: Annotated[Literal["hours", "fraction"], Form()] = "hours",
) -> ImportResult:  # fmt: skip
    name, data = read_upload_sync(file)
    try:
        cols = json.loads(mapping) or {f: f for f in history.FIELDS}
    except json.JSONDecodeError as exc:
        raise ValidationFailed([FieldError(("mapping",), f"not JSON: {exc}", "invalid")]) from exc
    if not isinstance(cols, dict) or not all(isinstance(v, str) for v in cols.values()):
        raise ValidationFailed([FieldError(("mapping",), "an object of field: column", "invalid")])
    if cols == {f: f for f in history.FIELDS}:
        cols = None  # the default: the file's columns carry BOH's names; keep those present
    mapped = history.Mapping_(cols or _same_names(name, data), stockout_unit)
    result = service.import_history(uow, filename=name, data=data, mapping=mapped)
    uow.commit()
    return result


def _same_names(name: str, data: bytes) -> dict[str, str]:
    cols = history._frame(name, data).columns
    return {c: c for c in cols if c in history.FIELDS} or {"site": "site"}
