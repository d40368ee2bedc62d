"""PostgreSQL fast paths of the RFID tag work in rfid.py: the tag read is ONE statement whose key lists are
sent as joined strings and split in the database; new tags, changed tags and session reads are COPY'd
(into the table, or into a temporary table that one statement then applies). Never thousands of
placeholders, never array parameters (psycopg dumps those value by value in Python). Lists are joined
laterally or semi-joined, never ``= ANY(param)``: PostgreSQL searches an array that is not a constant
linearly for every row it filters."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import text
from sqlalchemy.engine import Connection

from boh.inventory.pgcopy import copy_rows, scratch

if TYPE_CHECKING:
    from boh.inventory.ingest.rfid import TagWant

TagRow = tuple[str, int, int, str, str, datetime, datetime | None]


def tags(conn: Connection, tenant_id: int, want: TagWant) -> list[TagRow]:
    """Tags by EPC; per (site, item) the ``n`` most recently seen present tags; sold tags of the exit keys
    sold within the window (see rfid.TagWant)."""
    cols = "t.epc, t.item_id, t.site_id, t.last_zone, t.status, t.last_seen_at, t.sold_at"
    rows = conn.execute(
        text(
            # every part probes an index once per key (a LATERAL join kept apart by LIMIT or OFFSET 0), whatever
            # the planner's statistics say: the tag table grows from empty, and young statistics made it filter
            # whole scans instead (or hash every sold tag of the tenant).
            # UNION ALL: a tag found by two parts is the same row twice (one snapshot), kept once by the
            # caller's dict by EPC; UNION would sort or hash every row to drop the repeats
            f"SELECT {cols} FROM unnest(string_to_array(:epcs, ',')) AS e(epc) "  # noqa: S608 (constant columns)
            f"CROSS JOIN LATERAL (SELECT {cols} FROM inventory_rfid_tag t "
            "WHERE t.tenant_id = :tenant AND t.epc = e.epc OFFSET 0) t"
            f" UNION ALL SELECT {cols} FROM unnest(CAST(string_to_array(:s, ',') AS bigint[]), "
            "CAST(string_to_array(:i, ',') AS bigint[]), CAST(string_to_array(:n, ',') AS integer[])) "
            f"AS u(s, i, n) CROSS JOIN LATERAL (SELECT {cols} FROM inventory_rfid_tag t WHERE t.tenant_id = :tenant "
            "AND t.site_id = u.s AND t.item_id = u.i AND t.status = 'present' "
            "ORDER BY t.last_seen_at DESC, t.epc DESC LIMIT u.n) t"
            f" UNION ALL SELECT {cols} FROM unnest(CAST(string_to_array(:xs, ',') AS bigint[]), "
            "CAST(string_to_array(:xi, ',') AS bigint[])) AS x(s, i) "
            f"CROSS JOIN LATERAL (SELECT {cols} FROM inventory_rfid_tag t WHERE t.tenant_id = :tenant "
            "AND t.site_id = x.s AND t.item_id = x.i AND t.status = 'sold' AND t.sold_at BETWEEN :lo AND :hi "
            # in the order the rules meet them (domain.swap_candidate keeps the first of equal sale times)
            "ORDER BY t.last_seen_at, t.epc OFFSET 0) t"
        ),
        {
            "tenant": tenant_id,
            "epcs": ",".join(sorted(want.epcs)),
            # integer lists as text: one string to send, split in the database (see boh.inventory.pgcopy)
            "s": ",".join(str(k[0]) for k in want.present),
            "i": ",".join(str(k[1]) for k in want.present),
            "n": ",".join(str(n) for n in want.present.values()),
            "xs": ",".join(str(k[0]) for k in want.sold),
            "xi": ",".join(str(k[1]) for k in want.sold),
            "lo": want.sold_from,
            "hi": want.sold_to,
        },
    )
    return [(r[0], r[1], r[2], r[3], r[4], r[5].astimezone(UTC), r[6].astimezone(UTC) if r[6] else None) for r in rows]


_MARK_SOLD = text(
    # the sales (site, item, sold at, lo, hi); per key the ranks it needs (the largest hi) and its present tags of
    # those ranks, ranked as domain.mark_sold sorts them (the index read backwards, as in ``tags``); sale x takes
    # the ranks (lo, hi] of its key. Sale times travel as microseconds since the epoch (see ``_micros``)
    "WITH x AS (SELECT x.s, x.i, TIMESTAMPTZ 'epoch' + x.us * INTERVAL '1 microsecond' AS at, x.lo, x.hi "
    "FROM unnest(CAST(string_to_array(:xs, ',') AS bigint[]), CAST(string_to_array(:xi, ',') AS bigint[]), "
    "CAST(string_to_array(:xus, ',') AS bigint[]), CAST(string_to_array(:lo, ',') AS integer[]), "
    "CAST(string_to_array(:hi, ',') AS integer[])) AS x(s, i, us, lo, hi)), "
    "r AS (SELECT t.ctid AS tid, t.site_id, t.item_id, row_number() OVER (PARTITION BY t.site_id, t.item_id "
    "ORDER BY t.last_seen_at DESC, t.epc DESC) AS rn "
    "FROM (SELECT x.s, x.i, max(x.hi) AS n FROM x GROUP BY x.s, x.i) AS u "
    "CROSS JOIN LATERAL (SELECT t.ctid, t.site_id, t.item_id, t.last_seen_at, t.epc FROM inventory_rfid_tag t "
    "WHERE t.tenant_id = :tenant AND t.site_id = u.s AND t.item_id = u.i AND t.status = 'present' "
    "ORDER BY t.last_seen_at DESC, t.epc DESC LIMIT u.n) t) "
    "UPDATE inventory_rfid_tag t SET status = 'sold', sold_at = x.at, updated_at = :now "
    "FROM r JOIN x ON x.s = r.site_id AND x.i = r.item_id AND r.rn > x.lo AND r.rn <= x.hi "
    # the row at the address the ranking read (no second index probe). A tag another batch changed meanwhile
    # (a read at another site holds only that site's lock, see rfid.py; a session close marking it missing)
    # has its new version elsewhere and is not marked after all, as the status and site checks would say
    "WHERE t.ctid = r.tid AND t.status = 'present' AND t.site_id = r.site_id"
)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)


def _micros(at: datetime) -> int:
    """An aware time as whole microseconds since the epoch: exact, and a quarter of ``isoformat``'s cost to
    build (~0.25 us against ~1 us a value); PostgreSQL adds them back to the epoch."""
    return (at - _EPOCH) // _MICROSECOND


def mark_sold(
    conn: Connection, tenant_id: int, sales: Sequence[tuple[int, int, datetime, int, int]], now: datetime
) -> None:
    """Mark sold, per sale (site, item, sold at, lo, hi), the present tags of rank lo+1..hi of its key, most
    recently seen first. Two transactions never mark tags of the same key at once: both hold the key's
    cost-row lock (boh.inventory.ledger.post.lock_items)."""
    conn.execute(
        _MARK_SOLD,
        {
            "tenant": tenant_id,
            "now": now,
            "xs": ",".join([str(r[0]) for r in sales]),
            "xi": ",".join([str(r[1]) for r in sales]),
            "xus": ",".join([str(_micros(r[2])) for r in sales]),
            "lo": ",".join([str(r[3]) for r in sales]),
            "hi": ",".join([str(r[4]) for r in sales]),
        },
    )


_TAG_COLS = ("tenant_id", "epc", "item_id", "site_id", "last_zone", "last_reader", "last_seen_at", "status",
             "sold_at", "updated_at")  # fmt: skip
_TAG_UPDATE = ("epc", "site_id", "last_zone", "last_seen_at", "status", "sold_at", "updated_at")
_READ_COLS = ("tenant_id", "session_id", "epc", "item_id", "expected", "read_at")


def insert_tags(conn: Connection, rows: Sequence[Sequence[object]]) -> None:
    """New tags: rows of ``_TAG_COLS`` (rfid._save builds them)."""
    copy_rows(conn, "inventory_rfid_tag", _TAG_COLS, rows)


def update_tags(conn: Connection, tenant_id: int, rows: Sequence[Sequence[object]]) -> None:
    """Changed tags by EPC: rows of ``_TAG_UPDATE`` in EPC order (rfid._save builds them). Two transactions
    never change the same tag at once: both hold the cost-row locks of the tag's (site, item) first
    (boh.inventory.ledger.post.lock_items)."""
    scratch(
        conn,
        "boh_tag_change",
        "epc varchar(64), site_id bigint, last_zone varchar(20), last_seen_at timestamptz, status varchar(10), "
        "sold_at timestamptz, updated_at timestamptz",
    )
    copy_rows(conn, "boh_tag_change", _TAG_UPDATE, rows)
    conn.execute(
        text(
            "UPDATE inventory_rfid_tag t SET site_id = u.site_id, last_zone = u.last_zone, "
            "last_seen_at = u.last_seen_at, status = u.status, sold_at = u.sold_at, updated_at = u.updated_at "
            "FROM boh_tag_change u WHERE t.tenant_id = :tenant AND t.epc = u.epc"
        ),
        {"tenant": tenant_id},
    )


def insert_session_reads(conn: Connection, rows: Sequence[Mapping[str, object]]) -> None:
    """RFID session reads (rows as rfid._record_sessions builds them); repeats of a (session, tag) already
    recorded are skipped."""
    scratch(
        conn,
        "boh_session_read",
        "tenant_id bigint, session_id varchar(80), epc varchar(64), item_id bigint, expected boolean, "
        "read_at timestamptz",
    )
    copy_rows(conn, "boh_session_read", _READ_COLS, ([r[c] for c in _READ_COLS] for r in rows))
    conn.exec_driver_sql(
        "INSERT INTO inventory_rfid_session_read (tenant_id, session_id, epc, item_id, expected, read_at) "
        "SELECT tenant_id, session_id, epc, item_id, expected, read_at FROM boh_session_read "
        "ORDER BY session_id, epc ON CONFLICT (tenant_id, session_id, epc) DO NOTHING"
    )
