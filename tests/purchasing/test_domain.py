"""Pure rules: the state machine, receipt discrepancies, the fair allocation of a short source."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from boh.purchasing import domain
from boh.purchasing.domain import LineCheck, discrepancies, fair_allocation

D = Decimal


def test_actions_by_status() -> None:
    assert domain.allowed("edit", "draft") and not domain.allowed("edit", "confirmed")
    assert domain.allowed("amend", "confirmed") and not domain.allowed("amend", "draft")
    assert domain.allowed("cancel", "confirmed") and not domain.allowed("cancel", "partially_received")
    assert domain.allowed("receive", "partially_received") and not domain.allowed("receive", "received")
    assert not domain.allowed("confirm", "cancelled")


def test_order_status_after_receipts() -> None:
    assert domain.status_after_receipt([("open", D(10), D(0))]) == "confirmed"
    assert domain.status_after_receipt([("open", D(10), D(4)), ("open", D(5), D(0))]) == "partially_received"
    assert domain.status_after_receipt([("open", D(10), D(10)), ("closed", D(5), D(2))]) == "received"
    assert domain.status_after_receipt([("received", D(10), D(10)), ("cancelled", D(5), D(0))]) == "received"


def test_discrepancies_of_a_receipt_line() -> None:
    assert discrepancies(due=D(24), received=D(24), rejected=D(0), closes=False, agreed_price=D("4.8"),
                         invoiced_price=D("4.8")) == []  # fmt: skip
    assert discrepancies(due=D(24), received=D(12), rejected=D(0), closes=False, agreed_price=None,
                         invoiced_price=None) == []  # fmt: skip
    assert discrepancies(
        due=D(24), received=D(10), rejected=D(2), closes=True, agreed_price=D("4.8"), invoiced_price=D("5")
    ) == [
        LineCheck("short", D(24), D(12)),
        LineCheck("damaged", D(12), D(10)),
        LineCheck("price", D("4.8"), D(5)),
    ]
    assert discrepancies(due=D(12), received=D(14), rejected=D(0), closes=False, agreed_price=None,
                         invoiced_price=None) == [LineCheck("over", D(12), D(14))]  # fmt: skip


def test_fair_allocation_shares_in_proportion_to_need() -> None:
    assert fair_allocation(D(10), {1: D(10), 2: D(5), 3: D(5)}) == {1: D(5), 2: D(3), 3: D(2)}
    assert fair_allocation(D(7), {1: D(4), 2: D(4)}) == {1: D(4), 2: D(3)}  # tie: lower key
    assert fair_allocation(D(30), {1: D(10), 2: D(5)}) == {1: D(10), 2: D(5)}  # enough for all
    assert fair_allocation(D(24), {1: D(36), 2: D(24), 3: D(12)}, step=D(6)) == {1: D(12), 2: D(6), 3: D(6)}
    assert fair_allocation(D(0), {1: D(3)}) == {1: D(0)}
    assert fair_allocation(D("2.5"), {1: D(3), 2: D(0)}) == {1: D(2), 2: D(0)}


@settings(max_examples=200, deadline=None)
@given(
    supply=st.integers(min_value=0, max_value=500),
    needs=st.dictionaries(st.integers(1, 50), st.integers(0, 200), min_size=1, max_size=8),
    step=st.sampled_from([1, 2, 6, 12]),
)
def test_fair_allocation_properties(supply: int, needs: dict[int, int], step: int) -> None:
    wanted = {k: D(v) for k, v in needs.items()}
    got = fair_allocation(D(supply), wanted, step=D(step))
    assert set(got) == set(wanted)
    total = sum(wanted.values(), D(0))
    if total <= supply:
        assert got == wanted
        return
    assert sum(got.values(), D(0)) <= supply
    for k, q in got.items():
        assert D(0) <= q <= wanted[k] and q % step == 0
    # in whole steps: nothing left that one more step to anybody could still take
    spare = D(supply) - sum(got.values(), D(0))
    assert spare < step or all(wanted[k] - got[k] < step for k in wanted)
    # fair: everybody gets its proportional share within two steps (the supply itself is cut to whole steps)
    for k in wanted:
        share = D(supply) * wanted[k] / total
        assert share - 2 * step < got[k] < share + 2 * step


def test_which_supplier_changes_wait_for_the_buyer() -> None:
    from datetime import date

    base = {"quantity": D(10), "new_quantity": D(10), "price": D(3), "new_price": None,
            "needed_by": date(2026, 12, 10), "new_date": None}  # fmt: skip
    assert not domain.change_needs_buyer(**base | {"new_date": date(2026, 12, 10)})  # still in time
    assert not domain.change_needs_buyer(**base | {"new_price": D("2.5")})  # cheaper
    assert domain.change_needs_buyer(**base | {"new_date": date(2026, 12, 11)})  # too late
    assert domain.change_needs_buyer(**base | {"new_price": D("3.1")})
    assert domain.change_needs_buyer(**base | {"new_quantity": D(8)})
