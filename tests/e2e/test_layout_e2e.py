"""Layout promises of the stock list: at 1366x900 at least 15 stock rows are in view; on a phone (390x844),
once the filters are scrolled past, at least 4 stock lines are; filter checkboxes are square boxes."""

from __future__ import annotations

from decimal import Decimal as D
from typing import Any

import pytest

from boh.bootstrap import Runtime
from tests.catalog.helpers import make_item
from tests.e2e.helpers import sign_in
from tests.factories import make_site, make_tenant, make_user
from tests.inventory.factories import mv, post

pytestmark = pytest.mark.e2e

VISIBLE_ROWS = """Array.from(document.querySelectorAll('[data-testid=stock-table] tbody tr')).filter(r => {
  const b = r.getBoundingClientRect(); return b.top >= 0 && b.bottom <= window.innerHeight; }).length"""


def _stocked(rt: Runtime) -> None:
    t = make_tenant(rt)
    site = make_site(rt, t, "S001")
    items = [make_item(rt, t, f"SKU{i:02d}") for i in range(30)]
    post(rt, t, *(mv(site, item, "receipt", "5", f"r-{item}", unit_cost=D("1.00")) for item in items))
    make_user(rt, t, "manager", [("store_manager", "S001")], locale="zh_CN")


@pytest.mark.parametrize(("width", "height", "least"), [(1366, 900, 15), (390, 844, 4)], ids=["desktop", "phone"])
def test_the_stock_list_shows_enough_lines(runtime: Runtime, page: Any, width: int, height: int, least: int) -> None:
    _stocked(runtime)
    page.set_viewport_size({"width": width, "height": height})
    sign_in(page, "manager", path="/inventory/stock")
    page.wait_for_selector("[data-testid=stock-table] tbody tr")
    if width < 640:  # a phone scrolls past the filters; a desktop shows its rows without scrolling
        page.locator("form.filters").evaluate("f => window.scrollTo(0, f.getBoundingClientRect().bottom + scrollY)")
    assert page.evaluate(VISIBLE_ROWS) >= least
    radius = page.eval_on_selector("#f-below", "e => parseFloat(getComputedStyle(e).borderTopLeftRadius)")
    size = page.eval_on_selector("#f-below", "e => e.getBoundingClientRect().width")
    assert radius < size / 3  # a box, not a circle
