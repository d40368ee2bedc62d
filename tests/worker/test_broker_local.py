"""Broker-mode behaviour that needs no shared broker: outages, restarts of a private Redis, and
duplicate messages delivered concurrently."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from sqlalchemy import select

from boh.bootstrap import Runtime
from boh.kernel.clock import utcnow
from boh.kernel.events import Event
from boh.kernel.uow import UnitOfWork
from boh.worker.broker import BrokerTransport, BrokerUnavailable, BrokerWorker, setup_broker
from boh.worker.jobs import Every, JobRegistry
from boh.worker.models import WorkerJobRun, WorkerSchedule
from boh.worker.scheduler import sync_schedules
from tests.worker.support import Recorder, effects, publish, record, wait_for, worker_runtime

REQUIRE = os.environ.get("BOH_REQUIRE_BROKERS") == "1"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_relay_and_scheduler_give_their_claims_back_when_the_broker_is_down(runtime: Runtime) -> None:
    rt = worker_runtime(runtime)
    Recorder().subscribe(rt.bus, "a")
    reg = JobRegistry()
    reg.register("t.job", lambda runtime: None, schedule=Every(60))
    transport = BrokerTransport(rt, reg, setup_broker(f"redis://127.0.0.1:{_free_port()}/0", namespace="boh-down"))
    rid1, rid2 = publish(rt, 1, 2)

    with pytest.raises(BrokerUnavailable, match="broker unavailable: ConnectionError"):
        transport.relay_once()
    for rid in (rid1, rid2):
        r = record(rt, rid)
        assert (r.status, r.attempts) == ("pending", 0)
        assert r.available_at <= utcnow()  # due again at once, not after the claim lease

    sync_schedules(rt.session_factory, reg)
    with pytest.raises(BrokerUnavailable):
        transport.schedule_once()
    with rt.session_factory() as s:
        row = s.get(WorkerSchedule, "t.job")
        run = s.scalars(select(WorkerJobRun)).one()
    assert row is not None and row.running_until is None and row.lease_owner is None
    assert (run.status, run.error) == ("failed", "broker unavailable: job not sent")
    transport.broker.close()


def test_concurrent_duplicate_messages_take_effect_once(runtime: Runtime) -> None:
    """Two workers get the same (event, handler) at once: one takes effect, the other is a no-op."""
    rt = worker_runtime(runtime)
    both_inside = threading.Barrier(2)
    calls: list[int] = []

    def slow(uow: UnitOfWork, event: Event) -> None:
        calls.append(1)
        with contextlib.suppress(threading.BrokenBarrierError):
            both_inside.wait(1)  # PostgreSQL: both pass the delivered-check; SQLite serialises instead
        uow.audit("test.pinged", "ping", "slow:1")

    rt.bus.subscribe("test.ping", slow, name="slow")
    transport = BrokerTransport(rt, JobRegistry(), setup_broker("redis://127.0.0.1:1/0", namespace="boh-dup"))
    [rid] = publish(rt, 1)
    results: list[bool] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            results.append(transport.deliver_event.fn(rid, "slow"))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert errors == []
    assert sorted(results) == [False, True]
    assert effects(rt, "slow", 1) == 1
    assert record(rt, rid).attempts == 0  # the duplicate was not counted as a failure


def test_setup_broker_refuses_unknown_schemes() -> None:
    with pytest.raises(ValueError, match="unsupported broker URL scheme 'kafka'"):
        setup_broker("kafka://127.0.0.1:9092")


class RedisServer:
    """A private redis-server on a free port that the test can stop and start again."""

    def __init__(self, workdir: Path) -> None:
        self.port = _free_port()
        self.workdir = workdir
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.workdir),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        client = redis.Redis.from_url(self.url, socket_connect_timeout=0.2)
        wait_for(lambda: _pings(client), timeout=10)

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            self.proc.wait(10)
            self.proc = None


def _pings(client: redis.Redis) -> bool:
    try:
        return bool(client.ping())
    except redis.exceptions.ConnectionError:
        return False


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    if shutil.which("redis-server") is None:
        if REQUIRE:
            pytest.fail("BOH_REQUIRE_BROKERS=1 but redis-server is not installed (needed for the restart test)")
        pytest.skip("redis-server is not installed; CI sets BOH_REQUIRE_BROKERS=1 and always runs this")
    server = RedisServer(tmp_path)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.mark.broker
def test_broker_worker_carries_on_after_a_broker_restart(runtime: Runtime, redis_server: RedisServer) -> None:
    rt = worker_runtime(runtime, poll_seconds=0.1)
    rec = Recorder()
    rec.subscribe(rt.bus, "a")
    transport = BrokerTransport(rt, JobRegistry(), setup_broker(redis_server.url, namespace="boh-restart"))
    bw = BrokerWorker(transport, threads=2, worker_timeout_ms=100)
    bw.start()
    try:
        [rid1] = publish(rt, 1)
        wait_for(lambda: effects(rt, "a", 1) == 1, timeout=10)

        redis_server.stop()
        [rid2] = publish(rt, 2)
        wait_for(lambda: bw.loops[0].failures >= 2, timeout=10)  # the relay logs and backs off
        assert record(rt, rid2).status == "pending"
        assert effects(rt, "a", 2) == 0

        redis_server.start()
        wait_for(lambda: effects(rt, "a", 2) == 1, timeout=30)
        assert record(rt, rid2).status == "done"
        assert bw.loops[0].failures == 0
    finally:
        threads = [loop.thread for loop in bw.loops if loop.thread is not None]
        bw.stop(timeout=10)
        assert threads and not any(t.is_alive() for t in threads), "stop() returned with a loop still running"
    assert record(rt, rid1).status == "done"
    assert rec.calls[("a", 1)] == 1 and rec.calls[("a", 2)] == 1
