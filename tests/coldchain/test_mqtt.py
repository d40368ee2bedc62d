"""Readings over the real Mosquitto at 127.0.0.1:1883 (skipped when it does not answer; an error when
BOH_REQUIRE_BROKERS=1): QoS 1, exactly-once under redelivery, a bad reading rejected alone onto a dead letter
and the rejected topic, a transient database failure retried."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from typing import Any

import paho.mqtt.client as mqtt
import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from boh.bootstrap import Runtime
from boh.coldchain import mqtt as cc_mqtt
from boh.coldchain.models import DeadLetter, Excursion, Reading
from boh.coldchain.mqtt import ColdChainSubscriber
from tests.coldchain.helpers import make_world, readings
from tests.mqtt_broker import URL, require_broker, wait_for
from tests.mqtt_broker import client as _client


@pytest.fixture(scope="module", autouse=True)
def _broker() -> None:
    require_broker()


@pytest.fixture
def env(runtime: Runtime) -> Iterator[tuple[Runtime, Any, str, str, mqtt.Client]]:
    tag = uuid.uuid4().hex[:8]
    world = make_world(runtime, code=f"C{tag[:6].upper()}")
    pub = _client()
    cid = f"boh-cc-test-{tag}"
    yield runtime, world, f"t{tag}", cid, pub
    pub.disconnect()
    pub.loop_stop()
    cleaner = _client(cid, clean=True)  # drop the persistent session
    cleaner.disconnect()
    cleaner.loop_stop()


def _count(rt: Runtime, model: type) -> int:
    with rt.session_factory() as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)


def _publish(pub: mqtt.Client, topic: str, body: Any) -> None:
    info = pub.publish(topic, body if isinstance(body, bytes) else json.dumps(body), qos=1)
    info.wait_for_publish(10)
    assert info.is_published()


def test_readings_over_mqtt_exactly_once_bad_ones_alone(env: Any) -> None:
    rt, world, prefix, cid, pub = env
    got: list[dict[str, Any]] = []
    watcher = _client()
    watcher.on_message = lambda _c, _u, m: got.append(json.loads(m.payload))
    watcher.subscribe(f"{prefix}/{world.tenant.code}/S001/coldchain/rejected", qos=1)
    sub = ColdChainSubscriber(rt, broker_url=URL, tenant=world.tenant.code, client_id=cid, prefix=prefix)
    sub.start()
    try:
        assert sub.ready.wait(10)
        topic = f"{prefix}/{world.tenant.code}/S001/coldchain"
        warm = readings([3.0] * 5 + [8.0] * 20 + [3.0] * 5)
        bad = {"reading_id": "bad-1", "sensor": "T-F1", "at": "2026-12-01T00:00:00+00:00", "value": 999}
        _publish(pub, topic, {"readings": warm[:15] + [bad]})
        _publish(pub, topic, {"readings": warm[10:]})  # overlaps: 5 duplicates
        _publish(pub, topic, b"{not json")
        _publish(pub, topic, {"readings": warm[:15]})  # a redelivery of the first message
        wait_for(lambda: sub.stats.messages >= 4 and len(got) >= 2)
    finally:
        sub.stop()
        watcher.disconnect()
        watcher.loop_stop()
    assert _count(rt, Reading) == 30
    assert (sub.stats.accepted, sub.stats.duplicates) == (30, 20)
    assert _count(rt, Excursion) == 1
    with rt.session_factory() as s:
        letters = sorted(s.scalars(select(DeadLetter.code)))
    assert letters == ["coldchain.malformed_payload", "coldchain.out_of_range"]
    codes = sorted(r["code"] for msg in got for r in msg["rejected"])
    assert codes == ["coldchain.malformed_payload", "coldchain.out_of_range"]


def test_a_transient_database_failure_is_retried(env: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    rt, world, prefix, cid, pub = env
    calls = {"n": 0}
    real = cc_mqtt.ingest

    def flaky(uow: Any, raw: Any, **kw: Any) -> Any:
        calls["n"] += 1
        if calls["n"] == 1:
            raise OperationalError("INSERT", {}, Exception("database restarting"))
        return real(uow, raw, **kw)

    monkeypatch.setattr(cc_mqtt, "ingest", flaky)
    sub = ColdChainSubscriber(rt, broker_url=URL, tenant=world.tenant.code, client_id=cid, prefix=prefix)
    sub.start()
    try:
        assert sub.ready.wait(10)
        _publish(pub, f"{prefix}/{world.tenant.code}/S001/coldchain", {"readings": readings([3.0] * 4)})
        wait_for(lambda: sub.stats.messages >= 1)
    finally:
        sub.stop()
    assert calls["n"] == 2
    assert _count(rt, Reading) == 4 and _count(rt, DeadLetter) == 0
