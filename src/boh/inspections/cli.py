"""``boh inspections ...``: plan a period, run the escalation of overdue actions."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import typer


def register(app: typer.Typer, get_runtime: Callable[[], Any]) -> None:
    group = typer.Typer(help="Inspection plans, escalation and checks.", no_args_is_help=True)
    app.add_typer(group, name="inspections")
