"""Concurrent reservations on PostgreSQL: never more reserved than there is, no deadlock beside postings."""

from __future__ import annotations

import threading
from decimal import Decimal as D

import pytest

from boh.bootstrap import Runtime
from boh.inventory import service as inventory
from boh.inventory.commitments import service
from boh.inventory.commitments.errors import NotEnoughAvailable
from boh.inventory.commitments.schemas import FulfilIn, ReservationIn
from boh.inventory.rebuild import commitment_differences, rebuild_check
from tests.inventory.commitments.helpers import balances
from tests.inventory.factories import make_world, mv, post

pytestmark = pytest.mark.postgres_only


@pytest.fixture(autouse=True)
def _postgres_only(backend: str) -> None:
    if backend != "postgresql":
        pytest.skip("row locks and concurrent writers are PostgreSQL behaviour")


def test_parallel_reservations_never_overbook_and_mix_with_sales_and_fulfilment(runtime: Runtime) -> None:
    w = make_world(runtime)
    post(runtime, w.tenant, mv(w.s1, w.item, "receipt", "60", "r1", unit_cost=D(1)))
    start = threading.Barrier(7)
    errors: list[BaseException] = []
    won: list[int] = []
    shipped: list[int] = []
    refused: list[int] = []
    lock = threading.Lock()

    def reserver(n: int) -> None:
        start.wait()
        for i in range(12):
            data = ReservationIn(site_id=w.s1, item_id=w.item, quantity=D(1), document_type="sales_order",
                                 document_id=f"SO-{n}-{i}", idempotency_key=f"{n}-{i}")  # fmt: skip
            try:
                with runtime.system_uow(w.tenant.id) as uow:
                    out = service.reserve(uow, data)
                    ship = i % 3 == 0  # some are shipped at once: a sale through the ledger in the same unit
                    if ship:
                        service.fulfil(uow, out.commitment.id, FulfilIn(idempotency_key=f"ship-{n}-{i}"))
                    uow.commit()
                with lock:
                    won.append(n)
                    shipped.extend([n] if ship else [])
            except NotEnoughAvailable:
                with lock:
                    refused.append(n)

    def seller() -> None:
        start.wait()
        for i in range(10):
            with runtime.system_uow(w.tenant.id) as uow:
                inventory.post_moves(uow, [mv(w.s1, w.item, "sale", "-1", f"pos-{i}")])
                uow.commit()

    def guarded(fn: object, *args: object) -> None:
        try:
            fn(*args)  # type: ignore[operator]
        except BaseException as exc:  # collected and asserted on below
            errors.append(exc)

    threads = [threading.Thread(target=guarded, args=(reserver, n)) for n in range(6)]
    threads.append(threading.Thread(target=guarded, args=(seller,)))
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert errors == []
    assert len(won) + len(refused) == 72 and refused
    # never more reserved than there was; refused only once reservations and sales had taken it all
    assert len(won) <= 60 <= len(won) + 10
    on_hand, reserved, _ = balances(runtime, w.tenant, w.s1, w.item)[0]
    assert on_hand == 60 - 10 - len(shipped) and reserved == len(won) - len(shipped)
    with runtime.system_uow(w.tenant.id) as uow:
        assert rebuild_check(uow.session, w.tenant.id) == []
        assert commitment_differences(uow.session, w.tenant.id) == []
