"""Setup for bench/ingest.py: a fresh database with a bulk-seeded chain, and the server process."""

from __future__ import annotations

import hashlib
import os
import pickle
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import psycopg
from sqlalchemy import create_engine, insert, select, text

from boh.bootstrap import build_runtime
from boh.catalog.api import normalize_gtin
from boh.catalog.models import Assortment, Item, ItemBarcode
from boh.kernel.permissions import ALL_PERMISSIONS
from boh.org import service as org_service
from boh.org.auth import create_api_key
from boh.org.schemas import ApiKeyCreate, SiteCreate
from boh.settings import Settings
from boh.simulate.snapshot import CatalogSnapshot, SiteSnap, make_item

PG_ADMIN = os.environ.get("BOH_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
SECRET = "bench-secret-key-that-is-long-enough-for-hs256"
TENANT = "BENCH"


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


def pct(values: list[float], p: float) -> float | None:
    if not values:
        return None
    s = sorted(values)
    return round(s[min(len(s) - 1, int(p / 100 * len(s)))], 2)


def gtin13(n: int) -> str:
    body = f"692{n:09d}"
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(body))
    return body + str((10 - total % 10) % 10)


# --------------------------------------------------------------------------------------------- database
def fresh_database(backend: str, tmp: Path, template: str | None = None) -> tuple[str, Any]:
    """A new empty database (PostgreSQL: a copy of ``template`` when given): (url, drop)."""
    if backend == "sqlite":
        return f"sqlite:///{tmp / 'bench.sqlite3'}", lambda: None
    name = f"boh_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(PG_ADMIN.replace("postgresql://", "postgresql+psycopg://"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else "")))

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return f"{PG_ADMIN.rsplit('/', 1)[0]}/{name}", drop


@dataclass
class Probe:
    site_code: str
    site_id: int
    sku: str
    item_id: int


@dataclass
class World:
    url: str
    tenant_id: int
    key: str
    site_ids: dict[str, int]
    item_ids: dict[str, int]
    snapshot: CatalogSnapshot
    probes: list[Probe] = field(default_factory=list)


def opening_stock(rt: Any, tenant_id: int, keys: list[tuple[int, int, Decimal]]) -> None:
    """1,000 units of every item in every store, as receipts through the ledger (so balances = sum of moves
    and sales do not drive every balance negative, which would publish one NegativeStock event each)."""
    from boh.inventory import service
    from boh.inventory.schemas import MoveIn

    moves = [
        MoveIn(
            site_id=sid,
            item_id=iid,
            move_type="receipt",
            quantity=Decimal(1000),
            unit_cost=price / 2,
            idempotency_key=f"opening-{sid}-{iid}",
        )
        for sid, iid, price in keys
    ]
    for start in range(0, len(moves), 5000):
        with rt.system_uow(tenant_id) as uow:
            service.post_moves(uow, moves[start : start + 5000])  # type: ignore[arg-type]
            uow.commit()


TAGS_PER_ITEM = 2


def present_tags(url: str, tenant_id: int, site_ids: dict[str, int], items: dict[str, tuple[int, str]]) -> None:
    """TAGS_PER_ITEM tags present on the sales floor of every item in every store (the stores are
    RFID-tagged and the tag table has history, as in a running chain), then ANALYZE: the planner works from
    the statistics of a table that has rows, not those of an empty one. Serials start where the
    simulator's never reach."""
    from boh.simulate.epc import sgtin96_hex
    from boh.simulate.generator import SERIAL_BLOCK

    seen = datetime.now(UTC) - timedelta(days=1)
    with psycopg.connect(url) as conn, conn.cursor() as cur:
        with cur.copy(
            "COPY inventory_rfid_tag (tenant_id, epc, item_id, site_id, last_zone, last_reader, last_seen_at, "
            "status, updated_at) FROM STDIN"
        ) as cp:
            for n, sid in enumerate(site_ids.values()):
                serial = n * SERIAL_BLOCK + SERIAL_BLOCK // 2
                for item_id, gtin in items.values():
                    for _ in range(TAGS_PER_ITEM):
                        serial += 1
                        cp.write_row((tenant_id, sgtin96_hex(gtin, serial), item_id, sid, "floor", "seed", seen,
                                      "present", seen))  # fmt: skip
        conn.commit()
        conn.autocommit = True
        cur.execute("ANALYZE")


def seed(url: str, n_sites: int, n_items: int, n_probes: int, *, stock: bool = True) -> World:
    rt = build_runtime(Settings(database_url=url, secret_key=SECRET, log_json=False))  # type: ignore[arg-type]
    with rt.system_uow(0) as uow:
        tid = org_service.create_tenant(uow, code=TENANT, name="Bench chain", name_zh="基准连锁").id
        uow.commit()
    codes = [f"S{i:03d}" for i in range(1, n_sites + 1)]
    with rt.system_uow(tid) as uow:
        site_ids = {
            c: org_service.create_site(uow, SiteCreate(code=c, name=f"Store {c}", name_zh=f"门店{c}", kind="store")).id
            for c in codes
        }
        perms = sorted(p for p in ALL_PERMISSIONS if p.startswith(("inventory.", "catalog.item", "org.site")))
        key = create_api_key(uow, ApiKeyCreate(name="bench", permissions=perms)).key
        uow.commit()
    now = datetime.now(UTC)
    base = {
        "tenant_id": tid,
        "kind": "grocery",
        "base_uom": "each",
        "storage_class": "ambient",
        "perishable": False,
        "allergens": [],
        "active": True,
        "created_at": now,
        "updated_at": now,
    }
    skus = [f"B{n:06d}" for n in range(1, n_items + 1)] + [f"PROBE{n:05d}" for n in range(n_probes)]
    with rt.engine.begin() as conn:
        conn.execute(insert(Item), [{**base, "sku": s, "name_en": f"Item {s}", "name_zh": None} for s in skus])
        item_ids = dict(conn.execute(select(Item.sku, Item.id).where(Item.tenant_id == tid)).all())  # type: ignore[arg-type]
        gtins = {s: normalize_gtin(gtin13(n)) for n, s in enumerate(skus[:n_items], 1)}
        conn.execute(
            insert(ItemBarcode),
            [{"tenant_id": tid, "item_id": item_ids[s], "gtin": g, "uom": None} for s, g in gtins.items()],
        )
        rows = [
            {
                "tenant_id": tid,
                "site_id": sid,
                "item_id": item_ids[s],
                "active": True,
                "created_at": now,
                "updated_at": now,
            }
            for sid in site_ids.values()
            for s in skus[:n_items]
        ]
        for i in range(0, len(rows), 20000):
            conn.execute(insert(Assortment), rows[i : i + 20000])
    items = tuple(make_item(s, gtins[s]) for s in skus[:n_items])
    if stock:
        opening_stock(rt, tid, [(sid, item_ids[i.sku], i.price) for sid in site_ids.values() for i in items])
        if url.startswith("postgresql"):
            present_tags(url, tid, site_ids, {i.sku: (item_ids[i.sku], i.gtin) for i in items if i.gtin})
    rt.engine.dispose()
    snap = CatalogSnapshot(TENANT, tuple(SiteSnap(c, items, site_ids[c]) for c in codes))
    probes = [
        Probe(codes[n % len(codes)], site_ids[codes[n % len(codes)]], s, item_ids[s])
        for n, s in enumerate(skus[n_items:])
    ]
    return World(url, tid, key, site_ids, item_ids, snap, probes)


# --------------------------------------------------------------------------------------------- processes
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def env_for(url: str, tmp: Path) -> dict[str, str]:
    return {
        **os.environ,
        "BOH_DATABASE_URL": url,
        "BOH_SECRET_KEY": SECRET,
        "BOH_LOG_LEVEL": "WARNING",
        "BOH_DATA_DIR": str(tmp),
        "BOH_LOG_JSON": "false",
    }


def start_worker(url: str, tmp: Path, nice: int = 0) -> subprocess.Popen[bytes]:
    """``boh worker`` (no broker): the outbox relay and scheduled jobs, in their own process."""
    cmd = [sys.executable, "-m", "boh.cli.main", "worker"]
    return subprocess.Popen(cmd, env=env_for(url, tmp), preexec_fn=(lambda: os.nice(nice)) if nice else None)


def start_server(
    url: str, tmp: Path, workers: int, *, embedded_worker: bool = True, nice: int = 0
) -> tuple[subprocess.Popen[bytes], str]:
    """A uvicorn server; ``embedded_worker=False``: without the outbox relay and jobs (``boh worker`` runs them)."""
    port = free_port()
    cmd = [
        sys.executable,
        "-m",
        "uvicorn",
        "boh.web.main:app",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--log-level",
        "warning",
        "--no-access-log",
    ]
    env = {**env_for(url, tmp), "BOH_WORKER__EMBEDDED": "true" if embedded_worker else "false"}
    proc = subprocess.Popen(cmd, env=env, preexec_fn=(lambda: os.nice(nice)) if nice else None)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 180  # the workers' imports alone took over 60 s on a loaded 2-core machine
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/readyz", timeout=2).status_code == 200:
                return proc, base
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    proc.kill()
    raise RuntimeError("the server did not become ready within 180 s")


def stop(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(20)
    except subprocess.TimeoutExpired:
        proc.kill()


# --------------------------------------------------------------------------------------------- seeded, cached
CACHE_DIR = Path(tempfile.gettempdir()) / "boh-bench-cache"
MIGRATIONS = Path(__file__).resolve().parent.parent / "src" / "boh" / "migrations" / "versions"


def seeded(
    backend: str, tmp: Path, n_sites: int, n_items: int, n_probes: int, *, stock: bool, reuse: bool
) -> tuple[str, Any, World]:
    """A fresh, migrated and seeded database: (url, drop, world).

    ``reuse`` (PostgreSQL): the seeded database is kept as a template named after the seed parameters and a
    hash of the migrations, and later runs clone it (``CREATE DATABASE .. TEMPLATE``, seconds instead of the
    minutes that 100,000 opening-stock receipts take). Every run still gets its own copy, dropped at the end."""
    from boh.bootstrap import upgrade_database

    if not reuse or backend != "postgresql":
        url, drop = fresh_database(backend, tmp)
        upgrade_database(url)
        return url, drop, seed(url, n_sites, n_items, n_probes, stock=stock)
    digest = hashlib.sha1(f"{n_sites}/{n_items}/{n_probes}/{stock}".encode())
    for f in [Path(__file__), *sorted(MIGRATIONS.glob("*.py"))]:  # the seed code and the schema
        digest.update(f.read_bytes())
    template = f"boh_bench_tpl_{digest.hexdigest()[:12]}"
    saved = CACHE_DIR / f"{template}.pickle"
    admin = create_engine(PG_ADMIN.replace("postgresql://", "postgresql+psycopg://"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        exists = conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": template}) is not None
    if not (exists and saved.exists()):
        url, drop = fresh_database(backend, tmp)
        upgrade_database(url)
        world = seed(url, n_sites, n_items, n_probes, stock=stock)
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{template}"'))
            conn.execute(text(f'CREATE DATABASE "{template}" TEMPLATE "{url.rsplit("/", 1)[1]}"'))
        CACHE_DIR.mkdir(exist_ok=True)
        saved.write_bytes(pickle.dumps(world))
        admin.dispose()
        return url, drop, world
    admin.dispose()
    url, drop = fresh_database(backend, tmp, template)
    world = pickle.loads(saved.read_bytes())
    world.url = url
    log(f"cloned the seeded template {template}")
    return url, drop, world
