"""Moving average cost and stock value per site x item: the one valuation rule of the ledger (pure, no
I/O). Every store of the ledger values moves with ``value_move``; the property tests hold them to it.

The state of an item at a site is its quantity ``q``, its value ``V`` (money, in the site's currency),
its average unit cost ``avg`` and where that cost came from (``source``):
- ``none``: no cost known yet;
- ``provisional``: a fallback cost (see ``fallback.py``) used because the item moved at the site before its
  first costed inflow; moves valued at it are flagged ``provisional``;
- ``actual``: from a costed inflow (a receipt, a transfer in at the sender's cost, production).

Every move carries its value, the change it made to ``V``; so for every site x item ``V = sum of the moves'
values`` at all times, by construction. Money is rounded half-up to 6 places, once per move.

- An inflow with a unit cost ``c`` (receipt, transfer in, production output, a costed return):
  when the quantity on hand was zero or negative, or its cost was only provisional, the units already
  there (sold short, or valued at a fallback) are first revalued at ``c``: a value-only *true-up*
  (``q x c - V``, booked as its own ``revaluation`` move, reason ``cost_true_up``, just before the inflow).
  Then the inflow adds ``qty x c`` and the average becomes ``V / q``.
  Example: 3 sold short at 10 (q = -3, V = -30), then 5 received at 12: true-up -6 (the 3 units sold
  were worth 12 each, not 10), receipt +60, so q = 2, V = 24, avg 12. Without the true-up the 6 would
  leak: the value would differ from the sum of the moves.
- Every other move (sale, waste, transfer out, consumption, adjustment, count variance, an uncosted
  return) is valued at the average, which it does not change: ``qty x avg``; a move that brings the
  quantity to exactly zero takes out exactly ``V`` (no rounding residue is ever left or dropped).
- The reversal of a costed inflow leaves at the cost it came in at and re-averages the rest.
- A revaluation (landed cost, price correction) changes ``V`` by a given amount with no quantity; the
  average follows (``V / q``). A revaluation to a unit cost with nothing on hand sets the cost the next
  moves use (a standard cost) and changes no value; a revaluation by an amount needs stock on hand.

Backdated moves do not re-value what came after them (no reposting): they are valued at the state when
they are *recorded*. See docs/inventory-valuation.md for the table of what a backdated move changes.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import ROUND_HALF_UP, Context, Decimal

ZERO = Decimal(0)
MONEY_Q = Decimal("0.000001")
QTY_Q = Decimal("0.000001")
NONE, PROVISIONAL, ACTUAL = "none", "provisional", "actual"


def money(value: Decimal) -> Decimal:
    """Money at the ledger's scale (half up), never -0."""
    out = value.quantize(MONEY_Q, rounding=ROUND_HALF_UP)
    return out if out else abs(out)


def qty(value: Decimal) -> Decimal:
    """A quantity at the column's scale (inputs are validated to at most 6 places: this never rounds)."""
    return value.quantize(QTY_Q)


# products and quotients at 60 digits before ``money`` rounds them once (a context object, not a
# ``localcontext()`` per call: that copied the thread's context for every move valued)
_WIDE = Context(prec=60)


def _mul(a: Decimal, b: Decimal) -> Decimal:
    return _WIDE.multiply(a, b)


def _div(a: Decimal, b: Decimal) -> Decimal:
    return _WIDE.divide(a, b)


# per move valued: slotted, not frozen (see ledger.contract)
@dataclass(slots=True)
class CostState:
    quantity: Decimal = ZERO
    avg_unit_cost: Decimal = ZERO
    total_value: Decimal = ZERO
    source: str = NONE

    @property
    def costed(self) -> bool:
        return self.source == ACTUAL


# per move valued: slotted, not frozen (see ledger.contract)
@dataclass(slots=True)
class Valued:
    """What one move did to the state: its value and unit cost, the true-up booked before it (zero when
    none) and whether it was valued at a provisional cost."""

    state: CostState
    value: Decimal
    unit_cost: Decimal
    true_up: Decimal = ZERO
    provisional: bool = False


def stock_value(on_hand: Decimal, avg_unit_cost: Decimal) -> Decimal:
    """What ``on_hand`` units are worth at an average cost (display of a lot's share, for example)."""
    return money(_mul(on_hand, avg_unit_cost))


def _average(value: Decimal, quantity: Decimal, fallback: Decimal) -> Decimal:
    return money(_div(value, quantity)) if quantity > 0 else money(fallback)


def value_inflow(state: CostState, quantity: Decimal, unit_cost: Decimal, value: Decimal | None = None) -> Valued:
    """A costed inflow (``quantity`` > 0) at ``unit_cost``, with the true-up of the units already there
    when they were short or only provisionally costed. ``value``: the inflow's exact value when it is
    known (a transfer in brings the value its transfer out took), else ``quantity x unit_cost``."""
    true_up = ZERO
    value_before = state.total_value
    if state.quantity <= 0 or not state.costed:
        target = money(_mul(state.quantity, unit_cost))
        true_up = target - state.total_value
        value_before = target
    value = money(_mul(quantity, unit_cost)) if value is None else money(value)
    new_q = state.quantity + quantity
    new_v = value_before + value
    avg = _average(new_v, new_q, unit_cost)
    return Valued(CostState(new_q, avg, new_v, ACTUAL), value, unit_cost, true_up)


def value_at_cost_out(state: CostState, quantity: Decimal, unit_cost: Decimal) -> Valued:
    """The reversal of a costed inflow (``quantity`` < 0) at the cost it came in at; re-averages the rest."""
    new_q = state.quantity + quantity
    value = -state.total_value if new_q == 0 else money(_mul(quantity, unit_cost))
    new_v = state.total_value + value
    avg = _average(new_v, new_q, state.avg_unit_cost)
    return Valued(replace(state, quantity=new_q, avg_unit_cost=avg, total_value=new_v), value, unit_cost)


def value_at_average(state: CostState, quantity: Decimal) -> Valued:
    """Any uncosted move at the current average, which it leaves unchanged."""
    new_q = state.quantity + quantity
    value = -state.total_value if new_q == 0 else money(_mul(quantity, state.avg_unit_cost))
    new_state = CostState(new_q, state.avg_unit_cost, state.total_value + value, state.source)  # hot: no replace()
    return Valued(new_state, value, state.avg_unit_cost, provisional=state.source == PROVISIONAL)


def revalue(state: CostState, delta: Decimal) -> Valued:
    """A value-only change of the stock on hand (landed cost, price correction)."""
    new_v = state.total_value + money(delta)
    avg = _average(new_v, state.quantity, state.avg_unit_cost)
    return Valued(replace(state, avg_unit_cost=avg, total_value=new_v), money(delta), avg)


def revalue_to(state: CostState, unit_cost: Decimal) -> Valued:
    """Revalue the stock on hand to a new unit cost. With nothing on hand (or less) it sets the cost that
    the next moves are valued at and changes no value: units sold short keep the value they left with until
    a receipt trues them up."""
    if state.quantity <= 0:
        return Valued(replace(state, avg_unit_cost=money(unit_cost), source=ACTUAL), ZERO, unit_cost)
    return revalue(state, money(_mul(state.quantity, unit_cost)) - state.total_value)


def value_move(state: CostState, quantity: Decimal, unit_cost: Decimal | None, value: Decimal | None = None) -> Valued:
    """The dispatch every store uses: a value-only revaluation (quantity 0), a costed inflow, the reversal
    of one at its cost, or a move at the average."""
    if quantity == 0:
        return revalue(state, value) if value is not None else revalue_to(state, unit_cost or ZERO)
    if quantity > 0 and unit_cost is not None:
        return value_inflow(state, quantity, unit_cost, value)
    if quantity < 0 and unit_cost is not None:
        return value_at_cost_out(state, quantity, unit_cost)
    return value_at_average(state, quantity)


def with_fallback(state: CostState, unit_cost: Decimal) -> CostState:
    """A state with no cost yet takes a fallback cost, provisionally (valued quantity unchanged)."""
    if state.source != NONE:
        return state
    return replace(state, avg_unit_cost=money(unit_cost), source=PROVISIONAL)
