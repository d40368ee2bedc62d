"""Sales without a lot code come off the item's usable lots first expiring first, then off the stock
without a lot; each part is a move of its own under the sale's one event claim."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

import pytest
from sqlalchemy import select

from boh.bootstrap import Runtime
from boh.inventory.models import Balance, Lot, Move
from boh.inventory.rebuild import rebuild_check
from tests.inventory.factories import mv, post
from tests.inventory.ingest.helpers import RECEIVED_AT, Floor, ingest, make_floor, sale


def _lot(rt: Runtime, f: Floor, site: int, code: str, qty: str, expiry: date) -> None:
    post(rt, f.tenant, mv(site, f.milk, "receipt", qty, f"rcv-{site}-{code}", unit_cost=D("2.00"),
                          lot_code=code, expiry_date=expiry, event_at=RECEIVED_AT))  # fmt: skip


@pytest.fixture
def f(runtime: Runtime) -> Floor:
    f = make_floor(runtime)
    for site in (f.sh01, f.sh09):
        _lot(runtime, f, site, "EARLY", "3", date(2026, 11, 28))
        _lot(runtime, f, site, "LATE", "5", date(2026, 12, 5))
        _lot(runtime, f, site, "OLD", "4", date(2026, 11, 20))  # expired on the sales' date (2026-11-25)
    post(runtime, f.tenant, mv(f.sh01, f.milk, "receipt", "2", "rcv-nolot", unit_cost=D("2.00")))
    return f


def _stock(rt: Runtime, site: int) -> dict[str | None, D]:
    with rt.session_factory() as s:
        stmt = select(Lot.lot_code, Balance.on_hand).outerjoin(Lot, Lot.id == Balance.lot_id)
        rows = s.execute(stmt.where(Balance.site_id == site))
        return {code: qty for code, qty in rows}


def _sale_moves(rt: Runtime) -> list[tuple[str, str | None, D]]:
    with rt.session_factory() as s:
        rows = s.execute(
            select(Move.idempotency_key, Lot.lot_code, Move.quantity)
            .outerjoin(Lot, Lot.id == Move.lot_id)
            .where(Move.move_type == "sale")
            .order_by(Move.id)
        )
        return [(k, c, q) for k, c, q in rows]


def test_a_sale_without_a_lot_takes_the_earliest_usable_lots_first_then_stock_without_a_lot(
    runtime: Runtime, f: Floor
) -> None:
    first = ingest(runtime, f, [sale("s1", qty="4"), sale("s2", qty="7")])
    assert (first.accepted, first.duplicates, first.rejected) == (2, 0, [])
    assert _stock(runtime, f.sh01) == {"EARLY": D(0), "LATE": D(0), "OLD": D(4), None: D(-1)}
    assert _sale_moves(runtime) == [
        ("ev:10:pos:SH01:1:2:s1", "EARLY", D(-3)),
        ("ev:10:pos:SH01:1:2:s1#1", "LATE", D(-1)),
        ("ev:10:pos:SH01:1:2:s2", "LATE", D(-4)),
        ("ev:10:pos:SH01:1:2:s2#1", None, D(-3)),
    ]
    again = ingest(runtime, f, [sale("s1", qty="4"), sale("s2", qty="7")])  # a retry changes nothing
    assert (again.accepted, again.duplicates) == (0, 2)
    assert len(_sale_moves(runtime)) == 4
    with runtime.session_factory() as s:
        assert rebuild_check(s, f.tenant.id) == []
        flagged = s.scalars(select(Move.negative).where(Move.move_type == "sale").order_by(Move.id)).all()
    assert flagged == [False, False, False, True]  # only the part that took the no-lot stock below zero


def test_a_sale_naming_its_lot_and_a_return_are_not_split(runtime: Runtime, f: Floor) -> None:
    ingest(runtime, f, [sale("s1", qty="2", lot="LATE"), {**sale("r1", qty="1"), "kind": "return"}])
    assert _stock(runtime, f.sh01) == {"EARLY": D(3), "LATE": D(3), "OLD": D(4), None: D(3)}


def test_a_site_that_refuses_negative_stock_refuses_the_whole_sale_once(runtime: Runtime, f: Floor) -> None:
    result = ingest(runtime, f, [sale("big", site="SH09", qty="9"), sale("ok", site="SH09", qty="8")])
    assert [(r.index, r.code) for r in result.rejected] == [(0, "inventory.insufficient_stock")]
    assert "sell 9" in result.rejected[0].message
    assert result.accepted == 1
    assert _stock(runtime, f.sh09) == {"EARLY": D(0), "LATE": D(0), "OLD": D(4)}
    retry = ingest(runtime, f, [sale("big", site="SH09", qty="9")])  # refused events were not claimed
    assert [r.code for r in retry.rejected] == ["inventory.insufficient_stock"]
