"""`boh audit verify`, run as the operator runs it, on the test database."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from boh.bootstrap import Runtime
from boh.cli.main import app
from boh.settings import Settings, get_settings
from tests.factories import make_site, make_tenant, make_user


@pytest.fixture
def cli(runtime: Runtime, settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Iterator[CliRunner]:
    monkeypatch.setenv("BOH_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("BOH_DATA_DIR", str(settings.data_dir))
    get_settings.cache_clear()
    try:
        yield CliRunner()
    finally:
        get_settings.cache_clear()


def _history(rt: Runtime) -> int:
    t = make_tenant(rt)
    make_site(rt, t, "S001")
    make_site(rt, t, "S002")
    make_user(rt, t, "boss", [("hq_admin", None)])
    return t.id  # tenant chain: tenant created, 2 sites, 1 user


def _sql(rt: Runtime, statement: str, **params: object) -> None:
    with rt.engine.begin() as conn:
        conn.execute(text(statement), params)


def test_intact_chain_verifies(runtime: Runtime, cli: CliRunner) -> None:
    chain = _history(runtime)
    result = cli.invoke(app, ["audit", "verify"])
    assert result.exit_code == 0, result.output
    assert f"chain {chain}: 4 records OK" in result.output
    assert "BROKEN" not in result.output


def test_edited_record_fails_and_names_its_seq(runtime: Runtime, cli: CliRunner) -> None:
    chain = _history(runtime)
    _sql(runtime, "UPDATE kernel_audit SET actor = 'user:999' WHERE chain_id = :c AND seq = 3", c=chain)
    result = cli.invoke(app, ["audit", "verify"])
    assert result.exit_code == 1
    assert f"chain {chain}: BROKEN at seq 3 (edited)" in result.output


def test_deleted_record_fails_and_names_its_seq(runtime: Runtime, cli: CliRunner) -> None:
    chain = _history(runtime)
    _sql(runtime, "DELETE FROM kernel_audit WHERE chain_id = :c AND seq = 2", c=chain)
    result = cli.invoke(app, ["audit", "verify"])
    assert result.exit_code == 1
    assert f"chain {chain}: BROKEN at seq 2 (deleted)" in result.output


def test_truncated_chain_fails(runtime: Runtime, cli: CliRunner) -> None:
    chain = _history(runtime)
    _sql(runtime, "DELETE FROM kernel_audit WHERE chain_id = :c AND seq = 4", c=chain)
    result = cli.invoke(app, ["audit", "verify"])
    assert result.exit_code == 1
    assert f"chain {chain}: BROKEN at seq 4 (truncated)" in result.output


def test_one_broken_chain_does_not_hide_the_others(runtime: Runtime, cli: CliRunner) -> None:
    first = _history(runtime)
    second = make_tenant(runtime, "OTHER", "Other Foods").id
    _sql(runtime, "UPDATE kernel_audit SET entity_id = 'x' WHERE chain_id = :c AND seq = 1", c=first)
    result = cli.invoke(app, ["audit", "verify"])
    assert result.exit_code == 1
    assert f"chain {first}: BROKEN at seq 1 (edited)" in result.output
    assert f"chain {second}: 1 records OK" in result.output
