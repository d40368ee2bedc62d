"""Paces a generator at a target rate and hands the events to a sink, with concurrent senders."""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from boh.simulate.generator import Event, FloorGenerator
from boh.simulate.sinks import SendFailed, SendStats, Sink


@dataclass
class RunStats:
    sent: SendStats = field(default_factory=SendStats)
    seconds: float = 0.0
    failed_batches: int = 0

    @property
    def rate(self) -> float:
        return self.sent.events / self.seconds if self.seconds else 0.0

    def line(self) -> str:
        s = self.sent
        return (
            f"{s.events} events in {self.seconds:.1f} s ({self.rate:.0f}/s): accepted {s.accepted}, "
            f"duplicates {s.duplicates}, rejected {s.rejected}, retries {s.retries}, failed batches "
            f"{self.failed_batches}"
        )


def _sender(sink: Sink, work: queue.Queue[list[Event] | None], stats: RunStats, lock: threading.Lock) -> None:
    while (batch := work.get()) is not None:
        try:
            got = sink.send(batch)
        except SendFailed as exc:
            with lock:
                stats.failed_batches += 1
                stats.sent.errors.append(str(exc))
            continue
        with lock:
            stats.sent.add(got)


def run_floor(
    gen: FloorGenerator,
    sink: Sink,
    *,
    rate: float,
    duration: float,
    batch_max: int = 5000,
    tick: float = 0.25,
    senders: int = 2,
    echo: Callable[[str], None] | None = None,
) -> RunStats:
    """Generate ``rate`` events/s for ``duration`` seconds, in batches of up to ``batch_max`` per tick."""
    stats, lock = RunStats(), threading.Lock()
    work: queue.Queue[list[Event] | None] = queue.Queue(maxsize=senders * 4)
    threads = [threading.Thread(target=_sender, args=(sink, work, stats, lock), daemon=True) for _ in range(senders)]
    for t in threads:
        t.start()
    started = last_echo = time.monotonic()
    made = 0
    while (elapsed := time.monotonic() - started) < duration:
        due = int(rate * elapsed) - made
        while due > 0:
            n = min(due, batch_max)
            work.put(gen.next_events(n))
            made, due = made + n, due - n
        if echo and time.monotonic() - last_echo >= 5:
            last_echo = time.monotonic()
            with lock:
                echo(f"{elapsed:5.1f} s  generated {made}, sent {stats.sent.events}, accepted {stats.sent.accepted}")
        time.sleep(tick)
    for _ in threads:
        work.put(None)
    for t in threads:
        t.join()
    stats.seconds = time.monotonic() - started
    return stats
