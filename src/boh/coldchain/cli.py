"""``boh coldchain ...``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import typer


def register(app: typer.Typer, get_runtime: Callable[[], Any]) -> None:
    group = typer.Typer(help="Cold chain: MQTT readings, dropout checks.", no_args_is_help=True)
    app.add_typer(group, name="coldchain")

    @group.command("dropouts")
    def dropouts_cmd() -> None:
        """Open a dropout for every temperature sensor silent for too long (the worker does it every 5 min)."""
        from boh.coldchain import tasks

        typer.echo(f"{tasks.check_dropouts(get_runtime())} dropout(s) opened")
