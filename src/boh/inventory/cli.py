"""``boh inventory ...``: maintenance commands of the inventory domain (mounted by boh.cli.main)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Protocol

import typer

from boh.inventory.rebuild import commitment_differences, dangling_references, rebuild_apply, rebuild_check
from boh.kernel.errors import NotFound
from boh.kernel.progress import steps
from boh.kernel.uow import UnitOfWork
from boh.org.api import tenant_id_by_code


class _Runtime(Protocol):
    def system_uow(self, tenant_id: int, request_id: str | None = None) -> UnitOfWork: ...


def rebuild(rt: _Runtime, tenant: str, *, check: bool) -> int:
    """Compare (``check``) or repair the balances of one tenant; returns the number of differences."""
    with rt.system_uow(0) as probe:
        tid = tenant_id_by_code(probe.session, tenant)
        if tid is None:
            raise NotFound(f"tenant '{tenant}' not found")
    with rt.system_uow(tid) as uow, steps(3, "Rebuilding" if not check else "Checking") as step:
        step("references")
        broken = dangling_references(uow.session, tid) + commitment_differences(uow.session, tid)
        step("balances")
        if check:
            diffs = rebuild_check(uow.session, tid)
        else:
            diffs = rebuild_apply(uow.session, tid)
            if diffs:
                uow.audit(
                    "inventory.balance.rebuild",
                    "tenant",
                    tid,
                    after={"repaired": [d.model_dump(mode="json") for d in diffs]},
                )
            step("saving")
            uow.commit()
    for line in broken:
        typer.echo(line)
    for d in diffs:
        typer.echo(
            f"site {d.site_id} item {d.item_id} lot {d.lot_id or '-'} {d.field}: "
            f"balance {d.recorded}, ledger says {d.expected}"
        )
    verb = "found" if check else "repaired"
    typer.echo(f"{len(diffs)} difference(s) {verb}" + (f", {len(broken)} broken reference(s)" if broken else ""))
    return len(diffs) + len(broken)


def register(app: typer.Typer, get_runtime: Callable[[], _Runtime]) -> None:
    inventory_app = typer.Typer(help="Stock ledger maintenance.", no_args_is_help=True)
    app.add_typer(inventory_app, name="inventory")

    @inventory_app.command("rebuild")
    def rebuild_cmd(
        tenant: Annotated[str, typer.Option(help="Tenant code")],
        check: Annotated[bool, typer.Option("--check", help="Only report differences (exit 1 if any)")] = False,
    ) -> None:
        """Recompute balances from the moves and commitments: report every difference (--check) or rewrite them."""
        try:
            found = rebuild(get_runtime(), tenant, check=check)
        except NotFound as exc:
            typer.echo(exc.detail, err=True)
            raise typer.Exit(2) from exc
        if check and found:
            raise typer.Exit(1)
