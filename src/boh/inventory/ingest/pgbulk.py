"""PostgreSQL fast path of the RFID tag reads in rfid.py: ONE short statement whose rows come from
``unnest`` of array parameters, instead of a multi-row VALUES list of thousands of placeholders."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import text
from sqlalchemy.engine import Connection

Key = tuple[int, int, int]


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
