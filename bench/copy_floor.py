"""The floor under the ingestion path: how fast PostgreSQL takes only the rows every floor event must write.

bench/ingest.py compares ingestion with a plain COPY of the same events into a bare table. This script asks
how close to that reference ANY implementation of the ledger could come, whatever its language: it COPYs,
from one client, the same number of events

1. into a bare table of the event's columns (no index, no key): the reference of bench/ingest.py;
2. into the exactly-once claim table (``inventory_ingested_event``: its key and its unique (source, event id));
3. into the stock ledger (``inventory_move``: its key, its unique idempotency key and the indexes that a
   site's and an item's history and traceability read);
4. into both, one claim and one move per event, in the same transactions: what a sale writes here;
5. a leaner ledger than BOH's, set-based: the events COPY'd into a temporary table, then one move per event
   into a ledger with no index but its unique idempotency key (which is then also the exactly-once claim: no
   claim table, no history index), and the events' sums added to a (site, item) balance, both by one
   statement each: about the least any ledger that keeps a balance current per event can write.

No validation, no balance, no cost, no RFID, no HTTP and no Python logic: rows already built, formatted by
psycopg in C. Whatever the ingestion does on top of step 4 can only be slower. Each step runs twice: in one
transaction, like the reference of bench/ingest.py, and in a transaction per 2,000 events, like the ingestion,
which must commit a batch before it acknowledges it. Each runs ``--runs`` times on emptied tables (the median
is kept) in a fresh migrated database, dropped at the end.

    .venv/bin/python bench/copy_floor.py                 # 200,000 events, 3 runs
    .venv/bin/python bench/copy_floor.py --events 50000 --runs 1

The last line is one JSON object: ``bare_rows_per_s``, ``claim_rows_per_s``, ``move_rows_per_s``,
``claim_and_move_events_per_s`` and each one's ``ratio_*`` to the bare COPY, in one transaction; the same keys
prefixed ``batched_`` for the transactions of 2,000 events.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent))
from ingest_setup import fresh_database, log

from boh.bootstrap import upgrade_database

BATCH = 2000
BARE_COLS = ("event_id", "source", "site", "kind", "code", "qty", "occurred_at", "epc", "zone", "receipt_id", "line")
CLAIM_COLS = ("tenant_id", "source", "event_id", "kind", "site_id", "transport", "occurred_at", "ingested_at")
MOVE_COLS = (
    "tenant_id", "site_id", "item_id", "lot_id", "move_type", "reason_code", "quantity", "unit_cost", "currency",
    "counter_site_id", "source_type", "source_id", "idempotency_key", "negative", "event_at", "recorded_at", "actor",
)  # fmt: skip


def rows_for(
    n: int, sites: int, items: int
) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """Sale events of a chain (``sites`` stores, ``items`` items) as the bare, claim and move rows."""
    start = datetime(2026, 12, 1, 8, tzinfo=UTC)
    bare, claims, moves = [], [], []
    for k in range(n):
        site, item = k % sites + 1, (k * 7919) % items + 1
        at = start + timedelta(milliseconds=k * 3)
        source, event_id = f"pos-S{site:03d}", f"S{site:03d}-{k:09d}"
        receipt = f"R{site:03d}-{k // 4:08d}"
        bare.append(
            (event_id, source, f"S{site:03d}", "sale", f"SKU{item:06d}", Decimal(1), at, None, None, receipt, k % 4)
        )
        claims.append((1, source, event_id, "sale", site, "http", at, at))
        moves.append(
            (1, site, item, None, "sale", None, Decimal(-1), Decimal("2.350000"), "CNY", None, "pos_receipt", receipt,
             f"ev:{source}:{event_id}", False, at, at, f"device:{source}")
        )  # fmt: skip
    return bare, claims, moves


def copy_in(
    conn: psycopg.Connection[Any],
    parts: Sequence[tuple[str, Sequence[str], Sequence[tuple[Any, ...] | None]]],
    batch: int,
) -> float:
    """COPY the parts' rows ``batch`` events a transaction: seconds. Rows COPY'd into ``bench_stage`` are
    applied to the lean ledger (step 5)."""
    n = len(parts[0][2])
    started = time.perf_counter()
    for lo in range(0, n, batch):
        with conn.transaction(), conn.cursor() as cur:
            for table, cols, rows in parts:
                if table == "bench_stage":
                    cur.execute(
                        "CREATE TEMP TABLE IF NOT EXISTS bench_stage (LIKE inventory_move INCLUDING DEFAULTS) "
                        "ON COMMIT DELETE ROWS"
                    )
                with cur.copy(f"COPY {table} ({', '.join(cols)}) FROM STDIN") as cp:
                    for r in rows[lo : lo + batch]:
                        if r is not None:  # an event without a row of this table
                            cp.write_row(r)
                if table == "bench_stage":
                    cur.execute(f"INSERT INTO bench_move_min SELECT * FROM bench_stage {LEAN_MOVE}")
                    cur.execute(LEAN_BALANCE)
    return time.perf_counter() - started


LEAN_MOVE = "ORDER BY idempotency_key ON CONFLICT (tenant_id, idempotency_key) DO NOTHING"
LEAN_BALANCE = (
    "INSERT INTO bench_balance AS b (tenant_id, site_id, item_id, lot_key, on_hand, reserved, in_transit, on_order, "
    "updated_at) SELECT tenant_id, site_id, item_id, 0, sum(quantity), 0, 0, 0, now() FROM bench_stage "
    "GROUP BY tenant_id, site_id, item_id ORDER BY site_id, item_id "
    "ON CONFLICT (tenant_id, site_id, item_id, lot_key) DO UPDATE SET on_hand = b.on_hand + excluded.on_hand, "
    "updated_at = excluded.updated_at"
)


def median_rate(runs: int, n: int, reset: Callable[[], None], go: Callable[[], float]) -> float:
    rates = []
    for _ in range(runs):
        reset()
        rates.append(n / go())
    return statistics.median(rates)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--events", type=int, default=200_000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--sites", type=int, default=20)
    ap.add_argument("--items", type=int, default=5000)
    args = ap.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="boh-floor-"))
    url, drop = fresh_database("postgresql", tmp)
    try:
        upgrade_database(url)
        bare, claims, moves = rows_for(args.events, args.sites, args.items)
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(
                "CREATE TABLE bench_bare (event_id text, source text, site text, kind text, code text, qty numeric, "
                "occurred_at timestamptz, epc text, zone text, receipt_id text, line int)"
            )

            n = args.events
            conn.execute(
                "CREATE TABLE bench_move_min (LIKE inventory_move INCLUDING DEFAULTS, "
                "UNIQUE (tenant_id, idempotency_key))"
            )
            conn.execute("CREATE TABLE bench_balance (LIKE inventory_balance INCLUDING ALL)")
            conn.execute(
                "INSERT INTO bench_balance (tenant_id, site_id, item_id, lot_key, on_hand, reserved, in_transit, "
                "on_order, updated_at) SELECT 1, s, i, 0, 1000, 0, 0, 0, now() "
                "FROM generate_series(1, %s) s, generate_series(1, %s) i",
                (args.sites, args.items),
            )
            conn.execute("VACUUM ANALYZE bench_balance")

            def reset() -> None:
                conn.execute("TRUNCATE bench_bare, inventory_ingested_event, inventory_move, bench_move_min")
                conn.execute("CHECKPOINT")

            steps = {
                "bare_rows_per_s": [("bench_bare", BARE_COLS, bare)],
                "claim_rows_per_s": [("inventory_ingested_event", CLAIM_COLS, claims)],
                "move_rows_per_s": [("inventory_move", MOVE_COLS, moves)],
                "claim_and_move_events_per_s": [
                    ("inventory_ingested_event", CLAIM_COLS, claims),
                    ("inventory_move", MOVE_COLS, moves),
                ],
                "lean_ledger_events_per_s": [("bench_stage", MOVE_COLS, moves)],
            }
            out: dict[str, Any] = {}
            for prefix, batch in (("", n), ("batched_", BATCH)):
                for name, parts in steps.items():
                    rate = median_rate(args.runs, n, reset, lambda p=parts, b=batch: copy_in(conn, p, b))  # type: ignore[misc]
                    out[prefix + name] = round(rate)
                    log(f"{prefix}{name}: {out[prefix + name]:,}")
                bare_rate = out[prefix + "bare_rows_per_s"]
                for name in list(steps)[1:]:
                    short = name.removesuffix("_rows_per_s").removesuffix("_events_per_s")
                    out[f"{prefix}ratio_{short}"] = round(out[prefix + name] / bare_rate, 4)
                log(
                    f"{'in transactions of 2,000 events' if prefix else 'in one transaction'}: one claim and one "
                    f"move per event and nothing else reach {out[prefix + 'ratio_claim_and_move']:.1%} of the bare "
                    f"COPY ({out[prefix + 'claim_and_move_events_per_s']:,} events/s against {bare_rate:,} rows/s); "
                    f"the lean ledger {out[prefix + 'ratio_lean_ledger']:.1%}"
                )
        out.update({"events": args.events, "runs": args.runs, "batch": BATCH})
        print(json.dumps(out))
    finally:
        drop()


if __name__ == "__main__":
    main()
