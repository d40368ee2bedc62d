"""The route walk's objects of the forecasting domain (tenant A, marked 'alpha'): a promotion, and a stored
run with one forecast and its backtest metric (written as rows: the walk checks access, not the models)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tests.security.world import World

API = "/api/v1/forecasting"


def seed(w: World) -> None:
    from boh.forecasting import models
    from boh.kernel.clock import utcnow

    item = w.get("item_id")
    start = utcnow().date()
    body = {
        "item_id": item,
        "site_ids": [w.site1],
        "name": "Alpha week",
        "discount": "0.8",
        "start_day": str(start),
        "end_day": str(start + timedelta(days=6)),
    }
    w.api("POST", f"{API}/promotions", body)
    with w.rt.system_uow(w.a.id) as uow:
        run = models.Run(tenant_id=w.a.id, model_version="alpha-model", config={"features": []}, series=1,
                         origin=date(2030, 1, 6))  # fmt: skip
        uow.session.add(run)
        uow.session.flush()
        one = Decimal(1)
        for d in range(3):
            uow.session.add(models.Forecast(run_id=run.id, tenant_id=w.a.id, site_id=w.site1, item_id=item,
                                            day=date(2030, 1, 7) + timedelta(days=d), model="lgbm", mean=one,
                                            q50=one, q80=one, q90=one, q95=one, q99=one))  # fmt: skip
        uow.session.add(models.SeriesMetric(run_id=run.id, tenant_id=w.a.id, site_id=w.site1, item_id=item,
                                            cls="smooth", model="lgbm", wape=Decimal("0.3"), bias=Decimal(0),
                                            actual=one, errors={"lgbm": 0.3}))  # fmt: skip
        uow.commit()
        w.objects["forecast_run_id"] = run.id


def _run(w: World) -> int:
    """The stored (done) run ``seed`` wrote; queued runs are asked for by the walk itself (POST .../runs)."""
    return int(w.objects["forecast_run_id"])


CREATORS: dict[str, Callable[[World], Any]] = {"forecast_run_id": _run}
