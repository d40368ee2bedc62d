"""The embedded worker: outbox relay and scheduled jobs in daemon threads of the current process.

``boh serve`` runs it when no broker is configured (``lifespan_hooks``), and ``boh worker`` without a
broker runs the same loops in the foreground. Several processes may run it against one database: the
outbox claim and the schedule claim are atomic, so they share the work instead of repeating it.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from boh.kernel.outbox import relay_once
from boh.worker.builtin import build_registry
from boh.worker.jobs import JobRegistry, WorkerRuntime
from boh.worker.scheduler import run_due, sync_schedules

log = logging.getLogger("boh.worker")

MAX_BACKOFF_SECONDS = 30.0


class PollingLoop:
    """Calls ``step`` every ``poll_seconds`` in a daemon thread until stopped.

    ``step`` returns True when it had a full batch (call again at once). An exception (database or broker
    down) is logged and the loop backs off exponentially up to 30 s, then carries on.
    """

    def __init__(self, name: str, step: Callable[[], bool], poll_seconds: float) -> None:
        self.name = name
        self.step = step
        self.poll_seconds = poll_seconds
        self.stopping = threading.Event()
        self.thread: threading.Thread | None = None
        self.failures = 0

    def start(self) -> None:
        if self.thread is not None and self.thread.is_alive():
            return
        self.stopping.clear()
        self.thread = threading.Thread(target=self.run, name=self.name, daemon=True)
        self.thread.start()

    def run(self) -> None:
        while not self.stopping.is_set():
            self.stopping.wait(self.tick())

    def tick(self) -> float:
        """One step; returns how long to wait before the next."""
        try:
            more = self.step()
        except Exception as exc:
            self.failures += 1
            delay = min(self.poll_seconds * 2.0 ** min(self.failures, 10), MAX_BACKOFF_SECONDS)
            log.warning("%s failed (%s: %s); retrying in %.1fs", self.name, type(exc).__name__, exc, delay)
            return delay
        if self.failures:
            log.info("%s recovered after %d failures", self.name, self.failures)
        self.failures = 0
        return 0.0 if more else self.poll_seconds

    def stop(self, timeout: float = 10.0) -> None:
        self.stopping.set()
        if self.thread is not None:
            self.thread.join(timeout)
            if self.thread.is_alive():
                log.warning("%s still busy after %.0fs; left to finish as a daemon thread", self.name, timeout)
            self.thread = None


class EmbeddedWorker:
    """Relays the outbox to in-process handlers and runs due scheduled jobs, in two daemon threads
    (a long job never delays event delivery)."""

    def __init__(self, runtime: WorkerRuntime, registry: JobRegistry) -> None:
        self.runtime = runtime
        self.registry = registry
        poll = runtime.settings.worker.poll_seconds
        self.loops = [
            PollingLoop("boh-outbox-relay", self.relay_step, poll),
            PollingLoop("boh-scheduler", self.schedule_step, poll),
        ]
        self._synced = False

    def relay_step(self) -> bool:
        cfg = self.runtime.settings.worker
        done = relay_once(
            self.runtime.session_factory,
            self.runtime.system_uow,
            self.runtime.bus,
            batch_size=cfg.batch_size,
            max_attempts=cfg.max_attempts,
        )
        return done >= cfg.batch_size

    def schedule_step(self) -> bool:
        if not self._synced:
            sync_schedules(self.runtime.session_factory, self.registry)
            self._synced = True
        run_due(self.runtime, self.registry)
        return False

    def run_once(self) -> None:
        """One relay pass and one scheduler pass in the calling thread (``boh worker --once``)."""
        while self.relay_step():
            pass
        self.schedule_step()

    def start(self) -> None:
        for loop in self.loops:
            loop.start()
        log.info("embedded worker started (%d jobs)", len(list(self.registry)))

    def stop(self, timeout: float = 10.0) -> None:
        for loop in self.loops:
            loop.stopping.set()
        for loop in self.loops:
            loop.stop(timeout)
        log.info("embedded worker stopped")

    @property
    def running(self) -> bool:
        return any(loop.thread is not None and loop.thread.is_alive() for loop in self.loops)


def _noop() -> None:
    return None


def lifespan_hooks(
    runtime: WorkerRuntime, registry: JobRegistry | None = None
) -> tuple[Callable[[], None], Callable[[], None]]:
    """(start, stop) for the web app's lifespan: the embedded worker when no broker is configured and
    ``settings.worker.embedded`` is on; no-ops otherwise (then ``boh worker`` does the work)."""
    settings = runtime.settings
    if settings.broker_url or not settings.worker.embedded:
        return _noop, _noop
    worker = EmbeddedWorker(runtime, registry or build_registry(settings))
    return worker.start, worker.stop
