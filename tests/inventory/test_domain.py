"""Pure rules: no database."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

from boh.inventory import domain
from boh.inventory.domain import CostState, LotStock, apply_cost


def test_check_move_signs_and_reasons() -> None:
    assert domain.check_move("receipt", D("5"), None) == []
    assert [p.code for p in domain.check_move("receipt", D("-5"), None)] == ["inventory.wrong_sign"]
    assert [p.code for p in domain.check_move("sale", D("2"), None)] == ["inventory.wrong_sign"]
    assert [p.field for p in domain.check_move("waste", D("-1"), None)] == ["reason_code"]
    assert [p.field for p in domain.check_move("adjustment", D("0"), None)] == ["quantity", "reason_code"]
    assert domain.check_move("adjustment", D("-3"), "DAMAGED") == []
    assert domain.check_move("return", D("-3"), None) == []  # back to the supplier
    assert [p.code for p in domain.check_move("transfer_in", D("1"), None)] == ["inventory.transfer_not_allowed"]
    assert domain.check_move("transfer_in", D("1"), None, internal=True) == []
    assert [p.code for p in domain.check_move("sale", D("-1"), None, has_cost=True)] == ["inventory.cost_on_outflow"]
    assert domain.check_move("receipt", D("-2"), None, has_cost=True, internal=True, reversal=True) == []
    assert [p.code for p in domain.check_move("receipt", D("2"), None, internal=True, reversal=True)] == [
        "inventory.wrong_sign"
    ]
    assert [p.code for p in domain.check_move("teleport", D("1"), None)] == ["inventory.unknown_move_type"]


def test_moving_average_is_exact_over_receipts_and_issues() -> None:
    s = CostState()
    s, used = apply_cost(s, D("10"), D("2.00"))
    assert (s, used) == (CostState(D("10"), D("2.00"), D("20.000000")), D("2.00"))
    s, _ = apply_cost(s, D("5"), D("3.50"))
    assert s == CostState(D("15"), D("2.500000"), D("37.500000"))
    s, used = apply_cost(s, D("-3"), None)  # an issue takes the average and does not change it
    assert (s, used) == (CostState(D("12"), D("2.500000"), D("30.000000")), D("2.500000"))
    s, _ = apply_cost(s, D("8"), D("1.10"))
    assert s == CostState(D("20"), D("1.940000"), D("38.800000"))
    s, _ = apply_cost(s, D("3"), D("1.00"))
    assert s == CostState(D("23"), D("1.817391"), D("41.800000"))  # 41.8 / 23 = 1.8173913.. half-up
    s, _ = apply_cost(s, D("-23"), None)
    assert s == CostState(D("0"), D("1.817391"), D("0"))  # rounding residue dropped at zero


def test_receipt_into_negative_stock_restarts_the_average() -> None:
    s, _ = apply_cost(CostState(D("-4"), D("2"), D("-8")), D("10"), D("3"))
    assert s == CostState(D("6"), D("3"), D("18.000000"))


def test_reversed_receipt_leaves_at_its_own_cost() -> None:
    s, _ = apply_cost(CostState(), D("10"), D("2"))
    s, _ = apply_cost(s, D("10"), D("4"))  # wrong cost: avg 3
    s, used = apply_cost(s, D("-10"), D("4"))  # reversal of the second receipt
    assert (s, used) == (CostState(D("10"), D("2.000000"), D("20.000000")), D("4"))


def test_unvalued_inflow_keeps_the_average() -> None:
    s, used = apply_cost(CostState(D("10"), D("2.5"), D("25")), D("2"), None)
    assert (s, used) == (CostState(D("12"), D("2.5"), D("30.000000")), D("2.5"))


def test_went_negative_marks_only_outflows_below_zero() -> None:
    # balance after all three is -1: before them it was 4
    assert domain.running_balances(D("-1"), [D("-3"), D("-4"), D("2")]) == [D("1"), D("-3"), D("-1")]
    assert domain.went_negative(D("-1"), [D("-3"), D("-4"), D("2")]) == [False, True, False]


def test_lot_usable_by_local_date() -> None:
    today = date(2026, 11, 25)
    assert domain.lot_usable(None, None, today)
    assert domain.lot_usable("available", date(2026, 11, 25), today)  # the expiry day itself is usable
    assert not domain.lot_usable("available", date(2026, 11, 24), today)
    assert not domain.lot_usable("quarantined", date(2027, 1, 1), today)


def test_fefo_orders_by_expiry_and_skips_unusable_lots() -> None:
    today = date(2026, 11, 25)
    lots = [
        LotStock(1, "LATE", date(2026, 12, 30), "available", D("5")),
        LotStock(2, "NOEXP", None, "available", D("50")),
        LotStock(3, "SOON", date(2026, 11, 26), "available", D("4")),
        LotStock(4, "EXPIRED", date(2026, 11, 20), "available", D("100")),
        LotStock(5, "HELD", date(2026, 11, 25), "quarantined", D("100")),
        LotStock(6, "EMPTY", date(2026, 11, 25), "available", D("0")),
    ]
    allocations, rest = domain.fefo(lots, D("12"), today)
    assert [(a.lot.lot_code, a.take) for a in allocations] == [("SOON", D("4")), ("LATE", D("5")), ("NOEXP", D("3"))]
    assert rest == 0
    allocations, rest = domain.fefo(lots[:1], D("7.5"), today)
    assert [(a.lot.lot_code, a.take) for a in allocations] == [("LATE", D("5"))]
    assert rest == D("2.5")


def test_events_survive_the_outbox_encoding() -> None:
    from boh.inventory.events import NegativeStock, StockMoved
    from boh.kernel.events import decode, encode

    moved = StockMoved(tenant_id=1, move_ids=(4, 5), changes=({"site_id": 1, "item_id": 2, "on_hand": "-1.5"},))
    back = decode(StockMoved.topic, encode(moved))
    assert isinstance(back, StockMoved) and list(back.move_ids) == [4, 5] and back.changes[0]["on_hand"] == "-1.5"
    neg = decode(NegativeStock.topic, encode(NegativeStock(1, 2, 3, None, D("-1.500000"), (9,))))
    assert isinstance(neg, NegativeStock) and neg.on_hand == D("-1.5") and neg.lot_id is None


def test_stock_value_is_rounded_half_up_and_never_negative_zero() -> None:
    from boh.inventory.domain import stock_value

    assert stock_value(D("3"), D("1.1111115")) == D("3.333335")
    assert str(stock_value(D("-2"), D("0"))) == "0.000000"
    assert stock_value(D("-2"), D("1.5")) == D("-3")
