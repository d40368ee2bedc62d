"""``boh coldchain ...``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

import typer


def register(app: typer.Typer, get_runtime: Callable[[], Any]) -> None:
    group = typer.Typer(help="Cold chain: MQTT readings, dropout checks.", no_args_is_help=True)
    app.add_typer(group, name="coldchain")

    @group.command("dropouts")
    def dropouts_cmd() -> None:
        """Open a dropout for every temperature sensor silent for too long (the worker does it every 5 min)."""
        from boh.coldchain import tasks

        typer.echo(f"{tasks.check_dropouts(get_runtime())} dropout(s) opened")

    @group.command("mqtt")
    def mqtt_cmd(
        broker: Annotated[str, typer.Option(help="mqtt://host:port")] = "mqtt://127.0.0.1:1883",
        tenant: Annotated[str | None, typer.Option(help="Only this tenant's topics")] = None,
        client_id: Annotated[str | None, typer.Option(help="Fixed client id (persistent session)")] = None,
        prefix: Annotated[str, typer.Option(help="Topic prefix")] = "boh",
    ) -> None:
        """Subscribe to <prefix>/<tenant>/<site>/coldchain and store the readings (Ctrl-C stops)."""
        import threading

        from boh.coldchain.mqtt import ColdChainSubscriber

        sub = ColdChainSubscriber(get_runtime(), broker_url=broker, tenant=tenant, client_id=client_id, prefix=prefix)
        sub.start()
        stop = threading.Event()
        try:
            while not stop.wait(10):
                s = sub.stats
                typer.echo(f"messages {s.messages}, accepted {s.accepted}, duplicates {s.duplicates}, "
                           f"rejected {s.rejected}")  # fmt: skip
        except KeyboardInterrupt:
            pass
        sub.stop()
