"""Concurrent writers on PostgreSQL: exact balances, no deadlocks, idempotency under races."""

from __future__ import annotations

import threading
from collections.abc import Callable
from decimal import Decimal as D

import pytest
from sqlalchemy import func, select

from boh.bootstrap import Runtime
from boh.inventory import service
from boh.inventory.models import Balance, ItemCost, Move
from boh.inventory.rebuild import rebuild_check
from tests.inventory.factories import make_world, mv

pytestmark = pytest.mark.postgres_only


@pytest.fixture(autouse=True)
def _postgres_only(backend: str) -> None:
    if backend != "postgresql":
        pytest.skip("row locks and concurrent writers are PostgreSQL behaviour")


def _run(threads: int, work: Callable[[int], None]) -> list[BaseException]:
    errors: list[BaseException] = []
    start = threading.Barrier(threads)

    def target(n: int) -> None:
        try:
            start.wait()
            work(n)
        except BaseException as exc:  # collected and asserted on below
            errors.append(exc)

    pool = [threading.Thread(target=target, args=(n,)) for n in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join(timeout=120)
    return errors


def test_eight_writers_on_the_same_balances_are_exact_and_never_deadlock(runtime: Runtime) -> None:
    w = make_world(runtime)

    def work(n: int) -> None:
        # each batch touches both items, half of the threads in the opposite order: only the fixed lock
        # order keeps them from deadlocking
        items = (w.item, w.item2) if n % 2 else (w.item2, w.item)
        for i in range(25):
            qty, cost = ("3", D("2.5")) if i % 5 else ("-1", None)
            kind = "receipt" if qty == "3" else "sale"
            with runtime.system_uow(w.tenant.id) as uow:
                service.post_moves(
                    uow,
                    [
                        mv(w.s1, items[0], kind, qty, f"{n}-{i}-a", unit_cost=cost),
                        mv(w.s1, items[1], kind, qty, f"{n}-{i}-b", unit_cost=cost),
                    ],
                )
                uow.commit()

    errors = _run(8, work)
    assert errors == []
    with runtime.session_factory() as s:
        on_hand = dict(s.execute(select(Balance.item_id, Balance.on_hand).where(Balance.site_id == w.s1)).all())
        costs = {c.item_id: (c.quantity, c.avg_unit_cost) for c in s.scalars(select(ItemCost))}
        values = {c.item_id: c.total_value for c in s.scalars(select(ItemCost))}
        stock_moves = select(func.count()).select_from(Move).where(Move.move_type != "revaluation")
        assert s.scalar(stock_moves) == 8 * 50  # plus a true-up where a receipt met stock sold short first
        assert rebuild_check(s, w.tenant.id) == []  # quantities, values and costs agree with the moves
    expected = D(8 * (20 * 3 - 5 * 1))  # per thread and item: 20 receipts of 3, 5 sales of 1
    assert on_hand == {w.item: expected, w.item2: expected}
    assert costs == {w.item: (expected, D("2.5")), w.item2: (expected, D("2.5"))}
    assert values == {w.item: expected * D("2.5"), w.item2: expected * D("2.5")}


def test_racing_retries_of_one_batch_post_it_once(runtime: Runtime) -> None:
    w = make_world(runtime)
    ids: list[int] = []

    def work(n: int) -> None:
        with runtime.system_uow(w.tenant.id) as uow:
            result = service.post_moves(
                uow, [mv(w.s1, w.item, "receipt", "5", "same"), mv(w.s1, w.item2, "receipt", "1", "same-2")]
            )
            uow.commit()
            ids.extend(m.id for m in result.moves)

    assert _run(6, work) == []
    with runtime.session_factory() as s:
        assert s.scalar(select(func.count()).select_from(Move)) == 2
        assert s.scalar(select(Balance.on_hand).where(Balance.item_id == w.item)) == D(5)
    assert len(set(ids)) == 2


def test_writers_creating_the_same_lots_by_code_agree_on_one_lot(runtime: Runtime) -> None:
    w = make_world(runtime)

    def work(n: int) -> None:
        for i in range(10):
            codes = [f"LOT{(n + i) % 3}", f"LOT{(n + i + 1) % 3}"]
            with runtime.system_uow(w.tenant.id) as uow:
                service.post_moves(
                    uow,
                    [
                        mv(w.s1, w.item, "receipt", "1", f"{n}-{i}-a", lot_code=codes[0]),
                        mv(w.s1, w.item, "receipt", "1", f"{n}-{i}-b", lot_code=codes[1]),
                        mv(w.s1, w.item2, "receipt", "2", f"{n}-{i}-c"),
                    ],
                )
                uow.commit()

    assert _run(6, work) == []
    with runtime.session_factory() as s:
        per_lot = dict(s.execute(select(Balance.lot_id, Balance.on_hand).where(Balance.item_id == w.item)).all())
        assert rebuild_check(s, w.tenant.id) == []
    assert len(per_lot) == 3 and sum(per_lot.values()) == D(6 * 10 * 2)
