"""``boh simulate floor``: realistic floor events against a running BOH (HTTP) or an MQTT broker.
Mounted by boh.cli.main through ``register(app, runtime)``."""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Annotated, Protocol

import httpx
import typer
from sqlalchemy.orm import Session, sessionmaker

from boh.kernel.db import make_engine, make_session_factory
from boh.simulate.generator import FloorGenerator, parse_mix
from boh.simulate.runner import run_floor
from boh.simulate.sinks import HttpSink, MqttSink, Sink
from boh.simulate.snapshot import CatalogSnapshot, snapshot_from_api, snapshot_from_db


class _Runtime(Protocol):
    @property
    def session_factory(self) -> sessionmaker[Session]: ...


def _snapshot_db(factory: sessionmaker[Session], tenant: str, sites: list[str]) -> CatalogSnapshot:
    with factory() as session:
        return snapshot_from_db(session, tenant, sites)


def load_snapshot(
    make_runtime: Callable[[], _Runtime],
    *,
    client: httpx.Client | None,
    database_url: str | None,
    tenant: str,
    sites: list[str],
) -> CatalogSnapshot:
    """From --database-url if given, else through the API when sending over HTTP, else the configured DB."""
    if database_url:
        engine = make_engine(database_url)
        try:
            return _snapshot_db(make_session_factory(engine), tenant, sites)
        finally:
            engine.dispose()
    if client is not None:
        return snapshot_from_api(client, tenant, sites)
    return _snapshot_db(make_runtime().session_factory, tenant, sites)


def _sink(
    url: str | None, api_key: str | None, mqtt_url: str | None, tenant: str, prefix: str = "boh"
) -> tuple[Sink, httpx.Client | None]:
    if bool(url) == bool(mqtt_url):
        raise typer.BadParameter("give exactly one of --url (HTTP) or --mqtt (broker)")
    if url:
        if not api_key:
            raise typer.BadParameter("--url needs --api-key (a device key with inventory.move.write)")
        client = httpx.Client(base_url=url.rstrip("/"), headers={"X-API-Key": api_key}, timeout=30.0)
        return HttpSink(client), client
    assert mqtt_url is not None
    return MqttSink(mqtt_url, tenant, prefix=prefix), None


def register(app: typer.Typer, make_runtime: Callable[[], _Runtime]) -> None:
    simulate_app = typer.Typer(help="Simulated devices for demos and load tests.", no_args_is_help=True)
    app.add_typer(simulate_app, name="simulate")

    @simulate_app.command("floor")
    def floor(
        sites: Annotated[str, typer.Option(help="Comma-separated site codes, e.g. SH01,SH02")],
        url: Annotated[str | None, typer.Option(help="BOH base URL, e.g. http://127.0.0.1:8000")] = None,
        api_key: Annotated[str | None, typer.Option(help="Device API key (boh_...) for --url")] = None,
        mqtt: Annotated[str | None, typer.Option("--mqtt", help="Broker URL, e.g. mqtt://127.0.0.1:1883")] = None,
        tenant: Annotated[str, typer.Option(help="Tenant code (MQTT topics; catalog from the DB)")] = "DEMO",
        rate: Annotated[float, typer.Option(min=0.1, help="Events per second")] = 200.0,
        duration: Annotated[float, typer.Option(min=0.1, help="Seconds to run")] = 60.0,
        mix: Annotated[str, typer.Option(help="Share of each kind")] = "pos=0.7,rfid=0.25,sensor=0.05",
        seed: Annotated[int, typer.Option(help="Random seed: the same seed gives the same story")] = 1,
        run_id: Annotated[
            str | None, typer.Option(help="Event id prefix; reuse one to resend a run (all duplicates)")
        ] = None,
        database_url: Annotated[str | None, typer.Option(help="Read the catalog from this database")] = None,
        batch: Annotated[int, typer.Option(min=1, max=5000, help="Events per HTTP batch at most")] = 1000,
        prefix: Annotated[str, typer.Option(help="First MQTT topic level")] = "boh",
    ) -> None:
        """POS sales, RFID reads (tags moving back room -> floor, repeated reads, missing tags, tags leaving
        without a sale) and weight-shelf readings at --rate for --duration, retrying failed sends."""
        try:
            weights = parse_mix(mix)
        except ValueError as exc:
            raise typer.BadParameter(str(exc), param_hint="--mix") from None
        codes = [c.strip() for c in sites.split(",") if c.strip()]
        sink, client = _sink(url, api_key, mqtt, tenant, prefix)
        try:
            snap = load_snapshot(make_runtime, client=client, database_url=database_url, tenant=tenant, sites=codes)
            gen = FloorGenerator(random.Random(seed), snap, mix=weights, run_id=run_id)
            sizes = ", ".join(f"{s.code}: {len(s.items)} items" for s in snap.sites)
            typer.echo(f"simulating {sizes}; run id {gen.run_id}; {rate:g} events/s for {duration:g} s")
            stats = run_floor(gen, sink, rate=rate, duration=duration, batch_max=batch, echo=typer.echo)
        except (ValueError, httpx.HTTPError) as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(1) from None
        finally:
            sink.close()
        typer.echo(stats.line())
        missing = sum(s.missing for s in gen.sites)
        shrunk = sum(s.shrunk for s in gen.sites)
        typer.echo(f"story: {missing} tag(s) went missing, {shrunk} left through the gate without a sale")
        for err in stats.sent.errors[:5]:
            typer.echo(f"  error: {err}", err=True)
        if stats.failed_batches:
            raise typer.Exit(1)
