"""Broker mode: outbox deliveries and job runs as Dramatiq messages on Redis or RabbitMQ.

With ``BOH_BROKER_URL`` set, ``boh worker`` (on one or many machines) runs:

- the relay: claims due outbox rows, sends one ``deliver_event(record_id, handler)`` message per
  (event, handler) and marks the row done;
- the scheduler: claims due schedule slots and sends ``run_job(name, kwargs, run_id, token)``;
- Dramatiq worker threads consuming both queues.

Delivery stays exactly-once in effect: ``deliver`` checks and writes the ``kernel_outbox_delivery`` row
in the handler's transaction, so a duplicate message is a no-op. A failing handler is retried by
Dramatiq with exponential backoff; each failure is noted on the outbox row (attempts, last_error) and
after ``settings.worker.max_attempts`` the row is marked failed. If the broker is unreachable the relay
gives its claimed rows and slots back, logs, and backs off until the broker answers again.
"""

from __future__ import annotations

import logging
from typing import Any

import dramatiq
import redis
from dramatiq.brokers.rabbitmq import RabbitmqBroker
from dramatiq.brokers.redis import RedisBroker
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError

from boh.kernel.clock import utcnow
from boh.kernel.outbox import (
    OutboxRecord,
    PendingEvent,
    already_delivered,
    claim,
    deliver,
    load_pending,
    mark_done,
)
from boh.worker.embedded import PollingLoop
from boh.worker.jobs import JobRegistry, WorkerRuntime
from boh.worker.scheduler import claim_due, execute, release_claim, sync_schedules

log = logging.getLogger("boh.worker.broker")

BROKER_ERRORS: tuple[type[BaseException], ...] = (
    dramatiq.errors.BrokerError,
    redis.exceptions.ConnectionError,
    redis.exceptions.TimeoutError,
    OSError,
)


class BrokerUnavailable(RuntimeError):
    pass


def setup_broker(url: str, *, namespace: str = "boh") -> dramatiq.Broker:
    """A Dramatiq broker for ``redis://`` / ``rediss://`` or ``amqp://`` / ``amqps://`` URLs.

    ``namespace`` prefixes every Redis key (RabbitMQ queues are named by the transport's queue prefix).
    RabbitMQ publishes with confirms, so a message counts as sent only once the broker has stored it.
    """
    if url.startswith(("redis://", "rediss://", "unix://")):
        return RedisBroker(url=url, namespace=namespace)  # type: ignore[no-untyped-call]
    if url.startswith(("amqp://", "amqps://")):
        return RabbitmqBroker(url=url, confirm_delivery=True)
    scheme = url.split("://", 1)[0] if "://" in url else url[:10]
    raise ValueError(f"unsupported broker URL scheme {scheme!r}: use redis://, rediss://, amqp:// or amqps://")


class BrokerTransport:
    """The actors of one broker, bound to a runtime and a job registry."""

    def __init__(
        self,
        runtime: WorkerRuntime,
        registry: JobRegistry,
        broker: dramatiq.Broker,
        *,
        queue_prefix: str = "boh",
        min_backoff_ms: int = 1000,
        max_backoff_ms: int = 3_600_000,
    ) -> None:
        self.runtime = runtime
        self.registry = registry
        self.broker = broker
        self.events_queue = f"{queue_prefix}_events"
        self.jobs_queue = f"{queue_prefix}_jobs"
        attempts = max(runtime.settings.worker.max_attempts, 1)
        self.delivery_exhausted = dramatiq.actor(
            broker=broker,
            actor_name="boh_delivery_exhausted",
            queue_name=self.events_queue,
            max_retries=5,
        )(self._delivery_exhausted)
        self.deliver_event = dramatiq.actor(
            broker=broker,
            actor_name="boh_deliver_event",
            queue_name=self.events_queue,
            max_retries=attempts - 1,
            min_backoff=min_backoff_ms,
            max_backoff=max_backoff_ms,
            on_retry_exhausted="boh_delivery_exhausted",
        )(self._deliver_event)
        self.run_job = dramatiq.actor(
            broker=broker,
            actor_name="boh_run_job",
            queue_name=self.jobs_queue,
            max_retries=0,
        )(self._run_job)

    @property
    def queues(self) -> set[str]:
        return {self.events_queue, self.jobs_queue}

    # -- actors ------------------------------------------------------------------------------------
    def _deliver_event(self, record_id: int, handler_name: str) -> bool:
        rt = self.runtime
        try:
            ev = load_pending(rt.session_factory, record_id)
        except LookupError:
            log.info("outbox record %s no longer exists (cleaned up); message dropped", record_id)
            return False
        if handler_name not in {name for name, _fn in rt.bus.handlers_for(ev.topic)}:
            log.warning("no handler %s for %s on this worker; message dropped", handler_name, ev.topic)
            return False
        try:
            return deliver(rt.system_uow, rt.bus, ev, handler_name)
        except Exception as exc:
            if isinstance(exc, IntegrityError):
                # a duplicate message ran concurrently and recorded the delivery first: ours rolled back
                with rt.session_factory() as session:
                    if already_delivered(session, ev.event_id, handler_name):
                        return False
            self._note_failure(record_id, f"{handler_name}: {type(exc).__name__}: {exc}", failed=False)
            raise  # Dramatiq retries with backoff

    def _delivery_exhausted(self, message: dict[str, Any], retry_info: dict[str, Any]) -> None:
        record_id, handler_name = message["args"][0], message["args"][1]
        trace = str(message.get("options", {}).get("traceback") or "").strip().splitlines()
        reason = trace[-1] if trace else "handler failed"
        log.error(
            "outbox delivery gave up after %s retries: record=%s handler=%s",
            retry_info.get("retries"),
            record_id,
            handler_name,
        )
        self._note_failure(record_id, f"{handler_name}: {reason}", failed=True)

    def _note_failure(self, record_id: int, error: str, *, failed: bool) -> None:
        values: dict[str, Any] = {"attempts": OutboxRecord.attempts + (0 if failed else 1), "last_error": error[:2000]}
        if failed:
            values["status"] = "failed"
        with self.runtime.session_factory() as session, session.begin():
            session.execute(update(OutboxRecord).where(OutboxRecord.id == record_id).values(**values))

    def _run_job(self, name: str, kwargs: dict[str, Any], run_id: int | None = None, token: str | None = None) -> str:
        return execute(self.runtime, self.registry, name, kwargs, run_id=run_id, token=token).status

    # -- producers ---------------------------------------------------------------------------------
    def _release(self, events: list[PendingEvent]) -> None:
        """Make claimed-but-unsent records due again at once (instead of after the claim lease)."""
        if not events:
            return
        with self.runtime.session_factory() as session, session.begin():
            session.execute(
                update(OutboxRecord)
                .where(OutboxRecord.id.in_([e.record_id for e in events]), OutboxRecord.status == "pending")
                .values(available_at=utcnow())
            )

    def relay_once(self) -> int:
        """Send one message per (event, handler) for a batch of due outbox rows; returns rows sent."""
        rt = self.runtime
        events = claim(rt.session_factory, rt.settings.worker.batch_size)
        for i, ev in enumerate(events):
            try:
                for hname, _fn in rt.bus.handlers_for(ev.topic):
                    self.deliver_event.send(ev.record_id, hname)
            except BROKER_ERRORS as exc:
                self._release(events[i:])
                raise BrokerUnavailable(f"broker unavailable: {type(exc).__name__}: {exc}") from exc
            with rt.session_factory() as session, session.begin():
                mark_done(session, ev.record_id)
        return len(events)

    def schedule_once(self) -> int:
        """Send ``run_job`` for every due slot this worker wins; returns how many were sent."""
        claims = claim_due(self.runtime.session_factory, self.registry)
        for i, c in enumerate(claims):
            lease_ms = int(self.registry.get(c.name).lease.total_seconds() * 1000)
            try:
                self.run_job.send_with_options(args=(c.name, c.kwargs, c.run_id, c.token), time_limit=lease_ms)
            except BROKER_ERRORS as exc:
                for rest in claims[i:]:
                    release_claim(self.runtime.session_factory, rest, "broker unavailable: job not sent")
                raise BrokerUnavailable(f"broker unavailable: {type(exc).__name__}: {exc}") from exc
        return len(claims)


class BrokerWorker:
    """``boh worker`` with a broker: relay and scheduler loops plus Dramatiq worker threads."""

    def __init__(self, transport: BrokerTransport, *, threads: int = 8, worker_timeout_ms: int = 1000) -> None:
        self.transport = transport
        rt = transport.runtime
        poll = rt.settings.worker.poll_seconds
        self.loops = [
            PollingLoop("boh-broker-relay", self._relay_step, poll),
            PollingLoop("boh-broker-scheduler", self._schedule_step, poll),
        ]
        self.worker = dramatiq.Worker(
            transport.broker, queues=transport.queues, worker_threads=threads, worker_timeout=worker_timeout_ms
        )
        self._synced = False

    def _relay_step(self) -> bool:
        return self.transport.relay_once() >= self.transport.runtime.settings.worker.batch_size

    def _schedule_step(self) -> bool:
        if not self._synced:
            sync_schedules(self.transport.runtime.session_factory, self.transport.registry)
            self._synced = True
        self.transport.schedule_once()
        return False

    def run_once(self) -> None:
        """Send what is due once and return (the messages are processed by running workers)."""
        while self._relay_step():
            pass
        self._schedule_step()

    def start(self) -> None:
        self.worker.start()
        for loop in self.loops:
            loop.start()
        log.info("broker worker started: queues=%s", sorted(self.transport.queues))

    def stop(self, timeout: float = 30.0) -> None:
        for loop in self.loops:
            loop.stopping.set()
        for loop in self.loops:
            loop.stop(timeout)
        self.worker.stop(timeout=int(timeout * 1000))
        self.transport.broker.close()
