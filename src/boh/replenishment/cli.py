"""``boh replenish ...``."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from typing import Annotated, Any

import typer

from boh.replenishment.simulation.cli import simulate_command


def register(app: typer.Typer, get_runtime: Callable[[], Any]) -> None:
    group = typer.Typer(help="Replenishment: suggestion runs, escalations, policy simulation.", no_args_is_help=True)
    app.add_typer(group, name="replenish")
    group.command("simulate")(simulate_command(get_runtime))

    @group.command("run")
    def run_cmd(
        tenant: Annotated[str, typer.Option(help="Tenant code")],
        day: Annotated[str | None, typer.Option(help="Order day YYYY-MM-DD (default: today)")] = None,
        site: Annotated[list[int] | None, typer.Option(help="Only these site ids (repeat)")] = None,
        auto: Annotated[bool, typer.Option(help="Apply the automatic-ordering rules after the run")] = False,
    ) -> None:
        """Compute the order suggestions of an order day (re-running the same day and sites resumes it)."""
        from boh.kernel.clock import utcnow
        from boh.org.api import tenant_id_by_code
        from boh.replenishment.service import auto as auto_svc
        from boh.replenishment.service import run

        rt = get_runtime()
        with rt.session_factory() as s:
            tenant_id = tenant_id_by_code(s, tenant)
        if tenant_id is None:
            raise typer.BadParameter(f"unknown tenant {tenant}")
        order_day = date.fromisoformat(day) if day else utcnow().date()
        key = f"cli:{order_day.isoformat()}:{','.join(map(str, sorted(site or [])))}"
        with rt.system_uow(tenant_id, request_id="replenish-cli") as uow:
            r = run.create_run(uow, order_day=order_day, site_ids=site or None, idempotency_key=key)
            uow.commit()
            run_id = r.id
        done = run.execute(rt, tenant_id, run_id)
        if auto:
            with rt.system_uow(tenant_id, request_id="replenish-cli") as uow:
                auto_svc.apply_rules(uow, run_id=run_id)
                uow.commit()
        typer.echo(json.dumps({"run_id": run_id, "status": done.status, "lines": done.lines,
                               "seconds": str(done.seconds)}))  # fmt: skip

    @group.command("escalate")
    def escalate_cmd() -> None:
        """Escalate overdue approvals (the worker does it every 15 minutes)."""
        from boh.replenishment import tasks

        typer.echo(f"{tasks.escalate(get_runtime())} approval(s) escalated")
