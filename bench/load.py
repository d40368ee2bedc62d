"""A chain's busy hour against one server: open-loop reads by console/API users and event batches by store
devices, at the same time.

By default it makes a fresh PostgreSQL database next to BOH_BENCH_POSTGRES_URL, loads the demo chain
(``boh demo``), starts ``boh serve`` on it (``--workers``), and drops the database at the end; ``--url``
points it at a running server instead (with the demo chain loaded). Then, for ``--seconds``:

- ``--users`` (40) users each open a stock list (GET /api/v1/inventory/balances of a store), an item page
  (GET /api/v1/catalog/items/{id}) or a move history (GET /api/v1/inventory/moves of a store and item),
  about once a second each (exponential think time, mean 1/``--user-rate`` s). Open loop: a request is sent
  when it is due, whether or not the user's previous one has answered;
- ``--devices`` (10) store devices each post a batch of ``--batch`` (100) POS/RFID events every second
  (POST /api/v1/inventory/events with a key bound to their store).

A 5xx or a timeout (``--timeout`` s) is an error. It prints requests, errors, read p50/p99 and write
p50/p99. ``--find-capacity`` then raises the users' total read rate step by step (``--step-seconds`` each,
the devices still posting) until read p99 passes 300 ms or errors appear, and prints the last rate that
held. The last line is one JSON object: ``users``, ``devices``, ``seconds``, ``requests``, ``errors``,
``read_p50_ms``, ``read_p99_ms``, ``write_p50_ms``, ``write_p99_ms``, ``read_capacity_rps`` (null without
``--find-capacity``), ``load_average``.

    .venv/bin/python bench/load.py --quick                  # under a minute
    .venv/bin/python bench/load.py                          # 60 s of the default load
    .venv/bin/python bench/load.py --find-capacity
    .venv/bin/python bench/load.py --url http://127.0.0.1:8000 --seconds 30
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from ingest_setup import env_for, free_port, fresh_database, log, pct, stop

from boh.demo.refs import DEMO_PASSWORD, DEMO_TENANT_CODE
from boh.simulate.generator import FloorGenerator
from boh.simulate.snapshot import snapshot_from_api

READ_P99_TARGET_MS = 300.0
BOH = str(Path(sys.executable).parent / "boh")  # the console script (python -m boh.cli.main runs nothing)


@dataclass
class Stats:
    reads: list[float] = field(default_factory=list)
    writes: list[float] = field(default_factory=list)
    errors: int = 0
    requests: int = 0
    error_samples: list[str] = field(default_factory=list)


@dataclass
class World:
    base: str
    token: str
    sites: list[int]
    items: list[int]
    devices: list[tuple[str, FloorGenerator]]  # (API key, events of its store)


async def timed(client: httpx.AsyncClient, stats: Stats, kind: str, method: str, url: str, **kw: Any) -> None:
    start = time.perf_counter()
    stats.requests += 1
    try:
        r = await client.request(method, url, **kw)
        ok = r.status_code < 500
        if not ok and len(stats.error_samples) < 5:
            stats.error_samples.append(f"{method} {url}: {r.status_code} {r.text[:120]}")
    except httpx.HTTPError as exc:
        ok = False
        if len(stats.error_samples) < 5:
            stats.error_samples.append(f"{method} {url}: {type(exc).__name__}")
    ms = (time.perf_counter() - start) * 1000
    if not ok:
        stats.errors += 1
    (stats.reads if kind == "read" else stats.writes).append(ms)


def read_request(w: World, rng: random.Random) -> tuple[str, dict[str, Any]]:
    roll = rng.random()
    site, item = rng.choice(w.sites), rng.choice(w.items)
    if roll < 0.5:
        return "/api/v1/inventory/balances", {"site_id": site, "limit": 50}
    if roll < 0.8:
        return f"/api/v1/catalog/items/{item}", {}
    return "/api/v1/inventory/moves", {"site_id": site, "item_id": item, "limit": 50}


async def user(w: World, client: httpx.AsyncClient, stats: Stats, rate: float, end: float, seed: int) -> None:
    rng, tasks = random.Random(seed), set()
    headers = {"Authorization": f"Bearer {w.token}"}
    due = time.perf_counter() + rng.expovariate(rate)
    while due < end:
        await asyncio.sleep(max(0.0, due - time.perf_counter()))
        url, params = read_request(w, rng)
        t = asyncio.create_task(timed(client, stats, "read", "GET", url, params=params, headers=headers))
        tasks.add(t)
        t.add_done_callback(tasks.discard)
        due += rng.expovariate(rate)
    if tasks:
        await asyncio.gather(*tasks)


async def device(
    key: str, gen: FloorGenerator, client: httpx.AsyncClient, stats: Stats, batch: int, end: float
) -> None:
    tasks = set()
    due = time.perf_counter() + random.random()
    while due < end:
        await asyncio.sleep(max(0.0, due - time.perf_counter()))
        body = {"events": gen.next_events(batch)}
        t = asyncio.create_task(
            timed(client, stats, "write", "POST", "/api/v1/inventory/events", json=body, headers={"X-API-Key": key})
        )
        tasks.add(t)
        t.add_done_callback(tasks.discard)
        due += 1.0
    if tasks:
        await asyncio.gather(*tasks)


async def run_load(w: World, users: int, user_rate: float, batch: int, seconds: float, timeout: float) -> Stats:
    stats = Stats()
    limits = httpx.Limits(max_connections=500, max_keepalive_connections=200)
    async with httpx.AsyncClient(base_url=w.base, timeout=timeout, limits=limits) as client:
        end = time.perf_counter() + seconds
        jobs = [user(w, client, stats, user_rate, end, seed=n) for n in range(users)]
        jobs += [device(key, gen, client, stats, batch, end) for key, gen in w.devices]
        await asyncio.gather(*jobs)
    return stats


def summary(stats: Stats) -> dict[str, Any]:
    return {
        "requests": stats.requests,
        "errors": stats.errors,
        "read_p50_ms": pct(stats.reads, 50),
        "read_p99_ms": pct(stats.reads, 99),
        "write_p50_ms": pct(stats.writes, 50),
        "write_p99_ms": pct(stats.writes, 99),
    }


def prepare(base: str, devices: int) -> World:
    with httpx.Client(base_url=base, timeout=60) as c:
        r = c.post("/api/v1/auth/token", data={"username": "demo.admin", "password": DEMO_PASSWORD})
        r.raise_for_status()
        token = r.json()["access_token"]
        c.headers["Authorization"] = f"Bearer {token}"
        stores = [s for s in c.get("/api/v1/org/sites", params={"limit": 500}).json()["items"] if s["kind"] == "store"]
        items = [i["id"] for i in c.get("/api/v1/catalog/items", params={"limit": 500}).json()["items"]]
        snap = snapshot_from_api(c, DEMO_TENANT_CODE, [s["code"] for s in stores[:devices]])
        keys = []
        for s in stores[:devices]:
            body = {"name": f"load {s['code']}", "site_id": s["id"], "permissions": ["inventory.events.write"]}
            r = c.post("/api/v1/org/api-keys", json=body)
            r.raise_for_status()
            keys.append(r.json()["key"])
    gens = []
    for n, (key, site) in enumerate(zip(keys, snap.sites, strict=False)):
        one = type(snap)(tenant=snap.tenant, sites=(site,))  # each device sends its own store's events
        gens.append((key, FloorGenerator(random.Random(n), one, mix={"pos": 0.7, "rfid": 0.3})))
    return World(base, token, [s["id"] for s in stores], items, gens)


def start(tmp: Path, workers: int) -> tuple[Any, str, subprocess.Popen[bytes]]:
    url, drop = fresh_database("postgresql", tmp)
    try:
        return _serve(url, tmp, workers, drop)
    except BaseException:
        drop()  # a failed start leaves no database behind
        raise


def _serve(url: str, tmp: Path, workers: int, drop: Any) -> tuple[Any, str, subprocess.Popen[bytes]]:
    env = {**env_for(url, tmp), "BOH_AUTH__ACCESS_TOKEN_MINUTES": "240"}
    log("loading the demo chain (boh demo)")
    subprocess.run([BOH, "demo"], env=env, check=True, stdout=subprocess.DEVNULL)
    port = free_port()
    cmd = [BOH, "serve", "--port", str(port), "--no-init", "--workers", str(workers)]
    proc = subprocess.Popen(cmd, env=env)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/readyz", timeout=2).status_code == 200:
                return drop, base, proc
        except httpx.TransportError:
            pass
        time.sleep(0.3)
    stop(proc)
    raise SystemExit("boh serve did not become ready within 90 s")


def find_capacity(w: World, args: argparse.Namespace) -> float | None:
    rate, last_ok = args.users * args.user_rate, None
    while True:
        stats = asyncio.run(run_load(w, args.users, rate / args.users, args.batch, args.step_seconds, args.timeout))
        s = summary(stats)
        p99 = s["read_p99_ms"] or 0.0
        log(f"step {rate:.0f} reads/s: read p99 {p99} ms, write p99 {s['write_p99_ms']} ms, {s['errors']} errors")
        if p99 > READ_P99_TARGET_MS or s["errors"]:
            return last_ok
        last_ok = rate
        rate *= 1.25


def parse_args() -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--url", help="a running server with the demo chain (default: start one)")
    ap.add_argument("--users", type=int, default=40)
    ap.add_argument("--user-rate", type=float, default=1.0, help="reads per second per user")
    ap.add_argument("--devices", type=int, default=10)
    ap.add_argument("--batch", type=int, default=100)
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--timeout", type=float, default=10)
    ap.add_argument("--workers", type=int, default=2, help="boh serve --workers (when it starts the server)")
    ap.add_argument("--find-capacity", action="store_true")
    ap.add_argument("--step-seconds", type=float, default=20)
    ap.add_argument("--quick", action="store_true", help="20 s of load (capacity steps of 10 s)")
    args = ap.parse_args()
    if args.quick:
        args.seconds, args.step_seconds = 20, 10
    return args


def main() -> None:
    args = parse_args()
    load_avg = os.getloadavg()
    with tempfile.TemporaryDirectory() as tmp:
        drop, proc = None, None
        base = args.url
        if base is None:
            drop, base, proc = start(Path(tmp), args.workers)
        try:
            w = prepare(base, args.devices)
            log(f"load: {args.users} users at {args.user_rate}/s, {len(w.devices)} devices x {args.batch} events/s")
            stats = asyncio.run(run_load(w, args.users, args.user_rate, args.batch, args.seconds, args.timeout))
            s = summary(stats)
            print(
                f"requests {s['requests']}, errors {s['errors']}, read p50 {s['read_p50_ms']} ms "
                f"p99 {s['read_p99_ms']} ms, write p50 {s['write_p50_ms']} ms p99 {s['write_p99_ms']} ms "
                f"({len(stats.reads)} reads, {len(stats.writes)} writes)"
            )
            for sample in stats.error_samples:
                print("  error:", sample)
            capacity = find_capacity(w, args) if args.find_capacity else None
            if args.find_capacity:
                print(f"read capacity (p99 <= {READ_P99_TARGET_MS:.0f} ms): {capacity} reads/s")
        finally:
            if proc is not None:
                stop(proc)
            if drop is not None:
                drop()
    out = {"users": args.users, "devices": args.devices, "seconds": args.seconds, **s,
           "read_capacity_rps": None if capacity is None else round(capacity, 1),
           "load_average": [round(x, 2) for x in load_avg]}  # fmt: skip
    print(json.dumps(out))


if __name__ == "__main__":
    main()
