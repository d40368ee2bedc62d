"""Floor-event ingestion at the service boundary (no HTTP, no broker): where the time of a batch goes.

Seeds a fresh database like bench/ingest.py, then calls ``boh.inventory.ingest.service.ingest`` in one
process with batches of --batch events and commits each, measuring wall time and this process's CPU time
(the rest of the wall time is the database). ``--profile`` prints a cProfile of the run. The last line is
one JSON object: events_per_s, python_cpu_us_per_event (gc_us_per_event of it in the cyclic garbage
collector), db_wait_us_per_event, db_cpu_us_per_event (CPU of the PostgreSQL backends), backend.

    .venv/bin/python bench/ingest_inproc.py --backend postgresql --events 40000 --batch 2000
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import gc
import json
import os
import pstats
import random
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))
from cpu import _stat as cpu_stat
from ingest_setup import SECRET, log, seeded

from boh.bootstrap import build_runtime
from boh.inventory.ingest import service
from boh.settings import Settings
from boh.simulate.generator import generate_events, parse_mix


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--backend", choices=("sqlite", "postgresql"), default="postgresql")
    ap.add_argument("--events", type=int, default=40_000)
    ap.add_argument("--batch", type=int, default=2000)
    ap.add_argument("--sites", type=int, default=20)
    ap.add_argument("--items", type=int, default=5000)
    ap.add_argument("--mix", default="pos=0.7,rfid=0.3")
    ap.add_argument("--stock", action=argparse.BooleanOptionalAction, default=True)
    ap.add_argument("--profile", action="store_true")
    ap.add_argument("--keep", action="store_true", help="keep the database (its URL is printed)")
    ap.add_argument("--reuse-seed", action="store_true", help="clone a kept seeded template (see bench/ingest.py)")
    ap.add_argument("--sql", action="store_true", help="print the time spent per SQL statement")
    ap.add_argument(
        "--asgi",
        action="store_true",
        help="send each batch as a JSON body through the web app (ASGI, no sockets), with the device key and one "
        "site per batch as bench/ingest.py does: the HTTP server's whole Python path (routing, middleware, "
        "key check, body decoding, response), minus uvicorn's HTTP parsing",
    )
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="boh-bench-"))
    url, drop, world = seeded(args.backend, tmp, args.sites, args.items, 0, stock=args.stock, reuse=args.reuse_seed)
    try:
        rt = build_runtime(Settings(database_url=url, secret_key=SECRET, log_json=False))  # type: ignore[arg-type]
        sql_times: dict[str, list[float]] = {}
        if args.sql:
            from sqlalchemy import event

            @event.listens_for(rt.engine, "before_cursor_execute")
            def _before(conn, cursor, statement, params, context, executemany):  # type: ignore[no-untyped-def]
                conn.info["t0"] = time.perf_counter()

            @event.listens_for(rt.engine, "after_cursor_execute")
            def _after(conn, cursor, statement, params, context, executemany):  # type: ignore[no-untyped-def]
                key = " ".join(statement.split())[:90]
                sql_times.setdefault(key, []).append(time.perf_counter() - conn.info["t0"])

        backends: set[int] = set()  # the PostgreSQL backends of the run's connections: their CPU is read from /proc
        if args.backend == "postgresql":
            from sqlalchemy import event as sa_event

            @sa_event.listens_for(rt.engine, "connect")
            def _pid(dbapi_conn, _record):  # type: ignore[no-untyped-def]
                with dbapi_conn.cursor() as cur:
                    cur.execute("SELECT pg_backend_pid()")
                    backends.add(cur.fetchone()[0])
                    dbapi_conn.rollback()  # no transaction left open (the web app sets autocommit on some connections)

            rt.engine.dispose()  # every connection of the run is a new one, seen by the listener

        def db_cpu() -> float:
            return sum(st[1] for pid in backends if (st := cpu_stat(pid)) is not None)

        db_times: dict[str, list[float]] = {}
        if args.sql and args.backend == "postgresql":
            _db_cpu_per_statement(db_cpu, db_times)

        evs = generate_events(random.Random(1), world.snapshot, args.events, parse_mix(args.mix))
        batches = [evs[i : i + args.batch] for i in range(0, len(evs), args.batch)]
        send = _asgi_sender(rt, world.key, evs, args.batch) if args.asgi else None
        log(f"{args.backend}: {len(evs)} events in {len(batches)} batches")
        prof = cProfile.Profile(time.process_time) if args.profile else None
        gc_cpu = [0.0, 0.0]  # seconds in the cyclic garbage collector during the run, start of the current pass

        def _gc(phase: str, _info: dict[str, int]) -> None:
            if phase == "start":
                gc_cpu[1] = time.process_time()
            else:
                gc_cpu[0] += time.process_time() - gc_cpu[1]

        gc.collect()
        gc.callbacks.append(_gc)
        with rt.system_uow(world.tenant_id):
            pass  # open the run's first connection before the clock starts
        wall, cpu, db0 = time.perf_counter(), time.process_time(), db_cpu()
        if prof:
            prof.enable()
        accepted = 0
        if send is not None:
            accepted = send()
        for b in batches if send is None else ():
            with rt.system_uow(world.tenant_id) as uow:
                accepted += service.ingest(uow, b).accepted
                uow.commit()
        if prof:
            prof.disable()
        wall, cpu, db = time.perf_counter() - wall, time.process_time() - cpu, db_cpu() - db0
        gc.callbacks.remove(_gc)
        if prof:
            stats = pstats.Stats(prof)
            stats.sort_stats(os.environ.get("BOH_PROF_SORT", "cumulative")).print_stats(45)
            by_package: dict[str, float] = {}
            for (path, _line, _fn), (_cc, _nc, tottime, _ct, _callers) in stats.stats.items():  # type: ignore[attr-defined]
                package = "boh" if "/boh/" in path else path.split("site-packages/")[-1].split("/")[0]
                by_package[package] = by_package.get(package, 0.0) + tottime
            for package, seconds in sorted(by_package.items(), key=lambda kv: -kv[1])[:10]:
                print(f"{seconds * 1e6 / len(evs):8.1f} us/event own time in {package}")
        rt.engine.dispose()
        n = len(evs)
        for key, ts in sorted(sql_times.items(), key=lambda kv: -sum(kv[1]))[:25]:
            print(f"{sum(ts) * 1e6 / n:8.1f} us/event {len(ts):6d}x  {key}")
        if db_times:
            print("PostgreSQL backend CPU per statement (clock ticks: use many events):")
        for key, ts in sorted(db_times.items(), key=lambda kv: -sum(kv[1]))[:25]:
            print(f"{sum(ts) * 1e6 / n:8.1f} us/event {len(ts):6d}x  {key}")
        print(
            json.dumps(
                {
                    "events_per_s": round(n / wall),
                    "accepted": accepted,
                    "python_cpu_us_per_event": round(cpu / n * 1e6, 1),
                    "db_wait_us_per_event": round((wall - cpu) / n * 1e6, 1),
                    "gc_us_per_event": round(gc_cpu[0] / n * 1e6, 1),
                    "db_cpu_us_per_event": round(db / n * 1e6, 1) if backends else None,
                    "backend": args.backend,
                    "batch": args.batch,
                }
            )
        )
    finally:
        if args.keep:
            log(f"kept {url}")
        else:
            drop()
        shutil.rmtree(tmp, ignore_errors=True)


def _asgi_sender(rt: Any, key: str, evs: list[Any], batch: int) -> Callable[[], int]:
    """A function that posts the events through the web app as bench/ingest.py's HTTP clients do (one site per
    batch, the bodies encoded beforehand), and returns the events accepted. The app is built and warmed first."""
    import asyncio

    from ingest import http_batches

    from boh.http.routing import warm_routes
    from boh.kernel import gcpause
    from boh.web.app import create_app

    app = create_app(rt.settings, rt)
    warm_routes(app)  # the lifespan's start-up, without its embedded worker
    gcpause.freeze_once()
    bodies = [json.dumps({"events": job[1]}).encode() for plan in http_batches(evs, 1, batch, [], True) for job in plan]
    path = "/api/v1/inventory/events"

    async def post(body: bytes) -> int:
        scope = {
            "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST", "scheme": "http",
            "path": path, "raw_path": path.encode(), "query_string": b"", "root_path": "",
            "client": ("127.0.0.1", 50000), "server": ("127.0.0.1", 8000),
            "headers": [(b"host", b"bench"), (b"content-type", b"application/json"), (b"x-api-key", key.encode()),
                        (b"content-length", str(len(body)).encode())],
        }  # fmt: skip
        sent = False
        chunks: list[bytes] = []
        status = [0]

        async def receive() -> dict[str, Any]:
            nonlocal sent
            if sent:
                await asyncio.Event().wait()  # the client stays connected
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}

        async def reply(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                status[0] = message["status"]
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))

        await app(scope, receive, reply)
        if status[0] != 200:
            raise RuntimeError(f"HTTP {status[0]}: {b''.join(chunks)[:300]!r}")
        return int(json.loads(b"".join(chunks))["accepted"])

    async def run() -> int:
        return sum([await post(b) for b in bodies])

    return lambda: asyncio.run(run())


def _db_cpu_per_statement(db_cpu: Callable[[], float], out: dict[str, list[float]]) -> None:
    """Charge the backends' CPU to each statement the driver runs (SQLAlchemy's and the raw cursors')."""
    import psycopg

    execute, copy = psycopg.Cursor.execute, psycopg.Cursor.copy

    def timed_execute(self, query, *a, **kw):  # type: ignore[no-untyped-def]
        t0 = db_cpu()
        try:
            return execute(self, query, *a, **kw)
        finally:
            key = " ".join(str(query if isinstance(query, str) else query.as_string(self)).split())[:90]
            out.setdefault(key, []).append(db_cpu() - t0)

    @contextlib.contextmanager
    def timed_copy(self, statement, *a, **kw):  # type: ignore[no-untyped-def]
        t0 = db_cpu()
        try:
            with copy(self, statement, *a, **kw) as cp:
                yield cp
        finally:
            key = " ".join(str(statement if isinstance(statement, str) else statement.as_string(self)).split())
            out.setdefault(key[:90], []).append(db_cpu() - t0)

    psycopg.Cursor.execute = timed_execute  # type: ignore[method-assign]
    psycopg.Cursor.copy = timed_copy  # type: ignore[method-assign,assignment]


if __name__ == "__main__":
    main()
