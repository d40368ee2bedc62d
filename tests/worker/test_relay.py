"""The outbox relay delivers to in-process handlers at least once, with an effect exactly once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from boh.bootstrap import Runtime
from boh.kernel.clock import clock
from boh.kernel.outbox import LEASE, OutboxDelivery, claim, deliver, relay_once
from tests.worker.support import Recorder, effects, publish, record, worker_runtime

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _relay(rt: Runtime) -> int:
    cfg = rt.settings.worker
    return relay_once(
        rt.session_factory, rt.system_uow, rt.bus, batch_size=cfg.batch_size, max_attempts=cfg.max_attempts
    )


def test_redelivery_after_a_crash_before_mark_done_has_no_second_effect(runtime: Runtime) -> None:
    rt = worker_runtime(runtime)
    rec = Recorder()
    rec.subscribe(rt.bus, "a")
    clock.freeze(T0)
    [rid] = publish(rt, 1)

    [ev] = claim(rt.session_factory, 10)
    assert deliver(rt.system_uow, rt.bus, ev, "a") is True
    # the process dies here: the handler's transaction committed, mark_done never ran
    assert record(rt, rid).status == "pending"
    assert deliver(rt.system_uow, rt.bus, ev, "a") is False
    assert rec.calls[("a", 1)] == 1
    assert effects(rt, "a", 1) == 1

    assert _relay(rt) == 0  # still leased by the dead relay
    clock.advance(LEASE + timedelta(seconds=1))
    assert _relay(rt) == 1
    assert record(rt, rid).status == "done"
    assert rec.calls[("a", 1)] == 1
    assert effects(rt, "a", 1) == 1


def test_relay_delivers_every_event_to_every_handler_once(runtime: Runtime) -> None:
    rt = worker_runtime(runtime)
    rec = Recorder()
    rec.subscribe(rt.bus, "a", "b")
    clock.freeze(T0)
    ids = publish(rt, 1, 2, 3)

    assert _relay(rt) == 3
    assert _relay(rt) == 0
    for n in (1, 2, 3):
        assert effects(rt, "a", n) == 1
        assert effects(rt, "b", n) == 1
    assert [record(rt, i).status for i in ids] == ["done", "done", "done"]
    with rt.session_factory() as s:
        assert s.scalar(select(func.count()).select_from(OutboxDelivery)) == 6


def test_failing_handler_is_retried_with_backoff_without_blocking_others(runtime: Runtime) -> None:
    rt = worker_runtime(runtime)
    rec = Recorder()
    rec.subscribe(rt.bus, "good", "flaky")
    rec.failing.add("flaky")
    clock.freeze(T0)
    rid1, rid2 = publish(rt, 1, 2)

    assert _relay(rt) == 0
    r1 = record(rt, rid1)
    assert (r1.status, r1.attempts) == ("pending", 1)
    assert r1.available_at == T0 + timedelta(seconds=2)
    assert r1.last_error == "RuntimeError: flaky is down"
    # the other handler of the same event, and the other event, took effect regardless
    assert effects(rt, "good", 1) == 1 and effects(rt, "good", 2) == 1
    assert effects(rt, "flaky", 1) == 0

    assert _relay(rt) == 0  # not due yet: backoff
    assert rec.calls[("flaky", 1)] == 1
    clock.advance(timedelta(seconds=2))
    assert _relay(rt) == 0
    r1 = record(rt, rid1)
    assert r1.attempts == 2 and r1.available_at == T0 + timedelta(seconds=2 + 4)

    rec.failing.clear()
    clock.advance(timedelta(seconds=4))
    assert _relay(rt) == 2
    assert record(rt, rid1).status == "done" and record(rt, rid2).status == "done"
    assert effects(rt, "flaky", 1) == 1 and effects(rt, "flaky", 2) == 1
    assert effects(rt, "good", 1) == 1  # not re-run on retry
    assert rec.calls[("good", 1)] == 1


def test_attempts_cap_marks_the_record_failed(runtime: Runtime) -> None:
    rt = worker_runtime(runtime, max_attempts=3)
    rec = Recorder()
    rec.subscribe(rt.bus, "broken")
    rec.failing.add("broken")
    clock.freeze(T0)
    [rid] = publish(rt, 1)

    for _ in range(3):
        assert _relay(rt) == 0
        clock.advance(timedelta(hours=1))
    r = record(rt, rid)
    assert (r.status, r.attempts, r.last_error) == ("failed", 3, "RuntimeError: broken is down")
    rec.failing.clear()
    clock.advance(timedelta(days=1))
    assert _relay(rt) == 0  # failed records are left for a person to look at
    assert rec.calls[("broken", 1)] == 3
    assert effects(rt, "broken", 1) == 0
