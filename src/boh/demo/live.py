"""The floor simulator behind ``boh quickstart``: once the server answers /healthz, a daemon thread sends
a gentle stream of POS sales and RFID reads for three demo stores over HTTP, with a tenant-wide API key
made for it, so that a newcomer sees stock move on Inventory -> Live. It stops with the server (daemon
thread) and never takes the server down: any failure is logged as a warning."""

from __future__ import annotations

import logging
import random
import threading
import time
from dataclasses import dataclass

import httpx
from sqlalchemy import select

from boh.demo.refs import DEMO_TENANT_CODE
from boh.kernel.uow import UnitOfWork
from boh.org import auth
from boh.org.models import ApiKey
from boh.org.schemas import ApiKeyCreate
from boh.simulate.generator import FloorGenerator, parse_mix
from boh.simulate.runner import run_floor
from boh.simulate.sinks import HttpSink
from boh.simulate.snapshot import snapshot_from_api

log = logging.getLogger(__name__)

KEY_NAME = "quickstart simulator"
PERMISSIONS = ("catalog.assortment.read", "catalog.item.read", "inventory.events.write", "org.site.read")
SITES = ("SH01", "SH02", "SH03")
RATE = 5.0  # events per second
MIX = "pos=0.7,rfid=0.3"
FOREVER = 10.0**9  # seconds: the thread runs until the process ends


@dataclass(frozen=True)
class SimulatorConfig:
    url: str
    api_key: str
    sites: tuple[str, ...] = SITES
    rate: float = RATE
    mix: str = MIX
    seed: int = 1
    ready_timeout: float = 60.0


def key_name(port: int) -> str:
    return f"{KEY_NAME} :{port}"


def create_simulator_key(uow: UnitOfWork, port: int = 8000) -> str:
    """A tenant-wide key (``uow`` acts in the demo tenant) that may only read the catalog and the sites and
    send floor events, named after the server's port. The earlier key of a quickstart on the same port is
    revoked (a key is shown once, so each start makes a new one; the old one must not stay valid); the
    keys of quickstarts on other ports, whose servers may still run, are left alone. The caller checked that
    the port is free (so no server uses the revoked key) and commits."""
    earlier = select(ApiKey.id).where(
        ApiKey.tenant_id == uow.tenant_id,
        ApiKey.name.in_([key_name(port)] + ([KEY_NAME] if port == 8000 else [])),
        ApiKey.revoked_at.is_(None),
    )
    for key_id in uow.session.scalars(earlier).all():
        auth.revoke_api_key(uow, key_id)
    created = auth.create_api_key(uow, ApiKeyCreate(name=key_name(port), permissions=list(PERMISSIONS)))
    return created.key


def simulator_config(uow: UnitOfWork, host: str, port: int) -> SimulatorConfig:
    """The simulator's settings for a server at host:port, with a fresh key (the caller commits)."""
    shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host  # noqa: S104 - where to connect, not bind
    return SimulatorConfig(url=f"http://{shown}:{port}", api_key=create_simulator_key(uow, port))


def wait_until_up(client: httpx.Client, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if client.get("/healthz").status_code == 200:
                return True
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    return False


def run_simulator(config: SimulatorConfig, duration: float = FOREVER) -> None:
    """Wait for the server, then feed it events for ``duration`` seconds. Never raises: logs a warning."""
    logging.getLogger("httpx").setLevel(logging.WARNING)  # a line per request would drown the console
    client = httpx.Client(base_url=config.url, headers={"X-API-Key": config.api_key}, timeout=30.0)
    try:
        if not wait_until_up(client, config.ready_timeout):
            log.warning("floor simulator: the server did not come up at %s; not simulating", config.url)
            return
        snapshot = snapshot_from_api(client, DEMO_TENANT_CODE, config.sites)
        gen = FloorGenerator(random.Random(config.seed), snapshot, mix=parse_mix(config.mix))
        sink = HttpSink(client)
        stats = run_floor(gen, sink, rate=config.rate, duration=duration, batch_max=50, tick=1.0, senders=1)
        log.info("floor simulator stopped: %s", stats.line())
    except Exception as exc:  # a demo helper must never take the server down
        log.warning("floor simulator stopped: %s: %s", type(exc).__name__, exc)
    finally:
        client.close()


def start_simulator(config: SimulatorConfig) -> threading.Thread:
    thread = threading.Thread(target=run_simulator, args=(config,), name="boh-floor-simulator", daemon=True)
    thread.start()
    return thread


def banner(config: SimulatorConfig) -> str:
    return (
        f"A floor simulator is feeding sales and RFID reads for {', '.join(config.sites)} "
        f"(~{config.rate:g} events/s): open Inventory -> Live to watch stock move."
    )
