"""The today page with the demo chain: how long it takes to render, and how many SQL statements it runs.

Loads the demo chain into a fresh database (PostgreSQL by default), runs ANALYZE, then requests ``GET /``
in-process (the real app, middleware and templates) --reads times as a store manager (one site: the store
view) and as the HQ admin (every site side by side), after two warm-up requests each. Counts the SQL
statements of one request per role: a fixed number whatever the number of sites (no query per site).
The last line is one JSON object with the figures (milliseconds).

    .venv/bin/python bench/today.py                       # PostgreSQL on 127.0.0.1:5432
    .venv/bin/python bench/today.py --backend sqlite --reads 20
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))
from fastapi.testclient import TestClient
from ingest_setup import SECRET, fresh_database, log, pct
from sqlalchemy import event, text

from boh.bootstrap import build_runtime, upgrade_database
from boh.demo import DEMO_PASSWORD, load_demo
from boh.settings import Settings, WorkerSettings

USERS = {"store_manager": "demo.sm.sh01", "hq_admin": "demo.admin"}


def _measure(client: TestClient, engine: Any, username: str, reads: int) -> dict[str, Any]:
    client.cookies.clear()
    page = client.get("/login").text  # the CSRF token is bound to the session: read it from the form
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    csrf = found.group(1) if found else ""
    r = client.post("/login", data={"username": username, "password": DEMO_PASSWORD, "csrf_token": csrf},
                    follow_redirects=False)  # fmt: skip
    assert r.status_code == 303, r.text
    for _ in range(2):
        assert client.get("/").status_code == 200
    statements: list[str] = []

    def count(*_a: Any) -> None:
        statements.append("x")

    event.listen(engine, "before_cursor_execute", count)
    page = client.get("/")
    event.remove(engine, "before_cursor_execute", count)
    assert page.status_code == 200 and 'data-testid="todos"' in page.text
    times, base = [], []
    for _ in range(reads):
        start = time.perf_counter()
        assert client.get("/").status_code == 200
        times.append((time.perf_counter() - start) * 1000)
        start = time.perf_counter()  # the same session on a page with one small query: the shell's own cost
        assert client.get("/notifications").status_code == 200
        base.append((time.perf_counter() - start) * 1000)
    return {"p50_ms": pct(times, 50), "p95_ms": pct(times, 95), "max_ms": round(max(times), 2),
            "shell_p50_ms": pct(base, 50), "statements": len(statements), "bytes": len(page.content)}  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--backend", choices=("sqlite", "postgresql"), default="postgresql")
    ap.add_argument("--reads", type=int, default=50)
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="boh-bench-today-"))
    url, drop = fresh_database(args.backend, tmp)
    try:
        upgrade_database(url)
        settings = Settings(database_url=url, data_dir=tmp, secret_key=SECRET, log_json=False,
                            worker=WorkerSettings(embedded=False))  # type: ignore[arg-type]  # fmt: skip
        rt = build_runtime(settings)
        log("loading the demo chain")
        start = time.perf_counter()
        load_demo(rt)
        log(f"demo loaded in {time.perf_counter() - start:.1f} s")
        if args.backend == "postgresql":
            with rt.engine.connect() as conn:
                conn.execute(text("ANALYZE"))
                conn.commit()
        from boh.web.app import create_app

        results: dict[str, Any] = {"backend": args.backend, "reads": args.reads, "cpus": os.cpu_count()}
        with TestClient(create_app(settings, rt)) as client:
            for role, username in USERS.items():
                results[role] = _measure(client, rt.engine, username, args.reads)
                r = results[role]
                log(f"{role:14s} GET /: p50 {r['p50_ms']} ms, p95 {r['p95_ms']} ms, {r['statements']} SQL statements "
                    f"(GET /notifications, the console shell's own cost: p50 {r['shell_p50_ms']} ms)")  # fmt: skip
        rt.engine.dispose()
    finally:
        drop()
    print(json.dumps(results))


if __name__ == "__main__":
    main()
