"""``boh worker --once`` and ``boh jobs list|run`` on a Typer app of their own."""

from __future__ import annotations

import json

import pytest
import typer
from sqlalchemy import select
from typer.testing import CliRunner

from boh.bootstrap import Runtime
from boh.worker.cli import parse_args, register
from boh.worker.models import WorkerJobRun
from tests.worker.support import Recorder, effects, publish, record, worker_runtime


def _app(rt: Runtime) -> typer.Typer:
    app = typer.Typer()
    register(app, lambda: rt)
    return app


def test_worker_once_relays_the_outbox_and_exits(runtime: Runtime, monkeypatch: pytest.MonkeyPatch) -> None:
    configured: list[tuple[str, bool]] = []
    monkeypatch.setattr("boh.http.observability.configure_logging", lambda *a: configured.append(a))
    rt = worker_runtime(runtime)
    Recorder().subscribe(rt.bus, "a")
    [rid] = publish(rt, 1)
    result = CliRunner().invoke(_app(rt), ["worker", "--once"])
    assert result.exit_code == 0, result.output
    assert effects(rt, "a", 1) == 1 and record(rt, rid).status == "done"
    assert configured == [(rt.settings.log_level, rt.settings.log_json)]


def test_jobs_list_shows_every_job_and_its_schedule(runtime: Runtime) -> None:
    result = CliRunner().invoke(_app(runtime), ["jobs", "list"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    names = ["audit.checkpoint", "audit.verify", "catalog.certificate_expiry", "coldchain.dropouts",
             "forecasting.queued", "forecasting.run", "inspections.actions.escalate", "inventory.reservations.expire",
             "outbox.cleanup", "outbox.relay", "replenishment.escalate", "replenishment.nightly",
             "replenishment.queued"]  # fmt: skip
    assert [line.split()[0] for line in lines] == names
    line = dict(zip(names, lines, strict=True))
    assert "every 900s" in line["audit.checkpoint"] and "last never" in line["audit.checkpoint"]
    assert "daily 04:00 UTC" in line["audit.verify"] and "last never" in line["audit.verify"]
    assert "every 300s" in line["coldchain.dropouts"]
    assert "daily 06:00 UTC" in line["catalog.certificate_expiry"]
    assert "daily 02:30 UTC" in line["forecasting.run"]
    assert "every 10s" in line["forecasting.queued"]
    assert "daily 03:00 UTC" in line["inspections.actions.escalate"]
    assert "every 60s" in line["inventory.reservations.expire"]
    assert "on demand" in line["outbox.relay"]


def test_jobs_run_records_the_run_and_reports_failures(runtime: Runtime) -> None:
    runner = CliRunner()
    ok = runner.invoke(_app(runtime), ["jobs", "run", "audit.verify"])
    assert ok.exit_code == 0, ok.output
    assert json.loads(ok.output)["result"] == {"broken": [], "chains": 0, "records": 0}

    bad = runner.invoke(_app(runtime), ["jobs", "run", "outbox.cleanup", "--arg", "older_than_days=0"])
    assert bad.exit_code == 1
    assert "failed: older_than_days must be at least 1" in bad.output

    unknown = runner.invoke(_app(runtime), ["jobs", "run", "no.such.job"])
    assert unknown.exit_code == 2 and "no job named 'no.such.job'" in unknown.output
    with runtime.session_factory() as s:
        runs = [(r.name, r.status, r.args) for r in s.scalars(select(WorkerJobRun).order_by(WorkerJobRun.id))]
    assert runs == [("audit.verify", "ok", {}), ("outbox.cleanup", "failed", {"older_than_days": 0})]


def test_parse_args_reads_json_values_and_refuses_bare_words() -> None:
    assert parse_args(["days=7", "site=S001", "ids=[1,2]", "dry=true"]) == {
        "days": 7,
        "site": "S001",
        "ids": [1, 2],
        "dry": True,
    }
    with pytest.raises(typer.BadParameter):
        parse_args(["days"])
