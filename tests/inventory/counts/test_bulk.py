"""A 5,000-item count: every error of a bulk entry reported at once, and posting in seconds."""

from __future__ import annotations

import time
from collections.abc import Callable
from decimal import Decimal as D
from typing import Any

import pytest
from sqlalchemy import func, select

from boh.bootstrap import Runtime
from boh.catalog.models import Item
from boh.inventory import service as ledger
from boh.inventory.counts import service
from boh.inventory.counts.schemas import CountCreate, EntryIn
from boh.inventory.models import Move
from boh.inventory.rebuild import rebuild_check
from boh.inventory.schemas import MoveIn
from boh.kernel.errors import ValidationFailed
from tests.factories import make_site, make_tenant
from tests.inventory.counts.helpers import n_entries

N = 5000


def _items(rt: Runtime, tenant_id: int) -> list[int]:
    with rt.system_uow(tenant_id) as uow:
        items = [
            Item(tenant_id=tenant_id, sku=f"SKU{i:05d}", name_en=f"Item {i}", kind="grocery", base_uom="each",
                 storage_class="ambient", perishable=False, allergens=[], active=True)
            for i in range(N)
        ]  # fmt: skip
        uow.session.add_all(items)
        uow.commit()
        return [i.id for i in items]


def test_5000_item_count_reports_every_error_and_posts(runtime: Runtime) -> None:
    t = make_tenant(runtime)
    site = make_site(runtime, t, "S001")
    ids = _items(runtime, t.id)
    with runtime.system_uow(t.id) as uow:
        receipts = [
            MoveIn(site_id=site, item_id=i, move_type="receipt", quantity=D(10), unit_cost=D("1.50"),
                   idempotency_key=f"r{i}")
            for i in ids
        ]  # fmt: skip
        ledger.post_moves(uow, receipts)
        count = service.create_count(uow, CountCreate(site_id=site))
        uow.commit()
        cid = count.id
    timings: dict[str, float] = {}

    def timed(name: str, fn: Callable[..., Any], *args: object) -> Any:
        start = time.perf_counter()
        with runtime.system_uow(t.id) as uow:
            out = fn(uow, cid, *args)
            uow.commit()
        timings[name] = time.perf_counter() - start
        return out

    timed("start", service.start_count)
    bad = [
        EntryIn(sku=f"SKU{i:05d}", qty=D(-1)) if i % 50 == 0 else EntryIn(sku=f"SKU{i:05d}", qty=D(9)) for i in range(N)
    ]
    with pytest.raises(ValidationFailed) as exc:
        timed("entries_bad", service.add_entries, bad)
    assert [e.loc[1] for e in exc.value.errors] == list(range(0, N, 50))  # all 100 errors at once
    assert n_entries(runtime) == 0
    good = [EntryIn(item_id=i, qty=D(10) if n % 10 else D(9)) for n, i in enumerate(ids)]  # 500 lines short by 1
    result = timed("entries", service.add_entries, good)
    assert result.accepted == N
    timed("submit", service.submit)
    timed("approve", service.approve)
    count, warnings, replayed = timed("post", service.post)
    assert (count.moves_posted, warnings, replayed) == (N // 10, [], False)
    print("5000-item count timings (s):", {k: round(v, 2) for k, v in timings.items()})  # bench/documents.py
    with runtime.session_factory() as s:
        assert rebuild_check(s, t.id) == []
        n = s.scalar(select(func.count()).select_from(Move).where(Move.move_type == "count_variance"))
        assert n == N // 10
