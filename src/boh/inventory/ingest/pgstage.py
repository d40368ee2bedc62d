"""PostgreSQL set-based write path of ingestion: the batch's good events are COPY'd into a per-connection
temporary staging table, and every step after that is one set-based statement over it, run inside the
database (no per-event parameters, no per-event Python on the way back).

Semantics are those of the portable path in stock.py (the suite runs the same tests on both):
1. ``lock``: create the missing (site, item) cost rows, then lock them all in (site_id, item_id) order
   (the ledger's lock order, see boh.inventory.repository);
2. ``claim``: insert the (tenant, source, event_id) claims in key order with ``ON CONFLICT DO NOTHING``;
   the staged rows whose claim this transaction inserted are marked claimed (the others are duplicates);
3. ``refuse``: sales at sites that refuse negative stock are checked in Python in event-time order against
   the balances (``domain.check_stock``); refused ones are unmarked and their claims withdrawn;
4. ``post``: flag outflows that leave their balance below zero (a window sum over the batch in event-time
   order on top of the balance), insert the moves valued at the moving average, update the cost rows
   and upsert the balances, each aggregated per key in key order.

The staging table is ``ON COMMIT DELETE ROWS`` and emptied at the start of every batch, so a transaction
may ingest several batches (the MQTT subscriber does).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import Connection

Key = tuple[int, int, int]  # site_id, item_id, lot_key
STAGE = "boh_ingest_stage"
_COLUMNS = (
    "idx", "part", "source", "event_id", "kind", "site_id", "item_id", "lot_key", "qty", "occurred_at", "currency",
    "source_id", "idem",
)  # fmt: skip
_COPY = "COPY boh_ingest_stage (" + ", ".join(_COLUMNS) + ") FROM STDIN"
_COPY_CLAIMED = "COPY boh_ingest_stage (" + ", ".join(_COLUMNS) + ", claimed) FROM STDIN"
_CREATE = (
    "CREATE TEMP TABLE IF NOT EXISTS boh_ingest_stage (idx integer NOT NULL, part integer NOT NULL, "
    "source varchar(80) NOT NULL, "
    "event_id varchar(80) NOT NULL, kind varchar(20) NOT NULL, site_id bigint NOT NULL, item_id bigint NOT NULL, "
    "lot_key bigint NOT NULL, qty numeric(18, 6) NOT NULL, occurred_at timestamptz NOT NULL, "
    "currency varchar(3) NOT NULL, source_id varchar(80), idem varchar(120), "
    "claimed boolean NOT NULL DEFAULT false, negative boolean NOT NULL DEFAULT false) ON COMMIT DELETE ROWS"
)


def stage(conn: Connection, rows: Iterable[Sequence[Any]]) -> None:
    """Empty the staging table and COPY the batch's good events into it (columns in ``_COLUMNS`` order)."""
    conn.exec_driver_sql(_CREATE)
    conn.exec_driver_sql("DELETE FROM boh_ingest_stage")
    raw = conn.connection.driver_connection
    assert raw is not None
    with raw.cursor() as cur, cur.copy(_COPY) as cp:
        for r in rows:
            cp.write_row(r)


def restage(conn: Connection, indexes: Sequence[int], rows: Iterable[Sequence[Any]]) -> None:
    """Replace the (claimed) staged events ``indexes`` by ``rows``: their parts after a FEFO split."""
    conn.execute(
        text("DELETE FROM boh_ingest_stage WHERE idx IN (SELECT unnest(CAST(:idx AS integer[])))"),
        {"idx": list(indexes)},
    )
    raw = conn.connection.driver_connection
    assert raw is not None
    with raw.cursor() as cur, cur.copy(_COPY_CLAIMED) as cp:
        for r in rows:
            cp.write_row((*r, True))


def lock(conn: Connection, tenant_id: int, now: datetime) -> None:
    """Create the missing cost rows of the staged (site, item) keys, then lock them all in key order.
    Nothing is returned: the statements after this read the rows themselves."""
    params = {"t": tenant_id, "now": now}
    conn.execute(
        text(
            "INSERT INTO inventory_item_cost (tenant_id, site_id, item_id, currency, quantity, avg_unit_cost, "
            "total_value, updated_at) SELECT DISTINCT ON (site_id, item_id) :t, site_id, item_id, currency, "
            "0, 0, 0, :now FROM boh_ingest_stage ORDER BY site_id, item_id "
            "ON CONFLICT (tenant_id, site_id, item_id) DO NOTHING"
        ),
        params,
    )
    conn.execute(
        text(
            "SELECT count(*) FROM (SELECT c.id FROM inventory_item_cost c "
            "JOIN (SELECT DISTINCT site_id, item_id FROM boh_ingest_stage) k "
            "ON c.site_id = k.site_id AND c.item_id = k.item_id WHERE c.tenant_id = :t "
            "ORDER BY c.site_id, c.item_id FOR UPDATE OF c) l"
        ),
        params,
    )


def claim(conn: Connection, tenant_id: int, transport: str, now: datetime) -> set[int]:
    """Claim the staged events' ids in key order; the staged indexes this transaction claimed."""
    rows = conn.execute(
        text(
            "WITH c AS (INSERT INTO inventory_ingested_event (tenant_id, source, event_id, kind, site_id, transport, "
            "occurred_at, ingested_at) SELECT :t, source, event_id, kind, site_id, :tr, occurred_at, :now "
            "FROM boh_ingest_stage ORDER BY source, event_id ON CONFLICT (tenant_id, source, event_id) DO NOTHING "
            "RETURNING source, event_id) UPDATE boh_ingest_stage s SET claimed = true FROM c "
            "WHERE s.source = c.source AND s.event_id = c.event_id RETURNING s.idx"
        ),
        {"t": tenant_id, "tr": transport, "now": now},
    )
    return {r[0] for r in rows}


def on_hand(conn: Connection, tenant_id: int, keys: list[Key]) -> dict[Key, Decimal]:
    if not keys:
        return {}
    rows = conn.execute(
        text(
            "SELECT b.site_id, b.item_id, b.lot_key, b.on_hand FROM inventory_balance b "
            "JOIN unnest(CAST(:s AS bigint[]), CAST(:i AS bigint[]), CAST(:l AS bigint[])) AS u(s, i, l) "
            "ON b.site_id = u.s AND b.item_id = u.i AND b.lot_key = u.l WHERE b.tenant_id = :t"
        ),
        {"t": tenant_id, "s": [k[0] for k in keys], "i": [k[1] for k in keys], "l": [k[2] for k in keys]},
    )
    return {(s, i, lk): q for s, i, lk, q in rows}


def unclaim(conn: Connection, tenant_id: int, indexes: Sequence[int]) -> None:
    """Withdraw the claims of these staged events (refused after claiming) and unmark them."""
    conn.execute(
        text(
            "WITH r AS (UPDATE boh_ingest_stage SET claimed = false "
            "WHERE idx IN (SELECT unnest(CAST(:idx AS integer[]))) RETURNING source, event_id) "
            "DELETE FROM inventory_ingested_event e USING r "
            "WHERE e.tenant_id = :t AND e.source = r.source AND e.event_id = r.event_id"
        ),
        {"t": tenant_id, "idx": list(indexes)},
    )


class Posted:
    """What ``post`` wrote: move ids, flagged moves per balance key, balances after (per key)."""

    def __init__(self) -> None:
        self.move_ids: list[int] = []
        self.negative: dict[Key, list[int]] = defaultdict(list)
        self.after: dict[Key, Decimal] = {}


def post(conn: Connection, tenant_id: int, actor: str, now: datetime) -> Posted:
    """Flag, insert, value and add the claimed staged sales and returns (see the module docstring)."""
    params = {"t": tenant_id, "now": now, "actor": actor}
    out = Posted()
    conn.execute(
        text(
            "UPDATE boh_ingest_stage s SET negative = true FROM (SELECT s.idx, s.part, "
            "COALESCE(b.on_hand, 0) + sum(s.qty) OVER (PARTITION BY s.site_id, s.item_id, s.lot_key "
            "ORDER BY s.occurred_at, s.idx, s.part) AS after FROM boh_ingest_stage s LEFT JOIN inventory_balance b "
            "ON b.tenant_id = :t AND b.site_id = s.site_id AND b.item_id = s.item_id AND b.lot_key = s.lot_key "
            "WHERE s.claimed AND s.kind IN ('sale', 'return')) r "
            "WHERE s.idx = r.idx AND s.part = r.part AND s.qty < 0 AND r.after < 0"
        ),
        params,
    )
    rows = conn.execute(
        text(
            "INSERT INTO inventory_move (tenant_id, site_id, item_id, lot_id, move_type, reason_code, quantity, "
            "unit_cost, currency, counter_site_id, source_type, source_id, idempotency_key, negative, event_at, "
            "recorded_at, actor) SELECT :t, s.site_id, s.item_id, NULLIF(s.lot_key, 0), s.kind, NULL, s.qty, "
            "c.avg_unit_cost, s.currency, NULL, 'floor_' || s.kind, s.source_id, s.idem, s.negative, "
            "s.occurred_at, :now, :actor FROM boh_ingest_stage s JOIN inventory_item_cost c ON c.tenant_id = :t "
            "AND c.site_id = s.site_id AND c.item_id = s.item_id "
            "WHERE s.claimed AND s.kind IN ('sale', 'return') ORDER BY s.occurred_at, s.idx, s.part "
            "RETURNING id, site_id, item_id, COALESCE(lot_id, 0), negative"
        ),
        params,
    )
    for move_id, s, i, lk, negative in rows:
        out.move_ids.append(move_id)
        if negative:
            out.negative[(s, i, lk)].append(move_id)
    out.move_ids.sort()
    for ids in out.negative.values():
        ids.sort()
    if not out.move_ids:
        return out
    # a sale or return is valued at the average and leaves it unchanged: the value follows the quantity
    conn.execute(
        text(
            "UPDATE inventory_item_cost c SET quantity = c.quantity + d.dq, total_value = CASE "
            "WHEN c.quantity + d.dq = 0 THEN 0 ELSE round(c.total_value + d.dq * c.avg_unit_cost, 6) END, "
            "updated_at = :now FROM (SELECT s.site_id, s.item_id, sum(s.qty) AS dq FROM boh_ingest_stage s "
            "WHERE s.claimed AND s.kind IN ('sale', 'return') GROUP BY s.site_id, s.item_id) d "
            "WHERE c.tenant_id = :t AND c.site_id = d.site_id AND c.item_id = d.item_id"
        ),
        params,
    )
    rows = conn.execute(
        text(
            "INSERT INTO inventory_balance (tenant_id, site_id, item_id, lot_id, lot_key, on_hand, reserved, "
            "in_transit, on_order, updated_at) SELECT :t, s.site_id, s.item_id, NULLIF(s.lot_key, 0), s.lot_key, "
            "sum(s.qty), 0, 0, 0, :now FROM boh_ingest_stage s WHERE s.claimed AND s.kind IN ('sale', 'return') "
            "GROUP BY s.site_id, s.item_id, s.lot_key ORDER BY s.site_id, s.item_id, s.lot_key "
            "ON CONFLICT (tenant_id, site_id, item_id, lot_key) DO UPDATE SET "
            "on_hand = inventory_balance.on_hand + excluded.on_hand, updated_at = excluded.updated_at "
            "RETURNING site_id, item_id, lot_key, on_hand"
        ),
        params,
    )
    out.after = {(s, i, lk): q for s, i, lk, q in rows}
    return out
