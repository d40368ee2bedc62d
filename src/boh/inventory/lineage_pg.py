"""``lineage``'s move reads on PostgreSQL, through the driver's own cursor: the same statements as text, rows
built in C and turned into ``PostedMove``s by position. Through SQLAlchemy, the result processing (a type
processor per value) and the access to a row's columns by name cost three quarters of a one-up/one-down
trace's client CPU, more than the statement's execution. PostgreSQL returns the NUMERIC(p, 6) columns with
their six decimal places (the quantized ``Decimal`` the column type gives) and the times with the session's
zone, converted to UTC here as the column type does; tests/trace holds every move read here to the ORM's.
Semantics are those of ``lineage``'s portable statements (the same tests run on both databases)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC
from typing import Any

from psycopg.rows import tuple_row
from sqlalchemy.orm import Session

from boh.inventory.ledger.contract import PostedMove
from boh.inventory.ledger.store import MOVE_COLUMNS

FIELDS = ("id", *MOVE_COLUMNS[1:])  # PostedMove's fields, in its order
EVENT_AT = FIELDS.index("event_at")
assert PostedMove.__match_args__ == FIELDS and FIELDS[EVENT_AT + 1] == "recorded_at"
_COLS = ", ".join(f"m.{c}" for c in FIELDS)
_PRODUCTION = "('production_consume', 'production_output')"

_LOT_MOVES = (
    f"SELECT {_COLS} FROM inventory_move m WHERE m.tenant_id = %(t)s AND m.lot_id = ANY(%(ids)s::bigint[]) "
    "ORDER BY m.id"
)
# the batches as a semi-join: each (source_type, source_id) probes the source index
_BATCH_MOVES = (
    f"SELECT {_COLS} FROM inventory_move m WHERE m.tenant_id = %(t)s AND m.move_type IN {_PRODUCTION} "
    "AND (m.source_type, m.source_id) IN (SELECT * FROM unnest(%(st)s::varchar[], %(sid)s::varchar[])) ORDER BY m.id"
)


def _neighbourhood(side: str, other: str, roots: str, not_root: str) -> str:
    return (
        f"WITH r AS (SELECT * FROM inventory_move m WHERE m.tenant_id = %(t)s AND m.lot_id {roots}), "
        "b AS (SELECT DISTINCT source_type, source_id FROM r "
        f"WHERE move_type = '{side}' AND source_type IS NOT NULL AND source_id IS NOT NULL), "
        "bm AS (SELECT m.* FROM inventory_move m JOIN b ON m.source_type = b.source_type AND m.source_id = b.source_id "
        f"WHERE m.tenant_id = %(t)s AND m.move_type IN {_PRODUCTION}), "
        f"near AS (SELECT DISTINCT lot_id FROM bm WHERE move_type = '{other}' AND lot_id IS NOT NULL) "
        f"SELECT 0, {_COLS} FROM r m UNION ALL SELECT 1, {_COLS} FROM bm m UNION ALL "
        f"SELECT 2, {_COLS} FROM inventory_move m WHERE m.tenant_id = %(t)s "
        f"AND m.lot_id IN (SELECT lot_id FROM near) AND m.lot_id {not_root} "
        "ORDER BY 1, 2"
    )


# (direction, one root): one root is compared as a scalar. The server prepares the statement after five calls
# (psycopg); with a scalar the generic plan's estimates are a custom plan's, so it keeps the generic plan and
# stops planning every call (0.6 ms of the backend's 1.2 ms for a supplier lot). With an array the generic
# plan guesses ten elements, costs more than a custom plan for one, and every call is planned again.
_NEIGHBOURHOOD = {
    (way, one): _neighbourhood(
        *sides,
        "= %(roots)s::bigint" if one else "= ANY(%(roots)s::bigint[])",
        "<> %(roots)s::bigint" if one else "<> ALL(%(roots)s::bigint[])",
    )
    for way, sides in (
        ("forward", ("production_consume", "production_output")),
        ("backward", ("production_output", "production_consume")),
    )
    for one in (True, False)
}


def _rows(session: Session, sql: str, params: dict[str, Any]) -> list[tuple[Any, ...]]:
    raw = session.connection().connection.driver_connection
    assert raw is not None
    with raw.cursor(row_factory=tuple_row) as cur:
        cur.execute(sql, params)
        rows: list[tuple[Any, ...]] = cur.fetchall()
        return rows


def _move(r: Sequence[Any], at: int = EVENT_AT) -> PostedMove:
    """A PostedMove from the FIELDS of a row starting at ``at - EVENT_AT``."""
    fields: Any = (*r[at - EVENT_AT : at], r[at].astimezone(UTC), r[at + 1].astimezone(UTC), r[at + 2])
    return PostedMove(*fields)


def lot_moves(session: Session, tenant_id: int, lot_ids: list[int]) -> list[PostedMove]:
    return [_move(r) for r in _rows(session, _LOT_MOVES, {"t": tenant_id, "ids": lot_ids})]  # in id order


def batch_moves(session: Session, tenant_id: int, refs: list[tuple[str, str]]) -> list[PostedMove]:
    params = {"t": tenant_id, "st": [r[0] for r in refs], "sid": [r[1] for r in refs]}
    return [_move(r) for r in _rows(session, _BATCH_MOVES, params)]  # in id order


def neighbourhood(
    session: Session, tenant_id: int, roots: list[int], direction: str
) -> tuple[list[PostedMove], list[PostedMove], list[PostedMove]]:
    parts: tuple[list[PostedMove], list[PostedMove], list[PostedMove]] = ([], [], [])
    at = EVENT_AT + 1  # after the part
    one = len(roots) == 1
    params = {"t": tenant_id, "roots": roots[0] if one else roots}
    for r in _rows(session, _NEIGHBOURHOOD[(direction, one)], params):
        parts[r[0]].append(_move(r, at))  # in id order (ORDER BY part, id)
    return parts
