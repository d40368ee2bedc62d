"""Pure stocktake rules: ABC classes, variance and recount rule, approval rule, status machine."""

from __future__ import annotations

from decimal import Decimal as D

from boh.inventory.counts import domain

T = domain.Thresholds(D("1000"), D("10"), D("50"))


def test_abc_classes_follow_the_cumulative_value() -> None:
    values = {1: D("800"), 2: D("100"), 3: D("60"), 4: D("40"), 5: D("0")}
    assert domain.abc_classes(values) == {1: "A", 2: "B", 3: "B", 4: "C", 5: "C"}


def test_abc_without_any_sales_is_all_c() -> None:
    assert domain.abc_classes({1: D(0), 2: D(0)}) == {1: "C", 2: "C"}


def test_variance_value_and_recount_thresholds() -> None:
    small = domain.variance(D("100"), D("95"), D("2"), T, recounted=False)
    assert (small.variance, small.value, small.recount_required) == (D("-5"), D("-10.000000"), False)
    pct = domain.variance(D("10"), D("8"), D("1"), T, recounted=False)
    assert pct.recount_required  # 20% > 10%
    value = domain.variance(D("1000"), D("990"), D("6"), T, recounted=False)
    assert value.recount_required and value.value == D("-60.000000")  # 1% but 60 > 50
    assert not domain.variance(D("10"), D("8"), D("1"), T, recounted=True).recount_required
    found = domain.variance(D("0"), D("1"), D("0.01"), T, recounted=False)
    assert found.recount_required  # stock where none was expected
    assert domain.variance(D("5"), None, D("1"), T, recounted=False) == domain.Variance(None, None, False)


def test_approval_needs_a_manager_above_the_threshold() -> None:
    assert not domain.needs_manager(D("1000"), T)
    assert domain.needs_manager(D("1000.01"), T)
    assert domain.is_manager_at(None, True, 7) and domain.is_manager_at(frozenset({7, 8}), True, 7)
    assert not domain.is_manager_at(frozenset({8}), True, 7)  # a manager of other sites only
    assert not domain.is_manager_at(None, False, 7)


def test_blocking_lines() -> None:
    assert domain.blocking(D(3), None, False, False) is not None
    assert domain.blocking(D(0), None, False, False) is None  # expected empty, nothing found
    assert domain.blocking(D(3), D(1), True, False) is not None
    assert domain.blocking(D(3), D(1), True, True) is None
    assert domain.blocking(D(3), D(0), False, False) is None


def test_status_machine() -> None:
    assert domain.can_move("draft", "counting") and domain.can_move("review", "counting")
    assert not domain.can_move("posted", "cancelled") and not domain.can_move("counting", "approved")
    assert not domain.can_move("draft", "posted")


def test_entry_quantity_problems() -> None:
    assert domain.entry_qty_problem(D("-1"), "manual") is not None
    assert domain.entry_qty_problem(D("2"), "rfid") is not None
    assert domain.entry_qty_problem(D("0.0000001"), "manual") is not None
    assert domain.entry_qty_problem(D("0"), "manual") is None
    assert domain.entry_qty_problem(D("1.5"), "scan") is None
