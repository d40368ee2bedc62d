"""Read views of the ledger for lot genealogy (the trace domain): the moves of lots, the moves of
production batches, lot facts and the lots received from a supplier. A production batch is the set of
``production_consume`` and ``production_output`` moves that share ``(source_type, source_id)`` (what
``service.produce`` writes): its consumed lots are the inputs of its output lots."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from typing import Any

from sqlalchemy import BindParameter, Select, and_, bindparam, func, literal, select, tuple_, union_all
from sqlalchemy.orm import Session

from boh.inventory import lineage_pg
from boh.inventory.ledger.contract import PostedMove
from boh.inventory.ledger.store import MOVE, posted_move
from boh.inventory.models import Lot, Move

CHUNK = 1000
PRODUCTION = ("production_consume", "production_output")
BatchRef = tuple[str, str]  # source_type, source_id


@dataclass(frozen=True, slots=True)
class LotFact:
    id: int
    item_id: int
    lot_code: str
    expiry_date: date | None
    status: str
    on_hold: bool
    received_at: datetime


# the move's columns in PostedMove's order: a row becomes a PostedMove by position (access by name costs more)
_FIELDS = [MOVE.c[n] for n in lineage_pg.FIELDS]


def _chunks(values: list[Any]) -> Iterable[list[Any]]:
    for start in range(0, len(values), CHUNK):
        yield values[start : start + CHUNK]


def _on_pg(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def lot_moves(session: Session, tenant_id: int, lot_ids: Iterable[int]) -> list[PostedMove]:
    """Every move of these lots (all sites), in id order."""
    wanted: list[Any] = sorted(set(lot_ids))
    if not wanted:
        return []
    if _on_pg(session):
        return lineage_pg.lot_moves(session, tenant_id, wanted)
    out: list[PostedMove] = []
    for chunk in _chunks(wanted):
        stmt = select(*_FIELDS).where(MOVE.c.tenant_id == tenant_id, MOVE.c.lot_id.in_(chunk))
        out.extend(PostedMove(*m) for m in session.execute(stmt))
    return sorted(out, key=lambda m: m.id)


def batch_moves(session: Session, tenant_id: int, refs: Iterable[BatchRef]) -> list[PostedMove]:
    """The production moves (consumed and made) of these batches, in id order."""
    wanted: list[Any] = sorted(set(refs))
    if not wanted:
        return []
    if _on_pg(session):
        return lineage_pg.batch_moves(session, tenant_id, wanted)
    out: list[PostedMove] = []
    for chunk in _chunks(wanted):
        stmt = select(*_FIELDS).where(
            MOVE.c.tenant_id == tenant_id,
            tuple_(MOVE.c.source_type, MOVE.c.source_id).in_(chunk),
            MOVE.c.move_type.in_(PRODUCTION),
        )
        out.extend(PostedMove(*m) for m in session.execute(stmt))
    return sorted(out, key=lambda m: m.id)


def lot_facts(session: Session, tenant_id: int, lot_ids: Iterable[int]) -> dict[int, LotFact]:
    wanted: list[Any] = sorted(set(lot_ids))
    out: dict[int, LotFact] = {}
    for chunk in _chunks(wanted):
        stmt = select(Lot).where(Lot.tenant_id == tenant_id, Lot.id.in_(chunk))
        for lot in session.scalars(stmt):
            out[lot.id] = LotFact(
                lot.id, lot.item_id, lot.lot_code, lot.expiry_date, lot.status, lot.on_hold, lot.received_at
            )
    return out


def lot_ids_by_code(session: Session, tenant_id: int, pairs: Iterable[tuple[int, str]]) -> dict[tuple[int, str], int]:
    """(item_id, lot_code) -> lot id, for the lots that exist."""
    wanted: list[Any] = sorted(set(pairs))
    out: dict[tuple[int, str], int] = {}
    for chunk in _chunks(wanted):
        stmt = select(Lot.item_id, Lot.lot_code, Lot.id).where(
            Lot.tenant_id == tenant_id, tuple_(Lot.item_id, Lot.lot_code).in_(chunk)
        )
        out.update({(i, c): lot_id for i, c, lot_id in session.execute(stmt)})
    return out


def lots_of_code(session: Session, tenant_id: int, lot_code: str) -> list[int]:
    """The lots with this code (of any item)."""
    stmt = select(Lot.id).where(Lot.tenant_id == tenant_id, Lot.lot_code == lot_code).order_by(Lot.id)
    return list(session.scalars(stmt))


def received_lots(
    session: Session,
    tenant_id: int,
    *,
    start: datetime,
    end: datetime,
    item_ids: Iterable[int] | None = None,
    source_ids: Iterable[str] | None = None,
) -> list[PostedMove]:
    """Receipt moves with a lot dated in [start, end) (of these items, of these receipt documents when
    given), in id order."""
    stmt = select(Move).where(
        Move.tenant_id == tenant_id, Move.move_type == "receipt", Move.lot_id.is_not(None),
        Move.event_at >= start, Move.event_at < end,
    )  # fmt: skip
    if item_ids is not None:
        stmt = stmt.where(Move.item_id.in_(sorted(set(item_ids))))
    if source_ids is not None:
        stmt = stmt.where(Move.source_id.in_(sorted(set(source_ids))))
    return [posted_move(m) for m in session.scalars(stmt.order_by(Move.id))]


def moves_between(
    session: Session,
    tenant_id: int,
    *,
    start: datetime,
    end: datetime,
    move_types: Iterable[str] | None = None,
    item_ids: Iterable[int] | None = None,
    limit: int | None = None,
) -> list[PostedMove]:
    """Moves dated in [start, end) (of these types and items when given), by event time."""
    stmt = select(Move).where(Move.tenant_id == tenant_id, Move.event_at >= start, Move.event_at < end)
    if move_types is not None:
        stmt = stmt.where(Move.move_type.in_(sorted(set(move_types))))
    if item_ids is not None:
        stmt = stmt.where(Move.item_id.in_(sorted(set(item_ids))))
    stmt = stmt.order_by(Move.event_at, Move.id)
    if limit is not None:
        stmt = stmt.limit(limit)
    return [posted_move(m) for m in session.scalars(stmt)]


def supplier_lots(session: Session, tenant_id: int, supplier_id: int, *, start: datetime, end: datetime) -> list[int]:
    """The lots received from a supplier in [start, end) (posted receipts of that supplier, by their
    receipt moves)."""
    from boh.inventory.receiving.models import Receipt, ReceiptLine

    stmt = (
        select(Move.lot_id)
        .join(ReceiptLine, ReceiptLine.move_id == Move.id)
        .join(Receipt, Receipt.id == ReceiptLine.receipt_id)
        .where(
            Receipt.tenant_id == tenant_id,
            Receipt.supplier_id == supplier_id,
            Receipt.posted_at >= start,
            Receipt.posted_at < end,
            Move.tenant_id == tenant_id,
            Move.lot_id.is_not(None),
        )
        .distinct()
    )
    return sorted(i for i in session.scalars(stmt) if i is not None)


def lots_with_prefix(session: Session, tenant_id: int, prefix: str) -> set[str]:
    """The lot codes starting with ``prefix`` (any item)."""
    like = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    stmt = select(Lot.lot_code).where(Lot.tenant_id == tenant_id, Lot.lot_code.like(like, escape="\\"))
    return set(session.scalars(stmt))


def traceability_lot_code(session: Session, tenant_id: int, site_code: str, sku: str, day: date) -> str:
    """A new traceability lot code (FSMA 204) for a lot a site makes: SITE-SKU-YYMMDD-NN, NN the next free
    one of the day. The kitchen names its batches' output lots with it; trace documents it."""
    prefix = f"{site_code}-{sku}-{day:%y%m%d}-"
    used = lots_with_prefix(session, tenant_id, prefix)
    n = len(used) + 1
    while f"{prefix}{n:02d}" in used:
        n += 1
    return f"{prefix}{n:02d}"


def _sides(direction: str) -> tuple[str, str]:
    """(the move type that links a lot into a batch on the traced side, the one on the other side)."""
    return (PRODUCTION[0], PRODUCTION[1]) if direction == "forward" else (PRODUCTION[1], PRODUCTION[0])


@cache
def _closure_stmt(direction: str) -> Select[Any]:
    """The recursive query of ``lot_closure``, built once per direction with bound parameters (SQLAlchemy's
    compiled cache serves every call)."""
    frm, to = _sides(direction)
    tid: BindParameter[Any] = bindparam("tid")
    c, o = MOVE.alias("c"), MOVE.alias("o")
    seed = select(Lot.id.label("lot_id"), literal(0).label("depth")).where(
        Lot.tenant_id == tid, Lot.id.in_(bindparam("roots", expanding=True))
    )
    reach = seed.cte("reach", recursive=True)
    step = (
        select(o.c.lot_id, (reach.c.depth + 1).label("depth"))
        .select_from(reach)
        .join(c, and_(c.c.tenant_id == tid, c.c.lot_id == reach.c.lot_id, c.c.move_type == frm))
        .join(
            o,
            and_(
                o.c.tenant_id == tid,
                o.c.source_type == c.c.source_type,
                o.c.source_id == c.c.source_id,
                o.c.move_type == to,
                o.c.lot_id.is_not(None),
            ),
        )
        .where(reach.c.depth < 64)
    )
    reach = reach.union(step)
    return select(reach.c.lot_id, func.min(reach.c.depth)).group_by(reach.c.lot_id)


def lot_closure(session: Session, tenant_id: int, roots: Iterable[int], direction: str) -> dict[int, int]:
    """Every lot reachable from ``roots`` through production batches (``forward``: the lots made from them;
    ``backward``: the lots they were made from), with its shortest distance in batches: one recursive
    query. A batch links each lot it consumed to each lot it made."""
    start = sorted(set(roots))
    if not start:
        return {}
    rows = session.execute(_closure_stmt(direction), {"tid": tenant_id, "roots": start})
    return {int(lot): int(d) for lot, d in rows}


@cache
def _neighbourhood_stmt(direction: str) -> Select[Any]:
    """One statement for a one-up/one-down trace: the roots' moves (part 0), the production moves of the
    batches the roots went into (forward) or came out of (backward) (part 1), and every move of the lots
    on the other side of those batches (part 2). Built once per direction with bound parameters, so
    SQLAlchemy's compiled cache serves every call (no per-call construction or compilation)."""
    side, other = _sides(direction)
    tid: BindParameter[Any] = bindparam("tid")
    roots: BindParameter[Any] = bindparam("roots", expanding=True)
    r = select(MOVE).where(MOVE.c.tenant_id == tid, MOVE.c.lot_id.in_(roots)).cte("r")
    b = (
        select(r.c.source_type, r.c.source_id)
        .where(r.c.move_type == side, r.c.source_type.is_not(None), r.c.source_id.is_not(None))
        .distinct()
        .cte("b")
    )
    bm = (
        select(MOVE)
        .join(b, and_(MOVE.c.source_type == b.c.source_type, MOVE.c.source_id == b.c.source_id))
        .where(MOVE.c.tenant_id == tid, MOVE.c.move_type.in_(PRODUCTION))
        .cte("bm")
    )
    near = select(bm.c.lot_id).where(bm.c.move_type == other, bm.c.lot_id.is_not(None)).distinct().cte("near")
    cols = lineage_pg.FIELDS
    stmt = select(
        union_all(
            select(literal(0).label("part"), *(r.c[n] for n in cols)),
            select(literal(1).label("part"), *(bm.c[n] for n in cols)),
            select(literal(2).label("part"), *_FIELDS).where(
                MOVE.c.tenant_id == tid, MOVE.c.lot_id.in_(select(near.c.lot_id)), MOVE.c.lot_id.not_in(roots)
            ),
        ).subquery()
    )
    return stmt


def lot_neighbourhood(
    session: Session, tenant_id: int, roots: Iterable[int], direction: str
) -> tuple[list[PostedMove], list[PostedMove], list[PostedMove]]:
    """In one round trip: the moves of ``roots``, the production moves of their batches on ``direction``'s
    side (forward: the batches that consumed them; backward: the batches that made them) and the moves of
    the lots on the batches' other side, each in id order: a one-up/one-down trace."""
    wanted = sorted(set(roots))
    parts: tuple[list[PostedMove], list[PostedMove], list[PostedMove]] = ([], [], [])
    if not wanted:
        return parts
    if _on_pg(session):
        return lineage_pg.neighbourhood(session, tenant_id, wanted, direction)
    rows = session.execute(_neighbourhood_stmt(direction), {"tid": tenant_id, "roots": wanted})
    for row in rows:
        parts[row[0]].append(PostedMove(*row[1:]))
    for part in parts:
        part.sort(key=lambda m: m.id)
    return parts
