"""Posting: the one way moves, balances and costs change.

``post`` takes validated lines (``validate.py`` checks documents; ingestion checks floor events) and,
inside a savepoint:
1. creates the lots named by code on inflows (in (item, code) order);
2. locks the (site, item) cost rows of every line (and of the sender of a transfer in) in key order;
3. skips lines whose idempotency key was already posted (a replay returns the original move);
4. gives a fallback cost to items with no cost yet at the site (``fallback.py``, flagged provisional);
5. splits FEFO lines over the usable lots and applies the negative-stock rule (``rules.refused_flows``):
   all or nothing (``each=False``: ``InsufficientStock``) or event by event (``each=True``: refused lines
   are returned, the rest is posted);
6. values every line in order with the one valuation rule (``valuation.value_move``), booking a true-up
   revaluation move before a costed inflow that meets short or provisional stock;
7. adds the balance deltas atomically, flags the moves that left a balance below zero, inserts the moves,
   saves the cost rows, records the new lots, and publishes StockMoved and NegativeStock.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from contextlib import nullcontext
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from boh.inventory.errors import IdempotencyKeyReused, InsufficientStock, NothingToRevalue
from boh.inventory.events import LotCreated, NegativeStock, StockMoved
from boh.inventory.ledger import rules, valuation
from boh.inventory.ledger.contract import BalanceKey, CostKey, Line, Posted, PostedMove
from boh.inventory.ledger.fallback import fallback_costs
from boh.inventory.ledger.store import CostRow, Delta, PortableStore, store_for
from boh.kernel.clock import utcnow
from boh.kernel.uow import UnitOfWork

ZERO = Decimal(0)
TRUE_UP = "cost_true_up"


@dataclass(frozen=True)
class SitePolicy:
    """What posting needs to know of a site."""

    id: int
    currency: str
    refuse_negative: bool
    today: Callable[[datetime], date]  # the site's local date of an instant (lot expiry is judged by it)


@dataclass
class _Work:
    """A posting in progress."""

    uow: UnitOfWork
    store: PortableStore
    sites: Mapping[int, SitePolicy]
    now: datetime
    costs: dict[CostKey, CostRow] = field(default_factory=dict)
    states: dict[CostKey, valuation.CostState] = field(default_factory=dict)
    transit: dict[CostKey, Decimal] = field(default_factory=dict)

    @property
    def tenant_id(self) -> int:
        return self.uow.tenant_id


def post(
    uow: UnitOfWork,
    lines: Sequence[Line],
    *,
    sites: Mapping[int, SitePolicy],
    each: bool,
    locked: Mapping[CostKey, CostRow] | None = None,
    savepoint: bool = True,
    new_keys: bool = False,
) -> Posted:
    """Post validated lines (see the module docstring). ``locked``: the cost rows the caller locked with
    ``lock_items`` in this transaction and has not changed since; when they cover every line, they are
    not read and locked a second time. ``savepoint=False``: the caller's own savepoint already holds the
    posting and is rolled back whenever it raises (ingestion), so the posting opens none of its own (two
    statements less per batch). ``new_keys``: the caller guarantees that no line's idempotency key was ever
    posted (ingestion: each line's event was claimed in this transaction, its claim commits with its moves,
    and its key is made from the claim's key alone, see ``ingest.service.move_key``), so step 3's lookup of
    posted keys is skipped; a key posted after all would still be refused by the ledger's unique index."""
    w = _Work(uow, store_for(uow.session), sites, utcnow())
    with uow.session.begin_nested() if savepoint else nullcontext():
        resolved, new_lots = _create_lots(w, list(lines))
        _lock(w, resolved, locked or {})
        replayed = {} if new_keys else _replays(w, resolved, strict=not each)
        fresh = [ln for ln in resolved if ln.index not in replayed]
        _fallbacks(w, fresh)
        parts, refused = _allocate(w, fresh, each)
        written, true_ups, after = _apply(w, parts) if parts else ([], [], {})
        _record_lots(uow, new_lots)
    moves: dict[int, PostedMove] = dict(replayed)
    for move, ln in written:
        moves.setdefault(ln.index, move)
    return Posted(
        moves=moves,
        parts=[m for m, _ in written],
        true_ups=true_ups,
        refused={i: f"{v}" for i, v in refused.items()},
        replayed=set(replayed),
        on_hand_after=after,
    )


# --- lots and locks ----------------------------------------------------------------------------------

NewLot = tuple[int, int, str, date | None]  # lot_id, item_id, lot_code, expiry_date


def _create_lots(w: _Work, lines: list[Line]) -> tuple[list[Line], list[NewLot]]:
    """Create the lots named by code on inflows that do not exist yet (in (item, code) order; a lot made
    meanwhile by another writer is simply used) and set every line's lot_id."""
    wanted: dict[tuple[int, str], date | None] = {}
    for ln in lines:
        if ln.lot_id is None and ln.lot_code is not None:
            wanted.setdefault((ln.item_id, ln.lot_code), ln.expiry_date)
    if not wanted:
        return lines, []
    ids = w.store.lot_ids(w.tenant_id, wanted)
    created: list[NewLot] = []
    for item_id, code in sorted(set(wanted) - set(ids)):
        new_id = w.store.insert_lot(w.tenant_id, item_id, code, wanted[(item_id, code)], w.now)
        if new_id is None:
            new_id = w.store.lot_ids(w.tenant_id, [(item_id, code)])[(item_id, code)]
        else:
            created.append((new_id, item_id, code, wanted[(item_id, code)]))
        ids[(item_id, code)] = new_id
    out = [
        ln if ln.lot_code is None or ln.lot_id is not None else replace(ln, lot_id=ids[(ln.item_id, ln.lot_code)])
        for ln in lines
    ]
    return out, created


def _record_lots(uow: UnitOfWork, created: list[NewLot]) -> None:
    for lot_id, item_id, code, expiry in created:
        after = {"item_id": item_id, "lot_code": code, "expiry_date": expiry}
        uow.audit("inventory.lot.create", "lot", lot_id, after=after)
        uow.publish(LotCreated(tenant_id=uow.tenant_id, lot_id=lot_id, item_id=item_id, lot_code=code))


def _lock(w: _Work, lines: list[Line], locked: Mapping[CostKey, CostRow]) -> None:
    keys: dict[CostKey, str] = {ln.cost_key: w.sites[ln.site_id].currency for ln in lines}
    for ln in lines:
        if ln.move_type == "transfer_in" and ln.counter_site_id is not None:
            keys[(ln.counter_site_id, ln.item_id)] = w.sites[ln.counter_site_id].currency
    if all(k in locked for k in keys):
        w.costs = {k: locked[k] for k in keys}
    else:
        w.costs = w.store.lock_costs(w.tenant_id, keys, w.now)
    w.states = {k: c.state for k, c in w.costs.items()}
    w.transit = {k: c.transit_value for k, c in w.costs.items()}


def _same_move(m: PostedMove, ln: Line) -> bool:
    if ln.fefo and ln.lot_id is None:  # the ledger chose its lots: the first part holds one of them
        return (m.site_id, m.item_id, m.move_type) == (ln.site_id, ln.item_id, ln.move_type)
    return (m.site_id, m.item_id, m.lot_id, m.move_type, m.quantity) == (
        ln.site_id,
        ln.item_id,
        ln.lot_id,
        ln.move_type,
        ln.quantity,
    )


def _replays(w: _Work, lines: list[Line], *, strict: bool) -> dict[int, PostedMove]:
    """Lines whose idempotency key was already posted (by index). With ``strict``, the key must name the
    same move (else IdempotencyKeyReused); floor events are matched by key alone (a FEFO split changes
    the lot of a sale's first part)."""
    existing = w.store.moves_by_key(w.tenant_id, [ln.idempotency_key for ln in lines])
    out: dict[int, PostedMove] = {}
    for ln in lines:
        m = existing.get(ln.idempotency_key)
        if m is None:
            continue
        if strict and not _same_move(m, ln):
            raise IdempotencyKeyReused(
                f"idempotency key '{ln.idempotency_key}' was used for move {m.id}", index=ln.index, move_id=m.id
            )
        out[ln.index] = m
    return out


def _fallbacks(w: _Work, lines: list[Line]) -> None:
    """A provisional cost for the items that move at a site before any cost is known there."""
    needed = {
        ln.cost_key: w.sites[ln.site_id].currency
        for ln in lines
        if w.states[ln.cost_key].source == valuation.NONE and not (ln.quantity > 0 and ln.unit_cost is not None)
    }
    if not needed:
        return
    for key, cost in fallback_costs(w.uow.session, w.tenant_id, needed).items():
        w.states[key] = valuation.with_fallback(w.states[key], cost)


# --- FEFO and negative stock ---------------------------------------------------------------------------


def _refusing_flows(w: _Work, parts: Sequence[Line]) -> list[rules.Flow]:
    """The flows of the parts at sites that refuse negative stock (the others refuse nothing)."""
    return [
        rules.Flow(ln.index, ln.balance_key, ln.quantity, True, ln.event_at)
        for ln in parts
        if ln.quantity != 0 and w.sites[ln.site_id].refuse_negative
    ]


def _refusals(w: _Work, parts: Sequence[Line]) -> dict[int, Decimal]:
    flows = _refusing_flows(w, parts)
    if not any(f.quantity < 0 for f in flows):
        return {}
    keys = sorted({f.key for f in flows})
    since = min((f.at for f in flows if f.at is not None), default=w.now)
    later = w.store.later_moves(w.tenant_id, keys, since) if since < w.now else {}
    return rules.refused_flows(w.store.on_hand(w.tenant_id, keys), later, flows)


def _allocate(w: _Work, lines: list[Line], each: bool) -> tuple[list[Line], dict[int, Decimal]]:
    """The lines to write (FEFO lines split over lots) and the refused ones. A refused sale must not hold lot
    stock a later sale could take, so the split is made again without it until nothing more is refused."""
    fefo = [ln for ln in lines if ln.fefo and ln.lot_id is None and ln.quantity < 0]
    lots = w.store.lot_stock(w.tenant_id, {ln.cost_key for ln in fefo}) if fefo else {}
    refused: dict[int, Decimal] = {}
    while True:
        parts, took_lots = _split(w, [ln for ln in lines if ln.index not in refused], lots)
        more = {i: v for i, v in _refusals(w, parts).items() if i not in refused}
        if not more:
            return parts, refused
        if not each:
            _raise_shortages(w, lines, more)
        order = {ln.index: n for n, ln in reversed(list(enumerate(parts)))}
        upto = min((order[i] for i in more if i in took_lots), default=len(parts))
        refused |= {i: v for i, v in more.items() if order[i] <= upto}


def _split(
    w: _Work, lines: Sequence[Line], stock: Mapping[CostKey, list[rules.LotStock]]
) -> tuple[list[Line], set[int]]:
    """FEFO lines split into one part per lot taken (first expiring first, usable on the line's local
    date) and a lot-less rest; the indexes that took lot stock."""
    lots = dict(stock)
    out: list[Line] = []
    took: set[int] = set()
    for ln in lines:
        if not ln.fefo or ln.lot_id is not None or ln.quantity >= 0 or ln.cost_key not in lots:
            out.append(ln)
            continue
        day = w.sites[ln.site_id].today(ln.event_at or w.now)
        taken, rest = rules.fefo(lots[ln.cost_key], -ln.quantity, day)
        used = {a.lot.lot_id: a.take for a in taken}
        lots[ln.cost_key] = [
            replace(lot, available=lot.available - used.get(lot.lot_id, ZERO)) for lot in lots[ln.cost_key]
        ]
        parts = [replace(ln, lot_id=a.lot.lot_id, quantity=-a.take) for a in taken]
        if parts:
            took.add(ln.index)
        if rest > 0 or not parts:
            parts.append(replace(ln, lot_id=None, quantity=-rest))
        out.extend(_part(p, n) for n, p in enumerate(parts))
    return out, took


def _part(ln: Line, n: int) -> Line:
    return ln if n == 0 else replace(ln, part=n, idempotency_key=part_key(ln.idempotency_key, n))


def part_key(key: str, part: int) -> str:
    """The idempotency key of the later parts of a line split over lots."""
    import hashlib

    full = f"{key}#{part}"
    return full if len(full) <= 120 else "evt:" + hashlib.sha256(full.encode()).hexdigest()


def _raise_shortages(w: _Work, lines: list[Line], refused: Mapping[int, Decimal]) -> None:
    by_index = {ln.index: ln for ln in lines}
    shortages: list[dict[str, Any]] = [
        {
            "index": i,
            "site_id": by_index[i].site_id,
            "item_id": by_index[i].item_id,
            "lot_id": by_index[i].lot_id,
            "on_hand_after": str(valuation.qty(v)),
        }
        for i, v in sorted(refused.items())
    ]
    raise InsufficientStock(
        f"{len(shortages)} move(s) would take stock below zero at a site that refuses negative stock; "
        "nothing was posted",
        shortages=shortages,
    )


# --- valuation, balances, moves --------------------------------------------------------------------------


@dataclass
class _Valued:
    line: Line
    value: Decimal
    unit_cost: Decimal | None
    provisional: bool


def _value(w: _Work, parts: Sequence[Line]) -> tuple[list[_Valued], list[_Valued]]:
    """Every part valued in order; the true-up revaluations booked before costed inflows."""
    out: list[_Valued] = []
    true_ups: list[_Valued] = []
    for ln in parts:
        key = ln.cost_key
        if ln.quantity == 0 and ln.value is not None and w.states[key].quantity <= 0:
            raise NothingToRevalue(
                f"item {ln.item_id} has no stock on hand at site {ln.site_id} to revalue: book the amount in "
                "finance (cost of sales) or revalue to a unit cost"
            )
        v = valuation.value_move(w.states[key], ln.quantity, ln.unit_cost, ln.value)
        if v.true_up:
            up = replace(
                ln,
                move_type="revaluation",
                quantity=ZERO,
                reason_code=TRUE_UP,
                lot_id=None,
                counter_site_id=None,
                idempotency_key=f"true-up:{ln.idempotency_key}"[:120],
                fefo=False,
            )
            entry = _Valued(up, v.true_up, None, False)
            out.append(entry)
            true_ups.append(entry)
        w.states[key] = v.state
        out.append(_Valued(ln, v.value, None if ln.quantity == 0 else v.unit_cost, v.provisional))
        _transit(w, ln, v.value)
    return out, true_ups


def _transit(w: _Work, ln: Line, value: Decimal) -> None:
    """In-transit stock stays on the sender's books: a transfer out adds its value to the sender's
    in-transit value, the transfer in takes the shipped value off it."""
    if ln.move_type == "transfer_out" and ln.counter_site_id is not None:
        w.transit[ln.cost_key] -= value
    elif ln.move_type == "transfer_in" and ln.counter_site_id is not None:
        release = ln.transit_release if ln.transit_release is not None else value
        w.transit[(ln.counter_site_id, ln.item_id)] -= release


def _deltas(parts: Sequence[Line]) -> dict[BalanceKey, Delta]:
    deltas: dict[BalanceKey, Delta] = defaultdict(Delta)
    for ln in parts:
        if ln.quantity == 0:
            continue
        deltas[ln.balance_key].on_hand += ln.quantity
        if ln.move_type == "transfer_out" and ln.counter_site_id is not None:
            deltas[(ln.counter_site_id, ln.item_id, ln.lot_id or 0)].in_transit -= ln.quantity
        elif ln.move_type == "transfer_in":
            deltas[ln.balance_key].in_transit -= ln.quantity
    return dict(deltas)


def _apply(
    w: _Work, parts: list[Line]
) -> tuple[list[tuple[PostedMove, Line]], list[PostedMove], dict[BalanceKey, Decimal]]:
    valued, true_ups = _value(w, parts)
    deltas = _deltas(parts)
    after = w.store.add_to_balances(w.tenant_id, deltas, w.now)
    negative = rules.negative_flags(after, _flows_of(w, valued))  # positions in ``valued``
    actor = w.uow.principal.actor
    rows = [_row(w, v, n in negative, actor) for n, v in enumerate(valued)]
    ids = w.store.insert_moves(rows)
    written = [(_posted(move_id, row), v.line) for move_id, row, v in zip(ids, rows, valued, strict=True)]
    _save_costs(w)
    kept: list[tuple[PostedMove, Line]] = written
    up_moves: list[PostedMove] = []
    if true_ups:  # the true-ups apart from the moves of the lines
        ups = {id(v) for v in true_ups}
        up_moves = [m for (m, _), v in zip(written, valued, strict=True) if id(v) in ups]
        kept = [(m, ln) for (m, ln), v in zip(written, valued, strict=True) if id(v) not in ups]
    _publish(w, [m for m, _ in written], deltas, after, negative_ids={written[n][0].id for n in negative})
    return kept, up_moves, after


def _flows_of(w: _Work, valued: Sequence[_Valued]) -> list[rules.Flow]:
    """One flow per written move (value-only moves move nothing), indexed by position."""
    return [
        rules.Flow(n, v.line.balance_key, v.line.quantity, w.sites[v.line.site_id].refuse_negative, v.line.event_at)
        for n, v in enumerate(valued)
        if v.line.quantity != 0
    ]


def _row(w: _Work, v: _Valued, negative: bool, actor: str) -> tuple[Any, ...]:
    ln = v.line
    return (
        w.tenant_id, ln.site_id, ln.item_id, ln.lot_id, ln.move_type, ln.reason_code, valuation.qty(ln.quantity),
        None if v.unit_cost is None else valuation.money(v.unit_cost), v.value, v.provisional,
        w.sites[ln.site_id].currency, ln.counter_site_id, ln.source_type, ln.source_id, ln.idempotency_key,
        negative, ln.event_at or w.now, w.now, actor,
    )  # fmt: skip


def _posted(move_id: int, row: tuple[Any, ...]) -> PostedMove:
    return PostedMove(move_id, *row[1:])


def _save_costs(w: _Work) -> None:
    changed = [
        (c.id, w.states[k], w.transit[k])
        for k, c in w.costs.items()
        if (c.state, c.transit_value) != (w.states[k], w.transit[k])
    ]
    w.store.save_costs(changed, w.now)


def _publish(
    w: _Work,
    moves: list[PostedMove],
    deltas: Mapping[BalanceKey, Delta],
    after: Mapping[BalanceKey, Decimal],
    negative_ids: set[int],
) -> None:
    tenant_id = w.tenant_id
    changes = tuple(
        {
            "site_id": k[0],
            "item_id": k[1],
            "lot_id": k[2] or None,
            "on_hand_delta": str(deltas[k].on_hand),
            "in_transit_delta": str(deltas[k].in_transit),
            "on_hand": str(after[k]),
        }
        for k in sorted(deltas)
    )
    w.uow.publish(StockMoved(tenant_id=tenant_id, move_ids=tuple(m.id for m in moves), changes=changes))
    if not negative_ids:
        return
    flagged: dict[BalanceKey, list[int]] = defaultdict(list)
    for m in moves:
        if m.id in negative_ids:
            flagged[(m.site_id, m.item_id, m.lot_id or 0)].append(m.id)
    for key in sorted(flagged):
        if rules.went_below_zero(after[key], deltas[key].on_hand):
            w.uow.publish(
                NegativeStock(
                    tenant_id=tenant_id,
                    site_id=key[0],
                    item_id=key[1],
                    lot_id=key[2] or None,
                    on_hand=after[key],
                    move_ids=tuple(flagged[key]),
                )
            )


def lock_items(uow: UnitOfWork, keys: Mapping[CostKey, str]) -> dict[CostKey, CostRow]:
    """Lock the (site, item) cost rows of these keys (mapped to the site's currency) in the ledger's order,
    creating missing ones: what a caller that also writes its own rows of these keys (RFID tags, weight
    shelves, commitments) takes first. The rows as locked (``post(locked=...)`` takes them)."""
    return store_for(uow.session).lock_costs(uow.tenant_id, keys, utcnow())
