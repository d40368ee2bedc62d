"""The real Mosquitto the MQTT tests talk to (127.0.0.1:1883): a check that fails the test module when
BOH_REQUIRE_BROKERS=1 and the broker is down (else skips it), a connected client, and a wait on a condition."""

from __future__ import annotations

import os
import socket
import time
from collections.abc import Callable

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import CallbackAPIVersion

HOST, PORT = "127.0.0.1", 1883
URL = f"mqtt://{HOST}:{PORT}"


def broker_up() -> bool:
    try:
        with socket.create_connection((HOST, PORT), timeout=2):
            return True
    except OSError:
        return False


def require_broker() -> None:
    """Call from a module-scoped autouse fixture."""
    if not broker_up():
        if os.environ.get("BOH_REQUIRE_BROKERS") == "1":
            pytest.fail(f"Mosquitto is required (BOH_REQUIRE_BROKERS=1) but {HOST}:{PORT} does not answer")
        pytest.skip(f"no MQTT broker at {HOST}:{PORT} (start mosquitto; CI sets BOH_REQUIRE_BROKERS=1)")


def client(client_id: str = "", clean: bool = True) -> mqtt.Client:
    c = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=client_id, clean_session=clean)
    c.connect(HOST, PORT, keepalive=30)
    c.loop_start()
    return c


def wait_for(cond: Callable[[], bool], timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while not cond():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)
