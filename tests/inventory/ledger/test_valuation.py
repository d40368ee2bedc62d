"""The valuation rule (pure): moving average cost, and value = the sum of the moves' values, always."""

from __future__ import annotations

from decimal import Decimal as D

from hypothesis import given, settings
from hypothesis import strategies as st

from boh.inventory.ledger.valuation import (
    ACTUAL,
    NONE,
    PROVISIONAL,
    CostState,
    revalue,
    revalue_to,
    value_move,
    with_fallback,
)


def _run(state: CostState, *moves: tuple[str, str | None]) -> tuple[CostState, list[D]]:
    values = []
    for qty, cost in moves:
        v = value_move(state, D(qty), D(cost) if cost is not None else None)
        values.extend([v.true_up, v.value] if v.true_up else [v.value])
        state = v.state
    return state, values


def test_moving_average_is_exact_over_receipts_and_issues() -> None:
    s, values = _run(CostState(), ("10", "2.00"), ("5", "3.50"), ("-3", None))
    assert s == CostState(D("12"), D("2.500000"), D("30.000000"), ACTUAL)
    assert values == [D("20.000000"), D("17.500000"), D("-7.500000")]
    s, _ = _run(s, ("8", "1.10"), ("3", "1.00"))
    assert s == CostState(D("23"), D("1.817391"), D("41.800000"), ACTUAL)  # 41.8 / 23 = 1.8173913.. half-up


def test_the_move_that_empties_the_stock_takes_its_whole_value() -> None:
    s, _ = _run(CostState(), ("3", "1"), ("3", "2"))  # 6 @ 1.5
    s, values = _run(s, ("-1", None), ("-1", None), ("-1", None), ("-1", None), ("-1", None), ("-1", None))
    assert s.quantity == 0 and s.total_value == 0
    assert sum(values) == D(-9)


def test_three_at_a_thirds_leave_no_residue() -> None:
    s, values = _run(CostState(), ("3", "0.3333333"))  # value rounds to 1.000000, avg 0.333333
    s, out = _run(s, ("-1", None), ("-1", None), ("-1", None))
    assert out == [D("-0.333333"), D("-0.333333"), D("-0.333334")]  # the last takes what is left
    assert s.total_value == 0 and sum(values + out) == 0


def test_a_receipt_into_negative_stock_trues_up_the_units_sold_short() -> None:
    """3 sold short at 10, then 5 received at 12: the 3 sold were worth 12 each: a true-up of -6 is booked
    before the receipt; the stock is 2 @ 12 = 24, and the moves' values sum to it."""
    state = CostState(D(2), D(10), D(20), ACTUAL)
    s, values = _run(state, ("-5", None), ("5", "12"))
    assert values == [D(-50), D(-6), D(60)]
    assert s == CostState(D(2), D("12.000000"), D(24), ACTUAL)
    assert D(20) + sum(values) == s.total_value


def test_a_provisional_cost_is_trued_up_by_the_first_receipt() -> None:
    s = with_fallback(CostState(), D(4))  # no cost yet: a fallback of 4 (e.g. the chain's average)
    assert s.source == PROVISIONAL
    v = value_move(s, D(3), None)  # a count finds 3
    assert (v.value, v.provisional) == (D(12), True)
    v2 = value_move(v.state, D(2), D(5))  # first receipt at 5: the 3 found are revalued at 5
    assert (v2.true_up, v2.value) == (D(3), D(10))
    assert v2.state == CostState(D(5), D("5.000000"), D(25), ACTUAL)
    assert with_fallback(v2.state, D(99)) == v2.state  # a known cost is never replaced


def test_reversed_receipt_leaves_at_its_own_cost() -> None:
    s, _ = _run(CostState(), ("10", "2"), ("10", "4"))  # wrong cost: avg 3
    v = value_move(s, D(-10), D(4))
    assert (v.state, v.value) == (CostState(D(10), D("2.000000"), D("20.000000"), ACTUAL), D(-40))


def test_revaluations_change_value_not_quantity() -> None:
    s, _ = _run(CostState(), ("10", "2"))
    v = revalue(s, D("5"))  # a landed cost of 5 on 10 units
    assert v.state == CostState(D(10), D("2.500000"), D(25), ACTUAL) and v.value == D(5)
    v2 = revalue_to(v.state, D("3"))
    assert v2.value == D(5) and v2.state.total_value == D(30)
    assert value_move(v2.state, D(0), None, D("-1")).state.total_value == D(29)


def test_an_uncosted_state_says_so() -> None:
    assert CostState().source == NONE and not CostState().costed


MOVE = st.one_of(
    st.tuples(st.decimals(D("0.001"), D(50), places=3), st.decimals(D("0.01"), D(20), places=4)),  # receipt
    st.tuples(st.decimals(D(-50), D("-0.001"), places=3), st.none()),  # issue at the average
    st.tuples(st.decimals(D("0.001"), D(10), places=3), st.none()),  # a gain at the average
    st.tuples(st.just(D(0)), st.decimals(D(-20), D(20), places=2)),  # revaluation
)


@settings(max_examples=300, deadline=None)
@given(st.lists(MOVE, max_size=40))
def test_value_is_always_the_sum_of_the_moves(moves: list[tuple[D, D | None]]) -> None:
    state = with_fallback(CostState(), D("1.5"))
    total = D(0)
    for qty, cost in moves:
        v = value_move(state, qty, cost if qty else None, cost if qty == 0 else None)
        total += v.true_up + v.value
        state = v.state
        assert state.total_value == total
        if state.quantity == 0 and qty != 0:
            assert state.total_value == 0
