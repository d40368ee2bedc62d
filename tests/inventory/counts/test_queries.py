"""Read models the count pages use: line search (text, counted or not, ids), lines by |variance value|,
and totals over every line, all with the blind-count rule applied."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from boh.bootstrap import Runtime
from boh.inventory.counts import queries, service
from boh.kernel.tenancy import Scope
from tests.inventory.counts.helpers import Shop, create, enter, lines, make_shop, step


@pytest.fixture
def shop(runtime: Runtime) -> Shop:
    return make_shop(runtime)


def _skus(runtime: Runtime, shop: Shop, cid: int, **kw: object) -> list[str]:
    with runtime.session_factory() as s:
        rows, total = queries.list_lines(s, Scope(shop.tenant.id), cid, 100, 0, **kw)  # type: ignore[arg-type]
        assert total == len(rows)
        return [ln.sku for ln in rows]


def test_line_search_by_text_counted_and_ids(runtime: Runtime, shop: Shop) -> None:
    cid = create(runtime, shop)
    enter(runtime, shop, cid, {"sku": "B1", "qty": "5"})
    assert _skus(runtime, shop, cid, q="b1") == ["B1"]
    assert _skus(runtime, shop, cid, q="item c") == ["C1"]  # the item name
    assert _skus(runtime, shop, cid, counted=True) == ["B1"]
    assert _skus(runtime, shop, cid, counted=False) == ["A1", "C1"]
    assert _skus(runtime, shop, cid, line_ids={lines(runtime, cid)[shop.c].id}) == ["C1"]
    assert _skus(runtime, shop, cid, line_ids=set()) == []


def test_lines_by_value_and_totals(runtime: Runtime, shop: Shop) -> None:
    cid = create(runtime, shop, blind=True)
    enter(runtime, shop, cid, {"sku": "A1", "qty": "9"}, {"sku": "B1", "qty": "6"})
    with runtime.session_factory() as s:
        hidden = queries.line_totals(s, Scope(shop.tenant.id), cid)
    assert hidden == queries.LineTotals(3, 2, 0, None, None)  # nothing derived from expected while blind
    assert _skus(runtime, shop, cid, by_value=True) == ["A1", "B1", "C1"]  # by SKU while hidden
    step(runtime, shop, service.submit, cid)
    assert _skus(runtime, shop, cid, by_value=True) == ["B1", "A1", "C1"]  # |4.00|, |-2.00|, none
    with runtime.session_factory() as s:
        totals = queries.line_totals(s, Scope(shop.tenant.id), cid)
    assert totals == queries.LineTotals(3, 2, 2, D("2.000000"), D("6.000000"))
