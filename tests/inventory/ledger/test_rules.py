"""Pure rules: no database."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal as D

from hypothesis import given, settings
from hypothesis import strategies as st

from boh.inventory.ledger import rules as domain
from boh.inventory.ledger.rules import Flow, LotStock


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


def test_negative_flags_mark_only_outflows_below_zero() -> None:
    # balance after all three is -1: before them it was 4
    assert domain.running_balances(D("-1"), [D("-3"), D("-4"), D("2")]) == [D("1"), D("-3"), D("-1")]
    k = (1, 1, 0)
    flows = [Flow(0, k, D("-3"), False), Flow(1, k, D("-4"), False), Flow(2, k, D("2"), False)]
    assert domain.negative_flags({k: D("-1")}, flows) == {1}


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 3), st.integers(-5, 5)), max_size=12),
    st.lists(st.integers(-6, 6), min_size=4, max_size=4),
)
def test_negative_flags_are_the_running_balances_below_zero(moves: list[tuple[int, int]], ends: list[int]) -> None:
    # keys with one flow (the shortcut) and with several: the outflows whose running balance ends below zero
    flows = [Flow(n, (key, 1, 0), D(q), False) for n, (key, q) in enumerate(moves)]
    after = {(key, 1, 0): D(end) for key, end in enumerate(ends)}
    expected: set[int] = set()
    for key, end in after.items():
        group = [f for f in flows if f.key == key]
        for f, balance in zip(group, domain.running_balances(end, [f.quantity for f in group]), strict=True):
            if f.quantity < 0 and balance < 0:
                expected.add(f.index)
    assert domain.negative_flags(after, flows) == expected


def test_refusal_takes_only_the_short_move_at_a_refusing_site() -> None:
    k, other = (1, 1, 0), (2, 1, 0)
    flows = [
        Flow(0, k, D(-1), True),
        Flow(1, k, D(-2), True),
        Flow(2, k, D(-1), True),
        Flow(3, other, D(-1), False),
    ]
    assert domain.refused_flows({k: D(2)}, {}, flows) == {1: D(-1)}


T0 = datetime(2026, 12, 1, 12, tzinfo=UTC)


def test_a_sale_dated_before_the_stock_existed_is_refused() -> None:
    k = (1, 1, 0)
    # 5 on hand now, all of it received at T0; nothing before
    later = {k: [(T0, D(5))]}
    before = Flow(0, k, D(-2), True, T0 - timedelta(hours=1))
    after = Flow(1, k, D(-2), True, T0 + timedelta(hours=1))
    assert domain.refused_flows({k: D(5)}, later, [before, after]) == {0: D(-2)}


def test_a_backdated_sale_may_not_leave_a_later_point_below_zero() -> None:
    k = (1, 1, 0)
    # received 5 at T0, sold 4 at T0+2h: 1 on hand now; a sale of 2 dated T0+1h would leave -1 after T0+2h
    later = {k: [(T0, D(5)), (T0 + timedelta(hours=2), D(-4))]}
    assert domain.refused_flows({k: D(1)}, later, [Flow(0, k, D(-2), True, T0 + timedelta(hours=1))]) == {0: D(-1)}
    assert domain.refused_flows({k: D(1)}, later, [Flow(0, k, D(-1), True, T0 + timedelta(hours=1))]) == {}
    # a flagging site refuses nothing
    assert domain.refused_flows({k: D(1)}, later, [Flow(0, k, D(-9), False, T0)]) == {}


def test_lot_usability_is_one_rule_in_python_and_sql() -> None:
    from sqlalchemy import column, select, table
    from sqlalchemy.dialects import sqlite

    lots = table("l", column("lot_id"), column("status"), column("expiry"), column("held"))
    today = date(2026, 11, 25)
    expr = domain.lot_usable_sql(lots.c.lot_id, lots.c.status, lots.c.expiry, today, lots.c.held)
    sql = str(
        select(lots.c.lot_id).where(expr).compile(dialect=sqlite.dialect(), compile_kwargs={"literal_binds": True})
    )
    assert "lot_id IS NULL" in sql and "status = 'available'" in sql and "expiry >= '2026-11-25'" in sql
    assert "held IS NOT 1" in sql


def test_lot_usable_by_local_date() -> None:
    today = date(2026, 11, 25)
    assert domain.lot_usable(None, None, today)
    assert domain.lot_usable("available", date(2026, 11, 25), today)  # the expiry day itself is usable
    assert not domain.lot_usable("available", date(2026, 11, 24), today)
    assert not domain.lot_usable("quarantined", date(2027, 1, 1), today)
    assert not domain.lot_usable("available", date(2027, 1, 1), today, held=True)  # a recall's hold


def test_fefo_orders_by_expiry_and_skips_unusable_lots() -> None:
    today = date(2026, 11, 25)
    lots = [
        LotStock(1, "LATE", date(2026, 12, 30), "available", D("5")),
        LotStock(2, "NOEXP", None, "available", D("50")),
        LotStock(3, "SOON", date(2026, 11, 26), "available", D("4")),
        LotStock(4, "EXPIRED", date(2026, 11, 20), "available", D("100")),
        LotStock(5, "HELD", date(2026, 11, 25), "quarantined", D("100")),
        LotStock(6, "EMPTY", date(2026, 11, 25), "available", D("0")),
        LotStock(7, "RECALLED", date(2026, 11, 25), "available", D("100"), held=True),
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
    from boh.inventory.ledger.valuation import stock_value

    assert stock_value(D("3"), D("1.1111115")) == D("3.333335")
    assert str(stock_value(D("-2"), D("0"))) == "0.000000"
    assert stock_value(D("-2"), D("1.5")) == D("-3")
