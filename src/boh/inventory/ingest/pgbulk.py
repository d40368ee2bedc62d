"""PostgreSQL fast path of the bulk statements in stock.py: each is ONE short statement whose rows come
from ``unnest`` of array parameters, instead of a multi-row VALUES list of thousands of placeholders
(which the driver re-parses on every call and costs more than the database work).

Semantics are exactly those of the portable versions in stock.py: the same ON CONFLICT targets, the same
atomic ``on_hand = on_hand + excluded.on_hand`` upsert, rows taken in the (sorted) array order, so the
lock order stays the ledger's key order.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import Connection

Key = tuple[int, int, int]


def _col(rows: Sequence[dict[str, Any]], name: str) -> list[Any]:
    return [r[name] for r in rows]


def claim(conn: Connection, tenant_id: int, rows: Sequence[dict[str, Any]]) -> set[tuple[str, str]]:
    stmt = text(
        "INSERT INTO inventory_ingested_event "
        "(tenant_id, source, event_id, kind, site_id, transport, occurred_at, ingested_at) "
        "SELECT :tenant, u.source, u.event_id, u.kind, u.site_id, :transport, u.occurred_at, :now "
        "FROM unnest(CAST(:source AS varchar[]), CAST(:event_id AS varchar[]), CAST(:kind AS varchar[]), "
        "CAST(:site_id AS bigint[]), CAST(:occurred_at AS timestamptz[])) "
        "AS u(source, event_id, kind, site_id, occurred_at) "
        "ON CONFLICT (tenant_id, source, event_id) DO NOTHING RETURNING source, event_id"
    )
    params = {
        "tenant": tenant_id,
        "transport": rows[0]["transport"] if rows else "",
        "now": rows[0]["ingested_at"] if rows else None,
        **{c: _col(rows, c) for c in ("source", "event_id", "kind", "site_id", "occurred_at")},
    }
    return {(s, e) for s, e in conn.execute(stmt, params)}


def lock_costs(
    conn: Connection, tenant_id: int, keys: list[tuple[int, int]], currencies: list[str], now: datetime
) -> list[tuple[int, int, int, Decimal, Decimal, Decimal]]:
    """Create missing cost rows, then lock them all in (site_id, item_id) order; the rows
    (id, site_id, item_id, quantity, avg_unit_cost, total_value)."""
    sites = [k[0] for k in keys]
    items = [k[1] for k in keys]
    conn.execute(
        text(
            "INSERT INTO inventory_item_cost "
            "(tenant_id, site_id, item_id, currency, quantity, avg_unit_cost, total_value, updated_at) "
            "SELECT :tenant, u.s, u.i, u.c, 0, 0, 0, :now "
            "FROM unnest(CAST(:s AS bigint[]), CAST(:i AS bigint[]), CAST(:c AS varchar[])) AS u(s, i, c) "
            "ON CONFLICT (tenant_id, site_id, item_id) DO NOTHING"
        ),
        {"tenant": tenant_id, "s": sites, "i": items, "c": currencies, "now": now},
    )
    rows = conn.execute(
        text(
            "SELECT c.id, c.site_id, c.item_id, c.quantity, c.avg_unit_cost, c.total_value "
            "FROM inventory_item_cost c JOIN unnest(CAST(:s AS bigint[]), CAST(:i AS bigint[])) AS u(s, i) "
            "ON c.site_id = u.s AND c.item_id = u.i WHERE c.tenant_id = :tenant "
            "ORDER BY c.site_id, c.item_id FOR UPDATE OF c"
        ),
        {"tenant": tenant_id, "s": sites, "i": items},
    )
    return [(r[0], r[1], r[2], r[3], r[4], r[5]) for r in rows]


def update_costs(conn: Connection, rows: Sequence[dict[str, Any]]) -> None:
    conn.execute(
        text(
            "UPDATE inventory_item_cost c SET quantity = u.q, avg_unit_cost = u.a, total_value = u.v, "
            "updated_at = :now FROM unnest(CAST(:id AS bigint[]), CAST(:q AS numeric[]), "
            "CAST(:a AS numeric[]), CAST(:v AS numeric[])) AS u(id, q, a, v) WHERE c.id = u.id"
        ),
        {
            "now": rows[0]["updated_at"],
            "id": _col(rows, "b_id"),
            "q": _col(rows, "quantity"),
            "a": _col(rows, "avg_unit_cost"),
            "v": _col(rows, "total_value"),
        },
    )


def on_hand(conn: Connection, tenant_id: int, keys: list[Key]) -> dict[Key, Decimal]:
    rows = conn.execute(
        text(
            "SELECT b.site_id, b.item_id, b.lot_key, b.on_hand FROM inventory_balance b "
            "JOIN unnest(CAST(:s AS bigint[]), CAST(:i AS bigint[]), CAST(:l AS bigint[])) AS u(s, i, l) "
            "ON b.site_id = u.s AND b.item_id = u.i AND b.lot_key = u.l WHERE b.tenant_id = :tenant"
        ),
        {"tenant": tenant_id, "s": [k[0] for k in keys], "i": [k[1] for k in keys], "l": [k[2] for k in keys]},
    )
    return {(s, i, lk): q for s, i, lk, q in rows}


_MOVE_COLS = (
    "site_id", "item_id", "lot_id", "move_type", "quantity", "unit_cost", "currency", "source_type",
    "source_id", "idempotency_key", "negative", "event_at",
)  # fmt: skip
_MOVE_TYPES = (
    "bigint", "bigint", "bigint", "varchar", "numeric", "numeric", "varchar", "varchar", "varchar", "varchar",
    "boolean", "timestamptz",
)  # fmt: skip


_ARRAYS = ", ".join(f"CAST(:{c} AS {t}[])" for c, t in zip(_MOVE_COLS, _MOVE_TYPES, strict=True))
_INSERT_MOVES = (  # built once from the constants above; every value is a bound parameter
    f"INSERT INTO inventory_move (id, tenant_id, {', '.join(_MOVE_COLS)}, reason_code, counter_site_id, "  # noqa: S608
    f"recorded_at, actor) SELECT u.id, :tenant, {', '.join('u.' + c for c in _MOVE_COLS)}, NULL, NULL, "
    f":recorded_at, :actor FROM unnest(CAST(:id AS bigint[]), {_ARRAYS}) AS u(id, {', '.join(_MOVE_COLS)})"
)


def insert_moves(conn: Connection, rows: Sequence[dict[str, Any]]) -> list[int]:
    """Insert the moves (ids drawn from the sequence first, so they map to the rows without relying on
    RETURNING order); their ids in row order."""
    ids = list(
        conn.scalars(
            text("SELECT nextval(pg_get_serial_sequence('inventory_move', 'id')) FROM generate_series(1, :n)"),
            {"n": len(rows)},
        )
    )
    conn.execute(
        text(_INSERT_MOVES),
        {
            "id": ids,
            "tenant": rows[0]["tenant_id"],
            "recorded_at": rows[0]["recorded_at"],
            "actor": rows[0]["actor"],
            **{c: _col(rows, c) for c in _MOVE_COLS},
        },
    )
    return ids


def add_to_balances(conn: Connection, tenant_id: int, rows: Sequence[dict[str, Any]]) -> dict[Key, Decimal]:
    result = conn.execute(
        text(
            "INSERT INTO inventory_balance (tenant_id, site_id, item_id, lot_id, lot_key, on_hand, reserved, "
            "in_transit, on_order, updated_at) "
            "SELECT :tenant, u.s, u.i, NULLIF(u.l, 0), u.l, u.q, 0, 0, 0, :now "
            "FROM unnest(CAST(:s AS bigint[]), CAST(:i AS bigint[]), CAST(:l AS bigint[]), "
            "CAST(:q AS numeric[])) AS u(s, i, l, q) "
            "ON CONFLICT (tenant_id, site_id, item_id, lot_key) DO UPDATE SET "
            "on_hand = inventory_balance.on_hand + excluded.on_hand, updated_at = excluded.updated_at "
            "RETURNING site_id, item_id, lot_key, on_hand"
        ),
        {
            "tenant": tenant_id,
            "now": rows[0]["updated_at"],
            "s": _col(rows, "site_id"),
            "i": _col(rows, "item_id"),
            "l": _col(rows, "lot_key"),
            "q": _col(rows, "on_hand"),
        },
    )
    return {(s, i, lk): q for s, i, lk, q in result}


TagRow = tuple[str, int, int, str, str, datetime, datetime | None, int]


def tags(conn: Connection, tenant_id: int, epcs: list[str], keys: list[tuple[int, int]]) -> list[TagRow]:
    """Tags by EPC, and the present or sold tags of these (site_id, item_id) keys."""
    cols = "t.epc, t.item_id, t.site_id, t.last_zone, t.status, t.last_seen_at, t.sold_at, t.id"
    rows = conn.execute(
        text(
            f"SELECT {cols} FROM inventory_rfid_tag t "  # noqa: S608 (constant column list)
            "WHERE t.tenant_id = :tenant AND t.epc = ANY(CAST(:epcs AS varchar[])) "
            f"UNION SELECT {cols} FROM inventory_rfid_tag t "
            "JOIN unnest(CAST(:s AS bigint[]), CAST(:i AS bigint[])) AS u(s, i) "
            "ON t.site_id = u.s AND t.item_id = u.i "
            "WHERE t.tenant_id = :tenant AND t.status IN ('present', 'sold')"
        ),
        {"tenant": tenant_id, "epcs": epcs, "s": [k[0] for k in keys], "i": [k[1] for k in keys]},
    )
    return [
        (r[0], r[1], r[2], r[3], r[4], r[5].astimezone(UTC), r[6].astimezone(UTC) if r[6] else None, r[7]) for r in rows
    ]
