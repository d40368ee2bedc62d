"""PostgreSQL: the cost rows are locked in the order of the keys (the ledger's lock order, which keeps
concurrent writers from deadlocking): the keys drive a nested loop that locks each row as it is found, with
no hash or sort between the keys and the locks, whatever the planner's statistics."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from boh.bootstrap import Runtime
from boh.inventory.ledger import store_pg
from boh.kernel.text import joined
from tests.inventory.factories import make_world

NOW = datetime(2026, 12, 1, 12, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _postgres_only(backend: str) -> None:
    if backend != "postgresql":
        pytest.skip("the PostgreSQL store's statement")


def test_cost_rows_are_locked_in_key_order_by_a_nested_loop(runtime: Runtime) -> None:
    w = make_world(runtime)
    keys = sorted({(w.s1, w.item): "EUR", (w.s2, w.item): "EUR"})
    with runtime.session_factory() as s, s.begin():
        locked = store_pg.PgStore(s).lock_costs(w.tenant.id, dict.fromkeys(keys, "EUR"), NOW)
        assert list(locked) == keys
        raw = s.connection().connection.driver_connection
        assert raw is not None
        params = {"t": w.tenant.id, "s": joined([k[0] for k in keys]), "i": joined([k[1] for k in keys])}
        with raw.cursor() as cur:
            cur.execute("SET LOCAL enable_nestloop = off")  # even a planner that would rather not
            cur.execute("EXPLAIN " + store_pg._driver_sql(store_pg._LOCK), params)
            plan = "\n".join(r[0] for r in cur.fetchall())
            cur.execute(store_pg._driver_sql(store_pg._LOCK), params)
            rows = cur.fetchall()
    assert [(r[1], r[2]) for r in rows] == keys  # the rows come back (and were locked) in key order
    lines = [ln.strip() for ln in plan.splitlines()]
    assert lines[0].startswith("Nested Loop"), plan
    outer = next(n for n, ln in enumerate(lines) if "Function Scan on u " in ln)
    lock = next(n for n, ln in enumerate(lines) if "LockRows" in ln)
    assert outer < lock, plan  # the keys drive, each row is locked inside the loop
    assert "Sort" not in plan and "Hash" not in plan, plan
