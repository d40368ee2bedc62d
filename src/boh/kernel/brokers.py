"""Message-broker addresses (MQTT): parsed once here for the ingestion subscriber, the simulator and the
benchmarks."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit


@dataclass(frozen=True)
class BrokerAddress:
    host: str
    port: int
    tls: bool = False
    username: str | None = None
    password: str | None = None


def parse_broker_url(url: str) -> BrokerAddress:
    """``mqtt://[user:pass@]host[:1883]`` or ``mqtts://host[:8883]``."""
    parts = urlsplit(url if "://" in url else f"mqtt://{url}")
    if parts.scheme not in ("mqtt", "mqtts", "tcp", "ssl") or not parts.hostname:
        raise ValueError(f"not an MQTT broker URL: {url!r} (expected mqtt://host:1883)")
    tls = parts.scheme in ("mqtts", "ssl")
    return BrokerAddress(parts.hostname, parts.port or (8883 if tls else 1883), tls, parts.username, parts.password)


def mqtt_client(addr: BrokerAddress, client_id: str) -> Any:
    """A paho MQTT client for a durable QoS 1 consumer: a persistent session (``clean_session=False``: the
    broker keeps what arrives while it is away), manual acknowledgement (a message is acknowledged once its
    effect is committed), the broker's credentials and TLS, reconnect back-off from 1 to 30 s. The caller
    sets its callbacks."""
    import paho.mqtt.client as mqtt
    from paho.mqtt.enums import CallbackAPIVersion

    client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=client_id, clean_session=False, manual_ack=True)
    if addr.username:
        client.username_pw_set(addr.username, addr.password)
    if addr.tls:
        client.tls_set()
    client.reconnect_delay_set(min_delay=1, max_delay=30)
    return client
