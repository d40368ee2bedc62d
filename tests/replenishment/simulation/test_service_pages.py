"""A stored run (``boh replenish simulate --demo`` and the service), the simulation page in both languages,
and saving an operating point from it: a valid pick is saved and audited, an invalid one writes nothing, a
user without the permission cannot see the page."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from typer.testing import CliRunner

from boh.bootstrap import Runtime
from boh.cli.main import app as cli_app
from boh.kernel.audit import AuditRecord
from boh.kernel.errors import ValidationFailed
from boh.replenishment.simulation import models, service
from boh.settings import Settings, get_settings
from tests.factories import login, make_site, make_tenant, make_user


@pytest.fixture
def cli(runtime: Runtime, settings: Settings, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[CliRunner]:
    monkeypatch.setenv("BOH_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("BOH_DATA_DIR", str(settings.data_dir))
    get_settings.cache_clear()
    try:
        yield CliRunner()
    finally:
        get_settings.cache_clear()


def _csrf(client: TestClient, url: str, headers: dict[str, str]) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', client.get(url, headers=headers).text)
    assert found, url
    return found.group(1)


def _count(rt: Runtime, model: type) -> int:
    with rt.session_factory() as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)


def test_cli_simulates_stores_and_prints(runtime: Runtime, cli: CliRunner) -> None:
    make_tenant(runtime)
    r = cli.invoke(cli_app, ["replenish", "simulate", "--tenant", "ACME", "--demo", "--levels", "0.7,0.9",
                             "--covers", "2,3,4", "--label", "test run", "--spread", "0.5",
                             "--smoothing", "0.8"])  # fmt: skip
    assert r.exit_code == 0, r.output
    assert "BOH level" in r.output and "chain as recorded" in r.output and "stored run" in r.output
    with runtime.session_factory() as s:
        run = s.scalars(select(models.SimRun)).one()
        assert run.label == "test run" and run.source == "demo" and run.series == 24
        assert run.params["spread"] == "0.5" and run.params["smoothing"] == "0.8"
        assert run.summary["spread"] == "0.5" and run.summary["spread_selection"]["fixed"] is True
        assert [p["param"] for p in run.curves["boh"]] == ["0.7", "0.9"]
        assert [p["param"] for p in run.curves["baseline"]] == ["2", "3", "4"]
        assert isinstance(run.curves["boh"][0]["metrics"]["turnover"], str)  # decimal strings, not floats
        assert set(run.traces) == {"boh:0.7", "boh:0.9", "baseline:2.0", "baseline:3.0", "baseline:4.0"}


def test_cli_chooses_the_spread_on_validation_without_the_option(runtime: Runtime, cli: CliRunner) -> None:
    make_tenant(runtime)
    r = cli.invoke(cli_app, ["replenish", "simulate", "--tenant", "ACME", "--demo", "--levels", "0.7,0.8,0.9",
                             "--covers", "2,3,4"])  # fmt: skip
    assert r.exit_code == 0, r.output
    assert "chosen on the validation window" in r.output
    with runtime.session_factory() as s:
        run = s.scalars(select(models.SimRun)).one()
        sel = run.summary["spread_selection"]
        assert run.params["spread"] is None and sel["fixed"] is False
        assert [c["spread"] for c in sel["candidates"]] == ["0", "0.25", "0.5", "0.75"]
        assert run.summary["spread"] in {c["spread"] for c in sel["candidates"]}


def test_cli_records_the_calendar_and_the_level_rule(runtime: Runtime, cli: CliRunner) -> None:
    make_tenant(runtime)
    for args, expected in (([], "CN"), (["--calendar", "de", "--level-rule", "midpoint"], "DE"),
                           (["--calendar", ""], "")):  # fmt: skip
        r = cli.invoke(cli_app, ["replenish", "simulate", "--tenant", "ACME", "--demo", "--levels", "0.8",
                                 "--covers", "3", "--spread", "0", *args])  # fmt: skip
        assert r.exit_code == 0, r.output
        with runtime.session_factory() as s:
            run = s.scalars(select(models.SimRun).order_by(models.SimRun.id.desc()).limit(1)).one()
            assert run.params["forecast"]["calendar"] == expected
            assert run.params["level_rule"] == ("midpoint" if "midpoint" in args else "equal_waste")
            assert run.summary["level_rule"] == run.params["level_rule"]


def test_cli_runs_with_the_engine_forecaster(runtime: Runtime, cli: CliRunner) -> None:
    pytest.importorskip("mlforecast")
    make_tenant(runtime)
    r = cli.invoke(cli_app, ["replenish", "simulate", "--tenant", "ACME", "--demo", "--levels", "0.8",
                             "--covers", "3", "--spread", "0", "--forecaster", "engine"])  # fmt: skip
    assert r.exit_code == 0, r.output
    with runtime.session_factory() as s:
        run = s.scalars(select(models.SimRun)).one()
        assert run.params["forecaster"] == "engine"


def test_cli_refuses_bad_options_before_running(runtime: Runtime, cli: CliRunner) -> None:
    make_tenant(runtime)
    for args in (["--policy", "max"], ["--lead-time", "0"], ["--order-days", "0000000"], ["--levels", "1.5"],
                 ["--categories", '{"4": {"colour": 1}}'], ["--spread", "-0.1"], ["--spread", "1.5"],
                 ["--smoothing", "0"], ["--smoothing", "1.2"], ["--calendar", "XX"],
                 ["--level-rule", "lowest"], ["--forecaster", "arima"]):  # fmt: skip
        r = cli.invoke(cli_app, ["replenish", "simulate", "--tenant", "ACME", "--demo", *args])
        assert r.exit_code == 2, (args, r.output)
    r = cli.invoke(cli_app, ["replenish", "simulate", "--tenant", "NOPE", "--demo"])
    assert r.exit_code == 2 and "no tenant NOPE" in r.output
    assert _count(runtime, models.SimRun) == 0


def test_page_charts_a_run_and_saves_an_operating_point(runtime: Runtime, client: TestClient) -> None:
    t = make_tenant(runtime)
    site = make_site(runtime, t, "S001")
    make_user(runtime, t, "planner", [("hq_admin", None)])
    make_user(runtime, t, "clerk", [("store_staff", "S001")])
    del site
    with runtime.system_uow(t.id) as uow:  # type: ignore[attr-defined]
        run_id = service.demo_run(uow).id
        uow.commit()
    admin = login(client, "planner")
    for lang, title in (("en", "Policy simulation"), ("zh_CN", "补货策略仿真")):
        client.cookies.set("boh_lang", lang)
        r = client.get("/replenishment/simulation", headers=admin)
        assert r.status_code == 200 and title in r.text, lang
        for cid in ("sim-turnover", "sim-waste", "sim-stock", "sim-orders", "sim-lost"):
            assert f'data-testid="chart-{cid}"' in r.text, (lang, cid)
    client.cookies.set("boh_lang", "en")
    page = client.get("/replenishment/simulation?category=1", headers=admin).text
    assert "Category 1" in page and 'value="boh:0.8"' in page

    url = f"/replenishment/simulation/{run_id}/choose"
    token = _csrf(client, "/replenishment/simulation", admin)
    audits = _count(runtime, AuditRecord)
    r = client.post(url, headers=admin, data={"csrf_token": token, "category": "1", "point": "boh:0.7"},
                    follow_redirects=False)  # fmt: skip
    assert r.status_code == 303, r.text
    with runtime.session_factory() as s:
        c = s.scalars(select(models.SimChoice)).one()
        assert (c.category, c.policy, str(c.param), c.run_id) == ("1", "boh", "0.7000", run_id)
    assert _count(runtime, AuditRecord) == audits + 1
    page = client.get("/replenishment/simulation?category=1", headers=admin).text
    assert 'value="boh:0.7" aria-label="BOH policy 0.7" checked' in page

    r = client.post(url, headers=admin, data={"csrf_token": token, "category": "1", "point": "boh:0.75"},
                    follow_redirects=False)  # fmt: skip
    assert r.status_code == 303
    with runtime.session_factory() as s:
        assert str(s.scalars(select(models.SimChoice)).one().param) == "0.7000"  # unchanged
    assert _count(runtime, AuditRecord) == audits + 1

    clerk = login(client, "clerk")
    assert client.get("/replenishment/simulation", headers=clerk).status_code == 403


def test_choose_lists_every_bad_pick_and_writes_nothing(runtime: Runtime) -> None:
    t = make_tenant(runtime)
    with runtime.system_uow(t.id) as uow:  # type: ignore[attr-defined]
        run_id = service.demo_run(uow).id
        uow.commit()
    with runtime.system_uow(t.id) as uow:  # type: ignore[attr-defined]
        with pytest.raises(ValidationFailed) as exc:
            service.choose(uow, run_id, {"all": "boh:0.8", "99": "boh:0.8", "1": "baseline:7", "0": "x:1"})
        assert sorted(e.loc[0] for e in exc.value.errors) == ["0", "1", "99"]
    assert _count(runtime, models.SimChoice) == 0
