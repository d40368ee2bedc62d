"""``boh forecast ...``: run the forecasts (in parallel over the cores, or on a Dask cluster), import history."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer

from boh.forecasting import history, service
from boh.org.api import tenant_id_by_code


def _ids(text: str | None) -> tuple[int, ...] | None:
    return tuple(int(x) for x in text.split(",") if x.strip()) if text else None


def register(app: typer.Typer, get_runtime: Callable[[], Any]) -> None:
    group = typer.Typer(help="Demand forecasts: run them, import sales history.", no_args_is_help=True)
    app.add_typer(group, name="forecast")

    def tenant(rt: Any, code: str) -> int:
        with rt.session_factory() as session:
            tid = tenant_id_by_code(session, code)
        if tid is None:
            typer.echo(f"no tenant {code}", err=True)
            raise typer.Exit(2)
        return tid

    @group.command("run")
    def run_cmd(
        tenant_code: Annotated[str, typer.Option("--tenant", help="Tenant code")],
        sites: Annotated[str | None, typer.Option(help="Site ids, comma-separated (default: all)")] = None,
        items: Annotated[str | None, typer.Option(help="Item ids, comma-separated (default: all)")] = None,
        horizon: Annotated[int, typer.Option(help="Days to forecast")] = 28,
        dask: Annotated[str | None, typer.Option(help="Dask scheduler, e.g. tcp://host:8786")] = None,
        processes: Annotated[int, typer.Option(help="Local processes (default: the cores)")] = 0,
        origin: Annotated[str | None, typer.Option(help="Last day of history (YYYY-MM-DD; default today)")] = None,
        short_horizon: Annotated[int, typer.Option(help="First days from the 2-day model (0: the 14-day model's)")] = (
            service.RunOptions.short_horizon
        ),
    ) -> None:
        """Forecast every series (or the given sites/items) and store the run."""
        rt = get_runtime()
        tid = tenant(rt, tenant_code)
        opts = service.RunOptions(horizon=horizon, site_ids=_ids(sites), item_ids=_ids(items), dask=dask,
                                  processes=processes or os.cpu_count() or 1,
                                  origin=date.fromisoformat(origin) if origin else None,
                                  short_horizon=short_horizon)  # fmt: skip
        with rt.system_uow(tid, request_id="cli-forecast-run") as uow:
            run = service.run_forecast(uow, opts)
            uow.commit()
            typer.echo(f"run {run.id}: {run.series} series, model {run.model_version}, {run.seconds}s")

    @group.command("import")
    def import_cmd(
        tenant_code: Annotated[str, typer.Option("--tenant", help="Tenant code")],
        file: Annotated[Path, typer.Argument(help="CSV or Parquet file")],
        mapping: Annotated[str, typer.Option(help='JSON {"site": "store", "item": "sku", "date": "day", ...}')] = "{}",
        stockout_unit: Annotated[str, typer.Option(help="hours (0-24 a day) or fraction (0-1)")] = "hours",
    ) -> None:
        """Import a chain's daily or hourly sales history (all rows or none)."""
        rt = get_runtime()
        tid = tenant(rt, tenant_code)
        cols = json.loads(mapping) or {f: f for f in history.FIELDS}
        with rt.system_uow(tid, request_id="cli-forecast-import") as uow:
            res = service.import_history(uow, filename=file.name, data=file.read_bytes(),
                                         mapping=history.Mapping_(cols, stockout_unit))  # fmt: skip
            uow.commit()
        typer.echo(f"{res.rows} rows, {res.days} days, {res.series} series imported")
