"""Pure inventory rules: move signs and reasons, moving average cost, negative-stock detection, lot
usability and FEFO allocation. No I/O; unit-tested without a database.

Moving average cost (per site × item, in the site's currency), money rounded half-up to 6 places:
- an inflow with a unit cost (a receipt, a transfer in at the sender's average) re-averages:
  ``avg = (value + qty × cost) / (on_hand + qty)``; when the valued quantity was zero or negative the
  average restarts at the receipt cost;
- every other move is valued at the current average, which it does not change, except the reversal of a
  valued receipt, which takes the quantity out at the receipt's own cost and re-averages the rest;
- the value of a quantity that reaches zero is reset to zero (rounding residue is dropped).

Backdated moves (``event_at`` in the past) update balances at once: balances are sums, so their order
does not matter. The average cost is a running value over the order moves were *recorded*, not the
order they happened: a backdated receipt re-averages from the current state and nothing after it is
re-valued (no reposting, which is what makes other ERPs stall for hours). Finance corrects a material
difference with a revaluation, not by rewriting the ledger.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, localcontext

ZERO = Decimal(0)
MONEY_Q = Decimal("0.000001")
QTY_Q = Decimal("0.000001")

INFLOW = frozenset({"receipt", "transfer_in", "production_output"})
OUTFLOW = frozenset({"sale", "transfer_out", "waste", "production_consume"})
EITHER = frozenset({"adjustment", "count_variance", "return"})  # return: + from a customer, - to a supplier
MOVE_TYPES = INFLOW | OUTFLOW | EITHER
REASON_REQUIRED = frozenset({"adjustment", "waste"})
TRANSFER_TYPES = frozenset({"transfer_out", "transfer_in"})  # posted only through transfer()


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
    service's own commands (transfers, reversals); a ``reversal`` has the sign opposite to its type."""
    problems: list[MoveProblem] = []
    if move_type not in MOVE_TYPES:
        return [MoveProblem("move_type", f"unknown move type '{move_type}'", "inventory.unknown_move_type")]
    if move_type in TRANSFER_TYPES and not internal:
        problems.append(
            MoveProblem("move_type", "post transfers through /inventory/transfers", "inventory.transfer_not_allowed")
        )
    if quantity == 0:
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


def money(value: Decimal) -> Decimal:
    return value.quantize(MONEY_Q, rounding=ROUND_HALF_UP)


def qty(value: Decimal) -> Decimal:
    """A quantity at the column's scale (inputs are validated to at most 6 places: this never rounds)."""
    return value.quantize(QTY_Q)


def _mul(a: Decimal, b: Decimal) -> Decimal:
    with localcontext() as ctx:
        ctx.prec = 60
        return a * b


def stock_value(on_hand: Decimal, avg_unit_cost: Decimal) -> Decimal:
    """What ``on_hand`` units are worth at the moving average cost (money scale, half up; never -0)."""
    value = money(_mul(on_hand, avg_unit_cost))
    return value if value else abs(value)


def value_after(state: CostState, quantity: Decimal) -> Decimal:
    """The stock value after ``quantity`` moves at the average cost (sales, returns): it follows the
    quantity, and is zero when the quantity is."""
    new_qty = state.quantity + quantity
    return ZERO if new_qty == 0 else money(state.total_value + _mul(quantity, state.avg_unit_cost))


def _div(a: Decimal, b: Decimal) -> Decimal:
    with localcontext() as ctx:
        ctx.prec = 60
        return a / b


@dataclass(frozen=True)
class CostState:
    quantity: Decimal = ZERO
    avg_unit_cost: Decimal = ZERO
    total_value: Decimal = ZERO


def apply_cost(state: CostState, quantity: Decimal, unit_cost: Decimal | None) -> tuple[CostState, Decimal]:
    """The cost state after one move, and the unit cost the move is valued at."""
    new_qty = state.quantity + quantity
    if quantity > 0 and unit_cost is not None:
        if state.quantity <= 0 or new_qty <= 0:
            value = money(_mul(new_qty, unit_cost))
            return CostState(new_qty, unit_cost, value), unit_cost
        value = money(state.total_value + _mul(quantity, unit_cost))
        return CostState(new_qty, money(_div(value, new_qty)), value), unit_cost
    if quantity < 0 and unit_cost is not None:  # a reversed receipt leaves at the cost it came in at
        value = ZERO if new_qty == 0 else money(state.total_value + _mul(quantity, unit_cost))
        avg = money(_div(value, new_qty)) if new_qty > 0 else state.avg_unit_cost
        return CostState(new_qty, avg, value), unit_cost
    used = state.avg_unit_cost
    value = ZERO if new_qty == 0 else money(state.total_value + _mul(quantity, used))
    return CostState(new_qty, used, value), used


def running_balances(on_hand_after: Decimal, deltas: Sequence[Decimal]) -> list[Decimal]:
    """The balance after each of ``deltas`` (applied in order), given the balance after all of them."""
    balance = on_hand_after - sum(deltas, ZERO)
    out: list[Decimal] = []
    for d in deltas:
        balance += d
        out.append(balance)
    return out


def went_negative(on_hand_after: Decimal, deltas: Sequence[Decimal]) -> list[bool]:
    """Per delta: it is an outflow and left the balance below zero."""
    return [d < 0 and b < 0 for d, b in zip(deltas, running_balances(on_hand_after, deltas), strict=True)]


def went_below_zero(on_hand_after: Decimal, delta: Decimal) -> bool:
    """The balance was at or above zero before a batch that changed it by ``delta`` and is below after."""
    return on_hand_after < 0 <= on_hand_after - delta


def lot_usable(status: str | None, expiry: date | None, today: date) -> bool:
    """Stock without a lot is usable; a lot is usable while available and not past its expiry date
    (the expiry date itself is still usable), judged by the site's local date."""
    if status is None:
        return True
    return status == "available" and (expiry is None or expiry >= today)


@dataclass(frozen=True)
class LotStock:
    lot_id: int
    lot_code: str
    expiry_date: date | None
    status: str
    available: Decimal


@dataclass(frozen=True)
class Allocation:
    lot: LotStock
    take: Decimal


def fefo(lots: Iterable[LotStock], quantity: Decimal, today: date) -> tuple[list[Allocation], Decimal]:
    """First expired, first out: usable lots with stock, earliest expiry first (no expiry last, then by
    lot code), taken until ``quantity`` is covered. Returns the allocations and the uncovered rest."""
    usable = [lot for lot in lots if lot.available > 0 and lot_usable(lot.status, lot.expiry_date, today)]
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
