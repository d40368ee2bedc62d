"""The one MQTT receive loop of BOH's durable QoS 1 consumers (the floor events, ``boh.inventory.ingest.mqtt``,
and the cold-chain readings, ``boh.coldchain.mqtt``).

A consumer subclasses :class:`ReceiveLoop` and supplies its handler as five methods: ``parse`` (a received
message into the consumer's own item, or None
when it is not ours: acknowledged and ignored), ``size`` (its weight in a batch), ``key`` (the items of one key are
applied together; None: nothing to apply), ``apply`` (one transaction for a key's items; it raises to fail)
and ``set_aside`` (an item that fails alone for a reason that is not transient), plus ``report`` (after the
acknowledgements: e.g. publish what was rejected).

The loop: a persistent session (``boh.kernel.brokers.mqtt_client``), the subscription (optionally through a
``$share/<group>/`` shared subscription), paho's network thread that only queues, ``threads`` worker threads
(a topic's tenant/site always goes to the same one) that take the queued messages up to ``max_batch``, apply
them key by key, and acknowledge (PUBACK) every message of the batch only once all were applied. A key that
fails for a transient reason (the database is down) is retried with back-off (0.5 s doubling to 30 s); one
that fails for any other reason is applied item by item and an item that still fails alone is set aside, so
the messages behind it flow. Stopping during a retry acknowledges nothing: the broker redelivers.
"""

from __future__ import annotations

import logging
import queue
import threading
import zlib
from abc import ABC, abstractmethod
from collections.abc import Hashable
from dataclasses import dataclass
from typing import Any, Generic, Literal, TypeVar

from sqlalchemy.exc import DisconnectionError, InterfaceError, OperationalError

from boh.kernel.brokers import mqtt_client, parse_broker_url

Outcome = Literal["ok", "transient", "failed"]
TRANSIENT = (OperationalError, InterfaceError, DisconnectionError, ConnectionError, TimeoutError)
P = TypeVar("P")


@dataclass
class Inbound:
    mid: int
    qos: int
    topic: str
    payload: bytes
    generation: int  # the connection it arrived on: a PUBACK is only valid on that connection


class ReceiveLoop(ABC, Generic[P]):
    log = logging.getLogger("boh.kernel.mqtt")

    def __init__(self, *, broker_url: str, client_id: str, topics: list[str], max_batch: int, threads: int = 1,
                 share: str | None = None, name: str = "mqtt") -> None:  # fmt: skip
        self.addr = parse_broker_url(broker_url)
        self.topics, self.max_batch, self.share, self.name = topics, max_batch, share, name
        # one queue per worker thread, and each site's messages always to the same one: the threads never apply
        # the same site at once, so they never wait for each other's row locks (a site's keys are its own)
        self.inboxes: list[queue.Queue[Inbound]] = [queue.Queue() for _ in range(max(threads, 1))]
        self.generation = 0
        self.connected = threading.Event()
        self.ready = threading.Event()  # subscribed: from now on the broker keeps our messages
        self._stop = threading.Event()
        self._workers: list[threading.Thread] = []
        self._lock = threading.Lock()  # the consumer's counters, updated by every worker thread
        self.client = mqtt_client(self.addr, client_id)
        self.client.on_connect = self._on_connect
        self.client.on_disconnect = self._on_disconnect
        self.client.on_message = self._on_message
        self.client.on_subscribe = self._on_subscribe

    # ------------------------------------------------------------------ the handler (the subclass's)
    @abstractmethod
    def parse(self, m: Inbound) -> P | None:
        """None: not ours (it is acknowledged and ignored)."""

    def size(self, item: P) -> int:
        return 1

    @abstractmethod
    def key(self, item: P) -> Hashable | None:
        """The items of one key are applied together; None: nothing to apply."""

    @abstractmethod
    def apply(self, key: Any, items: list[P]) -> None:
        """Apply a key's items in one transaction; raise to fail (transient errors are retried)."""

    @abstractmethod
    def set_aside(self, key: Any, item: P) -> None:
        """Keep an item that fails alone for a reason that is not transient (a dead letter)."""

    def report(self, item: P) -> None:
        return None

    @property
    def subscription_prefix(self) -> str:
        """``$share/<group>/`` when several subscribers share the topics (MQTT shared subscriptions: the broker
        hands each message to one member of the group), else nothing."""
        return f"$share/{self.share}/" if self.share else ""

    # ------------------------------------------------------------------ paho callbacks (network thread)
    def _on_connect(self, client: Any, _u: Any, flags: Any, reason: Any, _p: Any = None) -> None:
        if getattr(reason, "is_failure", False):
            self.log.warning("MQTT connect refused: %s", reason)
            return
        self.generation += 1
        client.subscribe([(f"{self.subscription_prefix}{t}", 1) for t in self.topics])
        self.log.info("MQTT connected to %s:%s (session present: %s)", self.addr.host, self.addr.port,
                      getattr(flags, "session_present", "?"))  # fmt: skip
        self.connected.set()

    def _on_subscribe(self, _c: Any, _u: Any, _mid: int, codes: Any, _p: Any = None) -> None:
        refused = [c for c in codes or () if getattr(c, "is_failure", False)]
        if refused:  # e.g. the broker's ACL does not let this client read the topics
            self.log.error("MQTT subscription refused by the broker: %s", refused)
            return
        self.ready.set()

    def _on_disconnect(self, _c: Any, _u: Any, _f: Any, reason: Any, _p: Any = None) -> None:
        self.connected.clear()
        self.ready.clear()
        if not self._stop.is_set():
            self.log.warning("MQTT connection lost (%s); reconnecting", reason)

    def _on_message(self, _c: Any, _u: Any, m: Any) -> None:
        site = "/".join(m.topic.split("/")[1:3])  # tenant/site (a malformed topic is the handler's to reject)
        inbox = self.inboxes[zlib.crc32(site.encode()) % len(self.inboxes)]
        inbox.put(Inbound(m.mid, m.qos, m.topic, bytes(m.payload), self.generation))

    # ------------------------------------------------------------------ lifecycle
    def start(self) -> None:
        self.client.connect_async(self.addr.host, self.addr.port, keepalive=30)
        self.client.loop_start()
        self._workers = [
            threading.Thread(target=self._run, args=(inbox,), name=f"{self.name}-{n}", daemon=True)
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

    # ------------------------------------------------------------------ worker threads
    def _take(self, inbox: queue.Queue[Inbound]) -> list[tuple[Inbound, P | None]]:
        """The next queued messages, parsed, up to about ``max_batch`` in size."""
        try:
            first = inbox.get(timeout=0.2)
        except queue.Empty:
            return []
        group = [(first, self.parse(first))]
        size = self._size(group[0][1])
        while size < self.max_batch:
            try:
                nxt = inbox.get_nowait()
            except queue.Empty:
                break
            item = self.parse(nxt)
            group.append((nxt, item))
            size += self._size(item)
        return group

    def _size(self, item: P | None) -> int:
        return 0 if item is None else self.size(item)

    def _run(self, inbox: queue.Queue[Inbound]) -> None:
        while not self._stop.is_set():
            group = self._take(inbox)
            if group:
                self._process(group)

    def _process(self, group: list[tuple[Inbound, P | None]]) -> None:
        by_key: dict[Hashable, list[P]] = {}
        for _, item in group:
            k = None if item is None else self.key(item)
            if item is not None and k is not None:
                by_key.setdefault(k, []).append(item)
        for k, items in by_key.items():
            if self._retrying(k, items) == "failed":
                for item in items:  # one message at a time: only the poisoned ones are set aside
                    if self._retrying(k, [item]) == "failed":
                        self.set_aside(k, item)
            if self._stop.is_set():
                return  # not acknowledged: the broker redelivers to the next subscriber run
        for m, _ in group:
            self._ack(m)
        for _, item in group:
            if item is not None:
                self.report(item)

    def _retrying(self, key: Any, items: list[P]) -> Outcome:
        """Apply, retrying with back-off while the failure is transient (the database is down)."""
        delay = 0.5
        while True:
            outcome = self._attempt(key, items)
            if outcome != "transient" or self._stop.wait(delay):
                return outcome
            delay = min(delay * 2, 30.0)

    def _attempt(self, key: Any, items: list[P]) -> Outcome:
        try:
            self.apply(key, items)
            return "ok"
        except Exception as exc:
            transient = isinstance(exc, TRANSIENT)
            self.log.warning("applying %d MQTT message(s) of %s failed (%s); %s", len(items), key,
                             type(exc).__name__, "retrying" if transient else "isolating")  # fmt: skip
            return "transient" if transient else "failed"

    def _ack(self, m: Inbound) -> None:
        if m.qos > 0 and m.generation == self.generation:
            self.client.ack(m.mid, m.qos)
        # else: it arrived on an earlier connection; the broker redelivers it and the copy is a duplicate
