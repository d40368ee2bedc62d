"""``boh replenish simulate``: replay a demand history under BOH's policy and the baseline, store the run
(the simulation page charts it) and print its figures."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Annotated, Any

import holidays
import typer

from boh.org.api import tenant_id_by_code
from boh.replenishment.simulation import data, forecast, service, sweep, synthetic


def register(app: typer.Typer, get_runtime: Callable[[], Any]) -> None:
    group = typer.Typer(help="Replenishment: simulate policies on a demand history.", no_args_is_help=True)
    app.add_typer(group, name="replenish")
    group.command("simulate")(simulate_command(get_runtime))


def _categories(text: str, base: sweep.CategoryParams) -> dict[int, sweep.CategoryParams]:
    raw = json.loads(text) if text else {}
    if not isinstance(raw, dict):
        raise typer.BadParameter('expected {"<category id>": {"shelf_life": 2, ...}}', param_hint="--categories")
    out = {}
    for k, v in raw.items():
        fields = {**base.__dict__, **v}
        unknown = set(v) - set(base.__dict__)
        if unknown or not str(k).lstrip("-").isdigit():
            raise typer.BadParameter(f"category {k}: unknown {sorted(unknown) or 'id'}", param_hint="--categories")
        out[int(k)] = sweep.CategoryParams(**fields)
    return out


def simulate_command(get_runtime: Callable[[], Any]) -> Callable[..., None]:
    """The ``simulate`` command (a replenishment CLI group of the core can mount it: ``group.command("simulate")
    (simulate_command(get_runtime))``)."""

    def simulate(
        tenant_code: Annotated[str, typer.Option("--tenant", help="Tenant code (the run is stored there)")],
        data_path: Annotated[Path, typer.Option("--data", help="FreshRetailNet-style folder or hourly.parquet")] = (
            data.DEFAULT_PATH
        ),
        sample: Annotated[int, typer.Option(help="Series drawn (whole stores); 0 = all")] = 2000,
        seed: Annotated[int, typer.Option(help="Random seed of the sample")] = 7,
        policy: Annotated[str, typer.Option(help="both | boh | baseline")] = "both",
        levels: Annotated[str, typer.Option(help="BOH service levels, comma-separated")] = "",
        covers: Annotated[str, typer.Option(help="Baseline days of cover, comma-separated")] = "",
        shelf_life: Annotated[int, typer.Option(help="Default shelf life, days")] = 3,
        lead_time: Annotated[int, typer.Option(help="Default lead time, days (>= 1)")] = 1,
        case_pack: Annotated[float, typer.Option(help="Default case pack, in the data's units")] = 0.1,
        order_days: Annotated[str, typer.Option(help="Order days, Monday first, e.g. 1010100")] = "1111111",
        categories: Annotated[str, typer.Option(help='Per category: {"4": {"shelf_life": 2}}')] = "",
        spread: Annotated[
            float | None,
            typer.Option(help="BOH's per-series service spread, 0 (one level) to 1; default: chosen on validation"),
        ] = None,
        smoothing: Annotated[float, typer.Option(help="BOH's order smoothing, (0, 1]; 1: order-up-to")] = 1.0,
        level_rule: Annotated[
            str, typer.Option(help="How BOH's ex-ante level is read on validation: " + " | ".join(sweep.LEVEL_RULES))
        ] = sweep.Study.level_rule,
        calendar: Annotated[
            str,
            typer.Option(
                help="Country (ISO code) whose public calendar the forecaster follows: make-up working "
                "days count as Mondays, holidays as Saturdays; '' for none"
            ),
        ] = forecast.ForecastConfig.calendar,
        forecaster: Annotated[
            str,
            typer.Option(
                help="The replay's forecaster: weekday (its own model) or engine (the forecasting engine's "
                "daily-ordering LightGBM blended with it; slower)"
            ),
        ] = sweep.Study.forecaster,
        demo: Annotated[bool, typer.Option(help="Use a generated chain instead of --data")] = False,
        label: Annotated[str, typer.Option(help="Name of the stored run")] = "",
    ) -> None:
        """Replay the history day by day under both policies (swept), store the run and print its figures."""
        if policy not in ("both", "boh", "baseline"):
            raise typer.BadParameter("both, boh or baseline", param_hint="--policy")
        if lead_time < 1 or shelf_life < 1 or case_pack <= 0 or len(order_days) != 7 or set(order_days) - {"0", "1"}:
            raise typer.BadParameter("lead time and shelf life >= 1, case pack > 0, order days like 1111111")
        if "1" not in order_days:
            raise typer.BadParameter("at least one order day", param_hint="--order-days")
        if spread is not None and not 0 <= spread <= 1:
            raise typer.BadParameter("from 0 to 1", param_hint="--spread")
        if not 0 < smoothing <= 1:
            raise typer.BadParameter("above 0, at most 1", param_hint="--smoothing")
        if level_rule not in sweep.LEVEL_RULES:
            raise typer.BadParameter(" or ".join(sweep.LEVEL_RULES), param_hint="--level-rule")
        if forecaster not in forecast.FORECASTERS:
            raise typer.BadParameter(" or ".join(forecast.FORECASTERS), param_hint="--forecaster")
        if calendar and calendar.upper() not in holidays.list_supported_countries():
            raise typer.BadParameter(f"no public calendar for {calendar!r}", param_hint="--calendar")
        base = sweep.CategoryParams(shelf_life, lead_time, case_pack, order_days)
        default = sweep.Study()
        study = sweep.Study(
            covers=sweep.levels_arg(covers, default.covers) if policy != "boh" else (),
            levels=sweep.levels_arg(levels, default.levels) if policy != "baseline" else (),
            defaults=base, categories=_categories(categories, base), spread=spread, smoothing=smoothing,
            forecast=replace(default.forecast, calendar=calendar.upper()), level_rule=level_rule, forecaster=forecaster,
        )  # fmt: skip
        if any(not 0 < lv < 1 for lv in study.levels) or any(c <= 0 for c in study.covers):
            raise typer.BadParameter("service levels in (0, 1), covers > 0")
        if demo:
            hist, source = synthetic.history(), "demo"
        else:
            try:
                hist = data.load(data_path, sample=sample or None, seed=seed)
            except FileNotFoundError as exc:
                typer.echo(str(exc), err=True)
                raise typer.Exit(2) from exc
            source = str(data_path)
        rt = get_runtime()
        with rt.session_factory() as session:
            tid = tenant_id_by_code(session, tenant_code)
        if tid is None:
            typer.echo(f"no tenant {tenant_code}", err=True)
            raise typer.Exit(2)
        result = sweep.run(hist, study)
        with rt.system_uow(tid, request_id="cli-replenish-simulate") as uow:
            run = service.store_run(uow, result, label=label or f"{hist.n} series", source=source)
            uow.commit()
            run_id = run.id
        for line in sweep.summary_lines(result):
            typer.echo(line)
        typer.echo(f"stored run {run_id}")

    return simulate
