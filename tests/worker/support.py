"""Test event, recording handlers and helpers shared by the worker tests."""

from __future__ import annotations

import dataclasses
import threading
import time
from collections import Counter
from collections.abc import Callable
from typing import Any, ClassVar

from sqlalchemy import func, select

from boh.bootstrap import Runtime
from boh.kernel.audit import AuditRecord
from boh.kernel.events import Event
from boh.kernel.outbox import EventBus, Handler, OutboxRecord
from boh.kernel.uow import UnitOfWork
from boh.settings import WorkerSettings

TENANT = 7


@dataclasses.dataclass(frozen=True)
class Ping(Event):
    topic: ClassVar[str] = "test.ping"
    n: int


class Recorder:
    """Handlers named by the test. Each call is counted (thread-safe); the effect is an audit record
    ``test.pinged`` written in the handler's transaction, so it exists once per successful delivery."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.calls: Counter[tuple[str, int]] = Counter()
        self.failing: set[str] = set()

    def handler(self, name: str) -> Handler:
        def handle(uow: UnitOfWork, event: Event) -> None:
            assert isinstance(event, Ping)
            with self.lock:
                self.calls[(name, event.n)] += 1
            if name in self.failing:
                raise RuntimeError(f"{name} is down")
            uow.audit("test.pinged", "ping", f"{name}:{event.n}")

        return handle

    def subscribe(self, bus: EventBus, *names: str) -> None:
        for name in names:
            bus.subscribe(Ping.topic, self.handler(name), name=name)


def worker_runtime(rt: Runtime, **worker: Any) -> Runtime:
    """The session runtime with an empty event bus and test worker settings (nothing leaks to others)."""
    cfg = WorkerSettings(**{"poll_seconds": 0.1, **worker})
    return dataclasses.replace(rt, bus=EventBus(), settings=rt.settings.model_copy(update={"worker": cfg}))


def publish(rt: Runtime, *ns: int) -> list[int]:
    """Publish one Ping per n in one committed unit of work; returns the outbox record ids."""
    with rt.system_uow(TENANT) as uow:
        for n in ns:
            uow.publish(Ping(tenant_id=TENANT, n=n))
        uow.commit()
    with rt.session_factory() as s:
        return list(s.scalars(select(OutboxRecord.id).order_by(OutboxRecord.id.desc()).limit(len(ns))))[::-1]


def effects(rt: Runtime, handler: str, n: int) -> int:
    with rt.session_factory() as s:
        return (
            s.scalar(
                select(func.count())
                .select_from(AuditRecord)
                .where(AuditRecord.action == "test.pinged", AuditRecord.entity_id == f"{handler}:{n}")
            )
            or 0
        )


def record(rt: Runtime, record_id: int) -> OutboxRecord:
    with rt.session_factory() as s:
        rec = s.get(OutboxRecord, record_id)
        assert rec is not None
        return rec


def wait_for(cond: Callable[[], bool], timeout: float = 10.0, interval: float = 0.05) -> float:
    """Wait until ``cond()``; returns the seconds it took, fails the test on timeout."""
    start = time.monotonic()
    while not cond():
        if time.monotonic() - start > timeout:
            raise AssertionError(f"condition not met within {timeout}s")
        time.sleep(interval)
    return time.monotonic() - start
