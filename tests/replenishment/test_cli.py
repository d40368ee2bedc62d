"""``boh replenish run`` on a Typer app of its own: computes the day's suggestions and prints one JSON line;
running it again for the same day returns the same run."""

from __future__ import annotations

import json

import typer
from sqlalchemy import func, select
from typer.testing import CliRunner

from boh.bootstrap import Runtime
from boh.replenishment import models as m
from boh.replenishment.cli import register
from tests.replenishment.helpers import DAY, make_world


def _app(rt: Runtime) -> typer.Typer:
    app = typer.Typer()
    register(app, lambda: rt)

    @app.callback()
    def root() -> None:  # a group, so the sub-command name is needed as with ``boh``
        pass

    return app


def test_replenish_run_prints_the_run_and_is_idempotent(runtime: Runtime) -> None:
    make_world(runtime)
    args = ["replenish", "run", "--tenant", "REPL", "--day", DAY.isoformat()]
    first = CliRunner().invoke(_app(runtime), args)
    assert first.exit_code == 0, first.output
    out = json.loads(first.output.strip().splitlines()[-1])
    assert (out["status"], out["lines"]) == ("done", 8)  # DC 3, S001 2 (rice stocked), S002 3
    again = CliRunner().invoke(_app(runtime), args)
    assert json.loads(again.output.strip().splitlines()[-1])["run_id"] == out["run_id"]
    with runtime.session_factory() as s:
        assert s.scalar(select(func.count()).select_from(m.Run)) == 1
    bad = CliRunner().invoke(_app(runtime), ["replenish", "run", "--tenant", "NOPE"])
    assert bad.exit_code != 0
