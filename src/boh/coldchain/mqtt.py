"""``boh coldchain mqtt``: sensor readings from an MQTT broker (Mosquitto), the same way as the floor events
(``boh.inventory.ingest.mqtt``), through the same receive loop (``boh.kernel.mqtt``).

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
from dataclasses import dataclass, field
from typing import Any, Protocol

from boh.coldchain.schemas import MAX_READINGS, Rejected
from boh.coldchain.service import ingest, keep_dead_letters
from boh.kernel.mqtt import Inbound, ReceiveLoop
from boh.kernel.uow import UnitOfWork
from boh.org.api import site_ids_by_code, tenant_id_by_code

FEED = "coldchain"


class Runtime(Protocol):
    def system_uow(self, tenant_id: int, request_id: str | None = None) -> UnitOfWork: ...


@dataclass
class Message(Inbound):
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


class ColdChainSubscriber(ReceiveLoop[Message]):
    """The receive loop is ``boh.kernel.mqtt.ReceiveLoop``'s; this is its handler."""

    log = logging.getLogger("boh.coldchain.mqtt")

    def __init__(self, rt: Runtime, *, broker_url: str, tenant: str | None = None, client_id: str | None = None,
                 prefix: str = "boh", max_batch: int = 5000) -> None:  # fmt: skip
        self.rt, self.prefix, self.tenant = rt, prefix, tenant
        self.stats = Stats()
        self._tenants: dict[str, int | None] = {}
        super().__init__(broker_url=broker_url, client_id=client_id or f"boh-coldchain-{tenant or 'all'}",
                         topics=[f"{prefix}/{tenant or '+'}/+/{FEED}"], max_batch=max_batch,
                         name="coldchain-mqtt")  # fmt: skip

    def parse(self, i: Inbound) -> Message:
        m = Message(i.mid, i.qos, i.topic, i.payload, i.generation)
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

    def size(self, m: Message) -> int:
        return len(m.readings)

    def key(self, m: Message) -> tuple[str, str] | None:
        return (m.tenant, m.site) if m.tenant else None

    def report(self, m: Message) -> None:
        self.stats.messages += 1
        if m.rejected:
            self.stats.rejected += len(m.rejected)
            body = {"topic": m.topic, "rejected": [r.model_dump() for r in m.rejected]}
            self.client.publish(f"{self.prefix}/{m.tenant}/{m.site}/{FEED}/rejected", json.dumps(body), qos=1)

    def _tenant_id(self, code: str) -> int | None:
        if code not in self._tenants:
            with self.rt.system_uow(0) as probe:
                self._tenants[code] = tenant_id_by_code(probe.session, code)
        return self._tenants[code]

    def apply(self, key: tuple[str, str], items: list[Message]) -> None:
        tenant, site = key
        marks = [len(m.rejected) for m in items]
        try:
            tid = self._tenant_id(tenant)
            if tid is None:
                for m in items:
                    m.rejected.append(
                        Rejected(index=-1, reading_id=None, code="coldchain.unknown_tenant", message=tenant)
                    )
                return
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
        except Exception:
            for m, mark in zip(items, marks, strict=True):
                del m.rejected[mark:]  # what this attempt added: it rolled back
            raise

    def set_aside(self, key: tuple[str, str], m: Message) -> None:
        tenant = key[0]
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
            self.log.exception("could not keep a failed MQTT message of tenant %s as a dead letter", tenant)
