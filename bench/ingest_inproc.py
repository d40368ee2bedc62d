"""Floor-event ingestion at the service boundary (no HTTP, no broker): where the time of a batch goes.

Seeds a fresh database like bench/ingest.py, then calls ``boh.inventory.ingest.service.ingest`` in one
process with batches of --batch events and commits each, measuring wall time and this process's CPU time
(the rest of the wall time is the database). ``--profile`` prints a cProfile of the run. The last line is
one JSON object: events_per_s, python_cpu_us_per_event, db_wait_us_per_event, backend.

    .venv/bin/python bench/ingest_inproc.py --backend postgresql --events 40000 --batch 2000
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from ingest_setup import SECRET, fresh_database, log, seed

from boh.bootstrap import build_runtime, upgrade_database
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
    ap.add_argument("--sql", action="store_true", help="print the time spent per SQL statement")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="boh-bench-"))
    url, drop = fresh_database(args.backend, tmp)
    try:
        upgrade_database(url)
        world = seed(url, args.sites, args.items, 0, stock=args.stock)
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

        evs = generate_events(random.Random(1), world.snapshot, args.events, parse_mix(args.mix))
        batches = [evs[i : i + args.batch] for i in range(0, len(evs), args.batch)]
        log(f"{args.backend}: {len(evs)} events in {len(batches)} batches")
        prof = cProfile.Profile(time.process_time) if args.profile else None
        wall, cpu = time.perf_counter(), time.process_time()
        if prof:
            prof.enable()
        accepted = 0
        for b in batches:
            with rt.system_uow(world.tenant_id) as uow:
                accepted += service.ingest(uow, b).accepted
                uow.commit()
        if prof:
            prof.disable()
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
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
        print(
            json.dumps(
                {
                    "events_per_s": round(n / wall),
                    "accepted": accepted,
                    "python_cpu_us_per_event": round(cpu / n * 1e6, 1),
                    "db_wait_us_per_event": round((wall - cpu) / n * 1e6, 1),
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


if __name__ == "__main__":
    main()
