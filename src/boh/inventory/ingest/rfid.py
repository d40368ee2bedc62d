"""RFID semantics over the tag table (rules in ``domain.py``): presence, sales marking tags sold, exits
without a sale (shrink alerts) and zone read sessions (automatic cycle counts).

Concurrency: ingestion holds the (site, item) cost rows of every event of the batch (``ledger.post.lock_items``)
before it gets here, so no other batch changes the tags of those items at those sites meanwhile; the
tags are read and written without further row locks. (A tag that moves between sites while two batches
of both sites run is the one case this does not serialise; the last writer wins, except that a sale marked
in the database, ``pgbulk.mark_sold``, skips a tag moved meanwhile.)
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from operator import attrgetter
from typing import Any, cast

from sqlalchemy import Table, bindparam, func, insert, select, tuple_, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from boh.inventory.ingest import domain, pgbulk
from boh.inventory.ingest.domain import Tag
from boh.inventory.ingest.models import Alert, RfidSession, RfidSessionRead, RfidTag
from boh.inventory.ingest.prepare import Prepared
from boh.inventory.ingest.schemas import RfidReadEvent
from boh.kernel.clock import utcnow

CHUNK = 1000
Key = tuple[int, int]  # site_id, item_id
# PostgreSQL marks the tags of the sales no read of the batch touches in the database (``apply``); off, every
# tag goes through the rules in Python as on SQLite (the reference the comparison test holds it to)
SQL_MARKS = True


@dataclass(frozen=True)
class Shrink:
    tag: Tag
    at: datetime
    reader: str


_COLS = (RfidTag.epc, RfidTag.item_id, RfidTag.site_id, RfidTag.last_zone, RfidTag.status, RfidTag.last_seen_at,
         RfidTag.sold_at)  # fmt: skip


@dataclass
class TagWant:
    """The tags a batch can touch: the ones it reads (by EPC); per (site, item) of its sales the ``n`` most
    recently seen present tags, n = the units it sells of the key + the reads of the key (a read can take
    one tag out of the running, so the next one down may be chosen); per (site, item) of its exits the
    tags sold within ``EXIT_WINDOW`` of them (the swap candidates). Older present tags and tags sold long
    ago are never chosen, so they are not loaded: the read stays bounded however many tags a store has."""

    epcs: set[str] = field(default_factory=set)
    present: dict[Key, int] = field(default_factory=dict)
    sold: set[Key] = field(default_factory=set)
    sold_from: datetime | None = None
    sold_to: datetime | None = None


def _want(reads: list[Prepared], sales: list[Prepared]) -> TagWant:
    want = TagWant(epcs={p.epc for p in reads if p.epc})
    sold: dict[Key, int] = defaultdict(int)
    for p in sales:
        sold[(p.site.id, p.item.item_id)] += domain.whole_units(-p.quantity)
    read_count: dict[Key, int] = defaultdict(int)
    exits: list[datetime] = []
    for p in reads:
        key = (p.site.id, p.item.item_id)
        read_count[key] += 1
        if p.event.zone == "exit":  # type: ignore[union-attr]
            want.sold.add(key)
            exits.append(p.event.occurred_at)
    want.present = {k: n + read_count[k] for k, n in sold.items() if n > 0}
    if exits:
        want.sold_from, want.sold_to = min(exits) - domain.EXIT_WINDOW, max(exits) + domain.EXIT_WINDOW
    return want


def _load(session: Session, tenant_id: int, want: TagWant) -> dict[str, Tag]:
    if not (want.epcs or want.present or want.sold):
        return {}
    if session.get_bind().dialect.name == "postgresql":
        return {r[0]: Tag(*r) for r in pgbulk.tags(session.connection(), tenant_id, want)}
    out: dict[str, Tag] = {}

    def add(stmt: Any) -> None:
        for r in session.execute(stmt):
            out[r[0]] = Tag(r[0], r[1], r[2], r[3], r[4], r[5], r[6])

    base = select(*_COLS).where(RfidTag.tenant_id == tenant_id)
    epcs = sorted(want.epcs)
    for start in range(0, len(epcs), CHUNK):
        add(base.where(RfidTag.epc.in_(epcs[start : start + CHUNK])))
    keys = sorted(want.present)
    for start in range(0, len(keys), CHUNK):
        chunk = keys[start : start + CHUNK]
        rank = func.row_number().over(
            partition_by=(RfidTag.site_id, RfidTag.item_id), order_by=(RfidTag.last_seen_at.desc(), RfidTag.epc.desc())
        )
        ranked = (
            select(*_COLS, rank.label("rank"))
            .where(RfidTag.tenant_id == tenant_id, RfidTag.status == "present")
            .where(tuple_(RfidTag.site_id, RfidTag.item_id).in_(chunk))
            .subquery()
        )
        for r in session.execute(select(ranked).where(ranked.c.rank <= max(want.present[k] for k in chunk))):
            if r.rank <= want.present[(r.site_id, r.item_id)]:
                out[r[0]] = Tag(r[0], r[1], r[2], r[3], r[4], r[5], r[6])
    exits = sorted(want.sold)
    for start in range(0, len(exits), CHUNK):
        add(
            base.where(
                tuple_(RfidTag.site_id, RfidTag.item_id).in_(exits[start : start + CHUNK]),
                RfidTag.status == "sold",
                RfidTag.status != "present",  # the partial index's condition (see models.RfidTag)
                RfidTag.sold_at.between(want.sold_from, want.sold_to),
            ).order_by(RfidTag.site_id, RfidTag.item_id, RfidTag.last_seen_at, RfidTag.epc)  # as on PostgreSQL
        )
    return out


def _any_tags(session: Session, tenant_id: int, site_ids: set[int]) -> bool:
    if not site_ids:
        return False
    at_sites = (RfidTag.tenant_id == tenant_id, RfidTag.site_id.in_(sorted(site_ids)))
    # each through the partial index of its statuses (see models.RfidTag)
    present = select(RfidTag.epc).where(*at_sites, RfidTag.status == "present").limit(1)
    gone = select(RfidTag.epc).where(*at_sites, RfidTag.status != "present").limit(1)
    return session.scalar(present) is not None or session.scalar(gone) is not None


@dataclass
class Outcome:
    shrinks: list[Shrink] = field(default_factory=list)
    settled: list[int] = field(default_factory=list)  # shrink alerts closed by a late sale


_A = cast(Table, Alert.__table__).c
# one statement object for every batch (bound values): SQLAlchemy finds its compiled form by identity of shape
_OPEN_SHRINKS = select(_A.id, _A.site_id, _A.item_id, _A.occurred_at).where(
    _A.tenant_id == bindparam("tenant"),
    _A.kind == "shrink",
    _A.is_open.is_(True),
    _A.site_id.in_(bindparam("sites", expanding=True)),
    _A.occurred_at >= bindparam("since"),
)


def _open_shrinks(session: Session, tenant_id: int, sales: list[Prepared]) -> dict[Key, list[domain.OpenShrink]]:
    """The open shrink alerts a sale of the batch could settle (empty without any: then no sale settles).
    ``sales`` in event-time order: the first is the earliest."""
    out: dict[Key, list[domain.OpenShrink]] = defaultdict(list)
    if not sales:
        return out
    params = {"tenant": tenant_id, "sites": sorted({p.site.id for p in sales}), "since": sales[0].event.occurred_at}
    for alert_id, site_id, item_id, at in session.execute(_OPEN_SHRINKS, params):
        if item_id is not None and at is not None:
            out[(site_id, item_id)].append(domain.OpenShrink(alert_id, at))
    return out


def _settle(session: Session, ids: list[int]) -> None:
    if ids:
        session.execute(
            update(Alert)
            .where(Alert.id.in_(sorted(ids)))
            .values(is_open=False, closed_at=utcnow(), closed_by="system:late_sale", close_note="a late sale matched")
        )


def apply(session: Session, tenant_id: int, events: Sequence[Prepared]) -> Outcome:
    """Apply the batch's claimed sales and RFID reads (in event-time order) to the tags and the open shrink
    alerts (late sales); the new shrinks and the settled alerts.

    On PostgreSQL the sales of a (site, item) that no read of the batch touches (no read at that key, no
    read tag stored at it: the exits are reads too) mark their tags in the database by one statement
    (``pgbulk.mark_sold``), the same tags ``domain.mark_sold`` would choose sale after sale; only the
    other keys' tags make the round trip through the rules here."""
    ordered = sorted(events, key=_event_order)  # once: every list below keeps this order
    reads = [p for p in ordered if p.kind == "rfid_read"]
    sales = [p for p in ordered if p.kind == "sale"]
    if not reads and not _any_tags(session, tenant_id, {p.site.id for p in sales}):
        return Outcome()  # a POS-only batch at sites without tags: nothing to mark sold
    result = Outcome()
    marks = _settle_late(_open_shrinks(session, tenant_id, sales), sales, result)
    if SQL_MARKS and session.get_bind().dialect.name == "postgresql":
        tags = _load(session, tenant_id, TagWant(epcs={p.epc for p in reads if p.epc}))
        touched = {(p.site.id, p.item.item_id) for p in reads} | {(t.site_id, t.item_id) for t in tags.values()}
        sales = _mark_apart(session, tenant_id, sales, touched, marks)
        want = _want(reads, sales)
        want.epcs = set()  # loaded above
        for epc, loaded in _load(session, tenant_id, want).items():
            tags.setdefault(epc, loaded)  # the same row as loaded above (one transaction, keys locked)
    else:
        tags = _load(session, tenant_id, _want(reads, sales))
    by_key: dict[Key, list[Tag]] = defaultdict(list)
    for t in tags.values():
        by_key[(t.site_id, t.item_id)].append(t)
    session_reads: list[dict[str, object]] = []
    in_rules = {p.index for p in sales}
    for p in ordered:
        if p.kind != "rfid_read" and p.index not in in_rules:
            continue
        key = (p.site.id, p.item.item_id)
        if not isinstance(p.event, RfidReadEvent):
            domain.mark_sold(by_key[key], Decimal(marks[p.index]), p.event.occurred_at)
            continue
        ev, epc = p.event, p.epc or ""
        tag = tags.get(epc)
        if tag is None:
            tag = Tag(epc, p.item.item_id, p.site.id, ev.zone, "present", ev.occurred_at, new=True)
            tags[epc] = tag
            by_key[key].append(tag)
        if ev.session_id:
            expected = not tag.new and tag.status == "present" and tag.site_id == p.site.id and tag.zone == ev.zone
            session_reads.append(_session_read(tenant_id, p, ev, expected))
        swap = domain.swap_candidate(by_key[key], tag, ev.occurred_at) if ev.zone == "exit" else None
        if domain.read_tag(tag, ev.zone, p.site.id, ev.occurred_at, swap):
            result.shrinks.append(Shrink(tag, ev.occurred_at, ev.reader))
    _save(session, tenant_id, list(tags.values()), {p.epc: p.event.reader for p in reads if p.epc})  # type: ignore[union-attr]
    _record_sessions(session, tenant_id, reads, session_reads)
    _settle(session, result.settled)
    return result


def _settle_late(late: dict[Key, list[domain.OpenShrink]], sales: list[Prepared], result: Outcome) -> dict[int, int]:
    """Per sale (by index) the whole units it marks sold: its units less the open shrink alerts it settles
    (``domain.settle_late``, sale after sale in event-time order, as ``sales`` are: it depends on no tag)."""
    units = _units(sales)
    if not late:  # no open alert: every sale marks its whole units
        return units
    for p in sales:
        alerts = late.get((p.site.id, p.item.item_id))
        if alerts:
            settled = domain.settle_late(alerts, units[p.index], p.event.occurred_at)
            result.settled.extend(a.alert_id for a in settled)
            units[p.index] -= len(settled)
    return units


def _units(sales: list[Prepared]) -> dict[int, int]:
    """Per sale (by index) its whole units (``domain.whole_units``), worked out once per distinct quantity."""
    known: dict[Decimal, int] = {}
    out: dict[int, int] = {}
    for p in sales:
        n = known.get(p.quantity)
        if n is None:
            n = known[p.quantity] = domain.whole_units(-p.quantity)
        out[p.index] = n
    return out


def _mark_apart(
    session: Session, tenant_id: int, sales: list[Prepared], touched: set[Key], marks: dict[int, int]
) -> list[Prepared]:
    """Mark the sales of keys no read of the batch touches (not in ``touched``) and return the others: sale
    after sale (in event-time order, as given), the next ``marks`` most recently seen present tags of the
    key, i.e. ranks (lo, hi] of the key's present tags."""
    done: dict[Key, int] = {}
    rows: list[tuple[int, int, datetime, int, int]] = []
    kept: list[Prepared] = []
    for p in sales:
        key = (p.site.id, p.item.item_id)
        if key in touched:
            kept.append(p)
            continue
        n = marks[p.index]
        if n > 0:
            lo = done.get(key, 0)
            rows.append((key[0], key[1], p.event.occurred_at, lo, lo + n))
            done[key] = lo + n
    if rows:
        pgbulk.mark_sold(session.connection(), tenant_id, rows, utcnow())
    return kept


_event_order = attrgetter("event.occurred_at", "index")  # (occurred_at, index): event-time order, ties by index


def _session_read(tenant_id: int, p: Prepared, ev: RfidReadEvent, expected: bool) -> dict[str, object]:
    return {
        "tenant_id": tenant_id,
        "session_id": ev.session_id,
        "epc": p.epc,
        "item_id": p.item.item_id,
        "expected": expected,
        "read_at": ev.occurred_at,
    }


def _save(session: Session, tenant_id: int, tags: list[Tag], readers: dict[str, str]) -> None:
    now = utcnow()
    new = [t for t in tags if t.new]
    changed = sorted((t for t in tags if t.changed and not t.new), key=lambda t: t.epc)
    if session.get_bind().dialect.name == "postgresql":  # rows as tuples in the COPY's column order
        if new:
            pgbulk.insert_tags(session.connection(), [
                (tenant_id, t.epc, t.item_id, t.site_id, t.zone, readers.get(t.epc), t.last_seen_at, t.status,
                 t.sold_at, now)
                for t in new
            ])  # fmt: skip
        if changed:
            pgbulk.update_tags(
                session.connection(),
                tenant_id,
                [(t.epc, t.site_id, t.zone, t.last_seen_at, t.status, t.sold_at, now) for t in changed],
            )
        return
    if new:
        session.execute(insert(RfidTag), [
            {"tenant_id": tenant_id, "epc": t.epc, "item_id": t.item_id, "site_id": t.site_id, "last_zone": t.zone,
             "last_reader": readers.get(t.epc), "last_seen_at": t.last_seen_at, "status": t.status,
             "sold_at": t.sold_at, "updated_at": now}
            for t in new
        ])  # fmt: skip
    if changed:
        session.execute(update(RfidTag), [
            {"tenant_id": tenant_id, "epc": t.epc, "site_id": t.site_id, "last_zone": t.zone,
             "last_seen_at": t.last_seen_at, "status": t.status, "sold_at": t.sold_at, "updated_at": now}
            for t in changed
        ])  # fmt: skip


def _record_sessions(session: Session, tenant_id: int, reads: list[Prepared], rows: list[dict[str, object]]) -> None:
    """Open the sessions named by the reads (given in event-time order: the site and zone of a session's first
    read) and record their tags."""
    if not rows:
        return
    opened: dict[str, Prepared] = {}
    for p in reads:
        sid = p.event.session_id  # type: ignore[union-attr]
        if sid and sid not in opened:
            opened[sid] = p
    session_rows = [
        {
            "tenant_id": tenant_id,
            "session_id": sid,
            "site_id": p.site.id,
            "zone": p.event.zone,  # type: ignore[union-attr]
            "status": "open",
            "opened_at": p.event.occurred_at,
        }
        for sid, p in sorted(opened.items())
    ]
    # rows as executemany parameters of one cached statement (a multi-row VALUES was compiled anew per batch)
    opening = _insert(session, RfidSession.__table__).on_conflict_do_nothing(index_elements=["tenant_id", "session_id"])
    session.execute(opening, session_rows)
    unique = {(str(r["session_id"]), str(r["epc"])): r for r in reversed(rows)}  # the first read of a tag counts
    ordered = [unique[k] for k in sorted(unique)]
    if session.get_bind().dialect.name == "postgresql":
        pgbulk.insert_session_reads(session.connection(), ordered)
        return
    for start in range(0, len(ordered), CHUNK):
        stmt = _insert(session, RfidSessionRead).values(ordered[start : start + CHUNK])
        session.execute(stmt.on_conflict_do_nothing(index_elements=["tenant_id", "session_id", "epc"]))


def close_session(session: Session, tenant_id: int, row: RfidSession) -> dict[str, object]:
    """Compare the session's seen tags with the tags expected present in its site and zone; mark the
    expected tags that were not seen "missing"; store and return the report (closing twice returns it)."""
    if row.status == "closed" and row.report is not None:
        return row.report
    seen: dict[str, int] = {}
    expected: dict[str, int] = {}
    reads = select(RfidSessionRead.epc, RfidSessionRead.item_id, RfidSessionRead.expected).where(
        RfidSessionRead.tenant_id == tenant_id, RfidSessionRead.session_id == row.session_id
    )
    for epc, item_id, was_expected in session.execute(reads):
        seen[epc] = item_id
        if was_expected:
            expected[epc] = item_id
    present = select(RfidTag.epc, RfidTag.item_id).where(
        RfidTag.tenant_id == tenant_id,
        RfidTag.site_id == row.site_id,
        RfidTag.last_zone == row.zone,
        RfidTag.status == "present",
    )
    stored: set[str] = set()
    for epc, item_id in session.execute(present):
        if epc not in seen:  # a seen tag is expected only if it was there before the session read it
            expected[epc] = item_id
            stored.add(epc)
    missing, unexpected = domain.session_diff(expected, seen)
    now = utcnow()
    gone = sorted(epc for epc, _ in missing if epc in stored)
    for start in range(0, len(gone), CHUNK):
        session.execute(
            update(RfidTag)
            .where(RfidTag.tenant_id == tenant_id, RfidTag.epc.in_(gone[start : start + CHUNK]))
            .values(status="missing", updated_at=now)
        )
    report: dict[str, object] = {
        "session_id": row.session_id,
        "site_id": row.site_id,
        "zone": row.zone,
        "closed_at": now.isoformat(),
        "expected": len(expected),
        "seen": len(seen),
        "missing": [{"epc": e, "item_id": i} for e, i in missing],
        "unexpected": [{"epc": e, "item_id": i} for e, i in unexpected],
    }
    row.status, row.closed_at, row.report = "closed", now, report
    return report


def _insert(session: Session, model: Any) -> Any:
    return (postgresql if session.get_bind().dialect.name == "postgresql" else sqlite).insert(model)
