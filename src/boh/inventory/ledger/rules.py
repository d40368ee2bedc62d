"""The pure rules of a posting (no I/O): move types and signs, negative stock, lot usability and FEFO.
Each rule is written once here; where SQL must apply the same rule (lot usability in a read model) the SQL
expression sits next to the Python predicate and a test holds them together."""

from __future__ import annotations

from bisect import insort
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, and_, or_

ZERO = Decimal(0)

INFLOW = frozenset({"receipt", "transfer_in", "production_output"})
OUTFLOW = frozenset({"sale", "transfer_out", "waste", "production_consume"})
EITHER = frozenset({"adjustment", "count_variance", "return"})  # return: + from a customer, - to a supplier
VALUE_ONLY = frozenset({"revaluation"})  # quantity 0, a change of stock value (landed cost, price correction)
MOVE_TYPES = INFLOW | OUTFLOW | EITHER | VALUE_ONLY
REASON_REQUIRED = frozenset({"adjustment", "waste", "revaluation"})
TRANSFER_TYPES = frozenset({"transfer_out", "transfer_in"})  # posted only through the transfer commands
INTERNAL_ONLY = TRANSFER_TYPES | VALUE_ONLY  # posted only by the ledger's own commands


@dataclass(frozen=True)
class MoveProblem:
    field: str
    message: str
    code: str


def check_move(
    move_type: str,
    quantity: Decimal,
    reason_code: str | None,
    *,
    has_cost: bool = False,
    internal: bool = False,
    reversal: bool = False,
) -> list[MoveProblem]:
    """Every problem of one move's own fields (not its references). ``internal`` lines come from the
    ledger's own commands (transfers, reversals, revaluations); a ``reversal`` has the sign opposite to
    its type."""
    problems: list[MoveProblem] = []
    if move_type not in MOVE_TYPES:
        return [MoveProblem("move_type", f"unknown move type '{move_type}'", "inventory.unknown_move_type")]
    if move_type in INTERNAL_ONLY and not internal:
        where = "/inventory/transfers" if move_type in TRANSFER_TYPES else "/inventory/revaluations"
        problems.append(MoveProblem("move_type", f"post {move_type} through {where}", "inventory.transfer_not_allowed"))
    if move_type in VALUE_ONLY:
        if quantity != 0:
            problems.append(MoveProblem("quantity", "a revaluation moves no quantity", "inventory.wrong_sign"))
    elif quantity == 0:
        problems.append(MoveProblem("quantity", "quantity must not be zero", "inventory.zero_quantity"))
    elif move_type in (OUTFLOW if reversal else INFLOW) and quantity < 0:
        problems.append(MoveProblem("quantity", f"a {move_type} must be positive (stock in)", "inventory.wrong_sign"))
    elif move_type in (INFLOW if reversal else OUTFLOW) and quantity > 0:
        problems.append(MoveProblem("quantity", f"a {move_type} must be negative (stock out)", "inventory.wrong_sign"))
    if has_cost and quantity < 0 and not internal:
        problems.append(
            MoveProblem(
                "unit_cost",
                "stock out is valued at the moving average: give unit_cost on stock in only",
                "inventory.cost_on_outflow",
            )
        )
    if move_type in REASON_REQUIRED and not reason_code:
        problems.append(
            MoveProblem("reason_code", f"a reason code is required for {move_type}", "inventory.reason_required")
        )
    return problems


def receipt_key(transfer_id: int) -> str:
    """The idempotency key of a transfer's receipt: a transfer is received once."""
    return f"transfer-in:{transfer_id}"


def reversal_key(move_id: int) -> str:
    """The idempotency key of a move's reversal: a move is reversed once."""
    return f"reversal:{move_id}"


# --- negative stock ----------------------------------------------------------------------------------

Key = tuple[int, int, int]  # site_id, item_id, lot_key


# per move: slotted, not frozen (see ledger.contract)
@dataclass(slots=True)
class Flow:
    """A line's effect on one balance, for the negative-stock rule."""

    index: int
    key: Key
    quantity: Decimal  # signed
    refuse: bool  # the site refuses negative stock
    at: datetime | None = None  # event time (None: now)


def refused_flows(
    on_hand: Mapping[Key, Decimal], later: Mapping[Key, Sequence[tuple[datetime, Decimal]]], flows: Iterable[Flow]
) -> dict[int, Decimal]:
    """The indexes of the outflows a site that refuses negative stock must refuse: those that would take
    their balance below zero at their event time or at any time after it (a sale dated before the stock
    existed is refused although the stock is there now). ``on_hand`` is the balance now, ``later`` the
    ledger's moves of each key dated after the earliest flow's time (event time, quantity); flows are taken
    in the given order, a flow without a time is dated now (after every recorded move), and a refused one
    changes nothing. Sites that accept negative stock refuse nothing. Returns, per refused index, the lowest
    balance it would have left."""
    refused: dict[int, Decimal] = {}
    timelines: dict[Key, list[tuple[datetime, int, Decimal]]] = {}
    starts: dict[Key, Decimal] = {}
    for n, f in enumerate(flows):
        if not f.refuse:
            continue
        if f.key not in timelines:
            moves = sorted(later.get(f.key, ()))
            timelines[f.key] = [(t, -1, q) for t, q in moves]
            starts[f.key] = on_hand.get(f.key, ZERO) - sum((q for _, q in moves), ZERO)
        timeline = timelines[f.key]
        lowest = _lowest_with(starts[f.key], timeline, f.at, f.quantity) if f.quantity < 0 else ZERO
        if lowest < 0:
            refused[f.index] = lowest
            continue
        at = f.at if f.at is not None else (timeline[-1][0] if timeline else None)
        if at is None:
            starts[f.key] += f.quantity  # no timeline yet: only the running total matters
        else:
            insort(timeline, (at, n, f.quantity))
    return refused


def _lowest_with(
    start: Decimal, timeline: list[tuple[datetime, int, Decimal]], at: datetime | None, q: Decimal
) -> Decimal:
    """The lowest running balance from time ``at`` on, once ``q`` is added at ``at`` (``None``: at the end).
    ``start`` is the balance before the timeline's first move."""
    running = start
    lowest: Decimal | None = None
    for t, _, dq in timeline:
        if lowest is None and at is not None and t > at:
            running += q
            lowest = running
        running += dq
        if lowest is not None:
            lowest = min(lowest, running)
    if lowest is None:
        return running + q
    return lowest


def running_balances(on_hand_after: Decimal, deltas: Sequence[Decimal]) -> list[Decimal]:
    """The balance after each of ``deltas`` (applied in order), given the balance after all of them."""
    balance = on_hand_after - sum(deltas, ZERO)
    out: list[Decimal] = []
    for d in deltas:
        balance += d
        out.append(balance)
    return out


def negative_flags(after: Mapping[Key, Decimal], flows: Sequence[Flow]) -> set[int]:
    """The indexes of the outflows that left their balance below zero (in the given order), from each
    key's balance after all of them."""
    by_key: dict[Key, list[Flow]] = {}
    for f in flows:
        by_key.setdefault(f.key, []).append(f)
    out: set[int] = set()
    for key, group in by_key.items():
        if len(group) == 1:  # most keys of a floor batch: the balance after the one flow is ``after``
            if group[0].quantity < 0 and after[key] < 0:
                out.add(group[0].index)
            continue
        for f, balance in zip(group, running_balances(after[key], [f.quantity for f in group]), strict=True):
            if f.quantity < 0 and balance < 0:
                out.add(f.index)
    return out


def went_below_zero(on_hand_after: Decimal, delta: Decimal) -> bool:
    """The balance was at or above zero before a batch that changed it by ``delta`` and is below after."""
    return on_hand_after < 0 <= on_hand_after - delta


# --- lots --------------------------------------------------------------------------------------------


def lot_usable(status: str | None, expiry: date | None, today: date, held: bool | None = False) -> bool:
    """Stock without a lot is usable; a lot is usable while available, not on hold (a recall, a
    quarantine: see ``boh.inventory.holds``) and not past its expiry date (the expiry date itself is still
    usable), judged by the site's local date."""
    if status is None:
        return True
    return status == "available" and not held and (expiry is None or expiry >= today)


def lot_usable_sql(lot_id: Any, status: Any, expiry: Any, today: date, held: Any) -> ColumnElement[bool]:
    """``lot_usable`` as a SQL condition over a balance's lot columns (outer-joined: no lot = usable);
    ``held`` is the lot's ``on_hold`` column."""
    return or_(
        lot_id.is_(None),
        and_(status == "available", held.is_not(True), or_(expiry.is_(None), expiry >= today)),
    )


HELD_SALES = ("refuse", "flag")  # the tenant's policy for a sale of a lot on hold


def refuses_held(move_type: str, quantity: Decimal, policy: str, internal: bool = False) -> bool:
    """Whether a move of a lot on hold is refused: a sale per the tenant's policy (``refuse``; ``flag``
    posts it and flags it), a production consumption always (held food is not used). Wasting, returning
    or sending held stock back stays possible; a reversal (internal) is never refused."""
    if internal or quantity >= 0:
        return False
    if move_type == "sale":
        return policy != "flag"
    return move_type == "production_consume"


def flags_held(move_type: str, quantity: Decimal, policy: str) -> bool:
    """A sale of a lot on hold that the ``flag`` policy lets through (and reports)."""
    return move_type == "sale" and quantity < 0 and policy == "flag"


@dataclass(frozen=True)
class LotStock:
    lot_id: int
    lot_code: str
    expiry_date: date | None
    status: str
    available: Decimal
    held: bool = False  # on hold (recall, quarantine): never picked


@dataclass(frozen=True)
class Allocation:
    lot: LotStock
    take: Decimal


def fefo(lots: Iterable[LotStock], quantity: Decimal, today: date) -> tuple[list[Allocation], Decimal]:
    """First expired, first out: usable lots with stock, earliest expiry first (no expiry last, then by
    lot code), taken until ``quantity`` is covered. Returns the allocations and the uncovered rest."""
    usable = [lot for lot in lots if lot.available > 0 and lot_usable(lot.status, lot.expiry_date, today, lot.held)]
    usable.sort(key=lambda lot: (lot.expiry_date is None, lot.expiry_date or date.max, lot.lot_code, lot.lot_id))
    rest = quantity
    out: list[Allocation] = []
    for lot in usable:
        if rest <= 0:
            break
        take = min(rest, lot.available)
        out.append(Allocation(lot, take))
        rest -= take
    return out, max(rest, ZERO)
