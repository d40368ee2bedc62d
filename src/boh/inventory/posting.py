"""Posting a batch of stock moves: the machinery behind every command of service.py.

Order of work (see repository.py for the lock order): resolve the sites (404 for a site the caller cannot
see), validate every line and report every error by index, then in a savepoint: create lots named by code,
lock the (site, item) cost rows, skip lines whose idempotency key was already posted (returning the original
move), value the new lines at the moving average, add the balance deltas atomically, refuse or flag negative
stock, insert the moves, write one audit record and publish one StockMoved event for the batch.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from boh.inventory import domain
from boh.inventory import repository as repo
from boh.inventory.errors import IdempotencyKeyReused, InsufficientStock
from boh.inventory.events import LotCreated, NegativeStock, StockMoved
from boh.inventory.models import ItemCost, Lot, Move
from boh.inventory.schemas import MoveIn
from boh.kernel.clock import utcnow
from boh.kernel.errors import FieldError, ValidationFailed
from boh.kernel.tenancy import Scope
from boh.kernel.uow import UnitOfWork
from boh.org.api import SiteStockSettings, get_site_ref, site_stock_settings

FUTURE_TOLERANCE = timedelta(minutes=5)  # device clocks drift; further ahead is a mistake


@dataclass(frozen=True)
class Line:
    """One move to post, validated or not yet; ``index`` is its place in the caller's batch."""

    index: int
    site_id: int
    item_id: int
    lot_id: int | None
    move_type: str
    quantity: Decimal
    unit_cost: Decimal | None
    currency: str | None
    reason_code: str | None
    source_type: str | None
    source_id: str | None
    idempotency_key: str
    event_at: datetime | None
    counter_site_id: int | None = None
    lot_code: str | None = None  # resolved to lot_id (inflows create the lot)
    expiry_date: date | None = None

    @property
    def balance_key(self) -> repo.BalanceKey:
        return (self.site_id, self.item_id, self.lot_id or 0)

    @classmethod
    def of(cls, index: int, m: MoveIn) -> Line:
        return cls(
            index,
            m.site_id,
            m.item_id,
            m.lot_id,
            m.move_type,
            m.quantity,
            m.unit_cost,
            m.currency,
            m.reason_code,
            m.source_type,
            m.source_id,
            m.idempotency_key,
            m.event_at,
            lot_code=m.lot_code,
            expiry_date=m.expiry_date,
        )


@dataclass(frozen=True)
class PostResult:
    moves: list[Move]  # in the order of the batch; replays are the original moves
    replayed: int


def _sites(uow: UnitOfWork, scope: Scope, lines: list[Line]) -> dict[int, SiteStockSettings]:
    """The sites of the batch; a site of another tenant or outside the caller's scope is not found."""
    ids = {ln.site_id for ln in lines} | {ln.counter_site_id for ln in lines if ln.counter_site_id is not None}
    sites = site_stock_settings(uow.session, scope.tenant_id, ids)
    hidden = sorted({ln.site_id for ln in lines if ln.site_id not in sites or not scope.allows_site(ln.site_id)})
    missing = sorted({ln.counter_site_id for ln in lines if ln.counter_site_id and ln.counter_site_id not in sites})
    for site_id in hidden + missing:
        get_site_ref(uow.session, scope if site_id in hidden else Scope(scope.tenant_id), site_id)  # raises
    return sites


def _validate(uow: UnitOfWork, lines: list[Line], sites: dict[int, SiteStockSettings], internal: bool) -> list[Line]:
    """Every error of every line (ValidationFailed), else the lines with currency and event time set."""
    errors: list[FieldError] = []
    items = repo.existing_item_ids(uow.session, uow.tenant_id, [ln.item_id for ln in lines])
    lots = repo.lots_by_id(uow.session, uow.tenant_id, [ln.lot_id for ln in lines if ln.lot_id is not None])
    by_code = repo.lots_by_code(uow.session, uow.tenant_id, [(ln.item_id, ln.lot_code) for ln in lines if ln.lot_code])
    now = utcnow()
    rules = repo.get_settings(uow.session, uow.tenant_id)
    days = rules.max_backdate_days if rules is not None else None
    earliest = now - timedelta(days=days) if days is not None else None
    seen: set[str] = set()
    out: list[Line] = []
    for ln in lines:

        def err(field: str, message: str, code: str, ln: Line = ln) -> None:
            errors.append(FieldError(("moves", ln.index, field), message, code))

        problems = domain.check_move(
            ln.move_type, ln.quantity, ln.reason_code, has_cost=ln.unit_cost is not None, internal=internal,
            reversal=internal and ln.source_type == "reversal",
        )  # fmt: skip
        for p in problems:
            err(p.field, p.message, p.code)
        if ln.item_id not in items:
            err("item_id", f"unknown item {ln.item_id}", "catalog.item_not_found")
        lot_id, lot_problem = _resolve_lot(ln, lots, by_code)
        if lot_problem is not None:
            err(lot_problem.field, lot_problem.message, lot_problem.code)
        currency = sites[ln.site_id].currency
        if ln.currency is not None and ln.currency != currency:
            err("currency", f"costs at this site are in {currency}", "inventory.wrong_currency")
        if ln.event_at is not None and ln.event_at > now + FUTURE_TOLERANCE:
            err("event_at", "event_at is in the future", "inventory.future_event")
        if earliest is not None and ln.event_at is not None and ln.event_at < earliest:
            err("event_at", f"moves may be dated at most {days} days back", "inventory.backdate_limit")
        if ln.idempotency_key in seen:
            err("idempotency_key", "used twice in this batch", "inventory.duplicate_key")
        seen.add(ln.idempotency_key)
        out.append(replace(ln, lot_id=lot_id, currency=currency, event_at=ln.event_at or now))
    if errors:
        raise ValidationFailed(errors, detail=f"{len({e.loc[1] for e in errors})} of {len(lines)} moves are invalid")
    return out


def _resolve_lot(
    ln: Line, lots: dict[int, Lot], by_code: dict[tuple[int, str], Lot]
) -> tuple[int | None, domain.MoveProblem | None]:
    """The lot of a line from its lot_id or its lot code (a scanned GS1 AI 10); None for non-lot stock and
    for a new lot code on an inflow, which posting creates."""
    if ln.lot_id is not None:
        lot = lots.get(ln.lot_id)
        if lot is None or lot.item_id != ln.item_id:
            return None, domain.MoveProblem(
                "lot_id", f"lot {ln.lot_id} is not a lot of item {ln.item_id}", "inventory.lot_not_found"
            )
        if ln.lot_code is not None and ln.lot_code != lot.lot_code:
            return None, domain.MoveProblem(
                "lot_code", f"lot {ln.lot_id} is '{lot.lot_code}'", "inventory.lot_mismatch"
            )
        return lot.id, None
    if ln.lot_code is None:
        return None, None
    found = by_code.get((ln.item_id, ln.lot_code))
    if found is not None:
        return found.id, None
    if ln.quantity > 0:
        return None, None
    return None, domain.MoveProblem(
        "lot_code", f"item {ln.item_id} has no lot '{ln.lot_code}'", "inventory.lot_not_found"
    )


NewLot = tuple[int, int, str, date | None]  # lot_id, item_id, lot_code, expiry_date


def _create_lots(uow: UnitOfWork, lines: list[Line]) -> tuple[list[Line], list[NewLot]]:
    """Create the lots named by code on inflows that do not exist yet (in (item, code) order; a lot created
    meanwhile by another writer is simply used) and set every line's lot_id. Their audit records and events
    are written by ``_record_lots`` once the batch has passed, so the audit chain head stays the last lock."""
    wanted: dict[tuple[int, str], date | None] = {}
    for ln in lines:
        if ln.lot_id is None and ln.lot_code is not None:
            wanted.setdefault((ln.item_id, ln.lot_code), ln.expiry_date)
    if not wanted:
        return lines, []
    ids: dict[tuple[int, str], int] = {}
    created: list[NewLot] = []
    for item_id, code in sorted(wanted):
        new_id = repo.insert_lot(uow.session, uow.tenant_id, item_id, code, wanted[(item_id, code)])
        if new_id is None:
            ids[(item_id, code)] = repo.lots_by_code(uow.session, uow.tenant_id, [(item_id, code)])[(item_id, code)].id
        else:
            ids[(item_id, code)] = new_id
            created.append((new_id, item_id, code, wanted[(item_id, code)]))
    resolved = [
        ln if ln.lot_code is None or ln.lot_id is not None else replace(ln, lot_id=ids[(ln.item_id, ln.lot_code)])
        for ln in lines
    ]
    return resolved, created


def _record_lots(uow: UnitOfWork, created: list[NewLot]) -> None:
    for lot_id, item_id, code, expiry in created:
        after = {"item_id": item_id, "lot_code": code, "expiry_date": expiry}
        uow.audit("inventory.lot.create", "lot", lot_id, after=after)
        uow.publish(LotCreated(tenant_id=uow.tenant_id, lot_id=lot_id, item_id=item_id, lot_code=code))


def _same_move(m: Move, ln: Line) -> bool:
    return (m.site_id, m.item_id, m.lot_id, m.move_type, m.quantity) == (
        ln.site_id,
        ln.item_id,
        ln.lot_id,
        ln.move_type,
        ln.quantity,
    )


def _replays(uow: UnitOfWork, lines: list[Line]) -> dict[int, Move]:
    """Lines whose idempotency key was already posted (by index); the key must name the same move."""
    existing = repo.moves_by_key(uow.session, uow.tenant_id, [ln.idempotency_key for ln in lines])
    out: dict[int, Move] = {}
    for ln in lines:
        m = existing.get(ln.idempotency_key)
        if m is None:
            continue
        if not _same_move(m, ln):
            raise IdempotencyKeyReused(
                f"idempotency key '{ln.idempotency_key}' was used for move {m.id}", index=ln.index, move_id=m.id
            )
        out[ln.index] = m
    return out


def post(uow: UnitOfWork, scope: Scope, lines: list[Line], *, internal: bool) -> PostResult:
    """Post the lines, all or none (see the module docstring)."""
    sites = _sites(uow, scope, lines)
    lines = _validate(uow, lines, sites, internal)
    with uow.session.begin_nested():
        lines, new_lots = _create_lots(uow, lines)
        costs = repo.lock_costs(
            uow.session, scope.tenant_id, {(ln.site_id, ln.item_id): sites[ln.site_id].currency for ln in lines}
        )
        replayed = _replays(uow, lines)
        new = [ln for ln in lines if ln.index not in replayed]
        posted = _apply(uow, new, sites, costs) if new else {}
        _record_lots(uow, new_lots)
    by_index = {**replayed, **posted}
    return PostResult([by_index[ln.index] for ln in lines], len(replayed))


def _apply(
    uow: UnitOfWork, lines: list[Line], sites: dict[int, SiteStockSettings], costs: dict[tuple[int, int], ItemCost]
) -> dict[int, Move]:
    unit_costs = _value(uow.session, lines, costs)
    deltas: dict[repo.BalanceKey, repo.BalanceDelta] = defaultdict(repo.BalanceDelta)
    for ln in lines:
        deltas[ln.balance_key].on_hand += ln.quantity
        if ln.move_type == "transfer_out" and ln.counter_site_id is not None:
            deltas[(ln.counter_site_id, ln.item_id, ln.lot_id or 0)].in_transit -= ln.quantity
        elif ln.move_type == "transfer_in":
            deltas[ln.balance_key].in_transit -= ln.quantity
    after = repo.apply_balance_deltas(uow.session, uow.tenant_id, deltas)
    negative = _negatives(lines, after, sites)
    moves = {ln.index: _move(uow, ln, unit_costs[ln.index], ln.index in negative) for ln in lines}
    repo.insert_moves(uow.session, list(moves.values()))
    ids = [moves[ln.index].id for ln in lines]
    uow.audit(
        "inventory.moves.post",
        "move_batch",
        ids[0],
        after={"move_ids": ids, "count": len(ids), "negative_move_ids": sorted(moves[i].id for i in negative)},
    )
    uow.publish(StockMoved(tenant_id=uow.tenant_id, move_ids=tuple(ids), changes=_changes(deltas, after)))
    _publish_negatives(uow, lines, moves, negative, after, {k: d.on_hand for k, d in deltas.items()})
    return moves


def _value(session: Session, lines: list[Line], costs: dict[tuple[int, int], ItemCost]) -> dict[int, Decimal]:
    """Run the moving average over the batch in order; update the locked cost rows; unit cost per line."""
    states = {k: domain.CostState(c.quantity, c.avg_unit_cost, c.total_value) for k, c in costs.items()}
    used: dict[int, Decimal] = {}
    for ln in lines:
        key = (ln.site_id, ln.item_id)
        states[key], used[ln.index] = domain.apply_cost(states[key], ln.quantity, ln.unit_cost)
    changed = {
        key: st
        for key, st in states.items()
        if (costs[key].quantity, costs[key].avg_unit_cost, costs[key].total_value)
        != (st.quantity, st.avg_unit_cost, st.total_value)
    }
    repo.save_costs(session, costs, changed, utcnow())
    return used


def _negatives(
    lines: list[Line], after: dict[repo.BalanceKey, Decimal], sites: dict[int, SiteStockSettings]
) -> set[int]:
    """Indexes of the outflows that left their balance below zero; InsufficientStock if a site refuses."""
    by_key: dict[repo.BalanceKey, list[Line]] = defaultdict(list)
    for ln in lines:
        by_key[ln.balance_key].append(ln)
    negative: set[int] = set()
    shortages: list[dict[str, Any]] = []
    for key, group in by_key.items():
        running = domain.running_balances(after[key], [ln.quantity for ln in group])
        for ln, balance in zip(group, running, strict=True):
            if ln.quantity < 0 and balance < 0:
                negative.add(ln.index)
                if sites[ln.site_id].negative_stock == "refuse":
                    shortages.append(
                        {
                            "index": ln.index,
                            "site_id": ln.site_id,
                            "item_id": ln.item_id,
                            "lot_id": ln.lot_id,
                            "on_hand_after": str(balance),
                        }
                    )
    if shortages:
        shortages.sort(key=lambda s: int(s["index"]))
        raise InsufficientStock(
            f"{len(shortages)} move(s) would take stock below zero at a site that refuses "
            "negative stock; nothing was posted",
            shortages=shortages,
        )
    return negative


def _move(uow: UnitOfWork, ln: Line, unit_cost: Decimal, negative: bool) -> Move:
    assert ln.currency is not None and ln.event_at is not None
    return Move(
        tenant_id=uow.tenant_id,
        site_id=ln.site_id,
        item_id=ln.item_id,
        lot_id=ln.lot_id,
        move_type=ln.move_type,
        reason_code=ln.reason_code,
        quantity=domain.qty(ln.quantity),
        unit_cost=domain.money(unit_cost),
        currency=ln.currency,
        counter_site_id=ln.counter_site_id,
        source_type=ln.source_type,
        source_id=ln.source_id,
        idempotency_key=ln.idempotency_key,
        negative=negative,
        event_at=ln.event_at,
        recorded_at=utcnow(),
        actor=uow.principal.actor,
    )


def _changes(
    deltas: dict[repo.BalanceKey, repo.BalanceDelta], after: dict[repo.BalanceKey, Decimal]
) -> tuple[dict[str, object], ...]:
    return tuple(
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


def _publish_negatives(
    uow: UnitOfWork,
    lines: list[Line],
    moves: dict[int, Move],
    negative: set[int],
    after: dict[repo.BalanceKey, Decimal],
    deltas: dict[repo.BalanceKey, Decimal],
) -> None:
    flagged: dict[repo.BalanceKey, list[int]] = defaultdict(list)
    for ln in lines:
        if ln.index in negative:
            flagged[ln.balance_key].append(moves[ln.index].id)
    for key in sorted(flagged):
        if not domain.went_below_zero(after[key], deltas[key]):
            continue
        uow.publish(
            NegativeStock(
                tenant_id=uow.tenant_id,
                site_id=key[0],
                item_id=key[1],
                lot_id=key[2] or None,
                on_hand=after[key],
                move_ids=tuple(flagged[key]),
            )
        )
