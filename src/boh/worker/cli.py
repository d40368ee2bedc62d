"""``boh worker`` and ``boh jobs list|run``, mounted on the root Typer app by boh.cli.main.

The runtime is handed in (``register(app, make_runtime)``) because the worker does not import the
composition root.
"""

from __future__ import annotations

import json
import logging
import signal
import threading
from collections.abc import Callable
from typing import Annotated, Any

import typer

from boh.worker.builtin import build_registry
from boh.worker.jobs import UnknownJob, WorkerRuntime
from boh.worker.scheduler import execute, schedule_rows, sync_schedules


def parse_args(pairs: list[str]) -> dict[str, Any]:
    """``key=value`` pairs; values are JSON when they parse as JSON (numbers, true, lists), else text."""
    out: dict[str, Any] = {}
    for pair in pairs:
        key, sep, raw = pair.partition("=")
        if not sep or not key:
            raise typer.BadParameter(f"expected key=value, got {pair!r}", param_hint="--arg")
        try:
            out[key] = json.loads(raw)
        except ValueError:
            out[key] = raw
    return out


def _wait_for_signal() -> None:
    stop = threading.Event()

    def _handler(signum: int, _frame: object) -> None:
        typer.echo(f"received signal {signum}, stopping", err=True)
        stop.set()

    signal.signal(signal.SIGTERM, _handler)
    signal.signal(signal.SIGINT, _handler)
    while not stop.wait(1.0):
        pass


def run_worker(rt: WorkerRuntime, *, threads: int, once: bool, broker_url: str | None) -> None:
    from boh.worker.embedded import EmbeddedWorker

    registry = build_registry(rt.settings)
    url = broker_url or rt.settings.broker_url
    if not url:
        worker = EmbeddedWorker(rt, registry)
        if once:
            worker.run_once()
            return
        typer.echo("worker running without a broker (outbox relay and jobs in this process)")
        worker.start()
        _wait_for_signal()
        worker.stop()
        return
    from boh.worker.broker import BrokerTransport, BrokerWorker, setup_broker

    bw = BrokerWorker(BrokerTransport(rt, registry, setup_broker(url)), threads=threads)
    if once:
        bw.run_once()
        bw.transport.broker.close()
        return
    typer.echo(f"worker running with broker {url.split('@')[-1]}, {threads} threads")
    bw.start()
    _wait_for_signal()
    bw.stop()


def register(app: typer.Typer, make_runtime: Callable[[], WorkerRuntime]) -> None:
    jobs_app = typer.Typer(help="Background jobs: schedules and runs.", no_args_is_help=True)
    app.add_typer(jobs_app, name="jobs")

    @app.command("worker")
    def worker(
        threads: Annotated[int, typer.Option(min=1, help="Worker threads consuming the broker")] = 8,
        once: Annotated[bool, typer.Option(help="Relay the outbox and run (or send) due jobs once, then exit")] = False,
        broker_url: Annotated[str | None, typer.Option(help="Overrides BOH_BROKER_URL")] = None,
    ) -> None:
        """Relay the outbox and run scheduled jobs. With a broker, several workers share the work."""
        from boh.http.observability import configure_logging

        rt = make_runtime()
        configure_logging(rt.settings.log_level, rt.settings.log_json)
        logging.getLogger("pika").setLevel(logging.WARNING)  # connection chatter at INFO
        run_worker(rt, threads=threads, once=once, broker_url=broker_url)

    @jobs_app.command("list")
    def jobs_list() -> None:
        """Every job, its schedule, next run and last result."""
        rt = make_runtime()
        registry = build_registry(rt.settings)
        sync_schedules(rt.session_factory, registry)
        rows = schedule_rows(rt.session_factory)
        for job in registry:
            row = rows.get(job.name)
            spec = job.schedule.spec if job.schedule else "on demand"
            nxt = row.next_run_at.isoformat(timespec="seconds") if row else "-"
            last = (
                f"{row.last_status} at {row.last_run_at.isoformat(timespec='seconds')}"
                if row and row.last_run_at and row.last_status
                else "never"
            )
            typer.echo(f"{job.name:<24} {spec:<28} next {nxt:<26} last {last}")
            if row and row.last_error:
                typer.echo(f"{'':<24} last error: {row.last_error}")

    @jobs_app.command("run")
    def jobs_run(
        name: Annotated[str, typer.Argument(help="Job name, see `boh jobs list`")],
        arg: Annotated[list[str] | None, typer.Option(help="key=value argument, repeatable")] = None,
    ) -> None:
        """Run a job now in this process and print its result (exit 1 if it failed)."""
        registry = build_registry()
        try:
            registry.get(name)
        except UnknownJob as exc:
            typer.echo(str(exc), err=True)
            raise typer.Exit(2) from None
        outcome = execute(make_runtime(), registry, name, parse_args(arg or []))
        typer.echo(
            json.dumps(
                {"run_id": outcome.run_id, "status": outcome.status, "result": outcome.result}, ensure_ascii=False
            )
        )
        if outcome.status != "ok":
            typer.echo(f"failed: {outcome.error}", err=True)
            raise typer.Exit(1)
