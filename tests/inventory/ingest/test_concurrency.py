"""Two identical batches at the same time apply every event once (claims on the unique index)."""

from __future__ import annotations

import threading
from decimal import Decimal as D

from sqlalchemy import func, select

from boh.bootstrap import Runtime
from boh.inventory.ingest import service
from boh.inventory.ingest.schemas import IngestResult
from boh.inventory.models import Move
from boh.inventory.rebuild import rebuild_check
from tests.inventory.ingest.helpers import make_floor, on_hand, receive, sale


def test_identical_batches_at_once_apply_each_event_once(runtime: Runtime) -> None:
    f = make_floor(runtime)
    receive(runtime, f, f.sh01, f.milk, "1000")
    receive(runtime, f, f.sh01, f.soap, "1000")
    batch = [sale(f"e{i}", sku="MILK" if i % 2 else "SOAP") for i in range(400)]
    results: list[IngestResult] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(3)

    def worker(events: list[dict[str, object]]) -> None:
        try:
            barrier.wait()
            with runtime.system_uow(f.tenant.id) as uow:
                results.append(service.ingest(uow, events))
                uow.commit()
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(batch if n < 2 else batch[::-1],)) for n in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    assert sum(r.accepted for r in results) == 400
    assert sum(r.duplicates for r in results) == 800
    assert (on_hand(runtime, f.sh01, f.milk), on_hand(runtime, f.sh01, f.soap)) == (D(800), D(800))
    with runtime.session_factory() as s:
        assert s.scalar(select(func.count()).select_from(Move).where(Move.move_type == "sale")) == 400
        assert rebuild_check(s, f.tenant.id) == []


def test_ingestion_and_ledger_commands_on_the_same_items_at_once(runtime: Runtime) -> None:
    from boh.inventory import service as ledger
    from tests.inventory.factories import mv

    f = make_floor(runtime)
    errors: list[BaseException] = []
    barrier = threading.Barrier(4)

    def pos(n: int) -> None:
        try:
            barrier.wait()
            for k in range(5):
                with runtime.system_uow(f.tenant.id) as uow:
                    events = [sale(f"p{n}-{k}-{i}", sku="MILK" if i % 2 else "SOAP") for i in range(100)]
                    service.ingest(uow, events[::-1] if n % 2 else events)
                    uow.commit()
        except BaseException as exc:
            errors.append(exc)

    def backoffice(n: int) -> None:
        try:
            barrier.wait()
            for k in range(5):
                with runtime.system_uow(f.tenant.id) as uow:
                    items = [f.soap, f.milk] if n % 2 else [f.milk, f.soap]
                    moves = [mv(f.sh01, i, "receipt", "20", f"b{n}-{k}-{i}", unit_cost=D(1)) for i in items]
                    ledger.post_moves(uow, moves)
                    uow.commit()
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=pos, args=(n,)) for n in range(2)]
    threads += [threading.Thread(target=backoffice, args=(n,)) for n in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert errors == []
    # received 2 writers x 5 x 20 = 200 of each; sold 2 writers x 5 x 50 = 500 of each
    assert (on_hand(runtime, f.sh01, f.milk), on_hand(runtime, f.sh01, f.soap)) == (D(-300), D(-300))
    with runtime.session_factory() as s:
        assert rebuild_check(s, f.tenant.id) == []
