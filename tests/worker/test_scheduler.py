"""Scheduled runs in the database: slots, leases, history, and atomic claiming across workers."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select, update

from boh.bootstrap import Runtime
from boh.kernel.clock import clock
from boh.worker.jobs import Daily, Every, JobFailed, JobRegistry
from boh.worker.models import WorkerJobRun, WorkerSchedule
from boh.worker.scheduler import claim_due, execute, release_claim, run_due, sync_schedules

T0 = datetime(2026, 5, 4, 1, 0, tzinfo=UTC)


class Counting:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.calls: Counter[str] = Counter()
        self.fail_with: Exception | None = None

    def __call__(self, runtime: Any, **kwargs: Any) -> dict[str, Any]:
        with self.lock:
            self.calls["run"] += 1
        if self.fail_with is not None:
            raise self.fail_with
        return {"kwargs": kwargs}


def _schedule(rt: Runtime, name: str) -> WorkerSchedule:
    with rt.session_factory() as s:
        row = s.get(WorkerSchedule, name)
        assert row is not None
        return row


def _runs(rt: Runtime) -> list[WorkerJobRun]:
    with rt.session_factory() as s:
        return list(s.scalars(select(WorkerJobRun).order_by(WorkerJobRun.id)))


def test_a_daily_slot_runs_once_and_advances_to_the_next_day(runtime: Runtime) -> None:
    job = Counting()
    reg = JobRegistry()
    reg.register("t.daily", job, schedule=Daily("02:00", "UTC"), kwargs={"depth": 2})
    clock.freeze(T0)
    sync_schedules(runtime.session_factory, reg)
    assert _schedule(runtime, "t.daily").next_run_at == T0 + timedelta(hours=1)

    assert run_due(runtime, reg) == []
    clock.advance(timedelta(hours=1))
    [out] = run_due(runtime, reg)
    assert (out.status, out.result) == ("ok", {"kwargs": {"depth": 2}})
    assert run_due(runtime, reg) == []
    assert job.calls["run"] == 1

    row = _schedule(runtime, "t.daily")
    assert row.next_run_at == datetime(2026, 5, 5, 2, 0, tzinfo=UTC)
    assert (row.last_status, row.last_error, row.running_until, row.lease_owner) == ("ok", None, None, None)
    assert row.last_run_at == T0 + timedelta(hours=1)
    [run] = _runs(runtime)
    assert (run.name, run.trigger, run.status, run.args) == ("t.daily", "schedule", "ok", {"depth": 2})
    assert run.started_at == run.finished_at == T0 + timedelta(hours=1)


def test_a_failing_job_is_recorded_and_the_schedule_moves_on(runtime: Runtime) -> None:
    job = Counting()
    job.fail_with = ValueError("disk full")
    reg = JobRegistry()
    reg.register("t.every", job, schedule=Every(60))
    clock.freeze(T0)
    sync_schedules(runtime.session_factory, reg)
    [out] = run_due(runtime, reg)
    assert (out.status, out.error) == ("failed", "ValueError: disk full")
    row = _schedule(runtime, "t.every")
    assert (row.last_status, row.last_error) == ("failed", "ValueError: disk full")
    assert row.next_run_at == T0 + timedelta(seconds=60) and row.running_until is None

    job.fail_with = JobFailed("2 rows wrong", {"wrong": 2})
    clock.advance(timedelta(seconds=60))
    [out] = run_due(runtime, reg)
    assert (out.status, out.error, out.result) == ("failed", "2 rows wrong", {"wrong": 2})
    assert [(r.status, r.error) for r in _runs(runtime)] == [
        ("failed", "ValueError: disk full"),
        ("failed", "2 rows wrong"),
    ]


def test_a_held_lease_blocks_other_workers_until_it_expires(runtime: Runtime) -> None:
    job = Counting()
    reg = JobRegistry()
    reg.register("t.lease", job, schedule=Every(600), lease=timedelta(minutes=5))
    clock.freeze(T0)
    sync_schedules(runtime.session_factory, reg)
    [first] = claim_due(runtime.session_factory, reg)  # this worker dies without finishing
    assert claim_due(runtime.session_factory, reg) == []
    clock.advance(timedelta(minutes=5))
    assert claim_due(runtime.session_factory, reg) == []  # lease ends strictly after 5 minutes
    clock.advance(timedelta(seconds=1))
    [second] = claim_due(runtime.session_factory, reg)
    assert second.token != first.token

    # the dead worker comes back and finishes late: its stale finish must not touch the schedule
    execute(runtime, reg, first.name, run_id=first.run_id, token=first.token)
    row = _schedule(runtime, "t.lease")
    assert row.lease_owner == second.token and row.next_run_at == T0
    execute(runtime, reg, second.name, run_id=second.run_id, token=second.token)
    row = _schedule(runtime, "t.lease")
    assert row.lease_owner is None and row.next_run_at == T0 + timedelta(minutes=5, seconds=601)


def test_a_released_claim_stays_due(runtime: Runtime) -> None:
    reg = JobRegistry()
    reg.register("t.rel", Counting(), schedule=Every(60))
    clock.freeze(T0)
    sync_schedules(runtime.session_factory, reg)
    [c] = claim_due(runtime.session_factory, reg)
    release_claim(runtime.session_factory, c, "broker unavailable: job not sent")
    [run] = _runs(runtime)
    assert (run.status, run.error) == ("failed", "broker unavailable: job not sent")
    [again] = claim_due(runtime.session_factory, reg)
    assert again.run_id != c.run_id


def test_changing_a_schedule_resets_its_next_slot(runtime: Runtime) -> None:
    reg = JobRegistry()
    reg.register("t.change", Counting(), schedule=Daily("23:00"))
    clock.freeze(T0)
    sync_schedules(runtime.session_factory, reg)
    sync_schedules(runtime.session_factory, reg)  # idempotent
    assert _schedule(runtime, "t.change").next_run_at == datetime(2026, 5, 4, 23, 0, tzinfo=UTC)
    reg2 = JobRegistry()
    reg2.register("t.change", Counting(), schedule=Daily("05:00"))
    sync_schedules(runtime.session_factory, reg2)
    row = _schedule(runtime, "t.change")
    assert (row.spec, row.next_run_at) == ("daily 05:00 UTC", datetime(2026, 5, 4, 5, 0, tzinfo=UTC))


def test_manual_run_records_history_without_touching_the_schedule(runtime: Runtime) -> None:
    job = Counting()
    reg = JobRegistry()
    reg.register("t.manual", job, schedule=Daily("02:00"))
    clock.freeze(T0)
    sync_schedules(runtime.session_factory, reg)
    out = execute(runtime, reg, "t.manual", {"x": 1})
    assert (out.status, out.result) == ("ok", {"kwargs": {"x": 1}})
    [run] = _runs(runtime)
    assert (run.trigger, run.status, run.args) == ("manual", "ok", {"x": 1})
    row = _schedule(runtime, "t.manual")
    assert row.next_run_at == T0 + timedelta(hours=1) and row.last_run_at is None


@pytest.mark.parametrize("round_", range(3))
def test_concurrent_workers_never_run_the_same_slot_twice(runtime: Runtime, round_: int) -> None:
    """Eight workers race for one due slot at the same instant: exactly one runs it."""
    job = Counting()
    reg = JobRegistry()
    reg.register("t.race", job, schedule=Every(60))
    clock.freeze(T0)
    sync_schedules(runtime.session_factory, reg)
    barrier = threading.Barrier(8)
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            barrier.wait(5)
            run_due(runtime, reg)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert errors == []
    assert job.calls["run"] == 1
    assert [r.status for r in _runs(runtime)] == ["ok"]
    assert _schedule(runtime, "t.race").next_run_at == T0 + timedelta(seconds=60)


@pytest.mark.postgres_only
def test_claim_update_is_atomic_on_a_row_another_transaction_holds(runtime: Runtime, backend: str) -> None:
    """PostgreSQL: a claimer blocked behind the winner's open transaction re-checks and loses."""
    if backend != "postgresql":
        pytest.skip("row-lock wait and re-check is PostgreSQL behaviour (SQLite serialises whole transactions)")
    reg = JobRegistry()
    reg.register("t.lock", Counting(), schedule=Every(60))
    clock.freeze(T0)
    sync_schedules(runtime.session_factory, reg)
    result: list[Any] = []
    with runtime.session_factory() as s, s.begin():
        s.execute(
            update(WorkerSchedule)
            .where(WorkerSchedule.name == "t.lock")
            .values(running_until=T0 + timedelta(hours=1), lease_owner="holder")
        )
        t = threading.Thread(target=lambda: result.append(claim_due(runtime.session_factory, reg)))
        t.start()
        t.join(0.5)
        assert t.is_alive()  # waiting for our row lock
    t.join(10)
    assert result == [[]]
    assert _runs(runtime) == []
