"""PostgreSQL: the partial move indexes still serve the reads they are for (the planner uses a partial index
only for a query that proves its condition)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import aliased

from boh.bootstrap import Runtime
from boh.inventory import lineage_pg
from boh.inventory.models import Move

pytestmark = pytest.mark.postgres_only


@pytest.fixture(autouse=True)
def _postgres_only(backend: str) -> None:
    if backend != "postgresql":
        pytest.skip("SQLite keeps the whole source index")


def _plan(runtime: Runtime, sql: str, params: dict[str, Any]) -> str:
    with runtime.engine.connect() as conn:
        conn.exec_driver_sql("SET enable_seqscan = off")  # a test table is tiny: ask whether the index can serve
        return "\n".join(r[0] for r in conn.exec_driver_sql(f"EXPLAIN {sql}", params))


def test_the_source_lookups_of_other_documents_use_the_source_index(runtime: Runtime) -> None:
    # a transfer's receipts, as transfers/receiving queries read them: the move type is a bound value
    rcv = aliased(Move)
    stmt = select(rcv.id).where(
        rcv.tenant_id == 1, rcv.move_type == "transfer_in", rcv.source_type == "transfer", rcv.source_id == "7"
    )
    compiled = stmt.compile(runtime.engine)
    assert "ix_inventory_move_source" in _plan(runtime, str(compiled), dict(compiled.params))
    # a production batch's moves (trace): the move types are a constant list, the sources a semi-join
    batch = lineage_pg._BATCH_MOVES  # the statement as lineage runs it
    plan = _plan(runtime, batch, {"t": 1, "st": ["production"], "sid": ["b1"]})
    assert "ix_inventory_move_source" in plan
