"""``boh``: the command line. One sub-app per domain, plus init/serve/worker/demo/audit."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from boh.bootstrap import Runtime, alembic_config, build_runtime, upgrade_database
from boh.settings import get_settings

__all__ = ["alembic_config", "app", "upgrade_database"]

app = typer.Typer(
    help="BOH back office for chains: database, server, worker, demo data and data tools.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
audit_app = typer.Typer(help="The tamper-evident audit trail.", no_args_is_help=True)
user_app = typer.Typer(help="Users and their roles.", no_args_is_help=True)
db_app = typer.Typer(help="Database migrations.", no_args_is_help=True)
app.add_typer(audit_app, name="audit")
app.add_typer(user_app, name="user")
app.add_typer(db_app, name="db")


def runtime() -> Runtime:
    return build_runtime(get_settings())


@app.command()
def init() -> None:
    """Create the database, or upgrade it to the newest schema."""
    url = get_settings().resolved_database_url()
    upgrade_database(url)
    typer.echo(f"database ready: {url.split('@')[-1]}")


@db_app.command("revision")
def db_revision(message: Annotated[str, typer.Option("-m", "--message")]) -> None:
    """Write a new migration from the difference between the models and the database (developers)."""
    from alembic import command

    cfg = alembic_config(get_settings().resolved_database_url())
    command.revision(cfg, message=message, autogenerate=True)


@db_app.command("check")
def db_check() -> None:
    """Fail if the models and the migrations disagree (alembic check)."""
    from alembic import command

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
) -> None:
    """Run the web server (API and console). Without a broker, background jobs run inside it."""
    import uvicorn

    settings = get_settings()
    if init_db:
        upgrade_database(settings.resolved_database_url())
    from boh.http.observability import configure_logging

    configure_logging(settings.log_level, settings.log_json)
    uvicorn.run("boh.web.main:app", host=host, port=port, workers=workers, log_config=None)


from boh.cli import audit as _audit  # noqa: E402

_audit.register(audit_app, runtime)

from boh.cli import data as _data  # noqa: E402

_data.register(app, runtime)

from boh import registry  # noqa: E402
from boh.kernel.manifest import resolve  # noqa: E402

for _group in registry.cli_groups():
    resolve(_group.register)(app, runtime)


from boh.worker.cli import register as register_worker_cli  # noqa: E402

register_worker_cli(app, runtime)


from boh.demo.cli import register as register_demo_cli  # noqa: E402

register_demo_cli(app, runtime)

from boh.worker.ingest_cli import register as register_ingest_cli  # noqa: E402

register_ingest_cli(app, runtime)


from boh.simulate.cli import register as register_simulate_cli  # noqa: E402

register_simulate_cli(app, runtime)


def main() -> None:  # pragma: no cover - console entry
    sys.exit(app())
