"""Stock documents and commitments: how long a 5,000-line document, a 5,000-item count and single
reservations take through the real code (the HTTP API in-process for documents and reservations, the
service boundary for the count steps), and how fast the balance and valuation reads are afterwards.

Seeds a fresh database (one tenant, --sites stores, --items items), then:
- posts a --lines-line receipt document (POST /api/v1/inventory/moves), resends it (idempotent replay),
  posts a sale document of the same size and a receipt document backdated three days;
- runs a full count of the first store: create, start (freeze), --lines entries, submit, approve, post;
- makes --reservations reservations one request each, fulfils half of them and releases the rest;
- reads the balances (500 a page) and the valuation 200 times each; runs rebuild --check.
The last line is one JSON object with the figures (seconds, or milliseconds where the key says so).

    .venv/bin/python bench/documents.py --backend postgresql
    .venv/bin/python bench/documents.py --backend sqlite --lines 2000 --reservations 200
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))
from ingest_setup import SECRET, fresh_database, log, pct, seed

from boh.bootstrap import build_runtime, upgrade_database
from boh.inventory.counts import service as counts
from boh.inventory.counts.schemas import CountCreate, EntryIn
from boh.inventory.rebuild import rebuild_check
from boh.settings import Settings

URL = "/api/v1/inventory"


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    out = fn()
    return time.perf_counter() - start, out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--backend", choices=("sqlite", "postgresql"), default="postgresql")
    ap.add_argument("--sites", type=int, default=2)
    ap.add_argument("--items", type=int, default=5000)
    ap.add_argument("--lines", type=int, default=5000, help="lines per document and items counted")
    ap.add_argument("--reservations", type=int, default=1000)
    ap.add_argument("--reads", type=int, default=200)
    args = ap.parse_args()
    if args.lines > args.items:
        ap.error("--lines cannot exceed --items")

    from fastapi.testclient import TestClient

    from boh.web.app import create_app

    tmp = Path(tempfile.mkdtemp(prefix="boh-docs-"))
    url, drop = fresh_database(args.backend, tmp)
    try:
        upgrade_database(url)
        log(f"{args.backend}: seeding {args.sites} sites x {args.items} items")
        world = seed(url, args.sites, args.items, 0, stock=False)
        settings = Settings(database_url=url, secret_key=SECRET, log_json=False, data_dir=tmp)  # type: ignore[arg-type]
        settings.worker.embedded = False  # the relay would compete for the cores being measured
        runtime = build_runtime(settings)
        app = create_app(settings, runtime)
        site = world.site_ids["S001"]
        items = sorted(world.item_ids.values())[: args.lines]
        figures: dict[str, Any] = {"backend": args.backend, "lines": args.lines}
        with TestClient(app) as client:
            h = {"X-API-Key": world.key}

            def document(kind: str, sign: int, prefix: str, **extra: Any) -> float:
                moves = [
                    {"site_id": site, "item_id": i, "move_type": kind, "quantity": str(sign * 20),
                     "idempotency_key": f"{prefix}-{i}", **extra}
                    for i in items
                ]  # fmt: skip
                seconds, r = timed(lambda: client.post(f"{URL}/moves", headers=h, json={"moves": moves}))
                assert r.status_code in (200, 201), r.text[:500]
                return seconds

            figures["receipt_doc_s"] = document("receipt", 1, "rcv", unit_cost="2.50")
            figures["receipt_replay_s"] = document("receipt", 1, "rcv", unit_cost="2.50")
            figures["sale_doc_s"] = document("sale", -1, "sale")
            back = (datetime.now(UTC) - timedelta(days=3)).isoformat()
            figures["backdated_doc_s"] = document("receipt", 1, "late", unit_cost="3.00", event_at=back)
            docs = {k: round(v, 2) for k, v in figures.items() if k.endswith("_s")}
            log(f"documents of {args.lines} lines: {docs}")

            steps: dict[str, float] = {}

            def step(name: str, fn: Callable[..., Any], *a: Any) -> Any:
                with runtime.system_uow(world.tenant_id) as uow:
                    seconds, out = timed(lambda: fn(uow, *a))
                    uow.commit()
                steps[name] = seconds
                return out

            cid = step("create", counts.create_count, CountCreate(site_id=site)).id
            step("start", counts.start_count, cid)
            entries = [EntryIn(item_id=i, qty=Decimal(20) if n % 10 else Decimal(19)) for n, i in enumerate(items)]
            step("entries", counts.add_entries, cid, entries)
            step("submit", counts.submit, cid)
            step("approve", counts.approve, cid)
            posted, _warnings, _replayed = step("post", counts.post, cid)
            figures["count_post_s"] = steps["post"]
            figures["count_total_s"] = sum(steps.values())
            figures["count_moves"] = posted.moves_posted
            log(f"count of {args.lines} items: { {k: round(v, 2) for k, v in steps.items()} }")

            if args.backend == "postgresql":  # the steady state from here on: autovacuum analyzes new tables
                with runtime.engine.begin() as conn:  # within a minute (the documents and the count above ran
                    conn.exec_driver_sql("ANALYZE")  # on a first stock load, before any statistics)
            lat: dict[str, list[float]] = {"reserve": [], "fulfil": [], "release": []}

            def call(kind: str, path: str, body: dict[str, Any]) -> dict[str, Any]:
                seconds, r = timed(lambda: client.post(path, headers=h, json=body))
                assert r.status_code in (200, 201), r.text[:500]
                lat[kind].append(seconds * 1000)
                data: dict[str, Any] = r.json()
                return data

            ids = []
            for n in range(args.reservations):
                body = {"site_id": site, "item_id": items[n % len(items)], "quantity": "1",
                        "document_type": "sales_order", "document_id": f"SO-{n}",
                        "idempotency_key": f"res-{n}"}  # fmt: skip
                ids.append(call("reserve", f"{URL}/reservations", body)["id"])
            for n, rid in enumerate(ids):
                if n % 2:
                    call("fulfil", f"{URL}/reservations/{rid}/fulfil", {"idempotency_key": f"ship-{n}"})
                else:
                    body = {"reason": "bench", "idempotency_key": f"r-{n}"}
                    call("release", f"{URL}/reservations/{rid}/release", body)
            for kind, values in lat.items():
                figures[f"{kind}_p50_ms"], figures[f"{kind}_p99_ms"] = pct(values, 50), pct(values, 99)

            reads: dict[str, list[float]] = {"balances": [], "valuation": []}
            for _ in range(args.reads):
                for kind, path in (("balances", "balances"), ("valuation", "valuation")):
                    page = {"site_id": site, "limit": 500}
                    seconds, r = timed(lambda p=path, q=page: client.get(f"{URL}/{p}", headers=h, params=q))
                    assert r.status_code == 200
                    reads[kind].append(seconds * 1000)
            for kind, values in reads.items():
                figures[f"read_{kind}_p50_ms"], figures[f"read_{kind}_p99_ms"] = pct(values, 50), pct(values, 99)

        with runtime.session_factory() as session:
            seconds, diffs = timed(lambda: rebuild_check(session, world.tenant_id))
        assert diffs == [], diffs[:5]
        figures["rebuild_check_s"] = seconds
        runtime.engine.dispose()
        print(json.dumps({k: round(v, 3) if isinstance(v, float) else v for k, v in figures.items()}))
    finally:
        drop()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
