"""PostgreSQL fast path of the RFID tag read in rfid.py: ONE statement whose keys come from ``unnest``
of array parameters (and the EPCs from one joined string), instead of thousands of placeholders. Lists are
semi-joined (``IN (SELECT unnest(..))``), never ``= ANY(param)``: PostgreSQL searches an array that is not a
constant linearly for every row it filters."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from sqlalchemy import text
from sqlalchemy.engine import Connection

if TYPE_CHECKING:
    from boh.inventory.ingest.rfid import TagWant

TagRow = tuple[str, int, int, str, str, datetime, datetime | None, int]


def tags(conn: Connection, tenant_id: int, want: TagWant) -> list[TagRow]:
    """Tags by EPC; per (site, item) the ``n`` most recently seen present tags; sold tags of the exit keys
    sold within the window (see rfid.TagWant)."""
    cols = "t.epc, t.item_id, t.site_id, t.last_zone, t.status, t.last_seen_at, t.sold_at, t.id"
    rows = conn.execute(
        text(
            # every part probes an index once per key (a LATERAL join), whatever the planner's statistics say:
            # the tag table grows from empty, and young statistics made it filter whole scans instead
            f"SELECT {cols} FROM unnest(string_to_array(:epcs, ',')) AS e(epc) "  # noqa: S608 (constant columns)
            f"CROSS JOIN LATERAL (SELECT {cols} FROM inventory_rfid_tag t "
            "WHERE t.tenant_id = :tenant AND t.epc = e.epc) t"
            f" UNION SELECT {cols} FROM unnest(CAST(:s AS bigint[]), CAST(:i AS bigint[]), CAST(:n AS integer[])) "
            f"AS u(s, i, n) CROSS JOIN LATERAL (SELECT {cols} FROM inventory_rfid_tag t WHERE t.tenant_id = :tenant "
            "AND t.site_id = u.s AND t.item_id = u.i AND t.status = 'present' "
            "ORDER BY t.last_seen_at DESC, t.epc DESC LIMIT u.n) t"
            f" UNION SELECT {cols} FROM unnest(CAST(:xs AS bigint[]), CAST(:xi AS bigint[])) AS x(s, i) "
            f"CROSS JOIN LATERAL (SELECT {cols} FROM inventory_rfid_tag t WHERE t.tenant_id = :tenant "
            "AND t.site_id = x.s AND t.item_id = x.i AND t.status = 'sold' AND t.sold_at BETWEEN :lo AND :hi) t"
        ),
        {
            "tenant": tenant_id,
            "epcs": ",".join(sorted(want.epcs)),
            "s": [k[0] for k in want.present],
            "i": [k[1] for k in want.present],
            "n": list(want.present.values()),
            "xs": [k[0] for k in want.sold],
            "xi": [k[1] for k in want.sold],
            "lo": want.sold_from,
            "hi": want.sold_to,
        },
    )
    return [
        (r[0], r[1], r[2], r[3], r[4], r[5].astimezone(UTC), r[6].astimezone(UTC) if r[6] else None, r[7]) for r in rows
    ]


def insert_tags(conn: Connection, rows: Sequence[Mapping[str, object]]) -> None:
    """New tags (rows as rfid._save builds them), one statement."""
    cols = ("tenant_id", "epc", "item_id", "site_id", "last_zone", "last_reader", "last_seen_at", "status",
            "sold_at", "updated_at")  # fmt: skip
    types = ("bigint", "varchar", "bigint", "bigint", "varchar", "varchar", "timestamptz", "varchar",
             "timestamptz", "timestamptz")  # fmt: skip
    arrays = ", ".join(f"CAST(:{c} AS {t}[])" for c, t in zip(cols, types, strict=True))
    conn.execute(
        text(f"INSERT INTO inventory_rfid_tag ({', '.join(cols)}) SELECT * FROM unnest({arrays})"),  # noqa: S608
        {c: [r[c] for r in rows] for c in cols},
    )


_TAG_UPDATE = ("id", "site_id", "last_zone", "last_seen_at", "status", "sold_at", "updated_at")


def update_tags(conn: Connection, rows: Sequence[Mapping[str, object]]) -> None:
    """Changed tags by id (rows as rfid._save builds them), one statement."""
    conn.execute(
        text(
            "UPDATE inventory_rfid_tag t SET site_id = u.site_id, last_zone = u.last_zone, "
            "last_seen_at = u.last_seen_at, status = u.status, sold_at = u.sold_at, updated_at = u.updated_at "
            "FROM unnest(CAST(:id AS bigint[]), CAST(:site_id AS bigint[]), CAST(:last_zone AS varchar[]), "
            "CAST(:last_seen_at AS timestamptz[]), CAST(:status AS varchar[]), CAST(:sold_at AS timestamptz[]), "
            "CAST(:updated_at AS timestamptz[])) "
            "AS u(id, site_id, last_zone, last_seen_at, status, sold_at, updated_at) WHERE t.id = u.id"
        ),
        {
            c: [r[c] for r in rows]
            for c in ("id", "site_id", "last_zone", "last_seen_at", "status", "sold_at", "updated_at")
        },
    )
