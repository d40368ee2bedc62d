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
import queue
import threading
import time
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

import paho.mqtt.client as mqtt
from sqlalchemy.exc import DisconnectionError, InterfaceError, OperationalError

from boh.inventory.ingest import deadletters
from boh.inventory.ingest.envelope import FEEDS, Context, open_envelope
from boh.inventory.ingest.schemas import Rejected
from boh.kernel import gcpause
from boh.kernel.brokers import mqtt_client, parse_broker_url
from boh.kernel.uow import UnitOfWork
from boh.org.api import tenant_id_by_code

Outcome = Literal["ok", "transient", "failed"]
TRANSIENT = (OperationalError, InterfaceError, DisconnectionError, ConnectionError, TimeoutError)

log = logging.getLogger("boh.ingest.mqtt")


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
class Inbound:
    mid: int
    qos: int
    topic: str
    payload: bytes
    generation: int  # the connection it arrived on: a PUBACK is only valid on that connection


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


class MqttIngestor:
    """Subscribes, applies queued messages in one transaction per tenant, then acknowledges them.

    paho's network thread only queues messages; ``threads`` worker threads apply them (their database
    round trips overlap; events may be applied out of order, which ingestion allows), so a slow commit never
    stalls keep-alives. A site's messages always go to the same thread of a process. paho reconnects with
    backoff (1-30 s) when the broker goes away and the broker redelivers what was not acknowledged.
    """

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
        self.share = share
        self.addr = parse_broker_url(broker_url)
        self.tenant = tenant
        self.prefix = prefix
        self.max_batch = max_batch
        self.ingest = ingest
        self.stats = IngestStats()
        # one queue per worker thread, and each site's messages always to the same one: the threads never apply
        # the same site at once, so they never wait for each other's row locks (a site's keys are its own)
        self.inboxes: list[queue.Queue[Inbound]] = [queue.Queue() for _ in range(max(threads, 1))]
        self.generation = 0
        self.connected = threading.Event()
        self.ready = threading.Event()  # subscribed: from now on the broker keeps our messages
        self._stop = threading.Event()
        self._tenants: dict[str, int | None] = {}
        self.threads = threads
        self._workers: list[threading.Thread] = []
        self._lock = threading.Lock()  # the counters, updated by every worker thread
        cid = client_id or f"boh-ingest-{tenant or 'all'}"
        self.client = mqtt_client(self.addr, cid)
        self.client.on_connect = self._on_connect
        self.client.on_disconnect = self._on_disconnect
        self.client.on_message = self._on_message
        self.client.on_subscribe = self._on_subscribe

    @property
    def subscription_prefix(self) -> str:
        """``$share/<group>/`` when several subscribers share the topics (MQTT shared subscriptions: the broker
        hands each message to one member of the group), else nothing."""
        return f"$share/{self.share}/" if self.share else ""

    # ------------------------------------------------------------------ paho callbacks (network thread)
    def _on_connect(self, client: mqtt.Client, _u: Any, flags: Any, reason: Any, _p: Any = None) -> None:
        if getattr(reason, "is_failure", False):
            log.warning("MQTT connect refused: %s", reason)
            return
        self.generation += 1
        topics = [(f"{self.subscription_prefix}{self.prefix}/{self.tenant or '+'}/+/{feed}", 1) for feed in FEEDS]
        client.subscribe(topics)
        log.info("MQTT connected to %s:%s (session present: %s)", self.addr.host, self.addr.port,
                 getattr(flags, "session_present", "?"))  # fmt: skip
        self.connected.set()

    def _on_subscribe(self, _c: mqtt.Client, _u: Any, _mid: int, codes: Any, _p: Any = None) -> None:
        refused = [c for c in codes or () if getattr(c, "is_failure", False)]
        if refused:  # e.g. the broker's ACL does not let this client read the topics
            log.error("MQTT subscription refused by the broker: %s", refused)
            return
        self.ready.set()

    def _on_disconnect(self, _c: mqtt.Client, _u: Any, _f: Any, reason: Any, _p: Any = None) -> None:
        self.connected.clear()
        self.ready.clear()
        if not self._stop.is_set():
            log.warning("MQTT connection lost (%s); reconnecting", reason)

    def _on_message(self, _c: mqtt.Client, _u: Any, m: mqtt.MQTTMessage) -> None:
        site = "/".join(m.topic.split("/")[1:3])  # tenant/site (a malformed topic is rejected by the worker)
        inbox = self.inboxes[zlib.crc32(site.encode()) % len(self.inboxes)]
        inbox.put(Inbound(m.mid, m.qos, m.topic, bytes(m.payload), self.generation))

    # ------------------------------------------------------------------ lifecycle
    def start(self) -> None:
        self.client.connect_async(self.addr.host, self.addr.port, keepalive=30)
        self.client.loop_start()
        self._workers = [
            threading.Thread(target=self._run, args=(inbox,), name=f"mqtt-ingest-{n}", daemon=True)
            for n, inbox in enumerate(self.inboxes)
        ]
        for t in self._workers:
            t.start()

    def stop(self, timeout: float = 30.0) -> None:
        """Finish the transaction in progress, then disconnect (unapplied messages stay with the broker)."""
        self._stop.set()
        for t in self._workers:
            t.join(timeout)
        self.client.disconnect()
        self.client.loop_stop()

    # ------------------------------------------------------------------ worker thread
    def _take(self, inbox: queue.Queue[Inbound]) -> list[tuple[Inbound, Parsed | None]]:
        """The next queued messages, parsed, up to about ``max_batch`` events."""
        try:
            first = inbox.get(timeout=0.2)
        except queue.Empty:
            return []
        group = [(first, parse_message(first, self.prefix))]
        events = len(group[0][1].events) if group[0][1] else 0
        while events < self.max_batch:
            try:
                nxt = inbox.get_nowait()
            except queue.Empty:
                break
            parsed = parse_message(nxt, self.prefix)
            group.append((nxt, parsed))
            events += len(parsed.events) if parsed else 0
        return group

    def _run(self, inbox: queue.Queue[Inbound]) -> None:
        while not self._stop.is_set():
            group = self._take(inbox)
            if group:
                self._process(group)

    def _process(self, group: list[tuple[Inbound, Parsed | None]]) -> None:
        parsed = [p for _, p in group if p is not None]
        by_tenant: dict[str, list[Parsed]] = {}
        for p in parsed:
            by_tenant.setdefault(p.tenant, []).append(p)
        for code, items in by_tenant.items():
            if self._apply_retrying(code, items) == "failed":
                for p in items:  # one message at a time: only the poisoned ones are set aside
                    if self._apply_retrying(code, [p]) == "failed":
                        self._set_aside(code, p)
            if self._stop.is_set():
                return  # not acknowledged: the broker redelivers to the next subscriber run
        for m, _ in group:
            self._ack(m)
        for p in parsed:
            self._report(p)

    def _apply_retrying(self, code: str, items: list[Parsed]) -> Outcome:
        """Apply, retrying with back-off while the failure is transient (the database is down)."""
        delay = 0.5
        while True:
            outcome = self._apply(code, items)
            if outcome != "transient" or self._stop.wait(delay):
                return outcome
            delay = min(delay * 2, 30.0)

    def _tenant_id(self, code: str) -> int | None:
        if code not in self._tenants:
            with self.rt.system_uow(0) as probe:
                self._tenants[code] = tenant_id_by_code(probe.session, code)
        return self._tenants[code]

    def _apply(self, code: str, items: list[Parsed]) -> Outcome:
        """Apply the tenant's messages in one transaction, keeping their rejected events as dead letters."""
        mark = [len(p.problems) for p in items]
        try:
            tid = self._tenant_id(code)
            if tid is None:
                for p in items:
                    p.problems.append(Problem(-1, None, "inventory.unknown_tenant", f"no tenant with code {code!r}"))
                    p.events.clear()
                return "ok"
            batch, owners = self._batch(items)
            # the collector waits for the commit (see boh.kernel.gcpause)
            with gcpause.paused(), self.rt.system_uow(tid, request_id=f"mqtt:{items[0].msg.mid}") as uow:
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
            with self._lock:
                self.stats.transactions += 1
                for _start, result in results:
                    self.stats.accepted += result.accepted
                    self.stats.duplicates += result.duplicates
            return "ok"
        except Exception as exc:
            for p, n in zip(items, mark, strict=True):
                del p.problems[n:]  # what this attempt added: it rolled back
            with self._lock:
                self.stats.failures += 1
            transient = isinstance(exc, TRANSIENT)
            log.warning("applying %d MQTT message(s) of tenant %s failed (%s); %s", len(items), code,
                        type(exc).__name__, "retrying" if transient else "isolating")  # fmt: skip
            return "transient" if transient else "failed"

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

    def _set_aside(self, code: str, p: Parsed) -> None:
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
            log.exception("could not keep a failed MQTT message of tenant %s as a dead letter", code)

    def _account_problems(self, result: ResultLike, owners: list[tuple[Parsed, int]]) -> None:
        for r in result.rejected:
            p, i = owners[r.index]
            p.problems.append(Problem(i, r.event_id, r.code, r.message))

    def _ack(self, m: Inbound) -> None:
        with self._lock:
            self.stats.messages += 1
        if m.qos > 0 and m.generation == self.generation:
            self.client.ack(m.mid, m.qos)
        # else: it arrived on an earlier connection; the broker redelivers it and the copy is a duplicate

    def _report(self, p: Parsed) -> None:
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
