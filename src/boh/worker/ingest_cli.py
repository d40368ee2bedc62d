"""``boh ingest mqtt``: mounted on the root Typer app by boh.cli.main (``register(app, make_runtime)``)."""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable
from typing import Annotated

import typer

from boh.inventory.ingest.mqtt import IngestRuntime, MqttIngestor, run_until


def _stop_on_signals() -> threading.Event:
    stop = threading.Event()

    def _handler(signum: int, _frame: object) -> None:
        typer.echo(f"received signal {signum}, finishing the current transaction and stopping", err=True)
        stop.set()

    signal.signal(signal.SIGTERM, _handler)
    signal.signal(signal.SIGINT, _handler)
    return stop


def register(app: typer.Typer, make_runtime: Callable[[], IngestRuntime]) -> None:
    ingest_app = typer.Typer(help="Floor events from devices (POS, RFID, sensors).", no_args_is_help=True)
    app.add_typer(ingest_app, name="ingest")

    @ingest_app.command("mqtt")
    def ingest_mqtt(
        broker_url: Annotated[str, typer.Option(help="mqtt://[user:pass@]host:port or mqtts://...")] = (
            "mqtt://127.0.0.1:1883"
        ),
        tenant: Annotated[str | None, typer.Option(help="Only this tenant's topics (default: every tenant)")] = None,
        client_id: Annotated[
            str | None,
            typer.Option(help="Fixed MQTT client id of the persistent session (default boh-ingest-<tenant>)"),
        ] = None,
        prefix: Annotated[str, typer.Option(help="First topic level")] = "boh",
        max_batch: Annotated[int, typer.Option(min=1, max=5000, help="Events per transaction (about)")] = 1000,
        threads: Annotated[int, typer.Option(min=1, help="Worker threads applying messages")] = 2,
        share: Annotated[
            str | None,
            typer.Option(
                help="Join this shared-subscription group ($share/<group>/...): run several `boh ingest mqtt` "
                "processes with the same --share and distinct --client-id and the broker spreads the messages "
                "over them (exactly-once holds across them)"
            ),
        ] = None,
    ) -> None:
        """Subscribe to boh/<tenant>/<site>/<pos|rfid|sensor> (QoS 1, persistent session) and apply the events
        exactly once; each message is acknowledged after its commit. Broker ACLs decide who may publish."""
        from boh.http.observability import configure_logging

        rt = make_runtime()
        settings = getattr(rt, "settings", None)
        if settings is not None:
            configure_logging(settings.log_level, settings.log_json)
        ingestor = MqttIngestor(
            rt,
            broker_url=broker_url,
            tenant=tenant,
            client_id=client_id,
            prefix=prefix,
            max_batch=max_batch,
            threads=threads,
            share=share,
        )
        where = f"{ingestor.addr.host}:{ingestor.addr.port}"
        topics = f"{ingestor.subscription_prefix}{prefix}/{tenant or '+'}/+/{{pos,rfid,sensor}}"
        typer.echo(f"ingesting {topics} from {where} (Ctrl-C stops)")
        run_until(ingestor, _stop_on_signals(), echo=typer.echo)
        s = ingestor.stats
        typer.echo(f"stopped: {s.messages} messages, {s.accepted} accepted, {s.duplicates} duplicates, "
                   f"{s.rejected} rejected")  # fmt: skip
