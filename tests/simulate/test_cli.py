"""``boh simulate floor`` and ``boh ingest mqtt`` are mounted and refuse bad options before doing anything."""

from __future__ import annotations

from typer.testing import CliRunner

from boh.cli.main import app

runner = CliRunner()


def test_commands_are_mounted() -> None:
    assert "floor" in runner.invoke(app, ["simulate", "--help"]).output
    out = runner.invoke(app, ["ingest", "mqtt", "--help"]).output
    assert "--broker-url" in out and "--tenant" in out


def test_floor_needs_exactly_one_target() -> None:
    r = runner.invoke(app, ["simulate", "floor", "--sites", "SH01"])
    assert r.exit_code == 2 and "exactly one of --url" in r.output
    r = runner.invoke(app, ["simulate", "floor", "--sites", "SH01", "--url", "http://x", "--mqtt", "mqtt://y"])
    assert r.exit_code == 2


def test_floor_rejects_a_bad_mix_and_a_url_without_key() -> None:
    r = runner.invoke(app, ["simulate", "floor", "--sites", "SH01", "--url", "http://x", "--mix", "pos=1,x=2"])
    assert r.exit_code == 2 and "bad mix entry" in r.output
    r = runner.invoke(app, ["simulate", "floor", "--sites", "SH01", "--url", "http://127.0.0.1:9"])
    assert r.exit_code == 2 and "--api-key" in r.output
