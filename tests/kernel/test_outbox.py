"""The transactional outbox: events are written with the change, and delivered once in effect."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from sqlalchemy import func, select

from boh.bootstrap import Runtime
from boh.kernel import outbox
from boh.kernel.audit import AuditRecord
from boh.kernel.clock import clock
from boh.kernel.events import Event
from boh.kernel.outbox import EventBus, OutboxDelivery, OutboxRecord
from boh.kernel.uow import UnitOfWork
from boh.org.models import Tenant

T0 = datetime(2026, 2, 1, 12, 0, tzinfo=UTC)


@dataclass(frozen=True)
class ThingHappened(Event):
    topic = "test.thing_happened"
    thing_id: int
    amount: Decimal


def _records(rt: Runtime) -> list[OutboxRecord]:
    with rt.session_factory() as session:
        return list(session.scalars(select(OutboxRecord).order_by(OutboxRecord.id)))


def _count(rt: Runtime, model: type) -> int:
    with rt.session_factory() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def _publish(rt: Runtime, *events: ThingHappened) -> None:
    with rt.system_uow(1, request_id="req-1") as uow:
        for ev in events:
            uow.publish(ev)
        uow.commit()


def test_publish_writes_an_outbox_row_in_the_same_transaction(runtime: Runtime) -> None:
    clock.freeze(T0)
    with runtime.system_uow(5, request_id="req-42") as uow:
        uow.session.add(Tenant(code="T5", name="Five"))
        uow.publish(ThingHappened(tenant_id=5, thing_id=9, amount=Decimal("1.000001")))
        assert _records(runtime) == []  # nothing visible before commit
        uow.commit()
    [rec] = _records(runtime)
    assert (rec.topic, rec.tenant_id, rec.request_id, rec.status, rec.attempts) == (
        "test.thing_happened",
        5,
        "req-42",
        "pending",
        0,
    )
    assert rec.payload == '{"amount":"1.000001","tenant_id":5,"thing_id":9}'
    assert rec.created_at == T0 and rec.available_at == T0
    assert len(rec.event_id) == 36


def test_rollback_leaves_no_outbox_row(runtime: Runtime) -> None:
    with runtime.system_uow(1) as uow:
        uow.session.add(Tenant(code="T1", name="One"))
        uow.publish(ThingHappened(tenant_id=1, thing_id=1, amount=Decimal(1)))
        uow.rollback()
        assert uow.events == []
    with runtime.system_uow(1) as uow:  # leaving the block without commit: no row
        uow.publish(ThingHappened(tenant_id=1, thing_id=2, amount=Decimal(1)))
    assert _records(runtime) == []
    assert _count(runtime, Tenant) == 0


def _bus(calls: list[int], *, fail: bool = False) -> EventBus:
    def handler(uow: UnitOfWork, ev: Event) -> None:
        assert isinstance(ev, ThingHappened)
        uow.audit("test.reacted", "thing", ev.thing_id, after={"amount": ev.amount})
        calls.append(ev.thing_id)
        if fail:
            raise RuntimeError("downstream is down")

    bus = EventBus()
    bus.subscribe(ThingHappened.topic, handler, name="test.handler")
    return bus


def test_relay_delivers_each_event_once(runtime: Runtime) -> None:
    _publish(runtime, ThingHappened(1, 1, Decimal("2.5")), ThingHappened(1, 2, Decimal("0.5")))
    calls: list[int] = []
    bus = _bus(calls)
    done = outbox.relay_once(runtime.session_factory, runtime.system_uow, bus)
    assert done == 2 and calls == [1, 2]
    assert [r.status for r in _records(runtime)] == ["done", "done"]
    assert _count(runtime, OutboxDelivery) == 2
    assert _count(runtime, AuditRecord) == 2  # the handler's effect committed with its delivery record
    assert outbox.relay_once(runtime.session_factory, runtime.system_uow, bus) == 0
    assert calls == [1, 2]


def test_redelivery_of_a_delivered_event_is_a_no_op(runtime: Runtime) -> None:
    _publish(runtime, ThingHappened(1, 7, Decimal(1)))
    [rec] = _records(runtime)
    calls: list[int] = []
    bus = _bus(calls)
    ev = outbox.PendingEvent.of(rec)
    assert outbox.deliver(runtime.system_uow, bus, ev, "test.handler") is True
    assert outbox.deliver(runtime.system_uow, bus, ev, "test.handler") is False  # at-least-once, effect once
    assert calls == [7]
    assert _count(runtime, AuditRecord) == 1


def test_failing_handler_is_retried_later_and_its_effect_rolled_back(runtime: Runtime) -> None:
    clock.freeze(T0)
    _publish(runtime, ThingHappened(1, 3, Decimal(1)))
    calls: list[int] = []
    bus = _bus(calls, fail=True)
    assert outbox.relay_once(runtime.session_factory, runtime.system_uow, bus, max_attempts=2) == 0
    [rec] = _records(runtime)
    assert (rec.status, rec.attempts) == ("pending", 1)
    assert rec.last_error == "RuntimeError: downstream is down"
    assert rec.available_at == T0 + timedelta(seconds=2)  # backoff
    assert _count(runtime, AuditRecord) == 0 and _count(runtime, OutboxDelivery) == 0

    assert outbox.relay_once(runtime.session_factory, runtime.system_uow, bus, max_attempts=2) == 0
    assert calls == [3]  # not due yet: not retried
    clock.advance(timedelta(seconds=3))
    outbox.relay_once(runtime.session_factory, runtime.system_uow, bus, max_attempts=2)
    [rec] = _records(runtime)
    assert (rec.status, rec.attempts, calls) == ("failed", 2, [3, 3])
    assert _count(runtime, AuditRecord) == 0


def test_claimed_records_are_leased(runtime: Runtime) -> None:
    clock.freeze(T0)
    _publish(runtime, ThingHappened(1, 4, Decimal(1)))
    assert [e.topic for e in outbox.claim(runtime.session_factory, 10)] == ["test.thing_happened"]
    assert outbox.claim(runtime.session_factory, 10) == []  # leased to the first relay
    clock.advance(outbox.LEASE + timedelta(seconds=1))
    assert len(outbox.claim(runtime.session_factory, 10)) == 1  # the lease expired: retried
