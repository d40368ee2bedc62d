"""Cold-chain readings through the real ingestion path (validation, exactly-once storage, the detector
re-judging each unit touched, excursions reconciled, lots flagged) against a seeded simulator.

Creates a fresh database (a SQLite file, or a new PostgreSQL database with --backend postgresql), one tenant
with --units units over 10 stores (two fridges for each freezer; defrost at 02:00 and 14:00), then feeds
--days days of 1-minute readings from ``boh.coldchain.simulator`` (defrost cycles, door openings, dropouts
and labelled real excursions), an hour of every unit per batch (what a site gateway would send), one
transaction per batch. Prints:

- readings_per_s: readings ingested per second of wall time (validation, storage, detection, commits; the
  simulator making the readings is not timed);
- precision / recall: excursion alerts against the simulator's labels (an alert is correct when it overlaps a
  labelled excursion of its unit); dropouts reported against the labelled dropouts;
- alerts_per_excursion: alerts per labelled excursion that was found (the target is exactly 1).

The last line is one JSON object.

    .venv/bin/python bench/coldchain.py                 # 50 units x 10 days = 500 sensor-days
    .venv/bin/python bench/coldchain.py --quick         # 10 units x 2 days
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import cpu  # bench/cpu.py (the script's directory is on the path)
import scratchdb  # bench/scratchdb.py
from sqlalchemy import select

from boh.bootstrap import build_runtime, upgrade_database
from boh.coldchain import service
from boh.coldchain.models import Excursion, Unit
from boh.coldchain.schemas import DefrostWindow, SensorCreate, UnitCreate
from boh.coldchain.simulator import DEFROST, Simulator
from boh.org import service as org
from boh.org.schemas import SiteCreate
from boh.settings import Settings, WorkerSettings

APP = "boh-bench-coldchain"
PG = os.environ.get("BOH_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")


def _setup(rt, sim: Simulator) -> tuple[int, dict[int, str]]:  # type: ignore[no-untyped-def]
    with rt.system_uow(0) as uow:
        tenant = org.create_tenant(uow, code="COLD", name="Cold Chain Bench", name_zh="冷链")
        uow.commit()
        tid = tenant.id
    defrost = [DefrostWindow(start=f"{s // 60:02d}:{s % 60:02d}", minutes=n) for s, n in DEFROST]
    codes: dict[int, str] = {}
    with rt.system_uow(tid) as uow:
        sites = [org.create_site(uow, SiteCreate(code=f"S{n:03d}", name=f"Store {n}", kind="store", timezone="UTC"))
                 for n in range(10)]  # fmt: skip
        for n, u in enumerate(sim.units):
            unit = service.create_unit(uow, UnitCreate(site_id=sites[n % 10].id, code=u.code, name=f"{u.kind} {u.code}",
                                                       kind=u.kind, defrost=defrost))  # fmt: skip
            service.add_sensor(uow, unit.id, SensorCreate(code=u.temp_sensor, kind="temperature"))
            service.add_sensor(uow, unit.id, SensorCreate(code=u.door_sensor, kind="door"))
            codes[unit.id] = u.code
        uow.commit()
    return tid, codes


def _score(found: list[tuple[str, datetime, datetime | None]], labels: list[tuple[str, datetime, datetime]]
           ) -> tuple[float, float, float]:  # fmt: skip
    far = datetime.max.replace(tzinfo=UTC)

    def hit(f: tuple[str, datetime, datetime | None], lab: tuple[str, datetime, datetime]) -> bool:
        return f[0] == lab[0] and f[1] <= lab[2] and lab[1] <= (f[2] or far)

    true_alerts = sum(1 for f in found if any(hit(f, lab) for lab in labels))
    hits = [sum(1 for f in found if hit(f, lab)) for lab in labels]
    found_labels = sum(1 for h in hits if h)
    precision = true_alerts / len(found) if found else 1.0
    recall = found_labels / len(labels) if labels else 1.0
    per = sum(hits) / found_labels if found_labels else 0.0
    return precision, recall, per


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--backend", choices=["sqlite", "postgresql"], default="sqlite")
    ap.add_argument("--units", type=int, default=50)
    ap.add_argument("--days", type=int, default=10)
    ap.add_argument("--seed", type=int, default=16)
    ap.add_argument("--batch-minutes", type=int, default=60)
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args()
    if args.quick:
        args.units, args.days = 10, 2
    start = datetime(2026, 11, 1, tzinfo=UTC)
    sim = Simulator(args.seed, units=args.units, days=args.days, start=start)
    with tempfile.TemporaryDirectory() as tmp:
        url, pg_name = scratchdb.create(args.backend, Path(tmp), "cc", APP)
        try:
            upgrade_database(url)
            settings = Settings(
                database_url=url, data_dir=Path(tmp) / "data", secret_key="bench-secret-key-long-enough-for-hs256",
                log_json=False, worker=WorkerSettings(embedded=False),
            )  # type: ignore[arg-type]  # fmt: skip
            rt = build_runtime(settings)
            tid, codes = _setup(rt, sim)
            readings = 0
            pg0 = cpu.backend_cpu(PG, APP) if pg_name else {}
            elapsed = used = sim_s = 0.0
            for first in range(0, sim.minutes, args.batch_minutes):
                s0 = time.process_time()
                batch = [
                    r for minute in sim.minutes_of(first, min(first + args.batch_minutes, sim.minutes)) for r in minute
                ]
                sim_s += time.process_time() - s0
                # only ingestion is timed: the simulator making the readings is the devices' work, not BOH's
                t0, cpu0 = time.perf_counter(), time.process_time()
                with rt.system_uow(tid, request_id="bench") as uow:
                    result = service.ingest(uow, batch, transport="bench")
                    uow.commit()
                elapsed, used = elapsed + time.perf_counter() - t0, used + time.process_time() - cpu0
                assert not result.rejected, result.rejected[:3]
                readings += result.accepted
            pg_cpu = cpu.delta(pg0, cpu.backend_cpu(PG, APP)) if pg_name else 0.0
            with rt.session_factory() as s:
                rows = s.execute(
                    select(Excursion.unit_id, Excursion.kind, Excursion.started_at, Excursion.ended_at)
                ).all()
                assert s.scalar(select(Unit.id).limit(1)) is not None
            rt.engine.dispose()
        finally:
            scratchdb.drop(pg_name)
    alerts = [(codes[r.unit_id], r.started_at, r.ended_at) for r in rows if r.kind == "temperature"]
    gaps = [(codes[r.unit_id], r.started_at, r.ended_at) for r in rows if r.kind == "dropout"]
    precision, recall, per = _score(alerts, sim.labels())
    d_precision, d_recall, _ = _score(gaps, sim.dropout_labels())
    rate = readings / elapsed
    print(f"backend {args.backend}: {args.units} units x {args.days} days = {args.units * args.days} sensor-days")
    load = os.getloadavg()
    print(f"readings ingested: {readings} in {elapsed:.1f} s = {rate:,.0f} readings/s (target >= 5,000)")
    if pg_cpu:
        print(f"CPU of the PostgreSQL backends: {pg_cpu:.1f} s; with this process "
              f"{readings / (used + pg_cpu):,.0f} readings per CPU-second")  # fmt: skip
    print(f"simulator (not timed): {sim_s:.1f} CPU-s")
    print(f"CPU of this process: {used:.1f} s = {readings / used:,.0f} readings per CPU-second; "
          f"{os.cpu_count()} cores, load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}")  # fmt: skip
    print(f"excursions labelled {len(sim.labels())}, alerts {len(alerts)}: precision {precision:.2f}, "
          f"recall {recall:.2f}, alerts per excursion {per:.2f}")  # fmt: skip
    print(f"dropouts labelled {len(sim.dropout_labels())}, reported {len(gaps)}: precision {d_precision:.2f}, "
          f"recall {d_recall:.2f}")  # fmt: skip
    print(json.dumps({"readings": readings, "readings_per_s": round(rate), "precision": round(precision, 4),
                      "recall": round(recall, 4), "alerts_per_excursion": round(per, 4), "backend": args.backend,
                      "readings_per_cpu_s": round(readings / used), "pg_backend_cpu_s": round(pg_cpu, 1),
                      "load_avg_1m": round(load[0], 1),
                      "dropout_precision": round(d_precision, 4), "dropout_recall": round(d_recall, 4)}))  # fmt: skip


if __name__ == "__main__":
    main()
