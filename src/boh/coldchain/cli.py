"""``boh coldchain ...``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

import typer


def register(app: typer.Typer, get_runtime: Callable[[], Any]) -> None:
    group = typer.Typer(help="Cold chain: MQTT readings, dropout checks, dead letters.", no_args_is_help=True)
    app.add_typer(group, name="coldchain")

    def _tenant(code: str) -> int:
        from boh.org.api import tenant_id_by_code

        with get_runtime().session_factory() as session:
            tid = tenant_id_by_code(session, code)
        if tid is None:
            raise typer.BadParameter(f"no tenant {code!r}", param_hint="--tenant")
        return tid

    @group.command("dead-letters")
    def dead_letters_cmd(
        tenant: Annotated[str, typer.Option(help="The tenant's code")],
        status: Annotated[str | None, typer.Option(help="open or replayed")] = "open",
        code: Annotated[str | None, typer.Option(help="Only this rejection code")] = None,
        limit: Annotated[int, typer.Option(min=1, max=10000)] = 100,
    ) -> None:
        """List the readings that were rejected (newest first)."""
        from boh.coldchain import service

        rt = get_runtime()
        with rt.system_uow(_tenant(tenant), request_id="coldchain-dead-letters") as uow:
            rows, total = service.list_letters(uow, status=status or None, code=code, limit=limit)
            for r in rows:
                typer.echo(f"{r.id}\t{r.status}\t{r.received_at:%Y-%m-%d %H:%M}\t{r.code}\t{r.reading_id or '-'}"
                           f"\t{r.message}")  # fmt: skip
        typer.echo(f"{total} dead letter(s)")

    @group.command("replay")
    def replay_cmd(
        tenant: Annotated[str, typer.Option(help="The tenant's code")],
        letter: Annotated[list[int] | None, typer.Option("--id", help="A dead letter's id (repeatable)")] = None,
        all_open: Annotated[bool, typer.Option("--all", help="Every open dead letter")] = False,
        code: Annotated[str | None, typer.Option(help="With --all: only this rejection code")] = None,
    ) -> None:
        """Replay dead letters whose cause is fixed: their readings are ingested exactly once (safe to re-run)."""
        from boh.coldchain import service

        if not letter and not all_open:
            raise typer.BadParameter("give --id or --all", param_hint="--id")
        rt = get_runtime()
        with rt.system_uow(_tenant(tenant), request_id="coldchain-replay") as uow:
            ids = list(letter or []) or service.open_ids(uow, code=code)
            results = service.replay_many(uow, ids)
            uow.commit()
        done = sum(1 for r in results if r.status == "replayed" and not r.already)
        for r in results:
            why = "; ".join(f"{x.code}: {x.message}" for x in r.rejected)
            typer.echo(f"{r.letter_id}\t{'already replayed' if r.already else r.status}\taccepted {r.accepted}"
                       f"\tduplicates {r.duplicates}{chr(9) + why if why else ''}")  # fmt: skip
        typer.echo(f"{done} replayed, {sum(1 for r in results if r.status == 'open')} still refused")

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
