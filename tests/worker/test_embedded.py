"""The embedded worker (inside ``boh serve`` when no broker is set) relays events and runs jobs."""

from __future__ import annotations

import threading
import time
from typing import Any

from sqlalchemy import select

from boh.bootstrap import Runtime
from boh.worker.embedded import EmbeddedWorker, PollingLoop, lifespan_hooks
from boh.worker.jobs import Every, JobRegistry
from boh.worker.models import WorkerJobRun
from tests.worker.support import Recorder, effects, publish, record, wait_for, worker_runtime


def _threads() -> set[str]:
    return {t.name for t in threading.enumerate() if t.name.startswith("boh-")}


def test_embedded_worker_delivers_a_committed_event_within_seconds(runtime: Runtime) -> None:
    rt = worker_runtime(runtime, poll_seconds=0.2)
    rec = Recorder()
    rec.subscribe(rt.bus, "a")
    worker = EmbeddedWorker(rt, JobRegistry())
    relay, polls = worker.loops[0], [0]
    step = relay.step

    def counted() -> bool:
        polls[0] += 1
        return step()

    relay.step = counted
    worker.start()
    try:
        wait_for(lambda: polls[0] >= 2, timeout=30)  # idle for a poll or two first
        [rid] = publish(rt, 1)
        wait_for(lambda: effects(rt, "a", 1) == 1, timeout=30)  # how fast: bench/, not a wall-clock assert
        wait_for(lambda: record(rt, rid).status == "done", timeout=30)
    finally:
        worker.stop()
    assert not worker.running and _threads() == set()  # stop() returned with every thread ended
    assert rec.calls[("a", 1)] == 1


def test_embedded_worker_runs_due_scheduled_jobs(runtime: Runtime) -> None:
    rt = worker_runtime(runtime, poll_seconds=0.1)
    ran = threading.Event()

    def tick(runtime: Any) -> str:
        ran.set()
        return "ticked"

    reg = JobRegistry()
    reg.register("t.tick", tick, schedule=Every(3600))
    worker = EmbeddedWorker(rt, reg)
    worker.start()
    try:
        assert ran.wait(3.0)
        wait_for(lambda: _status(rt) == ["ok"], timeout=2.0)
    finally:
        worker.stop()
    with rt.session_factory() as s:
        run = s.scalars(select(WorkerJobRun)).one()
    assert (run.name, run.trigger, run.result) == ("t.tick", "schedule", "ticked")


def _status(rt: Runtime) -> list[str]:
    with rt.session_factory() as s:
        return list(s.scalars(select(WorkerJobRun.status)))


def test_a_long_job_does_not_delay_event_delivery(runtime: Runtime) -> None:
    rt = worker_runtime(runtime, poll_seconds=0.1)
    rec = Recorder()
    rec.subscribe(rt.bus, "a")
    release = threading.Event()
    reg = JobRegistry()
    reg.register("t.slow", lambda runtime: release.wait(10), schedule=Every(3600))
    worker = EmbeddedWorker(rt, reg)
    worker.start()
    try:
        wait_for(lambda: _status(rt) == ["running"], timeout=3.0)
        publish(rt, 5)
        wait_for(lambda: effects(rt, "a", 5) == 1, timeout=2.0)
    finally:
        release.set()
        worker.stop()
    assert _status(rt) == ["ok"]


def test_polling_loop_backs_off_on_errors_and_recovers() -> None:
    calls: list[float] = []
    fail = {"left": 2}

    def step() -> bool:
        calls.append(time.monotonic())
        if fail["left"]:
            fail["left"] -= 1
            raise ConnectionError("database is down")
        return False

    loop = PollingLoop("boh-test-loop", step, poll_seconds=0.05)
    assert loop.tick() == 0.1  # first failure: 2x poll
    assert loop.tick() == 0.2  # second: 4x poll
    assert loop.failures == 2
    assert loop.tick() == 0.05 and loop.failures == 0  # recovered: back to the normal poll
    assert len(calls) == 3


def test_lifespan_hooks_start_the_worker_only_without_a_broker(runtime: Runtime) -> None:
    rt = worker_runtime(runtime)
    start, stop = lifespan_hooks(rt, JobRegistry())
    start()
    try:
        assert _threads() == {"boh-outbox-relay", "boh-scheduler"}
    finally:
        stop()
    assert _threads() == set()

    with_broker = worker_runtime(runtime)
    with_broker.settings.broker_url = "redis://127.0.0.1:6379/15"
    start, stop = lifespan_hooks(with_broker, JobRegistry())
    start()
    assert _threads() == set()
    stop()

    disabled = worker_runtime(runtime, embedded=False)
    start, stop = lifespan_hooks(disabled, JobRegistry())
    start()
    assert _threads() == set()
    stop()
