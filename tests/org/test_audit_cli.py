"""`boh audit verify`, run as the operator runs it, on the test database."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select, text
from typer.testing import CliRunner

from boh.bootstrap import Runtime, build_runtime
from boh.cli.main import app
from boh.kernel.audit import GENESIS, AuditHead, AuditRecord, append, compute_hash, verify_chain
from boh.settings import Settings, get_settings
from tests.factories import make_site, make_tenant, make_user


@pytest.fixture
def cli(runtime: Runtime, settings: Settings, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[CliRunner]:
    monkeypatch.setenv("BOH_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("BOH_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("BOH_BLOBS__DIR", str(tmp_path / "blobs"))  # checkpoints: outside the database
    monkeypatch.setenv("BOH_AUDIT__SIGNING_KEY_PATH", str(tmp_path / "keys" / "audit.pem"))
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


# --- signed checkpoints: tampering that the chain alone cannot see ------------------------------------


def _checkpoint(cli: CliRunner) -> None:
    result = cli.invoke(app, ["audit", "checkpoint"])
    assert result.exit_code == 0, result.output


def test_checkpoint_then_intact_chain_verifies(runtime: Runtime, cli: CliRunner, tmp_path: Path) -> None:
    chain = _history(runtime)
    _checkpoint(cli)
    assert (tmp_path / "keys" / "audit.pem").stat().st_mode & 0o077 == 0  # generated on first use, owner-only
    files = sorted((tmp_path / "blobs" / "audit" / "checkpoints" / str(chain)).iterdir())
    assert [f.name for f in files] == ["000000000000004.json"]
    body = json.loads(files[0].read_text())
    assert body["seq"] == 4 and body["chain_id"] == chain and len(body["key_id"]) == 16 and body["signature"]
    make_site(runtime, make_tenant_ref(runtime, chain), "S003")  # a change after the checkpoint is fine
    result = cli.invoke(app, ["audit", "verify"])
    assert result.exit_code == 0, result.output
    assert f"chain {chain}: 5 records OK, checkpoint at seq 4" in result.output


def make_tenant_ref(rt: Runtime, tenant_id: int):  # type: ignore[no-untyped-def]
    from tests.factories import TenantRef

    return TenantRef(tenant_id, "ACME")


def test_truncation_with_head_rollback_is_detected(runtime: Runtime, cli: CliRunner) -> None:
    chain = _history(runtime)
    _checkpoint(cli)
    _sql(runtime, "DELETE FROM kernel_audit WHERE chain_id = :c AND seq >= 3", c=chain)
    with runtime.engine.begin() as conn:
        h = conn.execute(text("SELECT hash FROM kernel_audit WHERE chain_id = :c AND seq = 2"), {"c": chain}).scalar()
    _sql(runtime, "UPDATE kernel_audit_head SET seq = 2, hash = :h WHERE chain_id = :c", c=chain, h=h)
    result = cli.invoke(app, ["audit", "verify"])
    assert result.exit_code == 1, result.output
    assert f"chain {chain}: BROKEN at seq 4 (truncated)" in result.output


def test_deleting_a_whole_chain_with_its_head_is_detected(runtime: Runtime, cli: CliRunner) -> None:
    chain = _history(runtime)
    other = make_tenant(runtime, "OTHER", "Other Foods").id
    _sql(runtime, "DELETE FROM kernel_audit WHERE chain_id = :c", c=chain)
    _sql(runtime, "DELETE FROM kernel_audit_head WHERE chain_id = :c", c=chain)
    result = cli.invoke(app, ["audit", "verify"])  # without any checkpoint: the tenant has no chain
    assert result.exit_code == 1, result.output
    assert f"chain {chain}: BROKEN at seq 1 (missing)" in result.output
    assert f"chain {other}: 1 records OK" in result.output


def test_deleting_a_checkpointed_chain_is_detected_without_a_tenant(runtime: Runtime, cli: CliRunner) -> None:
    chain = 777  # a chain no tenant row asks for (as if the tenant row had been deleted too)
    with runtime.session_factory() as session:
        for i in range(3):
            append(session, chain_id=chain, actor="system", action="x.test", entity_type="x", entity_id=str(i))
        session.commit()
    _checkpoint(cli)
    _sql(runtime, "DELETE FROM kernel_audit WHERE chain_id = :c", c=chain)
    _sql(runtime, "DELETE FROM kernel_audit_head WHERE chain_id = :c", c=chain)
    result = cli.invoke(app, ["audit", "verify"])
    assert result.exit_code == 1, result.output
    assert f"chain {chain}: BROKEN at seq 1 (missing)" in result.output
    assert "checkpoint pins seq 3" in result.output


def test_editing_and_recomputing_the_chain_is_detected(runtime: Runtime, cli: CliRunner) -> None:
    chain = _history(runtime)
    _checkpoint(cli)
    _sql(runtime, "UPDATE kernel_audit SET actor = 'user:999' WHERE chain_id = :c AND seq = 2", c=chain)
    _recompute(runtime, chain)
    with runtime.session_factory() as session:  # the chain alone now verifies: it was recomputed
        assert verify_chain(session, chain) == (4, None)
    result = cli.invoke(app, ["audit", "verify"])
    assert result.exit_code == 1, result.output
    assert f"chain {chain}: BROKEN at seq 4 (rewritten)" in result.output


def _recompute(rt: Runtime, chain: int) -> None:
    """What an attacker with SQL access does after editing: every hash recomputed, the head moved along."""
    with rt.session_factory() as session:
        prev = GENESIS
        recs = session.scalars(select(AuditRecord).where(AuditRecord.chain_id == chain).order_by(AuditRecord.seq))
        for rec in recs:
            rec.prev_hash = prev
            rec.hash = prev = compute_hash(prev, rec)
        head = session.get(AuditHead, chain)
        assert head is not None
        head.hash = prev
        session.commit()


def test_an_altered_or_untrusted_checkpoint_is_refused(runtime: Runtime, cli: CliRunner, tmp_path: Path) -> None:
    chain = _history(runtime)
    _checkpoint(cli)
    path = tmp_path / "blobs" / "audit" / "checkpoints" / str(chain) / "000000000000004.json"
    body = json.loads(path.read_text())
    path.write_text(json.dumps({**body, "hash": "0" * 64}))
    result = cli.invoke(app, ["audit", "verify"])
    assert result.exit_code == 1 and "invalid signature" in result.output, result.output
    path.write_text(json.dumps(body))
    assert cli.invoke(app, ["audit", "verify"]).exit_code == 0
    (tmp_path / "keys" / "audit.pem").unlink()  # a new key, the old one not trusted: its checkpoints are refused
    result = cli.invoke(app, ["audit", "verify"])
    assert result.exit_code == 1 and f"signed by key {body['key_id']}, which is not trusted" in result.output


def test_rotation_keeps_old_checkpoints_valid(
    runtime: Runtime, cli: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    chain = _history(runtime)
    old = cli.invoke(app, ["audit", "keygen"])
    assert old.exit_code == 0, old.output
    old_public = old.output.split("rotate it): ")[1].split()[0]
    _checkpoint(cli)
    (tmp_path / "keys" / "audit.pem").rename(tmp_path / "old.pem")
    monkeypatch.setenv("BOH_AUDIT__TRUSTED_PUBLIC_KEYS", json.dumps([old_public]))
    get_settings.cache_clear()
    make_site(runtime, make_tenant_ref(runtime, chain), "S009")
    _checkpoint(cli)  # signed with a new key
    result = cli.invoke(app, ["audit", "verify"])
    assert result.exit_code == 0, result.output
    assert f"chain {chain}: 5 records OK, checkpoint at seq 5" in result.output
    keys = {json.loads(p.read_text())["key_id"] for p in (tmp_path / "blobs").rglob("*.json")}
    assert len(keys) == 2


def test_a_missing_key_is_an_error_when_generation_is_off(
    runtime: Runtime, cli: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    _history(runtime)
    monkeypatch.setenv("BOH_AUDIT__GENERATE_KEY", "false")
    get_settings.cache_clear()
    result = cli.invoke(app, ["audit", "checkpoint"])
    assert result.exit_code != 0
    assert "no audit signing key at" in str(result.exception)


def test_worker_job_writes_checkpoints(runtime: Runtime, cli: CliRunner) -> None:
    from boh.worker.builtin import build_registry, checkpoint_audit_chains

    chain = _history(runtime)
    assert build_registry(get_settings()).get("audit.checkpoint").schedule is not None
    rt = build_runtime(get_settings())
    try:
        first = checkpoint_audit_chains(rt)
        again = checkpoint_audit_chains(rt)  # nothing moved: nothing written
    finally:
        rt.engine.dispose()
    assert {"chain_id": chain, "seq": 4} in [{k: c[k] for k in ("chain_id", "seq")} for c in first["checkpoints"]]
    assert again == {"checkpoints": []}
