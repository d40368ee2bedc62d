"""``boh inspections ...``: plan a period, escalate overdue actions now."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Annotated, Any

import typer

from boh.inspections import service, tasks
from boh.inspections.schemas import PlanCreate
from boh.org.api import tenant_id_by_code


def register(app: typer.Typer, get_runtime: Callable[[], Any]) -> None:
    group = typer.Typer(help="Inspection plans and the escalation of overdue actions.", no_args_is_help=True)
    app.add_typer(group, name="inspections")

    @group.command("plan")
    def plan_cmd(
        tenant: Annotated[str, typer.Option(help="Tenant code")],
        start: Annotated[str, typer.Option(help="First day (YYYY-MM-DD)")],
        end: Annotated[str, typer.Option(help="Last day (YYYY-MM-DD)")],
        name: Annotated[str, typer.Option(help="Plan name")] = "Plan",
        seconds: Annotated[float, typer.Option(help="Solver time budget")] = 10.0,
    ) -> None:
        """Plan the period from the active rules (replaces the not-started visits of earlier plans in it)."""
        rt = get_runtime()
        with rt.session_factory() as session:
            tid = tenant_id_by_code(session, tenant)
        if tid is None:
            typer.echo(f"no tenant {tenant}", err=True)
            raise typer.Exit(2)
        body = PlanCreate(name=name, start=date.fromisoformat(start), end=date.fromisoformat(end),
                          seconds=Decimal(str(seconds)))  # fmt: skip
        with rt.system_uow(tid, request_id="cli-inspections-plan") as uow:
            plan = service.create_plan(uow, body)
            uow.commit()
        typer.echo(f"plan {plan.id}: {plan.stats}")

    @group.command("escalate")
    def escalate_cmd() -> None:
        """Escalate overdue corrective actions now (the worker also does it every day at 03:00 UTC)."""
        typer.echo(f"{tasks.escalate(get_runtime())} action(s) escalated")
