"""``boh``: the command line. One sub-app per domain, plus init/serve/worker/demo/audit.

Start-up is lazy (``boh --help`` answers without importing the app): the commands of this module import what
they need when they run, and every other command group is listed by name and help in ``boh.cli.lazy`` and
imported only when it is used (the domains' groups come from their manifests)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

from boh.cli import lazy

if TYPE_CHECKING:
    from boh.bootstrap import Runtime

__all__ = ["app"]  # also alembic_config and upgrade_database, through __getattr__

app = typer.Typer(
    help="BOH back office for chains: database, server, worker, demo data and data tools.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    cls=lazy.LazyGroup,
)


def __getattr__(name: str) -> Any:  # the bootstrap helpers, imported when first asked for
    if name in ("alembic_config", "upgrade_database", "build_runtime"):
        import boh.bootstrap

        return getattr(boh.bootstrap, name)
    raise AttributeError(name)


def get_settings() -> Any:
    from boh.settings import get_settings as settings

    return settings()


user_app = typer.Typer(help="Users and their roles.", no_args_is_help=True)
db_app = typer.Typer(help="Database migrations.", no_args_is_help=True)
app.add_typer(user_app, name="user")
app.add_typer(db_app, name="db")


def runtime() -> Runtime:
    from boh.bootstrap import build_runtime

    return build_runtime(get_settings())


@app.command()
def init() -> None:
    """Create the database, or upgrade it to the newest schema."""
    from boh.bootstrap import upgrade_database

    url = get_settings().resolved_database_url()
    upgrade_database(url)
    typer.echo(f"database ready: {url.split('@')[-1]}")


@db_app.command("revision")
def db_revision(message: Annotated[str, typer.Option("-m", "--message")]) -> None:
    """Write a new migration from the difference between the models and the database (developers)."""
    from alembic import command

    from boh.bootstrap import alembic_config

    cfg = alembic_config(get_settings().resolved_database_url())
    command.revision(cfg, message=message, autogenerate=True)


@db_app.command("check")
def db_check() -> None:
    """Fail if the models and the migrations disagree (alembic check)."""
    from alembic import command

    from boh.bootstrap import alembic_config

    command.check(alembic_config(get_settings().resolved_database_url()))


@user_app.command("create")
def user_create(
    tenant: Annotated[str, typer.Option(help="Tenant code")],
    username: Annotated[str, typer.Option()],
    role: Annotated[list[str], typer.Option(help="Role, or role@SITE_CODE / role@region:REGION_CODE")],
    display_name: Annotated[str, typer.Option()] = "",
    password: Annotated[str | None, typer.Option(help="Omit to be asked (not echoed)")] = None,
    locale: Annotated[str, typer.Option()] = "zh_CN",
) -> None:
    """Create a user with one or more roles."""
    from boh.org.cli import create_user

    if password is None:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    create_user(runtime(), tenant, username, display_name or username, password, role, locale)
    typer.echo(f"user {username} created")


@app.command()
def serve(
    host: Annotated[str, typer.Option()] = "127.0.0.1",
    port: Annotated[int, typer.Option()] = 8000,
    init_db: Annotated[bool, typer.Option("--init/--no-init", help="Upgrade the database first")] = True,
    workers: Annotated[int, typer.Option(help="Web worker processes")] = 1,
    log_file: Annotated[str | None, typer.Option(help="Append the server's logs to this file, not stderr")] = None,
) -> None:
    """Run the web server (API and console). Without a broker, background jobs run inside it."""
    import uvicorn

    from boh.bootstrap import upgrade_database

    settings = get_settings()
    if init_db:
        upgrade_database(settings.resolved_database_url())
    from boh.http.observability import configure_logging

    configure_logging(settings.log_level, settings.log_json, log_file)
    # keep-alive longer than the clients' and proxies' (httpx pools keep idle connections 5 s, load balancers
    # often 60 s): with equal timeouts the server closes a connection just as a client reuses it, and that
    # request fails with a read error (bench/load.py saw one in a thousand)
    uvicorn.run("boh.web.main:app", host=host, port=port, workers=workers, log_config=None, timeout_keep_alive=75)


lazy.set_runtime(runtime, app)
lazy.add(
    "import",
    "boh.cli.data:register",
    "Import a CSV or XLSX file: every error is listed, nothing is written unless all rows are valid.",
)
lazy.add("export", "boh.cli.data:register", "Export master data as CSV or XLSX (the same columns the import takes).")
lazy.add(
    "audit",
    "boh.cli.audit:register_group",
    "The tamper-evident audit trail: verify the chains against their signed checkpoints, checkpoint, keygen.",
)
lazy.add("worker", "boh.worker.cli:register", "Relay the outbox and run scheduled jobs.")
lazy.add("jobs", "boh.worker.cli:register", "Background jobs: schedules and runs.")
lazy.add(
    "demo",
    "boh.demo.cli:register",
    "Load the demo chain: regions, stores, a DC and a kitchen, items, suppliers and users.",
)
lazy.add(
    "quickstart",
    "boh.demo.cli:register",
    "Try BOH in one command: create the database, load the demo chain, print the logins and serve.",
)
lazy.add("ingest", "boh.worker.ingest_cli:register", "Floor events from devices (POS, RFID, sensors).")
lazy.add("simulate", "boh.simulate.cli:register", "Simulated devices for demos and load tests.")


def _domain_groups() -> None:
    from boh import registry  # the manifests only: data, no domain code

    for group in registry.cli_groups():
        lazy.add(group.name, group.register, group.help)


_domain_groups()
