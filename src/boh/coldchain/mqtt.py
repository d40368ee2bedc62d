"""``boh coldchain mqtt``: sensor readings from an MQTT broker (Mosquitto), the same way as the floor events
(``boh.inventory.ingest.mqtt``).

Topic ``<prefix>/<tenant_code>/<site_code>/coldchain``, QoS 1; payload ``{"readings": [...]}`` or one reading
object (``{"reading_id", "sensor", "at", "value"}``), validated like ``POST /api/v1/coldchain/readings`` with
the same ``coldchain.*`` codes, plus the topic's site (a sensor of another site is rejected alone).

Exactly-once effect: a persistent session (fixed client id, ``clean_session=False``) and a PUBACK only after
the transaction that stored the message's readings has committed; a redelivered message's readings are
duplicates by ``reading_id``, and re-judging them raises no new alert. Queued messages are applied together.
A bad reading is rejected alone: kept as a dead letter with its code and reason (in the same transaction as
the good ones) and reported on ``<prefix>/<tenant>/<site>/coldchain/rejected``. A batch failing for a
transient reason (the database is down) is retried with back-off (0.5 s doubling to 30 s); one failing for
any other reason is applied message by message and a message that still fails alone becomes one dead letter
(``coldchain.ingest_failed``) and is acknowledged, so the messages behind it flow.

Trust: as for the floor events, the broker's ACLs must let a device publish only under its own
``<prefix>/<tenant>/<site>/#``; the readings are applied as the topic's tenant's system principal.
"""

from __future__ import annotations

import json
import logging
import queue
import threading
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

import paho.mqtt.client as mqtt
from sqlalchemy.exc import DisconnectionError, InterfaceError, OperationalError

from boh.coldchain.schemas import MAX_READINGS, Rejected
from boh.coldchain.service import ingest, keep_dead_letters
from boh.kernel.brokers import mqtt_client, parse_broker_url
from boh.kernel.uow import UnitOfWork
from boh.org.api import site_ids_by_code, tenant_id_by_code

FEED = "coldchain"
TRANSIENT = (OperationalError, InterfaceError, DisconnectionError, ConnectionError, TimeoutError)
Outcome = Literal["ok", "transient", "failed"]
log = logging.getLogger("boh.coldchain.mqtt")


class Runtime(Protocol):
    def system_uow(self, tenant_id: int, request_id: str | None = None) -> UnitOfWork: ...


@dataclass
class Message:
    mid: int
    qos: int
    topic: str
    payload: bytes
    generation: int
    tenant: str = ""
    site: str = ""
    readings: list[Any] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)


@dataclass
class Stats:
    messages: int = 0
    accepted: int = 0
    duplicates: int = 0
    rejected: int = 0


def open_payload(payload: bytes) -> tuple[list[Any], Rejected | None]:
    """The readings of a payload, or the rejection of the whole payload."""
    try:
        body = json.loads(payload)
    except (UnicodeDecodeError, ValueError) as exc:
        return [], Rejected(index=-1, reading_id=None, code="coldchain.malformed_payload", message=f"not JSON: {exc}")
    if isinstance(body, dict) and isinstance(body.get("readings"), list):
        raw: list[Any] = body["readings"]
    elif isinstance(body, dict) and "reading_id" in body:
        raw = [body]
    else:
        return [], Rejected(index=-1, reading_id=None, code="coldchain.malformed_payload",
                            message='expected {"readings": [...]} or one reading')  # fmt: skip
    if len(raw) > MAX_READINGS:
        return [], Rejected(index=-1, reading_id=None, code="coldchain.batch_too_large",
                            message=f"at most {MAX_READINGS} readings per message")  # fmt: skip
    return raw, None


class ColdChainSubscriber:
    def __init__(self, rt: Runtime, *, broker_url: str, tenant: str | None = None, client_id: str | None = None,
                 prefix: str = "boh", max_batch: int = 5000) -> None:  # fmt: skip
        self.rt, self.prefix, self.tenant, self.max_batch = rt, prefix, tenant, max_batch
        self.addr = parse_broker_url(broker_url)
        self.stats = Stats()
        self.inbox: queue.Queue[Message] = queue.Queue()
        self.generation = 0
        self.ready = threading.Event()
        self._stop = threading.Event()
        self._tenants: dict[str, int | None] = {}
        self._worker: threading.Thread | None = None
        cid = client_id or f"boh-coldchain-{tenant or 'all'}"
        self.client = mqtt_client(self.addr, cid)
        self.client.on_connect = self._on_connect
        self.client.on_disconnect = self._on_disconnect
        self.client.on_subscribe = self._on_subscribe
        self.client.on_message = self._on_message

    # --- paho callbacks (network thread)
    def _on_connect(self, client: mqtt.Client, _u: Any, _f: Any, reason: Any, _p: Any = None) -> None:
        if getattr(reason, "is_failure", False):
            log.warning("MQTT connect refused: %s", reason)
            return
        self.generation += 1
        client.subscribe([(f"{self.prefix}/{self.tenant or '+'}/+/{FEED}", 1)])

    def _on_subscribe(self, _c: mqtt.Client, _u: Any, _mid: int, codes: Any, _p: Any = None) -> None:
        if any(getattr(c, "is_failure", False) for c in codes or ()):
            log.error("MQTT subscription refused by the broker: %s", codes)
            return
        self.ready.set()

    def _on_disconnect(self, _c: mqtt.Client, _u: Any, _f: Any, reason: Any, _p: Any = None) -> None:
        self.ready.clear()
        if not self._stop.is_set():
            log.warning("MQTT connection lost (%s); reconnecting", reason)

    def _on_message(self, _c: mqtt.Client, _u: Any, m: mqtt.MQTTMessage) -> None:
        self.inbox.put(Message(m.mid, m.qos, m.topic, bytes(m.payload), self.generation))

    # --- lifecycle
    def start(self) -> None:
        self.client.connect_async(self.addr.host, self.addr.port, keepalive=30)
        self.client.loop_start()
        self._worker = threading.Thread(target=self._run, name="coldchain-mqtt", daemon=True)
        self._worker.start()

    def stop(self, timeout: float = 30.0) -> None:
        self._stop.set()
        if self._worker is not None:
            self._worker.join(timeout)
        self.client.disconnect()
        self.client.loop_stop()

    # --- worker thread
    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                first = self.inbox.get(timeout=0.2)
            except queue.Empty:
                continue
            group, count = [self._parse(first)], 0
            count = len(group[0].readings)
            while count < self.max_batch:
                try:
                    nxt = self._parse(self.inbox.get_nowait())
                except queue.Empty:
                    break
                group.append(nxt)
                count += len(nxt.readings)
            self._process(group)

    def _parse(self, m: Message) -> Message:
        parts = m.topic.split("/")
        if len(parts) != 4 or parts[0] != self.prefix or parts[3] != FEED:
            m.rejected.append(Rejected(index=-1, reading_id=None, code="coldchain.bad_topic", message=m.topic[:200]))
            return m
        m.tenant, m.site = parts[1], parts[2]
        raw, whole = open_payload(m.payload)
        m.readings = raw
        if whole is not None:
            m.rejected.append(whole)
        return m

    def _process(self, group: list[Message]) -> None:
        by_site: dict[tuple[str, str], list[Message]] = {}
        for m in group:
            if m.tenant:
                by_site.setdefault((m.tenant, m.site), []).append(m)
        for (tenant, site), items in by_site.items():
            if self._retrying(tenant, site, items) == "failed":
                for m in items:  # one message at a time: only the poisoned one is set aside
                    if self._retrying(tenant, site, [m]) == "failed":
                        self._set_aside(tenant, m)
            if self._stop.is_set():
                return  # not acknowledged: the broker redelivers
        for m in group:
            self.stats.messages += 1
            if m.qos > 0 and m.generation == self.generation:
                self.client.ack(m.mid, m.qos)
            if m.rejected:
                self.stats.rejected += len(m.rejected)
                body = {"topic": m.topic, "rejected": [r.model_dump() for r in m.rejected]}
                self.client.publish(f"{self.prefix}/{m.tenant}/{m.site}/{FEED}/rejected", json.dumps(body), qos=1)

    def _retrying(self, tenant: str, site: str, items: list[Message]) -> Outcome:
        delay = 0.5
        while True:
            outcome = self._apply(tenant, site, items)
            if outcome != "transient" or self._stop.wait(delay):
                return outcome
            delay = min(delay * 2, 30.0)

    def _tenant_id(self, code: str) -> int | None:
        if code not in self._tenants:
            with self.rt.system_uow(0) as probe:
                self._tenants[code] = tenant_id_by_code(probe.session, code)
        return self._tenants[code]

    def _apply(self, tenant: str, site: str, items: list[Message]) -> Outcome:
        marks = [len(m.rejected) for m in items]
        try:
            tid = self._tenant_id(tenant)
            if tid is None:
                for m in items:
                    m.rejected.append(
                        Rejected(index=-1, reading_id=None, code="coldchain.unknown_tenant", message=tenant)
                    )
                return "ok"
            counts = [0, 0]
            with self.rt.system_uow(tid, request_id=f"mqtt-coldchain:{items[0].mid}") as uow:
                site_id = site_ids_by_code(uow.session, tid, [site]).get(site)
                for m in items:
                    if site_id is None:
                        m.rejected.append(Rejected(index=-1, reading_id=None, code="coldchain.unknown_site",
                                                   message=f"no site {site!r}"))  # fmt: skip
                    elif m.readings:
                        result = ingest(uow, m.readings, transport="mqtt", site_id=site_id, dead_letters=False)
                        counts[0] += result.accepted
                        counts[1] += result.duplicates
                        m.rejected.extend(result.rejected)
                    if m.rejected:
                        keep_dead_letters(uow, m.readings, m.rejected, transport="mqtt", topic=m.topic,
                                          payload=m.payload)  # fmt: skip
                uow.commit()
            self.stats.accepted += counts[0]  # counted once committed: a retried batch is not counted twice
            self.stats.duplicates += counts[1]
            return "ok"
        except Exception as exc:
            for m, mark in zip(items, marks, strict=True):
                del m.rejected[mark:]
            transient = isinstance(exc, TRANSIENT)
            log.warning("applying %d message(s) failed (%s); %s", len(items), type(exc).__name__,
                        "retrying" if transient else "isolating")  # fmt: skip
            return "transient" if transient else "failed"

    def _set_aside(self, tenant: str, m: Message) -> None:
        m.rejected = [Rejected(index=-1, reading_id=None, code="coldchain.ingest_failed",
                               message="the message could not be applied; see the server log")]  # fmt: skip
        tid = self._tenant_id(tenant)
        if tid is None:
            return
        try:
            with self.rt.system_uow(tid, request_id=f"mqtt-coldchain:{m.mid}") as uow:
                keep_dead_letters(uow, [], m.rejected, transport="mqtt", topic=m.topic, payload=m.payload)
                uow.commit()
        except Exception:
            log.exception("could not keep a failed MQTT message of tenant %s as a dead letter", tenant)
