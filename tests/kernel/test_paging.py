"""List queries page with their bounds written into the statement (``boh.kernel.paging.page``). A prepared
query whose LIMIT and OFFSET are parameters gets a generic plan that cannot see the page size; where that plan
looks costlier than a custom one, PostgreSQL plans the query anew at every request, as it did for the balance
read (its plan test: tests/inventory/test_balance_read_plan.py). Every list query pages through the helper."""

from __future__ import annotations

import re
from decimal import Decimal as D
from pathlib import Path

from boh.bootstrap import Runtime
from boh.inventory import queries
from boh.inventory.schemas import MoveFilter
from boh.kernel.tenancy import Scope
from tests.inventory.factories import make_world, mv, post

SRC = Path(__file__).resolve().parents[2] / "src" / "boh"


def test_move_history_pages_page(runtime: Runtime) -> None:
    w = make_world(runtime)
    for n in range(5):
        post(runtime, w.tenant, mv(w.s1, w.item, "receipt", str(n + 1), f"k{n}", unit_cost=D(1)))
    with runtime.session_factory() as s:
        f = MoveFilter(site_id=w.s1)
        pages = [queries.list_moves(s, Scope(w.tenant.id), f, 2, off) for off in (0, 2, 4, 6)]
    assert [total for _, total in pages] == [5, 5, 5, 5]
    assert [len(rows) for rows, _ in pages] == [2, 2, 1, 0]
    seen = [r.quantity for rows, _ in pages for r in rows]
    assert sorted(seen) == [D(1), D(2), D(3), D(4), D(5)]  # every move once, none twice


def test_no_list_query_sends_its_page_bounds_as_parameters() -> None:
    """A new list query that writes ``.limit(limit).offset(offset)`` itself would be planned at every request."""
    offenders = [
        f"{path.relative_to(SRC)}:{n}"
        for path in SRC.rglob("*.py")
        if path.name != "paging.py"
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if re.search(r"\.offset\(\s*offset\s*\)", line)
    ]
    assert offenders == []
