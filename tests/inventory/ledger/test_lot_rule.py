"""Lot usability is one rule in two forms (ledger.rules): the Python predicate and its SQL expression give
the same answer for every status and expiry on a real database, and the balance read model applies it."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal as D
from itertools import product

from sqlalchemy import select

from boh.bootstrap import Runtime
from boh.inventory import balances
from boh.inventory.ledger import rules
from boh.inventory.models import Lot
from boh.kernel.tenancy import Scope
from tests.inventory.factories import make_lot, make_world, mv, post


def test_the_python_and_sql_forms_of_the_rule_agree(runtime: Runtime) -> None:
    w = make_world(runtime)
    today = date(2026, 11, 25)
    expiries = [None, today - timedelta(days=1), today, today + timedelta(days=1)]
    for n, (status, held, expiry) in enumerate(product(("available", "quarantined"), (False, True), expiries)):
        lot_id = make_lot(runtime, w.tenant, w.item, f"L{n}", expiry)
        with runtime.session_factory() as s, s.begin():
            lot = s.get(Lot, lot_id)
            assert lot is not None
            lot.status, lot.on_hold = status, held
    with runtime.session_factory() as s:
        lots = s.scalars(select(Lot)).all()
        usable = rules.lot_usable_sql(Lot.id, Lot.status, Lot.expiry_date, today, Lot.on_hold)
        by_sql = set(s.scalars(select(Lot.id).where(usable)))
    by_python = {lot.id for lot in lots if rules.lot_usable(lot.status, lot.expiry_date, today, lot.on_hold)}
    assert len(lots) == 16 and by_sql == by_python and len(by_python) == 3  # available, not held, not expired


def test_the_read_model_sums_usable_stock_per_item_with_the_rule(runtime: Runtime) -> None:
    w = make_world(runtime)
    post(runtime, w.tenant, mv(w.s1, w.item, "receipt", "5", "a", unit_cost=D(1), lot_code="GOOD",
                               expiry_date=date(2999, 1, 1)))  # fmt: skip
    post(runtime, w.tenant, mv(w.s1, w.item, "receipt", "7", "b", unit_cost=D(1), lot_code="OLD",
                               expiry_date=date(2000, 1, 1)))  # fmt: skip
    post(runtime, w.tenant, mv(w.s1, w.item, "receipt", "2", "c", unit_cost=D(1)))
    with runtime.session_factory() as s:
        rows, total = balances.read(s, Scope(w.tenant.id), balances.BalanceQuery(site_id=w.s1), 100, 0)
    assert total == 3
    by_lot = {r.lot_code: (r.usable, r.available) for r in rows}
    assert by_lot == {"GOOD": (True, D(5)), "OLD": (False, D(0)), None: (True, D(2))}
    assert {r.item_available for r in rows} == {D(7)}  # the SQL form: 5 + 2, the expired lot left out


def test_the_per_item_sum_is_judged_on_the_day_asked_and_read_afresh(runtime: Runtime, monkeypatch) -> None:
    """The read model keeps its per-item subquery per (tenant, site, day) (balances._per_item): a statement,
    never its rows, so each read sees the stock of that moment, and a new day judges expiry again."""
    w = make_world(runtime)
    post(runtime, w.tenant, mv(w.s1, w.item, "receipt", "5", "a", unit_cost=D(1), lot_code="SOON",
                               expiry_date=date(2026, 11, 25)))  # fmt: skip
    post(runtime, w.tenant, mv(w.s1, w.item, "receipt", "2", "b", unit_cost=D(1)))

    def item_available(day: date) -> set[D | None]:
        monkeypatch.setattr(balances, "local_date", lambda tz, at=None: day)
        with runtime.session_factory() as s:
            rows, _ = balances.read(s, Scope(w.tenant.id), balances.BalanceQuery(site_id=w.s1), 100, 0)
        return {r.item_available for r in rows}

    assert item_available(date(2026, 11, 24)) == {D(7)}
    assert item_available(date(2026, 11, 26)) == {D(2)}  # SOON expired the day before
    post(runtime, w.tenant, mv(w.s1, w.item, "receipt", "3", "c", unit_cost=D(1)))
    assert item_available(date(2026, 11, 26)) == {D(5)}  # the same day's subquery, the new stock
    assert item_available(date(2026, 11, 24)) == {D(10)}
