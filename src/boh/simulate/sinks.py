"""Where simulated events go: a running BOH over HTTP, or an MQTT broker that ``boh ingest mqtt`` reads.

Both retry failed sends with the very same events (same event ids), so a retry after a timeout whose
first attempt did reach the server changes nothing twice.
"""

from __future__ import annotations

import json
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, Protocol

import httpx
import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion

from boh.kernel.brokers import BrokerAddress, parse_broker_url
from boh.simulate.generator import Event, topic_kind

RETRY_STATUS = frozenset({408, 425, 429, 500, 502, 503, 504})


@dataclass
class SendStats:
    batches: int = 0
    events: int = 0
    accepted: int = 0
    duplicates: int = 0
    rejected: int = 0
    retries: int = 0
    errors: list[str] = field(default_factory=list)

    def add(self, other: SendStats) -> None:
        for name in ("batches", "events", "accepted", "duplicates", "rejected", "retries"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.errors.extend(other.errors[:5])


class Sink(Protocol):
    def send(self, events: list[Event]) -> SendStats: ...

    def close(self) -> None: ...


class SendFailed(RuntimeError):
    pass


class HttpSink:
    """POST /api/v1/inventory/events with retries (exponential backoff) on timeouts, 5xx and 429."""

    def __init__(self, client: httpx.Client, *, attempts: int = 8, backoff: float = 0.2) -> None:
        self.client = client
        self.attempts = attempts
        self.backoff = backoff

    def send(self, events: list[Event]) -> SendStats:
        stats = SendStats(batches=1, events=len(events))
        body = {"events": events}
        for attempt in range(self.attempts):
            if attempt:
                stats.retries += 1
                time.sleep(min(self.backoff * 2 ** (attempt - 1), 5.0))
            try:
                r = self.client.post("/api/v1/inventory/events", json=body)
            except httpx.TransportError as exc:
                stats.errors.append(f"{type(exc).__name__}: {exc}")
                continue
            if r.status_code in RETRY_STATUS:
                stats.errors.append(f"HTTP {r.status_code}")
                continue
            if r.status_code != 200:
                raise SendFailed(f"HTTP {r.status_code}: {r.text[:300]}")
            out = r.json()
            stats.accepted, stats.duplicates = out["accepted"], out["duplicates"]
            stats.rejected = len(out["rejected"])
            return stats
        raise SendFailed(f"gave up after {self.attempts} attempts: {stats.errors[-1] if stats.errors else '?'}")

    def close(self) -> None:
        self.client.close()


def mqtt_client(addr: BrokerAddress, client_id: str = "", *, clean: bool = True) -> mqtt.Client:
    client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=client_id, clean_session=clean, protocol=mqtt.MQTTv311)
    if addr.username:
        client.username_pw_set(addr.username, addr.password)
    if addr.tls:
        client.tls_set()
    client.reconnect_delay_set(min_delay=1, max_delay=10)
    return client


class MqttSink:
    """Publishes each site's events as JSON batches to boh/<tenant>/<site>/<pos|rfid|sensor> with QoS 1.

    paho keeps unacknowledged QoS 1 messages and resends them (same payload, same event ids) after a
    reconnect; ``send`` waits until the broker acknowledged every message.
    """

    def __init__(self, broker_url: str, tenant: str, *, prefix: str = "boh", timeout: float = 60.0) -> None:
        self.tenant = tenant
        self.prefix = prefix
        self.timeout = timeout
        addr = parse_broker_url(broker_url)
        self.client = mqtt_client(addr)
        self.connected = threading.Event()
        self.client.on_connect = self._on_connect
        self.client.connect_async(addr.host, addr.port, keepalive=30)
        self.client.loop_start()
        if not self.connected.wait(10):
            self.close()
            raise SendFailed(f"MQTT broker {addr.host}:{addr.port} does not answer")

    def _on_connect(self, _c: mqtt.Client, _u: Any, _f: Any, reason: Any, _p: Any = None) -> None:
        if not getattr(reason, "is_failure", False):
            self.connected.set()

    def send(self, events: list[Event]) -> SendStats:
        stats = SendStats(events=len(events))
        groups: dict[tuple[str, str], list[Event]] = defaultdict(list)
        for e in events:
            groups[(str(e.get("site")), topic_kind(e))].append(e)
        infos = []
        for (site, kind), batch in groups.items():
            topic = f"{self.prefix}/{self.tenant}/{site}/{kind}"
            infos.append(self.client.publish(topic, json.dumps({"events": batch}), qos=1))
            stats.batches += 1
        deadline = time.monotonic() + self.timeout
        for info in infos:  # queued while disconnected (rc NO_CONN) still counts: paho sends it on reconnect
            while not info.is_published():
                if time.monotonic() > deadline:
                    raise SendFailed(f"the broker did not acknowledge message {info.mid} within {self.timeout} s")
                time.sleep(0.005)
        stats.accepted = stats.events  # handed over; the subscriber reports rejections on .../rejected
        return stats

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()
