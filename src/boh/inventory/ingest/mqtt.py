"""``boh ingest mqtt``: floor events from an MQTT broker (Mosquitto) into the stock ledger.

Topics: ``boh/<tenant_code>/<site_code>/<pos|rfid|sensor>``, QoS 1; the payload is the one envelope of
floor events (``envelope.py``: ``{"events": [...]}``, or one event), validated like POST
/api/v1/inventory/events with the same ``inventory.*`` codes; the topic's site and feed are checked too.

Exactly-once effect: the subscriber uses a persistent session (fixed client id, ``clean_session=False``)
so the broker keeps messages published while it is down, and acknowledges (PUBACK) a message only after
the transaction that applied its events has committed. A crash before the commit means no PUBACK, so the
broker delivers the message again; a crash after the commit but before the PUBACK redelivers a message
whose events the ingest service recognises as duplicates by (tenant, source, event_id). Several queued
messages are applied in one transaction (up to ``max_batch`` events) for throughput.

The broker keeps messages for the session from its first subscription on: start the subscriber once
(with its fixed ``--client-id``) before devices publish. Mosquitto's ``max_inflight_messages`` (default
20) bounds how many unacknowledged messages it sends at once; ``max_queued_messages`` (default 1,000)
bounds what it queues while the subscriber is down - raise both for large sites.

Scaling out: ``--share <group>`` subscribes through an MQTT shared subscription
(``$share/<group>/boh/...``); several subscriber processes with the same group and distinct client ids
each get a share of the messages. Exactly-once holds across them (the claims are in the database), and
events of one site may be applied by different processes in any order, which ingestion allows.

Rejected events are kept as dead letters (``deadletters.py``: listed and replayed from the API and the
console) in the transaction that applies the rest of the message, and published (QoS 1, after the commit)
to ``boh/<tenant>/<site>/rejected`` as ``{"topic": ..., "rejected": [{"index", "event_id", "code",
"message"}]}``, ``index`` counting within the original message (-1: the whole payload).

One message must never stop ingestion. An event the database refuses for its own values is isolated by
the ingestion service (the rest of its batch is applied). A batch that fails for a transient reason (the
database is down or restarting) is retried with back-off (0.5 s doubling to 30 s); one that fails for any
other reason is applied message by message, and a message that still fails alone becomes a dead letter
(``inventory.ingest_failed``, the error's class only) and is acknowledged, so the messages behind it flow.

Trust: MQTT traffic is authenticated by the broker, not by BOH. The tenant is the one in the topic and the
events are applied as that tenant's system principal, so the broker's ACLs must allow a device to publish
only under its own ``boh/<tenant>/<site>/#`` (Mosquitto ``acl_file`` / ``pattern write boh/%u/#`` or a
dynamic-security plugin), and only this subscriber may read them. An event whose ``site`` differs from the
topic's site is rejected, so a device cannot book stock at another site. HTTP sources use device API keys.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from boh.inventory.ingest import deadletters
from boh.inventory.ingest.envelope import FEEDS, Context, open_envelope
from boh.inventory.ingest.schemas import Rejected
from boh.kernel import gcpause
from boh.kernel.mqtt import Inbound, ReceiveLoop
from boh.kernel.uow import UnitOfWork
from boh.org.api import tenant_id_by_code


class RejectedLike(Protocol):
    index: int
    event_id: str | None
    code: str
    message: str


class ResultLike(Protocol):
    accepted: int
    duplicates: int

    @property
    def rejected(self) -> Sequence[RejectedLike]: ...


IngestFn = Callable[[UnitOfWork, list[dict[str, Any]]], ResultLike]


class IngestRuntime(Protocol):
    def system_uow(self, tenant_id: int, request_id: str | None = None) -> UnitOfWork: ...


def default_ingest(uow: UnitOfWork, events: list[dict[str, Any]]) -> ResultLike:
    from boh.inventory.ingest.service import ingest

    return ingest(uow, events, transport="mqtt", dead_letters=False)  # kept per message, with its topic


@dataclass
class Problem:
    index: int | None
    event_id: str | None
    code: str
    message: str

    def as_json(self) -> dict[str, Any]:
        return {"index": self.index, "event_id": self.event_id, "code": self.code, "message": self.message}


@dataclass
class Parsed:
    """One message: its events (index within the message -> event) and the problems found before ingestion."""

    msg: Inbound
    tenant: str
    site: str
    events: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


@dataclass
class IngestStats:
    messages: int = 0
    accepted: int = 0
    duplicates: int = 0
    rejected: int = 0
    transactions: int = 0
    failures: int = 0


def parse_message(msg: Inbound, prefix: str) -> Parsed | None:
    """None for a topic that is not ours (then it is acknowledged and ignored)."""
    parts = msg.topic.split("/")
    if len(parts) != 4 or parts[0] != prefix or parts[3] not in FEEDS:
        return None
    out = Parsed(msg, parts[1], parts[2])
    env = open_envelope(msg.payload, Context(site=out.site, feed=parts[3]))
    out.events = env.events
    out.problems = [Problem(r.index, r.event_id, r.code, r.message) for r in env.rejected]
    return out


class MqttIngestor(ReceiveLoop[Parsed]):
    """Subscribes, applies queued messages in one transaction per tenant, then acknowledges them (the receive
    loop is ``boh.kernel.mqtt.ReceiveLoop``'s; this is its handler).

    paho's network thread only queues messages; ``threads`` worker threads apply them (their database
    round trips overlap; events may be applied out of order, which ingestion allows), so a slow commit never
    stalls keep-alives. A site's messages always go to the same thread of a process. paho reconnects with
    backoff (1-30 s) when the broker goes away and the broker redelivers what was not acknowledged.
    """

    log = logging.getLogger("boh.ingest.mqtt")

    def __init__(
        self,
        rt: IngestRuntime,
        *,
        broker_url: str,
        tenant: str | None = None,
        client_id: str | None = None,
        prefix: str = "boh",
        max_batch: int = 1000,
        threads: int = 2,
        ingest: IngestFn = default_ingest,
        share: str | None = None,
    ) -> None:
        self.rt = rt
        self.tenant = tenant
        self.prefix = prefix
        self.ingest = ingest
        self.stats = IngestStats()
        self._tenants: dict[str, int | None] = {}
        self.threads = threads
        super().__init__(
            broker_url=broker_url,
            client_id=client_id or f"boh-ingest-{tenant or 'all'}",
            topics=[f"{prefix}/{tenant or '+'}/+/{feed}" for feed in FEEDS],
            max_batch=max_batch,
            threads=threads,
            share=share,
            name="mqtt-ingest",
        )

    # ------------------------------------------------------------------ the receive loop's handler
    def parse(self, m: Inbound) -> Parsed | None:
        return parse_message(m, self.prefix)

    def size(self, p: Parsed) -> int:
        return len(p.events)

    def key(self, p: Parsed) -> str:
        return p.tenant

    def _tenant_id(self, code: str) -> int | None:
        if code not in self._tenants:
            with self.rt.system_uow(0) as probe:
                self._tenants[code] = tenant_id_by_code(probe.session, code)
        return self._tenants[code]

    def apply(self, code: str, items: list[Parsed]) -> None:
        """Apply the tenant's messages in one transaction, keeping their rejected events as dead letters."""
        mark = [len(p.problems) for p in items]
        try:
            tid = self._tenant_id(code)
            if tid is None:
                for p in items:
                    p.problems.append(Problem(-1, None, "inventory.unknown_tenant", f"no tenant with code {code!r}"))
                    p.events.clear()
                return
            with gcpause.paused():  # the collector waits for the commit (see boh.kernel.gcpause)
                counts = self._apply_tenant(tid, items)
            with self._lock:
                self.stats.transactions += 1
                self.stats.accepted += counts[0]
                self.stats.duplicates += counts[1]
        except Exception:
            for p, n in zip(items, mark, strict=True):
                del p.problems[n:]  # what this attempt added: it rolled back
            with self._lock:
                self.stats.failures += 1
            raise

    def _apply_tenant(self, tid: int, items: list[Parsed]) -> tuple[int, int]:
        """The messages' events ingested and their dead letters kept, committed: (accepted, duplicates). Its own
        frame, so that the batch (events, results, owners, the session) is freed when it returns, before the
        collector resumes: the collection due then finds only what outlives the transaction (the HTTP route's
        ``_ingest`` does the same)."""
        batch, owners = self._batch(items)
        with self.rt.system_uow(tid, request_id=f"mqtt:{items[0].msg.mid}") as uow:
            with uow.audit_batch():  # the audit chain head is locked once, at the end, not per slice
                results = [
                    (start, self.ingest(uow, batch[start : start + self.max_batch]))
                    for start in range(0, len(batch), self.max_batch)
                ]
                for start, result in results:
                    self._account_problems(result, owners[start:])
                for p in items:
                    self._keep_dead_letters(uow, p)
            uow.commit()
        return sum(r.accepted for _, r in results), sum(r.duplicates for _, r in results)

    @staticmethod
    def _batch(items: list[Parsed]) -> tuple[list[dict[str, Any]], list[tuple[Parsed, int]]]:
        batch: list[dict[str, Any]] = []
        owners: list[tuple[Parsed, int]] = []
        for p in items:
            for i, ev in p.events:
                batch.append(ev)
                owners.append((p, i))
        return batch, owners

    def _keep_dead_letters(self, uow: UnitOfWork, p: Parsed) -> None:
        if not p.problems:
            return
        raw = _raw_events(p.msg.payload)
        rejected = [Rejected(index=x.index, event_id=x.event_id, code=x.code, message=x.message) for x in p.problems]
        deadletters.record(uow, raw, rejected, transport="mqtt", topic=p.msg.topic, payload=p.msg.payload)

    def set_aside(self, code: str, p: Parsed) -> None:
        """A message that fails alone for a reason that is not transient: kept whole as a dead letter (its
        error's class only: a message may quote personal data), then acknowledged like the others."""
        tid = self._tenant_id(code)
        problem = Problem(-1, None, "inventory.ingest_failed", "the message could not be applied; see the server log")
        p.events.clear()
        p.problems = [problem]
        if tid is None:
            return
        try:
            with self.rt.system_uow(tid, request_id=f"mqtt:{p.msg.mid}") as uow:
                self._keep_dead_letters(uow, p)
                uow.commit()
        except Exception:
            self.log.exception("could not keep a failed MQTT message of tenant %s as a dead letter", code)

    def _account_problems(self, result: ResultLike, owners: list[tuple[Parsed, int]]) -> None:
        for r in result.rejected:
            p, i = owners[r.index]
            p.problems.append(Problem(i, r.event_id, r.code, r.message))

    def _ack(self, m: Inbound) -> None:
        with self._lock:
            self.stats.messages += 1
        super()._ack(m)

    def report(self, p: Parsed) -> None:
        if not p.problems:
            return
        with self._lock:
            self.stats.rejected += len(p.problems)
        body = {"topic": p.msg.topic, "rejected": [x.as_json() for x in sorted(p.problems, key=_order)]}
        self.client.publish(f"{self.prefix}/{p.tenant}/{p.site}/rejected", json.dumps(body), qos=1)


def _order(p: Problem) -> int:
    return -1 if p.index is None else p.index


def _raw_events(payload: bytes) -> list[Any]:
    """The events of a payload as received (for dead letters), or none when it is not an envelope."""
    try:
        body = json.loads(payload)
    except (UnicodeDecodeError, ValueError):
        return []
    if isinstance(body, dict) and isinstance(body.get("events"), list):
        return list(body["events"])
    return [body] if isinstance(body, dict) else []


def run_until(ingestor: MqttIngestor, stop: threading.Event, *, report_every: float = 10.0,
              echo: Callable[[str], None] = print) -> None:  # fmt: skip
    """Run until ``stop`` is set, printing the counters now and then."""
    ingestor.start()
    last = time.monotonic()
    while not stop.wait(0.5):
        if time.monotonic() - last >= report_every:
            last = time.monotonic()
            s = ingestor.stats
            echo(f"messages {s.messages}, accepted {s.accepted}, duplicates {s.duplicates}, rejected {s.rejected}")
    ingestor.stop()
