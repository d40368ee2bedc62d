"""The one-balance read is planned once per connection on PostgreSQL: the driver prepares a statement run five
times and the server reuses one generic plan for it. A LIMIT or OFFSET sent as a parameter made it plan the
read's joins anew at every execution (the page bounds are written into the statement instead); pages still
page."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from sqlalchemy import text

from boh.bootstrap import Runtime
from boh.inventory import balances
from boh.kernel.tenancy import Scope
from tests.inventory.factories import make_world, mv, post


def test_balance_pages_page(runtime: Runtime) -> None:
    w = make_world(runtime)
    for n in range(3):
        post(runtime, w.tenant, mv(w.s1, w.item, "receipt", str(n + 1), f"k{n}", unit_cost=D(1), lot_code=f"L{n}"))
    with runtime.session_factory() as s:
        q = balances.BalanceQuery(site_id=w.s1)
        first, total = balances.read(s, Scope(w.tenant.id), q, 2, 0)
        rest, total2 = balances.read(s, Scope(w.tenant.id), q, 2, 2)
    assert total == total2 == 3
    assert len(first) == 2 and len(rest) == 1
    assert {r.lot_code for r in first + rest} == {"L0", "L1", "L2"}


def test_the_balance_read_reuses_one_generic_plan(runtime: Runtime) -> None:
    if runtime.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL's plan cache")
    w = make_world(runtime)
    post(runtime, w.tenant, mv(w.s1, w.item, "receipt", "5", "a", unit_cost=D(1)))
    with runtime.session_factory() as s:
        s.connection(execution_options={"isolation_level": "AUTOCOMMIT"})  # as the API's read
        for _ in range(20):  # prepared by the driver after 5 runs, then 5 custom plans, then the generic one
            rows, _ = balances.read(s, Scope(w.tenant.id), balances.BalanceQuery(site_id=w.s1, item_id=w.item), 50, 0)
            assert [r.on_hand for r in rows] == [D(5)]
        plans = s.execute(
            text(
                "SELECT generic_plans, custom_plans FROM pg_prepared_statements "
                "WHERE statement LIKE 'SELECT inventory_balance.site_id, inventory_balance.item_id%'"
            )
        ).all()
    assert plans, "the read was not prepared"
    generic, custom = plans[0]
    assert custom <= 5 and generic >= 5
