"""Spreadsheet imports: how fast hostile files are refused, and whether the server keeps answering meanwhile.

1. In process: each bomb of tests/xlsx_bombs.py through ``read_table`` (median of --runs), and its peak
   Python allocation (tracemalloc); a legitimate 5,000-row CSV and XLSX parsed the same way.
2. A real server (uvicorn in a thread, a fresh SQLite database): one client posts the bombs and a 5,000-item
   file to POST /api/v1/catalog/items/import again and again while another asks GET /healthz every 20 ms;
   prints the health latency during the imports (p50/p99/max) and the 5,000-item import and re-import times.

    .venv/bin/python bench/imports.py            # about a minute
    .venv/bin/python bench/imports.py --quick

JSON keys: ``refuse_ms`` (per bomb), ``refuse_peak_mb`` (per bomb), ``parse_5000_csv_ms``,
``parse_5000_xlsx_ms``, ``import_5000_s``, ``reimport_5000_s``, ``health_p50_ms``, ``health_p99_ms``,
``health_max_ms``, ``health_requests``, ``bomb_posts``.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import socket
import statistics
import sys
import tempfile
import threading
import time
import tracemalloc
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.xlsx_bombs import BOMBS, small_xlsx

from boh.kernel.errors import ValidationFailed
from boh.kernel.tabular import read_table

PASSWORD = "bench-password-1"


def pct(values: list[float], p: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, round(p / 100 * (len(s) - 1)))] if s else 0.0


def items_rows(n: int) -> list[list[object]]:
    rows: list[list[object]] = [["sku", "name_en", "name_zh", "kind", "base_uom", "allergens", "uoms"]]
    rows += [[f"B{i:05d}", f"Bulk item {i}", f"批量{i}", "grocery", "each", "nuts", "case=24"] for i in range(n)]
    return rows


def refusals(runs: int) -> tuple[dict[str, float], dict[str, float]]:
    ms, peak = {}, {}
    for name, (make, limit) in BOMBS.items():
        data, times = make(), []
        for _ in range(runs):
            start = time.perf_counter()
            try:
                read_table("bomb.xlsx", data)
                raise SystemExit(f"{name} was not refused")
            except ValidationFailed as exc:
                assert exc.extra.get("limit") == limit, exc.detail
            times.append(time.perf_counter() - start)
        tracemalloc.start()
        with contextlib.suppress(ValidationFailed):
            read_table("bomb.xlsx", data)
        peak[name] = round(tracemalloc.get_traced_memory()[1] / 2**20, 1)
        tracemalloc.stop()
        ms[name] = round(statistics.median(times) * 1000, 1)
        print(f"{name:<20} {len(data) / 1024:>8.0f} KB  refused ({limit}) in {ms[name]:>7.1f} ms, peak {peak[name]} MB")
    return ms, peak


def parse_times(rows: list[list[object]]) -> tuple[float, float]:
    csv_data = "\n".join(",".join(str(c) for c in r) for r in rows).encode()
    xlsx_data = small_xlsx(rows)
    out = []
    for name, data in (("items.csv", csv_data), ("items.xlsx", xlsx_data)):
        start = time.perf_counter()
        _, parsed = read_table(name, data)
        assert len(parsed) == len(rows) - 1
        out.append(round((time.perf_counter() - start) * 1000, 1))
    print(f"5,000-row file parsed: CSV {out[0]} ms, XLSX {out[1]} ms")
    return out[0], out[1]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def serve(tmp: Path) -> tuple[str, object]:
    import uvicorn

    from boh.bootstrap import build_runtime, upgrade_database
    from boh.org import service
    from boh.org.schemas import RoleGrant, UserCreate
    from boh.settings import Settings, WorkerSettings
    from boh.web.app import create_app

    url = f"sqlite:///{tmp / 'bench.sqlite3'}"
    upgrade_database(url)
    settings = Settings(
        database_url=url, data_dir=tmp, secret_key="bench-secret-key-long-enough-for-hs256-signing", log_json=False,
        log_level="WARNING", worker=WorkerSettings(embedded=False),
    )  # type: ignore[arg-type]  # fmt: skip
    rt = build_runtime(settings)
    with rt.system_uow(0) as uow:
        t = service.create_tenant(uow, code="BENCH", name="Bench")
        uow.commit()
        tid = t.id
    with rt.system_uow(tid) as uow:
        service.create_user(uow, UserCreate(username="boss", display_name="Boss", password=PASSWORD,
                                            roles=[RoleGrant(role="hq_admin")]))  # type: ignore[arg-type]  # fmt: skip
        uow.commit()
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(settings, rt), host="127.0.0.1", port=port, log_level="warning"))
    threading.Thread(target=server.run, daemon=True).start()
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                return base, server
        except httpx.HTTPError:
            time.sleep(0.05)
    raise SystemExit("the server did not start")


def server_run(rounds: int, rows: list[list[object]]) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        base, server = serve(Path(tmp))
        token = httpx.post(f"{base}/api/v1/auth/token", data={"username": "boss", "password": PASSWORD}).json()
        h = {"Authorization": f"Bearer {token['access_token']}"}
        bombs = [make() for make, _ in BOMBS.values()]
        legit = "\n".join(",".join(str(c) for c in r) for r in rows).encode()
        stop, health, posts, imports = threading.Event(), [], [0], []

        def poster() -> None:
            with httpx.Client(base_url=base, headers=h, timeout=120) as c:
                for i in range(rounds):
                    for data in bombs:
                        r = c.post("/api/v1/catalog/items/import", files={"file": ("b.xlsx", data)})
                        assert r.status_code == 422 and r.json()["code"] == "import.file_limit", r.text[:200]
                        posts[0] += 1
                    if i < 2:  # create, then re-import unchanged
                        start = time.perf_counter()
                        r = c.post("/api/v1/catalog/items/import", files={"file": ("items.csv", legit)})
                        assert r.status_code == 200, r.text[:300]
                        imports.append(time.perf_counter() - start)
            stop.set()

        t = threading.Thread(target=poster)
        t.start()
        with httpx.Client(base_url=base, timeout=30) as c:
            while not stop.is_set():
                start = time.perf_counter()
                assert c.get("/healthz").status_code == 200
                health.append((time.perf_counter() - start) * 1000)
                time.sleep(0.02)
        t.join()
        server.should_exit = True  # type: ignore[attr-defined]
    out = {
        "import_5000_s": round(imports[0], 2),
        "reimport_5000_s": round(imports[1], 2),
        "health_p50_ms": round(pct(health, 50), 1),
        "health_p99_ms": round(pct(health, 99), 1),
        "health_max_ms": round(max(health), 1),
        "health_requests": len(health),
        "bomb_posts": posts[0],
    }
    print(
        f"server: {posts[0]} bomb posts and 2 imports of 5,000 items ({out['import_5000_s']} s, re-import "
        f"{out['reimport_5000_s']} s); /healthz meanwhile p50 {out['health_p50_ms']} ms, p99 {out['health_p99_ms']} "
        f"ms, max {out['health_max_ms']} ms over {len(health)} requests"
    )
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    runs, rounds = (2, 2) if args.quick else (args.runs, 5)
    ms, peak = refusals(runs)
    rows = items_rows(5000)
    csv_ms, xlsx_ms = parse_times(rows)
    figures = {"refuse_ms": ms, "refuse_peak_mb": peak, "parse_5000_csv_ms": csv_ms, "parse_5000_xlsx_ms": xlsx_ms}
    figures |= server_run(rounds, rows)
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
