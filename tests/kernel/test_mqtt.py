"""The shared MQTT receive loop (``boh.kernel.mqtt.ReceiveLoop``) against the real Mosquitto at 127.0.0.1:1883
(skipped when it does not answer; an error when BOH_REQUIRE_BROKERS=1), with a handler that only records:
what the handler applies is acknowledged, a message it fails on alone is set aside and acknowledged, and a
message whose handler still fails (transiently) when the loop stops is not acknowledged and is redelivered."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator

import paho.mqtt.client as mqtt
import pytest
from sqlalchemy.exc import OperationalError

from boh.kernel.mqtt import Inbound, ReceiveLoop
from tests.mqtt_broker import URL, require_broker, wait_for
from tests.mqtt_broker import client as _client


@pytest.fixture(scope="module", autouse=True)
def _broker() -> None:
    require_broker()


class Recorder(ReceiveLoop[Inbound]):
    """A handler that records what it is given; ``fail`` picks the payloads it raises on, and the exception."""

    def __init__(self, client_id: str, prefix: str, fail: Callable[[bytes], Exception | None] = lambda _p: None):
        self.fail = fail
        self.seen: list[bytes] = []
        self.applied: list[bytes] = []
        self.aside: list[bytes] = []
        super().__init__(broker_url=URL, client_id=client_id, topics=[f"{prefix}/+/+/feed"], max_batch=100)

    def parse(self, m: Inbound) -> Inbound:
        return m

    def key(self, m: Inbound) -> str:
        return m.topic

    def apply(self, key: str, items: list[Inbound]) -> None:
        self.seen.extend(m.payload for m in items)
        for m in items:
            exc = self.fail(m.payload)
            if exc is not None:
                raise exc
        self.applied.extend(m.payload for m in items)

    def set_aside(self, key: str, m: Inbound) -> None:
        self.aside.append(m.payload)


@pytest.fixture
def names() -> Iterator[tuple[str, str, mqtt.Client]]:
    tag = uuid.uuid4().hex[:8]
    pub = _client()
    cid = f"boh-loop-test-{tag}"
    yield f"t{tag}", cid, pub
    pub.disconnect()
    pub.loop_stop()
    cleaner = _client(cid, clean=True)  # drop the persistent session
    cleaner.disconnect()
    cleaner.loop_stop()


def _publish(pub: mqtt.Client, topic: str, body: bytes) -> None:
    info = pub.publish(topic, body, qos=1)
    info.wait_for_publish(10)
    assert info.is_published()


def _running(loop: Recorder) -> Recorder:
    loop.start()
    assert loop.ready.wait(10), "the loop did not subscribe within 10 s"
    return loop


def _only_new_messages_reach(cid: str, prefix: str, pub: mqtt.Client) -> list[bytes]:
    """What a fresh run of the session receives up to a marker published now: nothing unacknowledged is left
    when it is the marker alone (the broker resends what was in flight as soon as the session resumes)."""
    last = _running(Recorder(cid, prefix))
    try:
        _publish(pub, f"{prefix}/a/s1/feed", b"marker")
        wait_for(lambda: b"marker" in last.applied)
    finally:
        last.stop()
    return last.seen


def test_the_handler_sees_the_messages_a_failing_one_is_set_aside_alone_and_all_are_acknowledged(
    names: tuple[str, str, mqtt.Client],
) -> None:
    prefix, cid, pub = names
    loop = _running(Recorder(cid, prefix, fail=lambda p: RuntimeError("a bug") if p == b"boom" else None))
    try:
        for body in (b"one", b"boom", b"two"):
            _publish(pub, f"{prefix}/a/s1/feed", body)
        _publish(pub, f"{prefix}/a/s1/other", b"not subscribed")
        wait_for(lambda: len(loop.applied) + len(loop.aside) == 3)
    finally:
        loop.stop()
    assert sorted(loop.applied) == [b"one", b"two"] and loop.aside == [b"boom"]
    assert _only_new_messages_reach(cid, prefix, pub) == [b"marker"]


def test_a_message_the_handler_fails_on_is_not_acknowledged_and_is_redelivered(
    names: tuple[str, str, mqtt.Client],
) -> None:
    prefix, cid, pub = names
    down = Recorder(cid, prefix, fail=lambda _p: OperationalError("INSERT", {}, Exception("database down")))
    _running(down)
    try:
        _publish(pub, f"{prefix}/a/s1/feed", b"reading")
        wait_for(lambda: len(down.seen) >= 1)  # tried, failed: retried with back-off until stopped
    finally:
        down.stop()
    assert down.applied == [] and down.aside == []
    again = _running(Recorder(cid, prefix))  # the same session: the broker redelivers the unacknowledged message
    try:
        wait_for(lambda: again.applied == [b"reading"])
    finally:
        again.stop()
    assert _only_new_messages_reach(cid, prefix, pub) == [b"marker"]
