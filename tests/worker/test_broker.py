"""Broker mode against REAL Redis and RabbitMQ: relay → messages → Dramatiq workers → handlers.

Unreachable brokers skip these tests, except with BOH_REQUIRE_BROKERS=1 (CI), where they fail.
Each test uses its own Redis namespace / RabbitMQ queue names and removes them afterwards.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import dramatiq
import pika
import pytest
import redis
from dramatiq.common import dq_name, xq_name
from sqlalchemy import select

from boh.bootstrap import Runtime
from boh.worker.broker import BrokerTransport, setup_broker
from boh.worker.jobs import Every, JobRegistry
from boh.worker.models import WorkerJobRun, WorkerSchedule
from boh.worker.scheduler import sync_schedules
from tests.worker.support import Recorder, effects, publish, record, wait_for, worker_runtime

REDIS_URL = os.environ.get("BOH_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
RABBITMQ_URL = os.environ.get("BOH_TEST_RABBITMQ_URL", "amqp://guest:guest@127.0.0.1:5672/")
REQUIRE = os.environ.get("BOH_REQUIRE_BROKERS") == "1"


def _reachable(url: str) -> str | None:
    try:
        if url.startswith("redis"):
            redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2).ping()
        else:
            params = pika.URLParameters(url)
            params.connection_attempts, params.socket_timeout, params.blocked_connection_timeout = 1, 2, 2
            pika.BlockingConnection(params).close()
    except Exception as exc:
        return f"{type(exc).__name__}: {exc}"
    return None


@pytest.fixture(params=["redis", "rabbitmq"])
def broker_url(request: pytest.FixtureRequest) -> str:
    url = REDIS_URL if request.param == "redis" else RABBITMQ_URL
    problem = _reachable(url)
    if problem is not None:
        msg = f"{request.param} broker at {url.split('@')[-1]} does not answer ({problem})"
        if REQUIRE:
            pytest.fail(f"BOH_REQUIRE_BROKERS=1 but the {msg}")
        pytest.skip(f"{msg}; CI sets BOH_REQUIRE_BROKERS=1 and always runs these")
    return url


def _cleanup(transport: BrokerTransport, namespace: str) -> None:
    broker = transport.broker
    if isinstance(broker, dramatiq.brokers.redis.RedisBroker):
        for key in broker.client.scan_iter(f"{namespace}*"):
            broker.client.delete(key)
    else:
        for queue in transport.queues:
            for name in (queue, dq_name(queue), xq_name(queue)):
                broker.channel.queue_delete(name)
    broker.close()


def _transport(rt: Runtime, reg: JobRegistry, url: str) -> tuple[BrokerTransport, str]:
    unique = uuid.uuid4().hex[:10]
    namespace = f"boh-test-{unique}"
    broker = setup_broker(url, namespace=namespace)
    return BrokerTransport(
        rt, reg, broker, queue_prefix=f"boh_test_{unique}", min_backoff_ms=50, max_backoff_ms=200
    ), namespace


@pytest.fixture
def bus_setup(runtime: Runtime, broker_url: str) -> Iterator[tuple[Runtime, Recorder, BrokerTransport]]:
    rt = worker_runtime(runtime, max_attempts=3)
    rec = Recorder()
    transport, namespace = _transport(rt, JobRegistry(), broker_url)
    try:
        yield rt, rec, transport
    finally:
        _cleanup(transport, namespace)


def _drain(transport: BrokerTransport, worker: dramatiq.Worker) -> None:
    for queue in sorted(transport.queues):
        transport.broker.join(queue, timeout=15_000)
    worker.join()


pytestmark = pytest.mark.broker


def test_relayed_events_take_effect_exactly_once_through_the_broker(
    bus_setup: tuple[Runtime, Recorder, BrokerTransport],
) -> None:
    rt, rec, transport = bus_setup
    rec.subscribe(rt.bus, "a", "b")
    ids = publish(rt, 1, 2, 3)
    assert transport.relay_once() == 3
    assert transport.relay_once() == 0
    assert [record(rt, i).status for i in ids] == ["done", "done", "done"]
    # a broker redelivers: the same (event, handler) arrives twice more
    transport.deliver_event.send(ids[0], "a")
    transport.deliver_event.send(ids[0], "a")

    worker = dramatiq.Worker(transport.broker, queues=transport.queues, worker_threads=2, worker_timeout=100)
    worker.start()
    try:
        wait_for(lambda: all(effects(rt, h, n) == 1 for h in "ab" for n in (1, 2, 3)), timeout=15)
        _drain(transport, worker)
    finally:
        worker.stop(timeout=10_000)
    for h in "ab":
        for n in (1, 2, 3):
            assert effects(rt, h, n) == 1, (h, n)
            assert rec.calls[(h, n)] == 1, (h, n)


def test_failing_handler_is_retried_then_marked_failed_without_blocking_others(
    bus_setup: tuple[Runtime, Recorder, BrokerTransport],
) -> None:
    rt, rec, transport = bus_setup
    rec.subscribe(rt.bus, "good", "bad")
    rec.failing.add("bad")
    rid1, rid2 = publish(rt, 1, 2)
    assert transport.relay_once() == 2

    worker = dramatiq.Worker(transport.broker, queues=transport.queues, worker_threads=2, worker_timeout=100)
    worker.start()
    try:
        wait_for(lambda: record(rt, rid1).status == "failed" and record(rt, rid2).status == "failed", timeout=20)
        _drain(transport, worker)
    finally:
        worker.stop(timeout=10_000)
    r1 = record(rt, rid1)
    assert r1.attempts == 3  # max_attempts: first try + 2 retries
    assert r1.last_error is not None and r1.last_error.startswith("bad: ")
    assert "bad is down" in r1.last_error
    assert rec.calls[("bad", 1)] == 3 and rec.calls[("bad", 2)] == 3
    assert effects(rt, "good", 1) == 1 and effects(rt, "good", 2) == 1
    assert effects(rt, "bad", 1) == 0


def test_scheduled_job_runs_once_through_the_broker(runtime: Runtime, broker_url: str) -> None:
    rt = worker_runtime(runtime)
    calls: list[dict[str, Any]] = []
    reg = JobRegistry()
    reg.register(
        "t.job",
        lambda runtime, **kw: calls.append(kw) or len(calls),
        schedule=Every(3600),
        kwargs={"site": 4},
        lease=timedelta(minutes=2),
    )
    transport, namespace = _transport(rt, reg, broker_url)
    try:
        sync_schedules(rt.session_factory, reg)
        assert transport.schedule_once() == 1
        assert transport.schedule_once() == 0  # the slot is leased until the run finishes
        worker = dramatiq.Worker(transport.broker, queues=transport.queues, worker_threads=2, worker_timeout=100)
        worker.start()
        try:
            wait_for(lambda: _run_statuses(rt) == ["ok"], timeout=15)
            _drain(transport, worker)
        finally:
            worker.stop(timeout=10_000)
    finally:
        _cleanup(transport, namespace)
    assert calls == [{"site": 4}]
    with rt.session_factory() as s:
        row = s.get(WorkerSchedule, "t.job")
        run = s.scalars(select(WorkerJobRun)).one()
    assert row is not None and row.running_until is None and row.last_status == "ok"
    assert (run.trigger, run.result, run.args) == ("schedule", 1, {"site": 4})
    assert transport.schedule_once() == 0  # next slot is an hour away


def _run_statuses(rt: Runtime) -> list[str]:
    with rt.session_factory() as s:
        return list(s.scalars(select(WorkerJobRun.status)))
