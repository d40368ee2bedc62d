"""``boh demo`` (load the demo chain) and ``boh quickstart`` (database, demo and server in one go).
Mounted by boh.cli.main through ``register(app, runtime)``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

import typer

from boh.bootstrap import Runtime, build_runtime, upgrade_database
from boh.demo import DEMO_PASSWORD, DEMO_URL, STEPS, DemoSummary, live, load_demo
from boh.demo.refs import DEMO_TENANT_NAME, DEMO_TENANT_NAME_ZH, DemoLogin
from boh.demo.reset import purge_demo
from boh.kernel.progress import steps
from boh.settings import get_settings

SeedOpt = Annotated[int, typer.Option(help="Random seed: the same seed gives the same demo data")]


def _default_runtime() -> Runtime:
    return build_runtime(get_settings())


def logins_table(logins: list[DemoLogin]) -> str:
    width = max((len(x.username) for x in logins), default=8)
    lines = [f"  {'role':<17} {'username':<{width}}  {'scope':<6} name"]
    lines += [f"  {x.role:<17} {x.username:<{width}}  {x.scope:<6} {x.display_name}" for x in logins]
    return "\n".join(lines)


def print_logins(logins: list[DemoLogin], url: str) -> None:
    typer.echo("")
    typer.echo(f"Demo logins - DEMO DATA ONLY: every demo user's password is '{DEMO_PASSWORD}'.")
    typer.echo("Never keep these users on a real installation.")
    typer.echo(logins_table(logins))
    typer.echo("")
    typer.echo(f"Open {url} and sign in, e.g. as demo.admin (HQ) or demo.sm.sh01 (a store manager).")


def print_summary(s: DemoSummary) -> None:
    if not s.created:
        typer.echo(f"The demo chain is already loaded (tenant DEMO, id {s.tenant_id}); nothing was changed.")
        typer.echo("Use `boh demo --reset` to load it afresh.")
        return
    typer.echo(f"Loaded the demo chain {DEMO_TENANT_NAME_ZH} / {DEMO_TENANT_NAME} (seed {s.seed}) in {s.seconds} s:")
    typer.echo(
        f"  {s.regions} regions, {s.stores} stores, {s.sites} sites, {s.categories} categories, {s.items} items, "
        f"{s.suppliers} suppliers, {s.supplier_items} supplier items, {s.assortment_rows} assortment rows, "
        f"{len(s.logins)} users, {s.stock_moves} opening stock moves"
    )
    if s.device_key:
        typer.echo(f"Device API key for store {s.device_site} (shown only this once): {s.device_key}")


def reset_demo(rt: Runtime, *, yes: bool) -> None:
    """Delete the demo tenant and all its data. Refused on anything but SQLite unless ``yes``."""
    if rt.engine.dialect.name != "sqlite" and not yes:
        typer.echo(
            f"Refusing to reset the demo on a {rt.engine.dialect.name} database without --yes "
            "(it deletes the DEMO tenant and all of its data).",
            err=True,
        )
        raise typer.Exit(1)
    with rt.system_uow(0, request_id="demo-reset") as uow:
        deleted = purge_demo(uow)
        uow.commit()
    if deleted:
        typer.echo(f"Removed the demo tenant ({sum(deleted.values())} rows in {len(deleted)} tables).")


def start_live_simulator(rt: Runtime, tenant_id: int, host: str, port: int) -> live.SimulatorConfig | None:
    """Make the simulator's key and start it in a daemon thread; on failure warn and serve without it."""
    try:
        with rt.system_uow(tenant_id, request_id="quickstart-simulator") as uow:
            config = live.simulator_config(uow, host, port)
            uow.commit()
    except Exception as exc:  # the server matters more than the simulator
        typer.echo(f"warning: not starting the floor simulator: {exc}", err=True)
        return None
    live.start_simulator(config)
    return config


def port_in_use(host: str, port: int) -> bool:
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host if host not in ("", "0.0.0.0") else "0.0.0.0", port))  # noqa: S104
        except OSError:
            return True
    return False


def refuse_busy_port(host: str, port: int) -> None:
    """Stop before anything is written when the port is taken (another BOH, or any program)."""
    if port_in_use(host, port):
        typer.echo(
            f"Port {port} on {host} is already in use (is another BOH running?). Start this one on another port:\n"
            f"  bash scripts/run.sh --port {port + 1}      (or: boh quickstart --port {port + 1})",
            err=True,
        )
        raise typer.Exit(1)


def _serve(app: typer.Typer) -> Callable[..., Any]:
    """The ``boh serve`` command of the root app (looked up, not imported: boh.cli sits above boh.demo)."""
    for command in app.registered_commands:
        callback = command.callback
        if callback is not None and (command.name or callback.__name__) == "serve":
            return callback
    raise RuntimeError("the root app has no `serve` command")


def register(app: typer.Typer, runtime: Callable[[], Runtime] = _default_runtime) -> None:
    @app.command("demo")
    def demo(
        seed: SeedOpt = 42,
        reset: Annotated[bool, typer.Option("--reset", help="Delete the demo tenant first, then load it")] = False,
        yes: Annotated[bool, typer.Option("--yes", help="Allow --reset on a non-SQLite database")] = False,
    ) -> None:
        """Load the demo chain: regions, stores, a DC and a kitchen, items, suppliers and users."""
        rt = runtime()
        upgrade_database(rt.settings.resolved_database_url())
        if reset:
            reset_demo(rt, yes=yes)
        with steps(STEPS, "Loading the demo chain") as step:
            summary = load_demo(rt, seed=seed, progress=step)
        print_summary(summary)
        print_logins(summary.logins, DEMO_URL)

    @app.command("quickstart")
    def quickstart(
        host: Annotated[str, typer.Option()] = "127.0.0.1",
        port: Annotated[int, typer.Option()] = 8000,
        seed: SeedOpt = 42,
        simulate: Annotated[
            bool, typer.Option("--simulate/--no-simulate", help="Feed live POS sales and RFID reads to 3 stores")
        ] = True,
    ) -> None:
        """Try BOH in one command: create the database, load the demo chain, print the logins and serve."""
        refuse_busy_port(host, port)
        rt = runtime()
        upgrade_database(rt.settings.resolved_database_url())
        with steps(STEPS, "Loading the demo chain") as step:
            summary = load_demo(rt, seed=seed, progress=step)
        sim = start_live_simulator(rt, summary.tenant_id, host, port) if simulate else None
        rt.engine.dispose()
        print_summary(summary)
        print_logins(summary.logins, f"http://{host}:{port}")
        if sim is not None:
            typer.echo(live.banner(sim))
        log_file = rt.settings.data_dir / "server.log"
        typer.echo(f"Server logs: {log_file} (tail -f it to follow); press Ctrl+C to stop.")
        _serve(app)(host=host, port=port, init_db=False, workers=1, log_file=str(log_file))
