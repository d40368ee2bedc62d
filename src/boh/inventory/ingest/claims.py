"""Exactly-once: the claims of floor events in ``inventory_ingested_event``. ``claim`` inserts (tenant,
source, event_id) with ``ON CONFLICT DO NOTHING RETURNING`` in key order; only the returned (claimed)
events are applied. A concurrent transaction claiming the same id waits on the unique index until this one
ends, then sees the conflict. ``unclaim`` withdraws the claims of events refused later in the same
transaction, so that a retry can apply them once stock has arrived."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any, cast

import psycopg
from sqlalchemy import Table, delete, text, tuple_
from sqlalchemy.dialects import sqlite
from sqlalchemy.orm import Session

from boh.inventory.ingest.models import IngestedEvent
from boh.inventory.ingest.prepare import Prepared
from boh.inventory.pgcopy import copy_rows
from boh.kernel.text import joined

ClaimKey = tuple[str, str]
CHUNK = 1000
_TABLE = cast(Table, IngestedEvent.__table__)
_PG_CLAIM = text(
    "INSERT INTO inventory_ingested_event (tenant_id, source, event_id, kind, site_id, transport, occurred_at, "
    "ingested_at) SELECT :t, u.s, u.e, u.k, u.site, :tr, u.at, :now FROM unnest("
    "string_to_array(:s, chr(31))::varchar[], string_to_array(:e, chr(31))::varchar[], "
    "string_to_array(:k, chr(31))::varchar[], string_to_array(:site, chr(31))::bigint[], "
    "string_to_array(:at, chr(31))::timestamptz[]) "
    "WITH ORDINALITY AS u(s, e, k, site, at, n) ORDER BY u.n "
    "ON CONFLICT (tenant_id, source, event_id) DO NOTHING RETURNING source, event_id"
)
_COPY_COLS = ("tenant_id", "source", "event_id", "kind", "site_id", "transport", "occurred_at", "ingested_at")
_COPY_TYPES = ("int8", "varchar", "varchar", "varchar", "int8", "varchar", "timestamptz", "timestamptz")
_PG_CLAIM_SQL = re.sub(r"(?<![:\w]):(\w+)", r"%(\1)s", str(_PG_CLAIM.text))


def claim(session: Session, tenant_id: int, events: Sequence[Prepared], transport: str, now: datetime) -> set[ClaimKey]:
    """Insert the events' ids; the ones this transaction inserted (the others were already ingested)."""
    ordered = sorted(events, key=lambda p: p.claim_key)  # same order in every writer
    if not ordered:
        return set()
    if session.get_bind().dialect.name == "postgresql":
        return _claim_pg(session, tenant_id, ordered, transport, now)
    rows = [
        {
            "tenant_id": tenant_id, "source": p.event.source, "event_id": p.event.event_id, "kind": p.kind,
            "site_id": p.site.id, "transport": transport, "occurred_at": p.event.occurred_at, "ingested_at": now,
        }
        for p in ordered
    ]  # fmt: skip
    stmt = (
        sqlite.insert(_TABLE)
        .on_conflict_do_nothing(index_elements=["tenant_id", "source", "event_id"])
        .returning(_TABLE.c.source, _TABLE.c.event_id)
    )
    return {(s, e) for s, e in session.connection().execute(stmt, rows)}


def _claim_pg(
    session: Session, tenant_id: int, ordered: Sequence[Prepared], transport: str, now: datetime
) -> set[ClaimKey]:
    """COPY the claims (one WAL record per page of rows, no speculative insertion per row) in a savepoint: the
    unique key still refuses an event claimed before (or by a concurrent transaction, waited for as by an
    INSERT). Only then are the claims inserted again with ``ON CONFLICT DO NOTHING``, which returns the
    ones that were new (a retried batch: rare, and then usually every event of it)."""
    conn = session.connection()
    raw = conn.connection.driver_connection
    assert raw is not None
    with raw.cursor() as cur:
        cur.execute("SAVEPOINT boh_claim")
        try:
            copy_rows(conn, "inventory_ingested_event", _COPY_COLS, (
                (tenant_id, p.event.source, p.event.event_id, p.kind, p.site.id, transport, p.event.occurred_at, now)
                for p in ordered
            ), _COPY_TYPES)  # fmt: skip
        except psycopg.errors.UniqueViolation:
            cur.execute("ROLLBACK TO SAVEPOINT boh_claim")
        else:
            cur.execute("RELEASE SAVEPOINT boh_claim")
            return {p.claim_key for p in ordered}
        cur.execute("RELEASE SAVEPOINT boh_claim")
        params: dict[str, Any] = {
            "t": tenant_id,
            "tr": transport,
            "now": now,
            "s": joined([p.event.source for p in ordered]),
            "e": joined([p.event.event_id for p in ordered]),
            "k": joined([p.kind for p in ordered]),
            "site": joined([p.site.id for p in ordered]),
            "at": joined([p.event.occurred_at.isoformat() for p in ordered]),
        }
        cur.execute(_PG_CLAIM_SQL, params)  # the driver's rows, built in C: one per claimed event
        return set(cur.fetchall())


def unclaim(session: Session, tenant_id: int, keys: Iterable[ClaimKey]) -> None:
    wanted = sorted(set(keys))
    for start in range(0, len(wanted), CHUNK):
        session.execute(
            delete(IngestedEvent).where(
                IngestedEvent.tenant_id == tenant_id,
                tuple_(IngestedEvent.source, IngestedEvent.event_id).in_(wanted[start : start + CHUNK]),
            )
        )
