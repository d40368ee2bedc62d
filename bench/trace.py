"""Trace and recall at the demo chain's size: one year of 22 stores, a DC and a central kitchen (about 700,000
lots, three million moves), then trace latencies and a mock recall's complete packet.

    .venv/bin/python bench/trace.py            # the full year (PostgreSQL; generation takes minutes)
    .venv/bin/python bench/trace.py --quick    # a tenth of it

The year is written straight into a fresh PostgreSQL database with COPY (the shape the ledger writes:
lots, and their moves with the production batches' shared source): every day the DC receives supplier
lots and ships them to the kitchen; the kitchen makes intermediates from several raw lots, finished dishes
from an intermediate and raw lots, and meals from dishes (three levels), ships the dishes and meals to the
stores, which sell and waste them; the stores also receive direct deliveries of lot-tracked groceries
(most of the lots). Then, through the real code (boh.trace):

- one-up/one-down: ``trace(depth=1)`` forward or backward of random lots (raw, kitchen, store);
- full trace: forward of random supplier lots, backward of random meals;
- mock recall: a supplier lot's complete packet: recall.start (affected lots and sites with on hand, sold,
  in transit; a mock recall blocks nothing), the FSMA 204 sheet of the affected lots (XLSX) and their
  EPCIS 2.0 document, committed.

Targets: one-up/one-down p99 < 5 ms, full trace p99 < 50 ms, mock recall packet < 5 s. Last line: one
JSON object with ``lots``, ``trace_p99_ms``, ``full_trace_p99_ms``, ``recall_s``.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import psycopg
from bench import cpu
from bench.ingest_setup import PG_ADMIN, SECRET, fresh_database, gtin13, log, pct
from sqlalchemy import insert, select, text

from boh.bootstrap import (
    build_runtime,
    upgrade_database,
)
from boh.catalog.models import Item, ItemBarcode
from boh.org import service as org_service
from boh.org.schemas import SiteCreate
from boh.settings import Settings

START = datetime(2025, 12, 1, 6, 0, tzinfo=UTC)
MOVE_COLS = (
    "id", "tenant_id", "site_id", "item_id", "lot_id", "move_type", "reason_code", "quantity", "unit_cost", "value",
    "provisional", "currency", "counter_site_id", "source_type", "source_id", "idempotency_key", "negative",
    "event_at", "recorded_at", "actor",
)  # fmt: skip
LOT_COLS = ("id", "tenant_id", "item_id", "lot_code", "expiry_date", "status", "received_at", "on_hold", "created_at",
            "updated_at")  # fmt: skip


class Gen:
    def __init__(self, tid: int, seed: int) -> None:
        self.tid = tid
        self.rnd = random.Random(seed)
        self.lots: list[tuple[object, ...]] = []
        self.moves: list[tuple[object, ...]] = []
        self.lot_id = 0
        self.move_id = 0

    def lot(self, item: int, code: str, at: datetime, shelf_days: int) -> int:
        self.lot_id += 1
        self.lots.append((self.lot_id, self.tid, item, code, (at + timedelta(days=shelf_days)).date(), "available", at,
                          False, at, at))  # fmt: skip
        return self.lot_id

    def move(
        self, site: int, item: int, lot: int | None, kind: str, q: Decimal, at: datetime, *,
        counter: int | None = None, source: tuple[str, str] | None = None, reason: str | None = None,
    ) -> int:  # fmt: skip
        self.move_id += 1
        st, sid = source or (None, None)
        self.moves.append((self.move_id, self.tid, site, item, lot, kind, reason, q, None, Decimal(0), False, "CNY",
                           counter, st, sid, f"m{self.move_id}", False, at, at, "bench"))  # fmt: skip
        return self.move_id

    def ship(self, frm: int, to: int, item: int, lot: int, q: Decimal, at: datetime, arrive: bool = True) -> None:
        out = self.move(frm, item, lot, "transfer_out", -q, at, counter=to, source=("transfer", ""))
        if arrive:
            self.move(to, item, lot, "transfer_in", q, at + timedelta(hours=3), counter=frm,
                      source=("transfer", str(out)))  # fmt: skip


def generate(
    g: Gen, sites: dict[str, int], items: dict[str, list[int]], days: int, scale: float
) -> dict[str, list[int]]:
    rnd = g.rnd
    dc, ck = sites["DC01"], sites["CK01"]
    stores = [v for k, v in sites.items() if k.startswith("S")]
    per_day = {"raw": int(80 * scale), "mid": int(40 * scale), "dish": int(120 * scale), "meal": int(20 * scale),
               "grocery": max(1, int(80 * scale))}  # fmt: skip
    pools: dict[str, list[tuple[int, int]]] = {"raw": [], "mid": [], "dish": []}  # (item, lot) made yesterday
    kinds: dict[str, list[int]] = {"raw": [], "mid": [], "dish": [], "meal": [], "grocery": []}
    batch = 0
    for d in range(days):
        day = START + timedelta(days=d)
        fresh: dict[str, list[tuple[int, int]]] = {"raw": [], "mid": [], "dish": []}
        for n in range(per_day["raw"]):  # supplier lots at the DC, shipped to the kitchen
            item = rnd.choice(items["raw"])
            at = day + timedelta(minutes=n)
            lot = g.lot(item, f"SUP{d:03d}-{n:04d}", at, 20)
            g.move(dc, item, lot, "receipt", Decimal(100), at, source=("receipt", f"RC-{d}-{n // 20}"))
            g.ship(dc, ck, item, lot, Decimal(100), at + timedelta(hours=2))
            fresh["raw"].append((item, lot))
            kinds["raw"].append(lot)

        def produce(kind: str, inputs: list[tuple[int, int]], at: datetime, q: Decimal, d: int = d) -> tuple[int, int]:
            nonlocal batch
            batch += 1
            ref = ("production", f"B{batch}")
            item = rnd.choice(items[kind])
            for i_item, i_lot in inputs:
                g.move(ck, i_item, i_lot, "production_consume", -Decimal(rnd.randint(1, 9)), at, source=ref)
            lot = g.lot(item, f"CK01-{kind.upper()}-{d:03d}-{batch}", at, 4)
            g.move(ck, item, lot, "production_output", q, at, source=ref)
            kinds[kind].append(lot)
            return item, lot

        raw = pools["raw"] or fresh["raw"]
        for n in range(per_day["mid"]):
            ins = rnd.sample(raw, min(len(raw), rnd.randint(2, 4)))
            fresh["mid"].append(produce("mid", ins, day + timedelta(hours=8, minutes=n), Decimal(40)))
        mids = pools["mid"] or fresh["mid"]
        for n in range(per_day["dish"]):
            ins = [rnd.choice(mids), *rnd.sample(raw, min(len(raw), rnd.randint(1, 3)))]
            item, lot = produce("dish", ins, day + timedelta(hours=10, minutes=n), Decimal(48))
            fresh["dish"].append((item, lot))
            for s in rnd.sample(stores, 4):  # to four stores, sold there
                at = day + timedelta(hours=14)
                g.ship(ck, s, item, lot, Decimal(10), at, arrive=d < days - 1)
                g.move(s, item, lot, "sale", -Decimal(rnd.randint(3, 9)), at + timedelta(hours=6))
        dishes = pools["dish"] or fresh["dish"]
        for n in range(per_day["meal"]):
            ins = rnd.sample(dishes, min(len(dishes), 2))
            item, lot = produce("meal", ins, day + timedelta(hours=12, minutes=n), Decimal(20))
            s = rnd.choice(stores)
            g.ship(ck, s, item, lot, Decimal(20), day + timedelta(hours=15))
            g.move(s, item, lot, "sale", -Decimal(rnd.randint(5, 15)), day + timedelta(hours=19))
            if rnd.random() < 0.2:
                g.move(s, item, lot, "waste", -Decimal(2), day + timedelta(hours=22), reason="expired")
        for s in stores:  # direct deliveries of lot-tracked groceries: most of the lots
            for n in range(per_day["grocery"]):
                item = rnd.choice(items["grocery"])
                at = day + timedelta(hours=7, seconds=n)
                lot = g.lot(item, f"G{s}-{d:03d}-{n:03d}", at, 30)
                g.move(s, item, lot, "receipt", Decimal(24), at, source=("receipt", f"RC-{s}-{d}"))
                g.move(s, item, lot, "sale", -Decimal(rnd.randint(1, 12)), at + timedelta(hours=9))
                kinds["grocery"].append(lot)
        pools = fresh
    return kinds


def copy(url: str, table: str, cols: tuple[str, ...], rows: list[tuple[object, ...]]) -> None:
    with psycopg.connect(url) as conn, conn.cursor() as cur:
        with cur.copy(f"COPY {table} ({', '.join(cols)}) FROM STDIN") as cp:
            for r in rows:
                cp.write_row(r)
        cur.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), {len(rows) + 1})")
        conn.commit()


def seed(url: str, scale: float, days: int, seed_: int) -> tuple[int, dict[str, int], dict[str, list[int]], int, int]:
    rt = build_runtime(Settings(database_url=url, secret_key=SECRET, log_json=False))  # type: ignore[arg-type]
    with rt.system_uow(0) as uow:
        tid = org_service.create_tenant(uow, code="TRACE", name="Trace chain", name_zh="追溯连锁").id
        uow.commit()
    codes = [("DC01", "dc"), ("CK01", "kitchen"), *((f"S{i:03d}", "store") for i in range(1, 23))]
    with rt.system_uow(tid) as uow:
        sites = {
            c: org_service.create_site(uow, SiteCreate(code=c, name=f"Site {c}", name_zh=f"站点{c}", kind=k)).id
            for c, k in codes
        }  # type: ignore[arg-type]
        uow.commit()
    now = datetime.now(UTC)
    counts = {"raw": 200, "mid": 40, "dish": 120, "meal": 20, "grocery": 300}
    base = {"tenant_id": tid, "storage_class": "chilled", "perishable": True, "allergens": [], "active": True,
            "created_at": now, "updated_at": now, "name_zh": None}  # fmt: skip
    rows = [{**base, "sku": f"{k.upper()}{n:04d}", "name_en": f"{k} {n}",
             "kind": "grocery" if k == "grocery" else "fresh", "base_uom": "each" if k == "grocery" else "kg"}
            for k, c in counts.items() for n in range(c)]  # fmt: skip
    with rt.engine.begin() as conn:
        conn.execute(insert(Item), rows)
        by_sku = dict(conn.execute(select(Item.sku, Item.id).where(Item.tenant_id == tid)).all())  # type: ignore[arg-type]
        conn.execute(insert(ItemBarcode), [{"tenant_id": tid, "item_id": i, "gtin": "0" + gtin13(n), "uom": None}
                                           for n, i in enumerate(sorted(by_sku.values()), 1)])  # fmt: skip
    items = {k: [by_sku[f"{k.upper()}{n:04d}"] for n in range(c)] for k, c in counts.items()}
    rt.engine.dispose()
    g = Gen(tid, seed_)
    t0 = time.perf_counter()
    kinds = generate(g, sites, items, days, scale)
    log(f"generated {len(g.lots):,} lots and {len(g.moves):,} moves in {time.perf_counter() - t0:.0f} s; copying")
    pg = url.replace("postgresql+psycopg://", "postgresql://")
    t0 = time.perf_counter()
    copy(pg, "inventory_lot", LOT_COLS, g.lots)
    copy(pg, "inventory_move", MOVE_COLS, g.moves)
    with psycopg.connect(pg, autocommit=True) as conn:
        conn.execute("ANALYZE inventory_lot")
        conn.execute("ANALYZE inventory_move")
    log(f"copied and analyzed in {time.perf_counter() - t0:.0f} s")
    return tid, sites, kinds, len(g.lots), len(g.moves)


def kept(url: str) -> tuple[int, dict[str, list[int]], int, int]:
    """The tenant, the lots by kind (from their codes) and the counts of a database kept with --keep."""
    pg = url.replace("postgresql+psycopg://", "postgresql://")
    prefixes = (("SUP", "raw"), ("CK01-MID-", "mid"), ("CK01-DISH-", "dish"), ("CK01-MEAL-", "meal"), ("G", "grocery"))
    kinds: dict[str, list[int]] = {k: [] for _, k in prefixes}
    with psycopg.connect(pg) as conn:
        tid = conn.execute("SELECT id FROM org_tenant WHERE code = 'TRACE'").fetchone()[0]  # type: ignore[index]
        for lot_id, code in conn.execute("SELECT id, lot_code FROM inventory_lot WHERE tenant_id = %s ORDER BY id",
                                         (tid,)):  # fmt: skip
            kinds[next(k for p, k in prefixes if code.startswith(p))].append(lot_id)
        n_moves = conn.execute("SELECT count(*) FROM inventory_move").fetchone()[0]  # type: ignore[index]
    return tid, kinds, sum(len(v) for v in kinds.values()), n_moves


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="a tenth of the chain's daily volume")
    ap.add_argument("--days", type=int, default=365)
    ap.add_argument("--samples", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=16)
    ap.add_argument("--keep", action="store_true", help="keep the database (prints its URL)")
    ap.add_argument("--reuse", metavar="URL", help="measure again on a database kept with --keep")
    args = ap.parse_args()
    if args.reuse:
        run(args.reuse, *kept(args.reuse), args.samples, args.seed)
        return
    scale = 0.1 if args.quick else 1.0
    url, drop = fresh_database("postgresql", Path(tempfile.mkdtemp()))
    try:
        upgrade_database(url)
        tid, _sites, kinds, n_lots, n_moves = seed(url, scale, args.days, args.seed)
        run(url, tid, kinds, n_lots, n_moves, args.samples, args.seed)
    finally:
        if args.keep:
            print(url, file=sys.stderr)
        else:
            drop()


def run(url: str, tid: int, kinds: dict[str, list[int]], n_lots: int, n_moves: int, samples: int, seed_: int) -> None:
    from boh.trace import epcis, fsma, recall
    from boh.trace.genealogy import trace
    from boh.trace.source import LedgerSource

    rnd = random.Random(seed_ + 1)
    rt = build_runtime(Settings(database_url=url, secret_key=SECRET, log_json=False))  # type: ignore[arg-type]
    every = [lot for ks in kinds.values() for lot in ks]
    kind_of = {lot: k for k, ks in kinds.items() for lot in ks}
    by_kind: dict[str, list[float]] = {}
    one: list[float] = []
    full: list[float] = []
    # CPU per call: this process (per call) and the session's PostgreSQL backend (per series, /proc): what the
    # code costs whatever the machine's load, which mostly decides the wall-clock percentiles when it is shared
    one_cpu: list[float] = []
    kind_cpu: dict[str, list[float]] = {}
    kind_pg: dict[str, float] = {}

    def timed(lot: int, way: str, depth: int | None) -> tuple[float, float, object]:
        t0, c0 = time.perf_counter(), time.process_time()
        t = trace(src, [lot], way, depth)  # type: ignore[arg-type]
        return (time.perf_counter() - t0) * 1000, (time.process_time() - c0) * 1000, t

    with rt.session_factory() as s:
        src = LedgerSource(s, tid)
        backend = int(s.execute(text("SELECT pg_backend_pid()")).scalar_one())
        for _ in range(min(50, samples)):  # warm up
            trace(src, [rnd.choice(every)], "forward", 1)
        for n in range(samples):
            lot = rnd.choice(every)
            wall, used, _ = timed(lot, "forward" if n % 2 else "backward", 1)
            one.append(wall)
            one_cpu.append(used)
            by_kind.setdefault(kind_of[lot], []).append(wall)
        for k in kinds:  # the kitchen's lots have batches on both sides: as many of each kind
            pg0 = cpu.pid_cpu(backend)
            for n in range(max(50, samples // 10)):
                wall, used, _ = timed(rnd.choice(kinds[k]), "forward" if n % 2 else "backward", 1)
                by_kind.setdefault(k, []).append(wall)
                kind_cpu.setdefault(k, []).append(used)
            kind_pg[k] = (cpu.pid_cpu(backend) - pg0) * 1000 / len(kind_cpu[k])
        sizes = []
        full_cpu: list[float] = []
        pg0 = cpu.pid_cpu(backend)
        for n in range(max(100, samples // 3)):
            lot, way = (rnd.choice(kinds["raw"]), "forward") if n % 2 else (rnd.choice(kinds["meal"]), "backward")
            wall, used, t = timed(lot, way, None)
            full.append(wall)
            full_cpu.append(used)
            sizes.append(len(t.lots))  # type: ignore[attr-defined]
        full_pg = (cpu.pid_cpu(backend) - pg0) * 1000 / len(full)
    log(
        f"one-up/one-down: {len(one)} traces of random lots, p50 {pct(one, 50)} ms, p99 {pct(one, 99)} ms "
        f"(target < 5 ms); client CPU {sum(one_cpu) / len(one_cpu):.2f} ms a trace"
    )
    log("  by kind of lot: " + ", ".join(f"{k} p50 {pct(v, 50)} / p99 {pct(v, 99)} ms" for k, v in by_kind.items()))
    log("  CPU a trace by kind (client / PostgreSQL backend): " + ", ".join(
        f"{k} {sum(v) / len(v):.2f} / {kind_pg[k]:.2f} ms" for k, v in kind_cpu.items()))  # fmt: skip
    log(f"full trace: {len(full)} traces of {min(sizes)}-{max(sizes)} lots (mean {sum(sizes) / len(sizes):.1f}), "
        f"p50 {pct(full, 50)} ms, p99 {pct(full, 99)} ms (target < 50 ms); CPU a trace: client "
        f"{sum(full_cpu) / len(full_cpu):.2f} ms (p99 {pct(full_cpu, 99)} ms), PostgreSQL backend "
        f"{full_pg:.2f} ms")  # fmt: skip

    supplier_lot = rnd.choice(kinds["raw"][len(kinds["raw"]) // 2 :])
    t0 = time.perf_counter()
    with rt.system_uow(tid) as uow:
        r = recall.start(uow, recall.Origin(lot_ids=(supplier_lot,)), reason="bench drill", mock=True)
        found = recall.affected(uow.session, tid, [supplier_lot])
        moves = [m for ms in found.moves.values() for m in ms]
        sheet = fsma.to_xlsx(fsma.rows_for(uow.session, tid, moves, "https://boh.example"))
        doc = json.dumps(epcis.document(epcis.events(uow.session, tid, moves, "https://boh.example")))
        uow.commit()
    recall_s = time.perf_counter() - t0
    log(f"mock recall {r.number}: {r.summary['lots']} lots at {r.summary['sites']} sites, FSMA sheet "
        f"{len(sheet):,} bytes, EPCIS {len(doc):,} bytes: {recall_s:.2f} s (target < 5 s)")  # fmt: skip
    load = os.getloadavg()
    log(f"{n_lots:,} lots, {n_moves:,} moves; load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} "
        f"on {os.cpu_count()} CPUs")  # fmt: skip
    rt.engine.dispose()
    print(json.dumps({
        "lots": n_lots, "moves": n_moves, "trace_p50_ms": pct(one, 50), "trace_p99_ms": pct(one, 99),
        "full_trace_p50_ms": pct(full, 50), "full_trace_p99_ms": pct(full, 99), "recall_s": round(recall_s, 3),
        "trace_client_cpu_ms": round(sum(one_cpu) / len(one_cpu), 3),
        "full_trace_client_cpu_ms": round(sum(full_cpu) / len(full_cpu), 3), "full_trace_pg_cpu_ms": round(full_pg, 3),
        "recall_lots": r.summary["lots"], "load_avg_1m": round(load[0], 2), "pg": PG_ADMIN.rsplit("@", 1)[-1],
    }))  # fmt: skip


if __name__ == "__main__":
    main()
