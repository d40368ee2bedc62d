"""The bulk write path of ingestion: claim event ids, lock, check and post the sale/return moves.

It writes the ledger's own tables with the ledger's semantics (see ``boh.inventory.repository``):
(site, item) cost rows locked first in key order (``lock_costs``), balances changed with the ledger's
atomic multi-row upsert in key order (``apply_balance_deltas``), moves valued with ``domain.apply_cost``
at the moving average. Unlike ``posting.post`` (all or nothing, ORM objects per move) it refuses single
events and inserts the moves with one executemany, which is what a floor feed of thousands of events a
second needs.

Exactly-once: ``claim`` inserts (tenant, source, event_id) with ``ON CONFLICT DO NOTHING RETURNING``; only
the returned (claimed) events are applied. A concurrent transaction claiming the same id waits on the
unique index until this one ends, then sees the conflict. ``unclaim`` deletes the claims of events
refused later in the same transaction, so that a retry can apply them once stock has arrived.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, cast

from sqlalchemy import Table, bindparam, delete, insert, select, tuple_, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from boh.inventory import domain as ledger
from boh.inventory import repository as repo
from boh.inventory.ingest.domain import Outflow, check_stock
from boh.inventory.ingest.models import IngestedEvent
from boh.inventory.ingest.prepare import Prepared
from boh.inventory.models import Balance, ItemCost, Move
from boh.kernel.clock import utcnow

CHUNK = 1000
ClaimKey = tuple[str, str]


def _table(model: Any) -> Table:
    return cast(Table, model.__table__)


def _insert(session: Session, model: Any) -> Any:
    return (postgresql if session.get_bind().dialect.name == "postgresql" else sqlite).insert(model)


def move_key(source: str, event_id: str, part: int = 0) -> str:
    """The move's idempotency key (``#<part>`` for the later parts of a sale split over lots): readable
    when it fits the column, a digest otherwise."""
    key = f"evt:{source}:{event_id}" + (f"#{part}" if part else "")
    return key if len(key) <= 120 else "evt:" + hashlib.sha256(key.encode()).hexdigest()


def claim(session: Session, tenant_id: int, events: Sequence[Prepared], transport: str) -> set[ClaimKey]:
    """Insert the events' ids; the ones this transaction inserted (the others were already ingested)."""
    now = utcnow()
    ordered = sorted(events, key=lambda p: p.claim_key)  # same order in every writer
    rows = [
        {
            "tenant_id": tenant_id,
            "source": p.event.source,
            "event_id": p.event.event_id,
            "kind": p.kind,
            "site_id": p.site.id,
            "transport": transport,
            "occurred_at": p.event.occurred_at,
            "ingested_at": now,
        }
        for p in ordered
    ]
    table = _table(IngestedEvent)
    stmt = (
        _insert(session, table)
        .on_conflict_do_nothing(index_elements=["tenant_id", "source", "event_id"])
        .returning(table.c.source, table.c.event_id)
    )
    # one cached statement, executemany: the driver pages it into multi-row VALUES (insertmanyvalues)
    return {(s, e) for s, e in session.connection().execute(stmt, rows)}


def unclaim(session: Session, tenant_id: int, keys: Iterable[ClaimKey]) -> None:
    wanted = sorted(set(keys))
    for start in range(0, len(wanted), CHUNK):
        session.execute(
            delete(IngestedEvent).where(
                IngestedEvent.tenant_id == tenant_id,
                tuple_(IngestedEvent.source, IngestedEvent.event_id).in_(wanted[start : start + CHUNK]),
            )
        )


@dataclass
class Cost:
    """A locked ``inventory_item_cost`` row (the moving average of an item at a site)."""

    id: int
    state: ledger.CostState


def lock(session: Session, tenant_id: int, events: Sequence[Prepared]) -> dict[tuple[int, int], Cost]:
    """Lock the (site, item) cost rows of every event, in key order, creating missing ones (the ledger's
    ``lock_costs``, bulk): every writer of an item at a site (the ledger's commands and other batches)
    queues here, so balances, tags and shelves of these keys are stable until commit."""
    keys = {(p.site.id, p.item.item_id): p.site.settings.currency for p in events}
    ordered = sorted(keys)
    now = utcnow()
    table = _table(ItemCost)
    rows = [
        {
            "tenant_id": tenant_id,
            "site_id": s,
            "item_id": i,
            "currency": keys[(s, i)],
            "quantity": 0,
            "avg_unit_cost": 0,
            "total_value": 0,
            "updated_at": now,
        }
        for s, i in ordered
    ]
    conn = session.connection()
    conn.execute(
        _insert(session, table).on_conflict_do_nothing(index_elements=["tenant_id", "site_id", "item_id"]), rows
    )
    out: dict[tuple[int, int], Cost] = {}
    c = table.c
    for start in range(0, len(ordered), CHUNK):  # chunks keep the global key order
        stmt = (
            select(c.id, c.site_id, c.item_id, c.quantity, c.avg_unit_cost, c.total_value)
            .where(c.tenant_id == tenant_id, tuple_(c.site_id, c.item_id).in_(ordered[start : start + CHUNK]))
            .order_by(c.site_id, c.item_id)
            .with_for_update()
        )
        for cid, site_id, item_id, q, avg, value in conn.execute(stmt):
            out[(site_id, item_id)] = Cost(cid, ledger.CostState(q, avg, value))
    return out


def on_hand(session: Session, tenant_id: int, keys: Iterable[repo.BalanceKey]) -> dict[repo.BalanceKey, Decimal]:
    wanted = sorted(set(keys))
    out: dict[repo.BalanceKey, Decimal] = {}
    for start in range(0, len(wanted), CHUNK):
        stmt = select(Balance.site_id, Balance.item_id, Balance.lot_key, Balance.on_hand).where(
            Balance.tenant_id == tenant_id,
            tuple_(Balance.site_id, Balance.item_id, Balance.lot_key).in_(wanted[start : start + CHUNK]),
        )
        out.update({(s, i, lk): q for s, i, lk, q in session.execute(stmt)})
    return out


def balance_key(p: Prepared) -> repo.BalanceKey:
    return (p.site.id, p.item.item_id, p.lot_id or 0)


def check(session: Session, tenant_id: int, moves: Sequence[Prepared]) -> tuple[set[int], set[int]]:
    """(refused event indexes, negative ``flow_id``s), in the given order (call with the cost rows locked)."""
    return check_flows(on_hand(session, tenant_id, {balance_key(p) for p in moves}), moves)


def flow_id(p: Prepared) -> int:
    """A move's id within the batch: its event's index and its part (a sale split over lots)."""
    return p.index * PARTS + p.part


PARTS = 1 << 16


def check_flows(current: dict[repo.BalanceKey, Decimal], moves: Sequence[Prepared]) -> tuple[set[int], set[int]]:
    """(refused event indexes, negative flow ids): a part refused refuses its whole event."""
    flows = [Outflow(flow_id(p), balance_key(p), p.quantity, p.site.settings.negative_stock == "refuse") for p in moves]
    refused, negative = check_stock(current, flows)
    return {f // PARTS for f in refused}, negative


def deltas(moves: Iterable[Prepared]) -> dict[repo.BalanceKey, Decimal]:
    out: dict[repo.BalanceKey, Decimal] = defaultdict(Decimal)
    for p in moves:
        out[balance_key(p)] += p.quantity
    return dict(out)


def stage_row(p: Prepared) -> tuple[Any, ...]:
    """A good event as a row of the PostgreSQL staging table (pgstage._COLUMNS order)."""
    ev = p.event
    return (
        p.index, p.part, ev.source, ev.event_id, ev.kind, p.site.id, p.item.item_id, p.lot_id or 0, p.quantity,
        ev.occurred_at, p.site.settings.currency, _source_id(p), move_key(ev.source, ev.event_id, p.part),
    )  # fmt: skip


@dataclass(frozen=True)
class Posted:
    move_ids: list[int]
    deltas: dict[repo.BalanceKey, Decimal]
    after: dict[repo.BalanceKey, Decimal]
    negative: dict[repo.BalanceKey, list[int]]  # the moves that left their balance below zero, per key


def post(
    session: Session,
    tenant_id: int,
    actor: str,
    moves: Sequence[Prepared],
    negative: set[int],
    costs: dict[tuple[int, int], Cost],
) -> Posted:
    """Value, insert (one executemany) and add to the balances (one upsert per key, in key order)."""
    unit_costs = _value(session, moves, costs)
    now = utcnow()
    rows = [
        {
            "tenant_id": tenant_id,
            "site_id": p.site.id,
            "item_id": p.item.item_id,
            "lot_id": p.lot_id,
            "move_type": p.kind,
            "reason_code": None,
            "quantity": ledger.qty(p.quantity),
            "unit_cost": ledger.money(unit_costs[p.index]),
            "currency": p.site.settings.currency,
            "counter_site_id": None,
            "source_type": f"floor_{p.kind}",
            "source_id": _source_id(p),
            "idempotency_key": move_key(p.event.source, p.event.event_id, p.part),
            "negative": flow_id(p) in negative,
            "event_at": p.event.occurred_at,
            "recorded_at": now,
            "actor": actor,
        }
        for p in moves
    ]
    ids = _insert_moves(session, rows) if rows else []
    flagged: dict[repo.BalanceKey, list[int]] = defaultdict(list)
    for p, move_id in zip(moves, ids, strict=True):
        if flow_id(p) in negative:
            flagged[balance_key(p)].append(move_id)
    changes = deltas(moves)
    return Posted(ids, changes, add_to_balances(session, tenant_id, changes), dict(flagged))


def _insert_moves(session: Session, rows: list[dict[str, Any]]) -> list[int]:
    table = _table(Move)
    stmt = insert(table).returning(table.c.id, sort_by_parameter_order=True)
    return [r[0] for r in session.connection().execute(stmt, rows)]


def add_to_balances(
    session: Session, tenant_id: int, deltas: dict[repo.BalanceKey, Decimal]
) -> dict[repo.BalanceKey, Decimal]:
    """``repository.apply_balance_deltas`` for on_hand only, as one executemany of the same atomic upsert
    (``on_hand = on_hand + excluded.on_hand``), rows in key order; each key's on_hand afterwards."""
    now = utcnow()
    table = _table(Balance)
    rows = [
        {
            "tenant_id": tenant_id,
            "site_id": s,
            "item_id": i,
            "lot_id": lk or None,
            "lot_key": lk,
            "on_hand": deltas[(s, i, lk)],
            "reserved": 0,
            "in_transit": 0,
            "on_order": 0,
            "updated_at": now,
        }
        for s, i, lk in sorted(deltas)
    ]
    if not rows:
        return {}
    ins = _insert(session, table)
    stmt = ins.on_conflict_do_update(
        index_elements=["tenant_id", "site_id", "item_id", "lot_key"],
        set_={"on_hand": table.c.on_hand + ins.excluded.on_hand, "updated_at": ins.excluded.updated_at},
    ).returning(table.c.site_id, table.c.item_id, table.c.lot_key, table.c.on_hand, sort_by_parameter_order=True)
    return {(s, i, lk): q for s, i, lk, q in session.connection().execute(stmt, rows)}


def _source_id(p: Prepared) -> str:
    receipt = getattr(p.event, "receipt_id", None)
    line = getattr(p.event, "line", None)
    text = f"{receipt}:{line}" if receipt and line is not None else (receipt or p.event.event_id)
    return text[:80]


def _value(session: Session, moves: Sequence[Prepared], costs: dict[tuple[int, int], Cost]) -> dict[int, Decimal]:
    """Sales and returns are valued at the moving average, which they leave unchanged: per (site, item) the
    quantity moves by the batch's sum and the value follows it (zero when the quantity is zero), one rounding
    per key as in pgstage.post. The unit cost per event index; the cost rows are updated with one
    executemany."""
    used: dict[int, Decimal] = {}
    moved: dict[tuple[int, int], Decimal] = defaultdict(Decimal)
    for p in moves:
        key = (p.site.id, p.item.item_id)
        used[p.index] = costs[key].state.avg_unit_cost
        moved[key] += p.quantity
    now = utcnow()
    changed = []
    for k, dq in sorted(moved.items()):
        st = costs[k].state
        value = ledger.value_after(st, dq)
        changed.append({"b_id": costs[k].id, "quantity": st.quantity + dq, "total_value": value, "updated_at": now})
    if changed:
        table = _table(ItemCost)
        stmt = (
            update(table)
            .where(table.c.id == bindparam("b_id"))
            .values(
                quantity=bindparam("quantity"), total_value=bindparam("total_value"), updated_at=bindparam("updated_at")
            )
        )
        session.connection().execute(stmt, changed)
    return used
