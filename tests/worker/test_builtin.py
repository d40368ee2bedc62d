"""Built-in jobs: audit chain verification and outbox cleanup."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select, text

from boh.bootstrap import Runtime
from boh.kernel.clock import clock
from boh.kernel.outbox import OutboxDelivery, OutboxRecord
from boh.worker.builtin import build_registry
from boh.worker.models import WorkerJobRun
from boh.worker.scheduler import execute, run_due, sync_schedules
from tests.worker.support import Recorder, publish, worker_runtime

T0 = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)


def _audit(rt: Runtime, tenant_id: int, n: int) -> None:
    with rt.system_uow(tenant_id) as uow:
        for i in range(n):
            uow.audit("test.thing_changed", "thing", i, after={"i": i})
        uow.commit()


def test_audit_verify_passes_on_intact_chains(runtime: Runtime) -> None:
    _audit(runtime, 1, 3)
    _audit(runtime, 2, 2)
    out = execute(runtime, build_registry(), "audit.verify")
    assert (out.status, out.error) == ("ok", None)
    assert out.result == {"chains": 2, "records": 5, "broken": []}
    with runtime.session_factory() as s:
        run = s.scalars(select(WorkerJobRun)).one()
    assert (run.name, run.status, run.result) == ("audit.verify", "ok", out.result)


def test_audit_verify_fails_and_names_the_edited_record(runtime: Runtime) -> None:
    _audit(runtime, 1, 3)
    _audit(runtime, 2, 2)
    with runtime.engine.begin() as conn:
        conn.execute(text("UPDATE kernel_audit SET action = 'test.forged' WHERE chain_id = 1 AND seq = 2"))
    out = execute(runtime, build_registry(), "audit.verify")
    assert out.status == "failed"
    assert out.error is not None and out.error.startswith("chain 1: record seq 2 (id ")
    assert out.result["chains"] == 2
    [broken] = out.result["broken"]
    assert (broken["chain_id"], broken["seq"], broken["kind"]) == (1, 2, "edited")
    with runtime.session_factory() as s:
        run = s.scalars(select(WorkerJobRun)).one()
    assert (run.status, run.error) == ("failed", out.error)


def test_audit_verify_runs_daily_on_schedule(runtime: Runtime) -> None:
    clock.freeze(T0)
    reg = build_registry()
    sync_schedules(runtime.session_factory, reg)
    # only the every-N-minutes jobs are due at once
    assert [(o.name, o.status) for o in run_due(runtime, reg)] == [
        ("audit.checkpoint", "ok"),
        ("coldchain.dropouts", "ok"),
        ("forecasting.queued", "ok"),
        ("inventory.reservations.expire", "ok"),
        ("replenishment.escalate", "ok"),
        ("replenishment.queued", "ok"),
    ]
    clock.advance(timedelta(hours=20))  # 04:00 and 03:30 UTC next day have passed
    outs = run_due(runtime, reg)
    assert sorted((o.name, o.status) for o in outs) == [
        ("audit.checkpoint", "ok"),
        ("audit.verify", "ok"),
        ("coldchain.dropouts", "ok"),
        ("forecasting.queued", "ok"),
        ("forecasting.run", "ok"),
        ("inspections.actions.escalate", "ok"),
        ("inventory.reservations.expire", "ok"),
        ("outbox.cleanup", "ok"),
        ("replenishment.escalate", "ok"),
        ("replenishment.queued", "ok"),
    ]


def _mark_delivered(rt: Runtime, record_id: int, handler: str) -> None:
    with rt.session_factory() as s, s.begin():
        rec = s.get(OutboxRecord, record_id)
        assert rec is not None
        rec.status, rec.dispatched_at = "done", clock.now()
        s.add(OutboxDelivery(event_id=rec.event_id, handler=handler, delivered_at=clock.now()))


def test_outbox_cleanup_deletes_only_old_delivered_rows(runtime: Runtime) -> None:
    rt = worker_runtime(runtime)
    clock.freeze(T0)
    old_done, old_pending = publish(rt, 1, 2)
    _mark_delivered(rt, old_done, "a")
    clock.advance(timedelta(days=25))
    [recent_done] = publish(rt, 3)
    _mark_delivered(rt, recent_done, "b")

    clock.advance(timedelta(days=6))  # old rows are 31 days old, the recent one 6
    out = execute(rt, build_registry(), "outbox.cleanup", {"older_than_days": 30})
    assert (out.status, out.result) == ("ok", {"deleted": 1, "older_than_days": 30})
    with rt.session_factory() as s:
        assert sorted(s.scalars(select(OutboxRecord.id))) == sorted([old_pending, recent_done])
        assert list(s.scalars(select(OutboxDelivery.handler))) == ["b"]

    bad = execute(rt, build_registry(), "outbox.cleanup", {"older_than_days": 0})
    assert (bad.status, bad.error) == ("failed", "older_than_days must be at least 1")


def test_outbox_relay_job_delivers_in_process(runtime: Runtime) -> None:
    rt = worker_runtime(runtime)
    rec = Recorder()
    rec.subscribe(rt.bus, "a")
    publish(rt, 1, 2)
    out = execute(rt, build_registry(), "outbox.relay")
    assert (out.status, out.result) == ("ok", {"completed": 2})
    assert rec.calls == {("a", 1): 1, ("a", 2): 1}
