"""Nothing lost, nothing doubled: the ingesting process is killed (SIGKILL) at seeded random points
while a producer retries the same batch, and every event ends up applied exactly once.

Per trial a forked child builds its own runtime (never the parent's connections), ingests the batch,
commits and reports its IngestResult through a pipe; the parent kills it after a random delay drawn
from 0 to a little more than a measured batch time, so kills land before, during and after the commit.
About one trial in ten instead has its first child kill itself just before the commit (nothing may
be claimed) and one in ten just after it (all claimed; the retry must find only duplicates), so those
two points are always hit whatever the machine's timing. The producer retries the same batch in a new
child until one reports. At the end every event id has
one claim row and one move, balances equal opening stock plus the sum of the moves, and the rebuild
check finds no difference.
"""

from __future__ import annotations

import multiprocessing
import os
import random
import signal
import statistics
import time
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from multiprocessing.connection import Connection
from typing import Any

from sqlalchemy import Engine, func, select

from boh.bootstrap import Runtime, build_runtime
from boh.inventory.ingest import service
from boh.inventory.ingest.models import IngestedEvent
from boh.inventory.ingest.service import move_key
from boh.inventory.models import Move
from boh.inventory.rebuild import rebuild_check
from boh.settings import Settings
from tests.inventory.ingest.helpers import Floor, make_floor, on_hand, receive

TRIALS = 50  # seeded: 7 trials kill themselves just before their commit and 7 just after it
MAX_ATTEMPTS = 30
OPENING = Decimal("100000")
SOURCE = "pos:SH01:9"
CTX = multiprocessing.get_context("fork")


def _child(
    settings: Settings,
    parent_engine: Engine,
    tenant_id: int,
    events: list[dict[str, Any]],
    out: Connection,
    crash: str | None,
) -> None:
    """Runs in the forked child: forget the parent's pooled connections, ingest, commit, report.
    ``crash`` makes it SIGKILL itself at a given point: "before_commit" (everything written and flushed,
    not committed) or "after_commit" (committed, not reported: the producer never hears of it)."""
    parent_engine.dispose(close=False)
    try:
        rt = build_runtime(settings)
        with rt.system_uow(tenant_id) as uow:
            result = service.ingest(uow, events)
            uow.session.flush()
            if crash == "before_commit":
                os.kill(os.getpid(), signal.SIGKILL)
            uow.commit()
        if crash == "after_commit":
            os.kill(os.getpid(), signal.SIGKILL)
        out.send(("ok", result.model_dump(mode="json")))
    except BaseException as exc:  # the parent fails the test with it
        out.send(("error", repr(exc)))
    finally:
        out.close()


@dataclass
class Producer:
    rt: Runtime
    settings: Settings
    tenant_id: int
    kills: int = 0  # attempts killed before they reported
    attempts: int = 0
    crashes: Counter[str] = field(default_factory=Counter)
    results: list[dict[str, Any]] = field(default_factory=list)

    def attempt(
        self, events: list[dict[str, Any]], delay: float | None, crash: str | None = None
    ) -> dict[str, Any] | None:
        """One child; killed after ``delay`` seconds unless it finished. Its report, or None if it died first."""
        self.attempts += 1
        receiver, sender = CTX.Pipe(duplex=False)
        args = (self.settings, self.rt.engine, self.tenant_id, events, sender, crash)
        proc = CTX.Process(target=_child, args=args)
        proc.start()
        sender.close()
        proc.join(delay)
        if proc.is_alive():
            os.kill(proc.pid, signal.SIGKILL)  # type: ignore[arg-type]
        proc.join()
        try:
            report = receiver.recv()  # EOFError: it died before sending
        except EOFError:
            report = None
        receiver.close()
        assert report is not None or delay is not None or crash, f"an unkilled child died (exit code {proc.exitcode})"
        if report is None:
            self.kills += 1
            return None
        status, payload = report
        assert status == "ok", f"ingest failed in the child: {payload}"
        return dict(payload)

    def deliver(self, events: list[dict[str, Any]], rng: random.Random, window: float) -> dict[str, Any]:
        """Retry the same batch until a child reports (the last attempt is never killed). The first attempt
        of about one trial in ten kills itself just before its commit, and of another just after it."""
        committed = False
        for n in range(MAX_ATTEMPTS):
            delay = None if n == MAX_ATTEMPTS - 1 else rng.uniform(0, window)
            draw = rng.random()
            crash = None if n > 0 else "before_commit" if draw < 0.1 else "after_commit" if draw < 0.2 else None
            result = self.attempt(events, None if crash else delay, crash)
            if crash:
                self.crashes[crash] += 1
                assert result is None
                # a transaction killed before its commit left nothing; one killed after it is all there
                assert self.claimed(events) == (len(events) if crash == "after_commit" else 0), crash
                committed = crash == "after_commit"
            if result is not None:
                assert not committed or result["accepted"] == 0, result  # the retry finds it all applied
                self.results.append(result)
                return result
        raise AssertionError("unreachable: the last attempt is not killed")

    def claimed(self, events: list[dict[str, Any]]) -> int:
        ids = [ev["event_id"] for ev in events]
        with self.rt.session_factory() as s:
            query = select(func.count()).where(
                IngestedEvent.tenant_id == self.tenant_id, IngestedEvent.event_id.in_(ids)
            )
            return s.scalar(query) or 0


ITEMS = (("MILK", "1", 5), ("SOAP", "1", 3), ("CHEESE", "0.125", 8))  # sku, unit, max units per line


def make_batch(rng: random.Random, trial: int) -> list[dict[str, Any]]:
    events = []
    for i in range(rng.randint(10, 30)):
        sku, unit, most = rng.choice(ITEMS)
        events.append(
            {
                "event_id": f"t{trial}-e{i}",
                "source": SOURCE,
                "site": "SH01",
                "kind": "sale" if rng.random() < 0.8 else "return",
                "sku": sku,
                "qty": str(Decimal(unit) * rng.randint(1, most)),
                "occurred_at": f"2026-11-25T{9 + trial % 10:02d}:{i % 60:02d}:00+08:00",
                "receipt_id": f"R{trial}",
                "line": i + 1,
            }
        )
    return events


def signed(ev: dict[str, Any]) -> Decimal:
    qty = Decimal(ev["qty"])
    return -qty if ev["kind"] == "sale" else qty


@dataclass
class World:
    floor: Floor
    item_ids: dict[str, int]


def setup_world(rt: Runtime) -> World:
    f = make_floor(rt)
    items = {"MILK": f.milk, "SOAP": f.soap, "CHEESE": f.cheese}
    for item in items.values():
        receive(rt, f, f.sh01, item, str(OPENING))
    return World(f, items)


def calibrate(producer: Producer) -> float:
    """The median wall time of an unkilled child ingesting a typical batch (its events count too)."""
    times = []
    for k in range(3):
        batch = make_batch(random.Random(10_000 + k), 10_000 + k)
        start = time.perf_counter()
        result = producer.attempt(batch, None)
        times.append(time.perf_counter() - start)
        assert result is not None and result["accepted"] == len(batch)
    return statistics.median(times)


def check_ledger(rt: Runtime, w: World, sent: list[dict[str, Any]]) -> None:
    tenant_id = w.floor.tenant.id
    with rt.session_factory() as s:
        claims = Counter(
            s.execute(select(IngestedEvent.event_id).where(IngestedEvent.tenant_id == tenant_id)).scalars()
        )
        keys = Counter(
            s.execute(
                select(Move.idempotency_key).where(Move.tenant_id == tenant_id, Move.idempotency_key.like("ev:%"))
            ).scalars()
        )
        assert claims == Counter(ev["event_id"] for ev in sent)  # one claim per event, none extra
        assert keys == Counter(move_key(SOURCE, ev["event_id"]) for ev in sent)  # one move per event
        assert rebuild_check(s, tenant_id) == []
    for sku, item in w.item_ids.items():
        expected = OPENING + sum((signed(ev) for ev in sent if ev["sku"] == sku), Decimal(0))
        assert on_hand(rt, w.floor.sh01, item) == expected, sku


def test_killed_ingestion_retried_applies_every_event_exactly_once(
    runtime: Runtime, settings: Settings, backend: str
) -> None:
    started = time.perf_counter()
    w = setup_world(runtime)
    producer = Producer(runtime, settings, w.floor.tenant.id)
    batch_time = calibrate(producer)
    window = batch_time * 1.3  # some kills land after the commit, before the report or the exit
    killed_trials = 0
    sent = [ev for k in range(3) for ev in make_batch(random.Random(10_000 + k), 10_000 + k)]
    for trial in range(TRIALS):
        rng = random.Random(trial)
        batch = make_batch(rng, trial)
        kills_before = producer.kills
        result = producer.deliver(batch, rng, window)
        assert result["rejected"] == [], (trial, result)
        assert result["accepted"] + result["duplicates"] == len(batch), (trial, result)
        # the batch commits as a whole: a retry finds all of it applied or none of it
        assert (result["accepted"], result["duplicates"]) in ((len(batch), 0), (0, len(batch))), (trial, result)
        killed_trials += producer.kills > kills_before
        if producer.kills == kills_before:
            assert result == {"accepted": len(batch), "duplicates": 0, "rejected": []}, trial
        sent.extend(batch)
    check_ledger(runtime, w, sent)
    after_commit = sum(1 for r in producer.results if r["duplicates"])
    print(  # shown with -s: the evidence that kills landed before, during and after the commit
        f"\n[{backend}] {TRIALS} trials ({killed_trials} with a kill), {producer.attempts} children, "
        f"{producer.kills} killed before reporting, {after_commit} retries found an earlier commit, "
        f"self-kills {dict(producer.crashes)}, "
        f"batch {batch_time * 1000:.0f} ms, total {time.perf_counter() - started:.1f} s"
    )
    assert killed_trials >= TRIALS * 0.3, killed_trials
    assert min(producer.crashes["before_commit"], producer.crashes["after_commit"]) >= 5, producer.crashes
