"""Pure rules: allocation over lots (first expiry first, then stock without a lot) and drawing."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

from boh.inventory.commitments.domain import Stock, allocate, draw

TODAY = date(2026, 11, 25)


def stock(lot_key: int, expiry: date | None, on_hand: str, reserved: str = "0", status: str = "available") -> Stock:
    if lot_key == 0:
        return Stock(0, None, None, None, D(on_hand), D(reserved))
    return Stock(lot_key, f"L{lot_key}", expiry, status, D(on_hand), D(reserved))


def test_allocation_takes_first_expiring_usable_lots_then_stock_without_a_lot() -> None:
    rows = [
        stock(0, None, "4"),
        stock(1, date(2026, 12, 10), "5", reserved="1"),  # 4 free
        stock(2, date(2026, 12, 1), "3"),
        stock(3, date(2026, 11, 24), "10"),  # expired yesterday
        stock(4, date(2026, 11, 26), "10", status="quarantined"),
        stock(5, None, "2"),  # a lot without expiry: after the dated lots
    ]
    taken, short = allocate(rows, D("11"), TODAY)
    assert taken == [(2, D(3)), (1, D(4)), (5, D(2)), (0, D(2))] and short == 0
    taken, short = allocate(rows, D("20"), TODAY)
    assert sum(q for _lk, q in taken) == D(13) and short == D(7)


def test_lot_on_its_expiry_date_is_still_usable_and_fully_reserved_stock_is_skipped() -> None:
    rows = [stock(1, TODAY, "2"), stock(2, date(2027, 1, 1), "5", reserved="5"), stock(0, None, "1", reserved="2")]
    assert allocate(rows, D("3"), TODAY) == ([(1, D(2))], D(1))


def test_draw_follows_the_given_order_and_skips_empty_lots() -> None:
    assert draw([(7, D(0)), (2, D(3)), (0, D(5))], D(4)) == [(2, D(3)), (0, D(1))]
    assert draw([(2, D(3))], D(3)) == [(2, D(3))]
