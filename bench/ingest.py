"""Floor-event ingestion through the real path (HTTP API or MQTT -> validation, dedup, moves, balances).

Creates a fresh database (SQLite file or a new PostgreSQL database) with one tenant, --sites sites and
--items items (bulk inserts), starts a real uvicorn server in a subprocess (and `boh ingest mqtt` for the
MQTT transport), pushes --events events (POS + RFID mix from boh.simulate.generate_events) with several
concurrent HTTP clients (or publishes them to Mosquitto), and measures:

- events_per_s: events applied per second of wall time (first send -> last event committed)
- visible_p50/p99_ms: accepted (HTTP 200 / broker PUBACK) -> visible in GET /api/v1/inventory/balances; each
  probe is a sale of a fresh probe item added to every few batches, polled until its balance shows -1
- read_p99_ms: GET /api/v1/inventory/balances?site_id&item_id latency while ingestion runs
- copy_rows_per_s: the same rows loaded by a plain PostgreSQL COPY into a bare table (the old reference)
- floor_events_per_s: the rows every event must write and nothing else (its exactly-once claim, and the
  move of a sale or return) COPY'd into copies of the real tables with their indexes, in transactions of
  2,000 events on one connection: the floor no implementation can beat (bench/copy_floor.py explains it);
  ratio_to_floor = events_per_s / floor_events_per_s
- cpu_us_per_event: CPU time of the ingest server processes and of their PostgreSQL backends, per event
  (HTTP; read from /proc: the reads of the concurrent reader and the outbox relay are not counted, see
  cpu_us_per_event_relay for the relay's share)
- floor_cpu_us_per_event: the floor's CPU time per event (the COPYing process and its PostgreSQL backend);
  cpu_ratio_to_floor = floor_cpu_us_per_event / cpu_us_per_event, the path's CPU efficiency against the floor

The last line printed is one JSON object. See bench/README.md.

    .venv/bin/python bench/ingest.py --quick
    .venv/bin/python bench/ingest.py --backend postgresql --transport both --events 200000
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import queue
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import cpu
import httpx
import psycopg
from ingest_setup import (
    PG_ADMIN,
    TENANT,
    Probe,
    World,
    env_for,
    log,
    pct,
    seeded,
    start_server,
    start_worker,
    stop,
)
from sqlalchemy import create_engine, func, select

from boh.simulate.generator import Event, generate_events, topic_kind


# --------------------------------------------------------------------------------------------- measurements
class Latencies:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.values: list[float] = []

    def add(self, ms: float) -> None:
        with self.lock:
            self.values.append(ms)


def _read_balances(base: str, key: str, pairs: list[tuple[int, int]], stop: Any, out: Any) -> None:
    client = httpx.Client(base_url=base, headers={"X-API-Key": key}, timeout=30)
    rng, lat = random.Random(7), []
    while not stop.is_set():
        sid, iid = rng.choice(pairs)
        t = time.perf_counter()
        r = client.get("/api/v1/inventory/balances", params={"site_id": sid, "item_id": iid})
        lat.append((time.perf_counter() - t) * 1000)
        r.raise_for_status()
        time.sleep(0.01)
    out.put(lat)


class Reader:
    """Reads random balances while ingestion runs: the latency a store manager's screen sees. In its own
    process: in this one, the reads would wait for the GIL behind the load generator's JSON encoding."""

    def __init__(self, base: str, key: str, world: World) -> None:
        pairs = [
            (sid, world.item_ids[i.sku]) for sid in world.site_ids.values() for i in world.snapshot.sites[0].items[:200]
        ]
        ctx = multiprocessing.get_context("spawn")
        self.stop, self.out = ctx.Event(), ctx.Queue()
        self.proc = ctx.Process(target=_read_balances, args=(base, key, pairs, self.stop, self.out), daemon=True)
        self.values: list[float] = []

    def start(self) -> None:
        self.proc.start()

    def finish(self) -> None:
        self.stop.set()
        self.values = self.out.get(timeout=60)
        self.proc.join(10)


class Prober:
    """Polls each probe item's balance from the moment its event was accepted until it shows the sale
    (enough pollers that probes rarely wait for one: a waiting probe would inflate the figure)."""

    def __init__(self, base: str, key: str, threads: int = 8) -> None:
        self.work: queue.Queue[tuple[Probe, float] | None] = queue.Queue()
        self.lat = Latencies()
        self.deadline = float("inf")
        self.threads = [threading.Thread(target=self._run, args=(base, key), daemon=True) for _ in range(threads)]
        for t in self.threads:
            t.start()

    def _run(self, base: str, key: str) -> None:
        client = httpx.Client(base_url=base, headers={"X-API-Key": key}, timeout=30)
        while (job := self.work.get()) is not None:
            probe, accepted = job
            while True:
                r = client.get(
                    "/api/v1/inventory/balances", params={"site_id": probe.site_id, "item_id": probe.item_id}
                )
                items = r.json()["items"]
                if items and Decimal(items[0]["on_hand"]) == -1:
                    self.lat.add((time.perf_counter() - accepted) * 1000)
                    break
                if time.perf_counter() > self.deadline:
                    log(f"probe {probe.sku} did not become visible")
                    break
                time.sleep(0.005)

    def close(self, grace: float = 60.0) -> None:
        """Wait for the pending probes, at most ``grace`` seconds more."""
        self.deadline = time.perf_counter() + grace
        for _ in self.threads:
            self.work.put(None)
        for t in self.threads:
            t.join()


def probe_event(p: Probe) -> Event:
    return {
        "event_id": f"probe-{p.sku}",
        "source": "bench:probe",
        "site": p.site_code,
        "kind": "sale",
        "sku": p.sku,
        "qty": "1",
        "occurred_at": datetime.now(UTC).isoformat(),
        "receipt_id": f"probe-{p.sku}",
        "line": 1,
    }


def pace(started: float, done_events: int, rate: float) -> None:
    """Sleep until ``done_events`` are due at ``rate`` events/s (no pacing when rate is 0)."""
    if rate > 0:
        delay = started + done_events / rate - time.perf_counter()
        if delay > 0:
            time.sleep(delay)


def http_batches(
    evs: list[Event], clients: int, batch: int, probes: list[Probe], by_site: bool
) -> list[list[tuple[int, list[Event], Probe | None]]]:
    """The batches each client sends, as (events sent before it by that client, events, probe).

    ``by_site``: a batch holds one site's events and each site is sent by one client, as a store's POS hub or
    RFID controller does (device keys are bound to their site). Otherwise the stream is cut in order, every
    batch spanning all sites, and the clients take batches in turn."""
    if by_site:
        per_site: dict[str, list[Event]] = {}
        for e in evs:
            per_site.setdefault(str(e["site"]), []).append(e)
        streams = [(n % clients, site_evs) for n, (_, site_evs) in enumerate(sorted(per_site.items()))]
    else:
        streams = [(0, evs)]
    rounds = max((len(stream) + batch - 1) // batch for _, stream in streams)
    cut: list[tuple[int, list[Event]]] = [  # round-robin over the sites: each site's events stay in order
        (owner, stream[r * batch : (r + 1) * batch]) for r in range(rounds) for owner, stream in streams
    ]
    cut = [c for c in cut if c[1]]
    waiting: dict[str, list[Probe]] = {}
    for p in probes:
        waiting.setdefault(p.site_code, []).append(p)
    every = max(1, len(cut) // max(len(probes), 1))
    out: list[list[tuple[int, list[Event], Probe | None]]] = [[] for _ in range(clients)]
    sent = [0] * clients
    for n, (owner, chunk) in enumerate(cut):
        owner = owner if by_site else n % clients
        site = str(chunk[0]["site"]) if by_site else next(iter(waiting), "")
        probe = waiting[site].pop() if n % every == 0 and waiting.get(site) else None
        if probe is not None and not waiting[probe.site_code]:
            waiting.pop(probe.site_code)
        events = [*chunk, probe_event(probe)] if probe else chunk
        out[owner].append((sent[owner], events, probe))
        sent[owner] += len(events)
    return out


def run_http(
    world: World,
    base: str,
    read_base: str,
    evs: list[Event],
    clients: int,
    batch: int,
    probes: list[Probe],
    rate: float = 0,
    by_site: bool = True,
) -> dict[str, Any]:
    from boh.simulate.sinks import HttpSink

    plans = http_batches(evs, clients, batch, probes, by_site)
    prober, totals, lock = (
        Prober(read_base, world.key),
        {"accepted": 0, "duplicates": 0, "rejected": 0, "retries": 0},
        threading.Lock(),
    )

    def client_loop(plan: list[tuple[int, list[Event], Probe | None]]) -> None:
        sink = HttpSink(httpx.Client(base_url=base, headers={"X-API-Key": world.key}, timeout=120))
        for job in plan:
            pace(started, job[0], rate / clients)
            got = sink.send(job[1])
            if job[2] is not None:
                prober.work.put((job[2], time.perf_counter()))
            with lock:
                for k in totals:
                    totals[k] += getattr(got, k)

    threads = [threading.Thread(target=client_loop, args=(plan,)) for plan in plans]
    started = time.perf_counter() + 0.05
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    seconds = time.perf_counter() - started
    prober.close()
    sent = sum(len(job[1]) for plan in plans for job in plan)
    return {
        "transport": "http",
        "events": sent,
        "seconds": round(seconds, 2),
        "events_per_s": round(sent / seconds),
        **totals,
        "visible_ms": prober.lat.values,
    }


def ingested_count(url: str, tenant_id: int) -> int:
    from boh.inventory.ingest.models import IngestedEvent

    eng = create_engine(url.replace("postgresql://", "postgresql+psycopg://"))
    try:
        with eng.connect() as conn:
            return int(
                conn.scalar(select(func.count()).select_from(IngestedEvent).where(IngestedEvent.tenant_id == tenant_id))
                or 0
            )
    finally:
        eng.dispose()


def _messages(evs: list[Event], batch: int) -> list[tuple[str, str, list[Event]]]:
    """Each site's events per topic kind, in messages of up to ``batch`` events, interleaved across topics."""
    groups: dict[tuple[str, str], list[Event]] = {}
    for e in evs:
        groups.setdefault((e["site"], topic_kind(e)), []).append(e)
    chunked = [[(site, kind, g[i : i + batch]) for i in range(0, len(g), batch)] for (site, kind), g in groups.items()]
    out: list[tuple[str, str, list[Event]]] = []
    for row in range(max(len(c) for c in chunked)):
        out.extend(c[row] for c in chunked if row < len(c))
    return out


def _handover(info: Any, probe: Probe, acked: dict[int, float], prober: Prober) -> None:
    """Start polling a probe's balance from the moment the broker acknowledged its message."""
    while info.mid not in acked:
        time.sleep(0.001)
    prober.work.put((probe, acked[info.mid]))


def _wait_connected(subs: list[subprocess.Popen[str]], timeout: float = 60) -> None:
    """Wait until every subscriber logged its connection; their later log lines go to this stderr."""
    ready = [threading.Event() for _ in subs]

    def follow(proc: subprocess.Popen[str], ev: threading.Event) -> None:
        assert proc.stderr is not None
        for line in proc.stderr:
            if "MQTT connected" in line:
                ev.set()
            elif "WARNING" in line or "ERROR" in line or "Traceback" in line:
                sys.stderr.write(line)

    for proc, ev in zip(subs, ready, strict=True):
        threading.Thread(target=follow, args=(proc, ev), daemon=True).start()
    deadline = time.monotonic() + timeout
    for ev in ready:
        if not ev.wait(max(0.0, deadline - time.monotonic())):
            raise RuntimeError("an MQTT subscriber did not connect")


def run_mqtt(
    world: World,
    base: str,
    tmp: Path,
    broker: str,
    evs: list[Event],
    batch: int,
    probes: list[Probe],
    rate: float = 0,
    subscribers: int = 1,
    nice: int = 0,
) -> dict[str, Any]:
    from boh.kernel.brokers import parse_broker_url
    from boh.simulate.sinks import mqtt_client

    addr = parse_broker_url(broker)
    tag = uuid.uuid4().hex[:8]
    prefix = f"bench{tag}"
    share = f"bench{tag}" if subscribers > 1 else None
    cids = [f"boh-bench-{tag}-{n}" for n in range(subscribers)]
    head = f"$share/{share}/" if share else ""
    for cid in cids:  # create the persistent sessions first: nothing is lost at start
        pre = mqtt_client(addr, cid, clean=False)
        pre.connect(addr.host, addr.port)
        subscribed = threading.Event()
        pre.on_subscribe = lambda *_a, ev=subscribed: ev.set()
        pre.loop_start()
        pre.subscribe([(f"{head}{prefix}/{TENANT}/+/{k}", 1) for k in ("pos", "rfid", "sensor")])
        if not subscribed.wait(30):
            raise RuntimeError("the MQTT broker did not confirm the subscription")
        pre.disconnect()
        pre.loop_stop()
    boh = str(Path(sys.executable).parent / "boh")
    subs = [
        subprocess.Popen(
            [boh, "ingest", "mqtt", "--broker-url", broker, "--tenant", TENANT, "--client-id", cid, "--prefix", prefix]
            + (["--share", share] if share else []),
            env={**env_for(world.url, tmp), "BOH_LOG_LEVEL": "INFO"},
            stderr=subprocess.PIPE,
            text=True,
            preexec_fn=(lambda: os.nice(nice)) if nice else None,
        )
        for cid in cids
    ]
    _wait_connected(subs)  # the clock starts with subscribers that run, not with their start-up
    before = ingested_count(world.url, world.tenant_id)
    msgs = _messages(evs, batch)
    every = max(1, len(msgs) // max(len(probes), 1))
    prober = Prober(base, world.key)
    acked: dict[int, float] = {}  # mid -> PUBACK time (paho calls on_publish holding its own locks: no lock here)
    pub = mqtt_client(addr, f"boh-bench-pub-{tag}")

    def on_publish(_c: Any, _u: Any, mid: int, _rc: Any = None, _p: Any = None) -> None:
        acked[mid] = time.perf_counter()

    connected = threading.Event()
    pub.on_publish = on_publish
    pub.on_connect = lambda *_a: connected.set()
    pub.connect(addr.host, addr.port)
    pub.loop_start()
    if not connected.wait(10):
        raise RuntimeError("the MQTT broker did not accept the publisher")
    started = time.perf_counter()
    sent, infos = 0, []
    for n, (site, kind, chunk) in enumerate(msgs):
        pace(started, sent, rate)
        infos.append(pub.publish(f"{prefix}/{TENANT}/{site}/{kind}", json.dumps({"events": chunk}), qos=1))
        sent += len(chunk)
        if n % every == 0 and probes:
            p = probes.pop()
            info = pub.publish(f"{prefix}/{TENANT}/{p.site_code}/pos", json.dumps(probe_event(p)), qos=1)
            threading.Thread(target=_handover, args=(info, p, acked, prober), daemon=True).start()
            sent += 1
    eng = create_engine(world.url.replace("postgresql://", "postgresql+psycopg://"))
    from boh.inventory.ingest.models import IngestedEvent

    last, last_change, done = -1, time.perf_counter(), 0
    while True:
        with eng.connect() as conn:
            done = (
                int(
                    conn.scalar(
                        select(func.count())
                        .select_from(IngestedEvent)
                        .where(IngestedEvent.tenant_id == world.tenant_id)
                    )
                    or 0
                )
                - before
            )
        if done >= sent:
            break
        if done != last:
            last, last_change = done, time.perf_counter()
        elif time.perf_counter() - last_change > 30:
            log(f"MQTT ingestion stalled at {done}/{sent}")
            break
        time.sleep(0.1)
    seconds = time.perf_counter() - started
    eng.dispose()
    prober.close()
    pub.disconnect()
    pub.loop_stop()
    for sub in subs:
        stop(sub)
    for cid in cids:
        cleaner = mqtt_client(addr, cid, clean=True)  # drop the session from the broker
        cleaner.connect(addr.host, addr.port)
        cleaner.disconnect()
    return {
        "transport": "mqtt",
        "events": sent,
        "applied": done,
        "messages": len(infos),
        "subscribers": subscribers,
        "seconds": round(seconds, 2),
        "events_per_s": round(done / seconds),
        "visible_ms": prober.lat.values,
    }


def floor_rate(evs: list[Event], db_url: str) -> tuple[float, float] | None:
    """Events/s of the floor and its CPU µs an event (this process while it COPYs, and its PostgreSQL backend):
    one claim per event and one move per sale or return, COPY'd in transactions of 2,000 events on one
    connection into copies of inventory_ingested_event and inventory_move (same indexes)."""
    from copy_floor import BATCH, CLAIM_COLS, MOVE_COLS, copy_in

    claims: list[tuple[Any, ...]] = []
    moves: list[tuple[Any, ...] | None] = []  # at its event's position (None: an event without a move)
    for n, e in enumerate(evs):
        at = datetime.fromisoformat(e["occurred_at"])
        claims.append((1, e["source"], e["event_id"], e["kind"], 1, "http", at, at))
        move = None
        if e["kind"] in ("sale", "return"):
            q = Decimal(str(e.get("qty") or 1)) * (-1 if e["kind"] == "sale" else 1)
            move = (
                1,
                1 + n % 20,
                1 + n % 5000,
                None,
                e["kind"],
                None,
                q,
                Decimal("2.350000"),
                "CNY",
                None,
                "floor_sale",
                e.get("receipt_id"),
                f"evt:{e['source']}:{e['event_id']}",
                False,
                at,
                at,
                "device",
            )
        moves.append(move)  # fmt: skip
    try:
        conn = psycopg.connect(db_url, autocommit=True)
    except psycopg.Error as exc:
        log(f"no PostgreSQL for the floor: {exc}")
        return None
    tag = uuid.uuid4().hex[:8]
    claim_t, move_t = f"bench_claim_{tag}", f"bench_move_{tag}"
    with conn:
        conn.execute(f"CREATE TABLE {claim_t} (LIKE inventory_ingested_event INCLUDING ALL)")
        conn.execute(f"CREATE TABLE {move_t} (LIKE inventory_move INCLUDING ALL)")
        try:
            # the moves ride with the batch of their event: one transaction per 2,000 events, as ingestion does
            backend = conn.info.backend_pid
            cpu0 = time.process_time() + cpu.pid_cpu(backend)
            seconds = copy_in(conn, [(claim_t, CLAIM_COLS, claims), (move_t, MOVE_COLS, moves)], BATCH)
            cpu_s = time.process_time() + cpu.pid_cpu(backend) - cpu0
        finally:
            conn.execute(f"DROP TABLE {claim_t}, {move_t}")
    return len(claims) / seconds, cpu_s / len(claims) * 1e6


def copy_rate(evs: list[Event], db_url: str) -> float | None:
    """The same rows by a plain COPY into a bare table (no indexes, no constraints): the reference rate."""
    rows = [
        (
            e["event_id"],
            e["source"],
            e["site"],
            e["kind"],
            e.get("sku") or e.get("gtin"),
            e.get("qty"),
            e["occurred_at"],
            e.get("epc"),
            e.get("zone"),
            e.get("receipt_id"),
            e.get("line"),
        )
        for e in evs
    ]
    table = f"bench_copy_{uuid.uuid4().hex[:8]}"
    try:
        conn = psycopg.connect(db_url, autocommit=True)
    except psycopg.Error as exc:
        log(f"no PostgreSQL for the COPY reference: {exc}")
        return None
    with conn:
        conn.execute(
            f"CREATE TABLE {table} (event_id text, source text, site text, kind text, code text, qty numeric, "
            "occurred_at timestamptz, epc text, zone text, receipt_id text, line int)"
        )
        try:
            started = time.perf_counter()
            with conn.transaction(), conn.cursor() as cur, cur.copy(f"COPY {table} FROM STDIN") as cp:
                for r in rows:
                    cp.write_row(r)
            seconds = time.perf_counter() - started
        finally:
            conn.execute(f"DROP TABLE {table}")
    return len(rows) / seconds


# --------------------------------------------------------------------------------------------- CPU
INGEST_APP, RELAY_APP = "boh-bench-ingest", "boh-bench-relay"


def _named(url: str, app: str) -> str:
    """The database URL with an application_name, so the benchmark can find that process's backends."""
    if not url.startswith("postgresql"):
        return url
    return url + ("&" if "?" in url else "?") + f"application_name={app}"


def _cpu(args: argparse.Namespace, url: str, ingest_server: Any, worker: Any) -> dict[str, Any] | None:
    """CPU seconds so far of the ingest servers and their backends, and of the relay and its backends (only
    with --ingest-pool on PostgreSQL, where ingestion has processes of its own)."""
    if ingest_server is None or worker is None or args.backend != "postgresql":
        return None
    return {
        "server": cpu.tree_cpu(ingest_server.pid),
        "backends": cpu.backend_cpu(url, INGEST_APP),
        "relay": cpu.tree_cpu(worker.pid),
        "relay_backends": cpu.backend_cpu(url, RELAY_APP),
    }


def _cpu_per_event(before: dict[str, Any] | None, after: dict[str, Any] | None, events: int) -> dict[str, float]:
    if before is None or after is None or not events:
        return {}
    server, db = after["server"] - before["server"], cpu.delta(before["backends"], after["backends"])
    relay = after["relay"] - before["relay"] + cpu.delta(before["relay_backends"], after["relay_backends"])
    return {
        "cpu_us_per_event": round((server + db) / events * 1e6, 1),
        "cpu_us_per_event_server": round(server / events * 1e6, 1),  # the ingest server's processes (Python)
        "cpu_us_per_event_db": round(db / events * 1e6, 1),  # their PostgreSQL backends
        "cpu_us_per_event_relay": round(relay / events * 1e6, 1),
    }


# --------------------------------------------------------------------------------------------- main
def parse_args() -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--backend", choices=("sqlite", "postgresql"), default="postgresql")
    ap.add_argument("--transport", choices=("http", "mqtt", "both"), default="http")
    ap.add_argument("--events", type=int, default=200_000)
    ap.add_argument("--sites", type=int, default=20)
    ap.add_argument("--items", type=int, default=5000)
    ap.add_argument("--clients", type=int, default=4, help="concurrent HTTP clients")
    ap.add_argument("--batch", type=int, default=2000, help="events per HTTP batch / MQTT message")
    ap.add_argument(
        "--batching",
        choices=("site", "mixed"),
        default="site",
        help="HTTP batches of one site, each site sent by one client (a store's hub), or batches across all sites",
    )
    ap.add_argument(
        "--ingest-pool",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="HTTP events go to their own server processes (--workers of them), reads to a 1-worker API "
        "server and the outbox relay runs in `boh worker`, as deploy/k8s runs them; --no-ingest-pool: one server "
        "for everything",
    )
    ap.add_argument(
        "--ingest-nice",
        type=int,
        default=10,
        help="CPU niceness of the ingest server, MQTT subscribers and worker: bulk work yields the CPU to reads "
        "(0: all equal)",
    )
    ap.add_argument("--workers", type=int, default=0, help="ingest server workers (3 on PostgreSQL, 1 on SQLite)")
    ap.add_argument("--probes", type=int, default=100, help="accepted-to-visible probes per transport")
    ap.add_argument("--broker-url", default="mqtt://127.0.0.1:1883")
    ap.add_argument(
        "--subscribers", type=int, default=2, help="`boh ingest mqtt` processes (a $share group when more than 1)"
    )
    ap.add_argument("--mix", default="pos=0.7,rfid=0.3")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument(
        "--stock",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="opening stock for every item (receipts through the ledger; slower set-up)",
    )
    ap.add_argument(
        "--reuse-seed",
        action="store_true",
        help="PostgreSQL: keep the seeded database as a template and clone it in later runs (fast set-up)",
    )
    ap.add_argument("--rate", type=float, default=0, help="offered load in events/s (0: as fast as it goes)")
    ap.add_argument("--quick", action="store_true", help="a small run (4 sites x 500 items, 20,000 events)")
    args = ap.parse_args()
    if args.quick:
        args.events, args.sites, args.items, args.probes = min(args.events, 20_000), 4, 500, 30
        args.batch = min(args.batch, 500)
    return args


def summary(res: dict[str, Any]) -> dict[str, Any]:
    vis = res.pop("visible_ms")
    res.update(visible_p50_ms=pct(vis, 50), visible_p99_ms=pct(vis, 99), probes=len(vis))
    return res


def main() -> None:
    from boh.simulate.generator import parse_mix

    args = parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="boh-bench-"))
    server, ingest_server, worker, drop = None, None, None, None
    try:
        t = time.perf_counter()
        n_probes = args.probes * (2 if args.transport == "both" else 1)
        url, drop, world = seeded(
            args.backend, tmp, args.sites, args.items, n_probes, stock=args.stock, reuse=args.reuse_seed
        )
        log(
            f"{args.backend}: {args.sites} sites x {args.items} items (opening stock: {args.stock}) "
            f"seeded in {time.perf_counter() - t:.1f} s"
        )
        workers = args.workers or (3 if args.backend == "postgresql" else 1)
        server, base = start_server(url, tmp, 1 if args.ingest_pool else workers, embedded_worker=not args.ingest_pool)
        ingest_base = base
        if args.ingest_pool:  # devices post to their own server processes, reads go to the API's, events to handlers
            ingest_server, ingest_base = start_server(
                _named(url, INGEST_APP), tmp, workers, embedded_worker=False, nice=args.ingest_nice
            )
            worker = start_worker(_named(url, RELAY_APP), tmp, args.ingest_nice)
        transports = ["http", "mqtt"] if args.transport == "both" else [args.transport]
        reader = Reader(base, world.key, world)
        reader.start()
        results: dict[str, dict[str, Any]] = {}
        for n, tr in enumerate(transports):
            evs = generate_events(random.Random(args.seed + n), world.snapshot, args.events, parse_mix(args.mix))
            probes = world.probes[n * args.probes : (n + 1) * args.probes]
            if ingest_server is not None and n == 0:
                # the server answered once one worker was up: the CPU counted per event starts when all have
                # started (their start-up, seconds of CPU each, is not the events')
                spent = cpu.tree_cpu(ingest_server.pid)
                waited = cpu.wait_settled(ingest_server.pid)
                spent = cpu.tree_cpu(ingest_server.pid) - spent
                log(f"ingest server workers started ({waited:.1f} s more, {spent:.2f} s of CPU not counted per event)")
            log(f"{tr}: pushing {len(evs)} events")
            cpu0 = _cpu(args, url, ingest_server, worker)
            if tr == "http":
                res = run_http(
                    world,
                    ingest_base,
                    base,
                    evs,
                    args.clients,
                    args.batch,
                    list(probes),
                    args.rate,
                    args.batching == "site",
                )
            else:
                res = run_mqtt(
                    world,
                    base,
                    tmp,
                    args.broker_url,
                    evs,
                    args.batch,
                    list(probes),
                    args.rate,
                    args.subscribers,
                    args.ingest_nice,
                )
            results[tr] = summary(res)
            results[tr].update(_cpu_per_event(cpu0, _cpu(args, url, ingest_server, worker), len(evs)))
            log(f"{tr}: {json.dumps(results[tr])}")
        reader.finish()
        copy = copy_rate(evs, url if args.backend == "postgresql" else PG_ADMIN)
        floored = floor_rate(evs, url) if args.backend == "postgresql" else None
        floor, floor_cpu = floored if floored else (None, None)
        main_res = results[transports[0]]
        path_cpu = main_res.get("cpu_us_per_event")
        out = {
            "events_per_s": main_res["events_per_s"],
            "floor_events_per_s": round(floor) if floor else None,
            "ratio_to_floor": round(main_res["events_per_s"] / floor, 4) if floor else None,
            "cpu_us_per_event": main_res.get("cpu_us_per_event"),
            "cpu_us_per_event_relay": main_res.get("cpu_us_per_event_relay"),
            "cpu_us_per_event_server": main_res.get("cpu_us_per_event_server"),
            "cpu_us_per_event_db": main_res.get("cpu_us_per_event_db"),
            # the floor's own CPU an event, and the path's CPU efficiency against it (machine-independent: the
            # ratio of events/s also depends on how much of the machine the load generator and the reader take)
            "floor_cpu_us_per_event": round(floor_cpu, 1) if floor_cpu else None,
            "cpu_ratio_to_floor": round(floor_cpu / path_cpu, 4) if floor_cpu and path_cpu else None,
            "copy_rows_per_s": round(copy) if copy else None,
            "ratio_to_copy": round(main_res["events_per_s"] / copy, 4) if copy else None,
            "visible_p50_ms": main_res["visible_p50_ms"],
            "visible_p99_ms": main_res["visible_p99_ms"],
            "read_p50_ms": pct(reader.values, 50),
            "read_p99_ms": pct(reader.values, 99),
            "reads": len(reader.values),
            "backend": args.backend,
            "transport": transports[0],
            "offered_rate": args.rate or None,
            "events": args.events,
            "sites": args.sites,
            "items": args.items,
        }
        if "mqtt" in results and transports[0] != "mqtt":
            out.update({f"mqtt_{k}": results["mqtt"][k] for k in ("events_per_s", "visible_p50_ms", "visible_p99_ms")})
        print(json.dumps(out))
    finally:
        for proc in (server, ingest_server, worker):
            if proc is not None:
                stop(proc)
        if drop is not None:
            drop()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
