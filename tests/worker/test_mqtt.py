"""``boh ingest mqtt`` against the real Mosquitto at 127.0.0.1:1883 (skipped when it does not answer; an
error when BOH_REQUIRE_BROKERS=1). Every test uses its own topic prefix, client id and tenant code."""

from __future__ import annotations

import gc
import json
import os
import random
import shutil
import socket
import subprocess
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import CallbackAPIVersion
from sqlalchemy import func, select

from boh.bootstrap import Runtime
from boh.inventory.ingest.models import DeadLetter, IngestedEvent
from boh.inventory.ingest.mqtt import MqttIngestor
from boh.inventory.models import Move
from boh.kernel.brokers import parse_broker_url
from boh.simulate.generator import Event, FloorGenerator, topic_kind
from tests.inventory.ingest.poison import poisoned
from tests.mqtt_broker import HOST, URL, require_broker, wait_for
from tests.mqtt_broker import client as _client
from tests.simulate.support import FloorWorld, make_floor_world


@pytest.fixture(scope="module", autouse=True)
def _broker() -> None:
    require_broker()


@dataclass
class Env:
    rt: Runtime
    world: FloorWorld
    prefix: str
    client_id: str
    pub: mqtt.Client

    def ingestor(self, **kw: Any) -> MqttIngestor:
        ing = MqttIngestor(self.rt, broker_url=URL, tenant=self.world.tenant.code, client_id=self.client_id,
                           prefix=self.prefix, **kw)  # fmt: skip
        ing.start()
        assert ing.ready.wait(10), "the subscriber did not subscribe within 10 s"
        return ing

    def publish(self, site: str, kind: str, payload: Any) -> None:
        body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        info = self.pub.publish(f"{self.prefix}/{self.world.tenant.code}/{site}/{kind}", body, qos=1)
        info.wait_for_publish(10)
        assert info.is_published()

    def publish_events(self, events: list[Event]) -> None:
        groups: dict[tuple[str, str], list[Event]] = {}
        for e in events:
            groups.setdefault((e["site"], topic_kind(e)), []).append(e)
        for (site, kind), batch in groups.items():
            self.publish(site, kind, {"events": batch})

    def counts(self) -> tuple[int, int]:
        with self.rt.session_factory() as s:
            ingested = s.scalar(select(func.count()).select_from(IngestedEvent)) or 0
            moves = s.scalar(select(func.count()).select_from(Move)) or 0
            return ingested, moves


@pytest.fixture
def env(runtime: Runtime) -> Iterator[Env]:
    tag = uuid.uuid4().hex[:8]
    world = make_floor_world(runtime, code=f"M{tag[:6].upper()}")
    pub = _client()
    e = Env(runtime, world, f"t{tag}", f"boh-test-{tag}", pub)
    yield e
    pub.disconnect()
    pub.loop_stop()
    cleaner = _client(e.client_id, clean=True)  # drop the persistent session from the broker
    cleaner.disconnect()
    cleaner.loop_stop()


def events(env: Env, n: int, seed: int = 1, **kw: Any) -> list[Event]:
    return FloorGenerator(random.Random(seed), env.world.snapshot, **kw).next_events(n)


def sales(evs: list[Event]) -> int:
    return sum(1 for e in evs if e["kind"] in ("sale", "return"))


def test_parse_broker_url() -> None:
    a = parse_broker_url("mqtts://dev:pw@broker.example:8884")
    assert (a.host, a.port, a.tls, a.username, a.password) == ("broker.example", 8884, True, "dev", "pw")
    assert parse_broker_url("127.0.0.1").port == 1883
    with pytest.raises(ValueError, match="not an MQTT broker URL"):
        parse_broker_url("http://x")


def test_a_batch_is_applied_once_and_a_resent_batch_changes_nothing(env: Env) -> None:
    evs = events(env, 120)
    ing = env.ingestor()
    try:
        env.publish_events(evs)
        wait_for(lambda: ing.stats.accepted == 120)
        assert env.counts() == (120, sales(evs))
        env.publish_events(evs)  # the same batch again: e.g. a device that did not see the PUBACK
        wait_for(lambda: ing.stats.duplicates == 120)  # counted after the batch's transaction ended
        assert env.counts() == (120, sales(evs))
        assert (ing.stats.accepted, ing.stats.rejected) == (120, 0)
        assert env.pub.publish(f"{env.prefix}/x", b"").rc == 0  # unrelated topics are not ours
    finally:
        ing.stop()


def test_bad_events_go_to_the_rejected_topic_and_good_ones_apply(env: Env) -> None:
    got: list[dict[str, Any]] = []
    subscribed = threading.Event()
    listener = _client()
    listener.on_message = lambda _c, _u, m: got.append({"topic": m.topic, **json.loads(m.payload)})
    listener.on_subscribe = lambda *_: subscribed.set()
    listener.subscribe(f"{env.prefix}/{env.world.tenant.code}/+/rejected", qos=1)
    good = next(e for e in events(env, 50, mix={"pos": 1.0}) if e["site"] == "SH01")
    read = next(e for e in events(env, 50, mix={"rfid": 1.0}) if e["site"] == "SH01")
    batch = [
        {**good, "event_id": "bad-sku", "sku": "NOPE", "gtin": None},
        {**read, "event_id": "wrong-topic"},  # an RFID read on the pos topic
        {**good, "event_id": "other-site", "site": "SH02"},
        "not an event",
        good,
    ]
    ing = env.ingestor()  # subscribed once it returns
    try:
        assert subscribed.wait(10), "the listener did not subscribe within 10 s"
        env.publish("SH01", "pos", {"events": batch})
        env.publish("SH01", "pos", b"{not json")
        wait_for(lambda: len(got) == 2)
        assert ing.stats.accepted == 1
    finally:
        ing.stop()
        listener.disconnect()
        listener.loop_stop()
    first = next(g for g in got if len(g["rejected"]) > 1)
    assert first["topic"] == f"{env.prefix}/{env.world.tenant.code}/SH01/pos"
    assert [(r["index"], r["event_id"], r["code"]) for r in first["rejected"]] == [
        (0, "bad-sku", "inventory.unknown_sku"),
        (1, "wrong-topic", "inventory.kind_mismatch"),
        (2, "other-site", "inventory.site_mismatch"),
        (3, None, "inventory.malformed_event"),
    ]
    malformed = next(g for g in got if len(g["rejected"]) == 1)
    assert [(r["index"], r["code"]) for r in malformed["rejected"]] == [(-1, "inventory.malformed_payload")]
    assert env.counts() == (1, 1)
    with env.rt.session_factory() as s:  # nothing is lost: every rejection is a dead letter, to replay
        letters = s.execute(select(DeadLetter.code, DeadLetter.event_id, DeadLetter.topic)).all()
    topic = f"{env.prefix}/{env.world.tenant.code}/SH01/pos"
    assert sorted(letters, key=str) == sorted(
        [
            ("inventory.unknown_sku", "bad-sku", topic),
            ("inventory.kind_mismatch", "wrong-topic", topic),
            ("inventory.site_mismatch", "other-site", topic),
            ("inventory.malformed_event", None, topic),
            ("inventory.malformed_payload", None, topic),
        ],
        key=str,
    )


def test_restarting_the_subscriber_while_publishing_loses_and_doubles_nothing(env: Env) -> None:
    evs = events(env, 600, seed=4)
    chunks = [evs[i : i + 15] for i in range(0, len(evs), 15)]
    ing = env.ingestor()
    down, done = threading.Event(), threading.Event()
    half = len(chunks) // 2

    def produce() -> None:
        for i, c in enumerate(chunks):
            if i == half:  # the second half is published while the subscriber is down
                assert down.wait(30)
            env.publish_events(c)
        done.set()

    producer = threading.Thread(target=produce)
    producer.start()
    wait_for(lambda: ing.stats.accepted > 0)
    ing.stop()  # down while the producer keeps publishing: the broker queues for the persistent session
    down.set()
    wait_for(lambda: done.is_set(), timeout=30)
    second = env.ingestor()
    try:
        producer.join(30)
        wait_for(lambda: env.counts()[0] == 600, timeout=30)
        wait_for(lambda: ing.stats.accepted + second.stats.accepted == 600)  # counted after each commit
        assert env.counts() == (600, sales(evs))
        assert ing.stats.accepted + second.stats.accepted == 600
        assert ing.stats.rejected == second.stats.rejected == 0
    finally:
        second.stop()


def test_a_crash_after_commit_before_the_puback_redelivers_as_duplicates(env: Env) -> None:
    evs = events(env, 40, seed=6)
    ing = env.ingestor()
    ing._ack = lambda m: None  # type: ignore[method-assign]  # dies between commit and PUBACK
    env.publish_events(evs)
    wait_for(lambda: ing.stats.accepted == 40)
    ing.stop()
    assert env.counts() == (40, sales(evs))
    second = env.ingestor()  # the broker redelivers every unacknowledged message
    try:
        wait_for(lambda: second.stats.duplicates == 40)
        assert second.stats.accepted == 0
        assert env.counts() == (40, sales(evs))
    finally:
        second.stop()


class OwnBroker:
    """A private Mosquitto (our own process, own port, persistence in tmp) that a test may restart."""

    def __init__(self, tmp: Path) -> None:
        self.exe = shutil.which("mosquitto") or "/usr/sbin/mosquitto"
        with socket.socket() as s:
            s.bind((HOST, 0))
            self.port = int(s.getsockname()[1])
        self.conf = tmp / "mosquitto.conf"
        self.conf.write_text(
            f"listener {self.port} {HOST}\nallow_anonymous true\npersistence true\npersistence_location {tmp}/\n"
            + ("user root\n" if os.geteuid() == 0 else "")
        )
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.proc = subprocess.Popen([self.exe, "-c", str(self.conf)], stderr=subprocess.DEVNULL)
        wait_for(lambda: _port_open(self.port), timeout=10)

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()  # saves the persistent sessions and their queued messages
            self.proc.wait(10)
            self.proc = None


def _port_open(port: int) -> bool:
    try:
        with socket.create_connection((HOST, port), timeout=0.5):
            return True
    except OSError:
        return False


def test_the_subscriber_keeps_going_when_the_broker_restarts(env: Env, tmp_path: Path) -> None:
    if not os.path.exists(shutil.which("mosquitto") or "/usr/sbin/mosquitto"):
        pytest.skip("no mosquitto executable to run a private broker")
    broker = OwnBroker(tmp_path)
    broker.start()
    evs = events(env, 200, seed=11)
    ing = MqttIngestor(env.rt, broker_url=f"mqtt://{HOST}:{broker.port}", tenant=env.world.tenant.code,
                       client_id=env.client_id, prefix=env.prefix)  # fmt: skip
    ing.start()
    try:
        assert ing.ready.wait(10)
        first = mqtt.Client(CallbackAPIVersion.VERSION2)
        first.connect(HOST, broker.port)
        first.loop_start()
        for e in evs[:100]:
            first.publish(f"{env.prefix}/{env.world.tenant.code}/{e['site']}/{topic_kind(e)}", json.dumps(e), qos=1)
        wait_for(lambda: ing.stats.accepted == 100)
        first.disconnect()
        first.loop_stop()
        broker.stop()
        wait_for(lambda: not ing.connected.is_set())
        broker.start()
        second = mqtt.Client(CallbackAPIVersion.VERSION2)
        second.connect(HOST, broker.port)
        second.loop_start()
        for e in evs[100:]:  # possibly before the subscriber is back: the restored session keeps them
            second.publish(f"{env.prefix}/{env.world.tenant.code}/{e['site']}/{topic_kind(e)}", json.dumps(e), qos=1)
        wait_for(lambda: ing.stats.accepted == 200, timeout=40)
        second.disconnect()
        second.loop_stop()
        assert ing.generation >= 2  # it really reconnected
        assert env.counts() == (200, sales(evs))
    finally:
        ing.stop()
        broker.stop()


def test_the_simulator_over_mqtt_is_applied_exactly_once(env: Env) -> None:
    from boh.simulate.runner import run_floor
    from boh.simulate.sinks import MqttSink

    ing = env.ingestor()
    sink = MqttSink(URL, env.world.tenant.code, prefix=env.prefix)
    try:
        gen = FloorGenerator(random.Random(12), env.world.snapshot)
        stats = run_floor(gen, sink, rate=300, duration=1.0, tick=0.1, senders=1)
        assert stats.failed_batches == 0 and 200 <= stats.sent.events <= 330
        wait_for(lambda: ing.stats.accepted == stats.sent.events)
        assert ing.stats.rejected == 0
        assert env.counts()[0] == stats.sent.events
    finally:
        sink.close()
        ing.stop()


def test_boh_simulate_floor_over_mqtt_end_to_end(env: Env) -> None:
    from typer.testing import CliRunner

    from boh.cli.main import app

    ing = env.ingestor()
    try:
        db = env.rt.settings.database_url
        args = ["simulate", "floor", "--mqtt", URL, "--tenant", env.world.tenant.code, "--sites", "SH01,SH02",
                "--rate", "200", "--duration", "1", "--seed", "3", "--database-url", db,
                "--prefix", env.prefix]  # fmt: skip
        r = CliRunner().invoke(app, args)
        assert r.exit_code == 0, r.output
        assert "SH01: 7 items, SH02: 7 items" in r.output
        sent = int(r.output.split(" events in ")[0].split()[-1])
        assert 100 <= sent <= 220
        wait_for(lambda: ing.stats.accepted == sent)
        assert ing.stats.rejected == 0 and env.counts()[0] == sent
    finally:
        ing.stop()


def test_subscribers_in_a_shared_group_split_the_messages_and_apply_each_event_once(env: Env) -> None:
    """``--share``: two subscriber processes' worth of ingestors in one $share group, distinct sessions;
    the broker hands each message to one of them; every event is applied once."""
    first = env.ingestor(share=f"g{env.client_id[-8:]}")
    second_id = env.client_id + "-2"
    second = MqttIngestor(env.rt, broker_url=URL, tenant=env.world.tenant.code, client_id=second_id,
                          prefix=env.prefix, share=f"g{env.client_id[-8:]}")  # fmt: skip
    second.start()
    try:
        assert second.ready.wait(10)
        evs = events(env, 400)
        for n in range(0, 400, 10):  # 40 small messages: both members get some
            env.publish_events(evs[n : n + 10])
        wait_for(lambda: first.stats.accepted + second.stats.accepted == 400)
        assert first.stats.messages > 0 and second.stats.messages > 0
        assert env.counts() == (400, sales(evs))
        env.publish_events(evs)  # resent: whichever member gets it, nothing is applied twice
        wait_for(lambda: first.stats.duplicates + second.stats.duplicates == 400)
        assert env.counts() == (400, sales(evs))
    finally:
        first.stop()
        second.stop()
        cleaner = _client(second_id, clean=True)
        cleaner.disconnect()
        cleaner.loop_stop()


def _letters(env: Env) -> list[tuple[str, str | None]]:
    with env.rt.session_factory() as s:
        return [(c, t) for c, t in s.execute(select(DeadLetter.code, DeadLetter.topic))]


def test_poisoned_events_are_dead_letters_and_never_stop_ingestion(env: Env) -> None:
    """Every field of every event kind carrying a NUL, an unpaired surrogate, 10,000 characters or a number
    out of range, each in its own QoS 1 message: each is rejected alone and kept, every message is
    acknowledged, and the good events published after them are applied."""
    base = {
        kind: next(e for e in events(env, 300, seed=9, mix={feed: 1.0}) if e["site"] == "SH01" and e["kind"] == kind)
        for kind, feed in (("sale", "pos"), ("rfid_read", "rfid"), ("weight", "sensor"))
    }
    cases = poisoned(base)
    good = [e for e in events(env, 40, seed=11, mix={"pos": 1.0}) if e["site"] == "SH01"][:5]
    ing = env.ingestor()
    try:
        for feed, _label, text, _eid in cases:
            env.publish("SH01", feed, ('{"events": [' + text + "]}").encode())
        env.publish("SH01", "pos", {"events": good})
        wait_for(lambda: ing.stats.messages == len(cases) + 1, timeout=120)
    finally:
        ing.stop()
    assert ing.stats.accepted == len(good) and ing.stats.failures == 0
    letters = _letters(env)
    assert len(letters) == len(cases)
    assert all(code.startswith("inventory.") for code, _ in letters)
    assert {t for _, t in letters} == {
        f"{env.prefix}/{env.world.tenant.code}/SH01/{f}" for f in ("pos", "rfid", "sensor")
    }


def test_a_message_that_fails_for_another_reason_is_set_aside_and_the_rest_flows(env: Env) -> None:
    """A failure that is neither transient nor a refused value (a bug the message triggers) must not block
    the subscriber: its batch is applied message by message, the failing message is kept whole as a dead
    letter and acknowledged, and every other message is applied."""
    from boh.inventory.ingest.service import ingest as real_ingest

    def buggy(uow: Any, evs: list[dict[str, Any]]) -> Any:
        if any(e.get("event_id") == "boom" for e in evs):
            raise RuntimeError("a bug this message triggers")
        return real_ingest(uow, evs, transport="mqtt", dead_letters=False)

    good = [e for e in events(env, 60, seed=12, mix={"pos": 1.0}) if e["site"] == "SH01"][:6]
    poison = {**good[0], "event_id": "boom"}
    ing = env.ingestor(ingest=buggy)
    try:
        env.publish("SH01", "pos", {"events": good[:3]})
        env.publish("SH01", "pos", {"events": [poison]})
        env.publish("SH01", "pos", {"events": good[3:]})
        wait_for(lambda: ing.stats.messages == 3, timeout=60)
    finally:
        ing.stop()
    assert ing.stats.accepted == 6
    assert _letters(env) == [("inventory.ingest_failed", f"{env.prefix}/{env.world.tenant.code}/SH01/pos")]


def test_the_batch_is_freed_before_the_collector_resumes(env: Env, monkeypatch: pytest.MonkeyPatch) -> None:
    """The cyclic collector is paused while a tenant's messages are ingested; the collection due when it resumes
    walks every object still alive. The subscriber's frame must have let go of the batch (its results, owners and
    session) by then, as the HTTP route does."""
    from boh.inventory.ingest import mqtt as module
    from boh.inventory.ingest.mqtt import Inbound, parse_message
    from boh.inventory.ingest.schemas import IngestResult
    from boh.kernel import gcpause

    alive: list[int] = []

    @contextmanager
    def paused() -> Iterator[None]:
        with gcpause.paused():
            yield
            alive.append(sum(1 for o in gc.get_objects() if isinstance(o, IngestResult)))

    monkeypatch.setattr(module, "gcpause", SimpleNamespace(paused=paused))
    evs = [e for e in events(env, 60, seed=3, mix={"pos": 1.0}) if e["site"] == "SH01"][:5]
    topic = f"{env.prefix}/{env.world.tenant.code}/SH01/pos"
    parsed = parse_message(Inbound(1, 1, topic, json.dumps({"events": evs}).encode(), 0), env.prefix)
    assert parsed is not None
    ing = MqttIngestor(env.rt, broker_url=URL, tenant=env.world.tenant.code, client_id=env.client_id,
                       prefix=env.prefix)  # fmt: skip
    ing.apply(env.world.tenant.code, [parsed])  # not started: no broker round trip, the handler alone
    assert ing.stats.accepted == len(evs)
    assert alive == [0]
