"""What a backdated move changes and what it does not: the table in docs/inventory-valuation.md, one test
per row, on both databases. BOH never reposts: balances are sums and change at once; a move is valued at
the state when it is recorded; nothing dated after it is re-valued."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal as D

import pytest
from sqlalchemy import select

from boh.bootstrap import Runtime
from boh.inventory import service
from boh.inventory.errors import InsufficientStock
from boh.inventory.models import Balance, ItemCost, Move
from boh.inventory.schemas import SettingsIn
from boh.kernel.clock import clock
from boh.kernel.errors import ValidationFailed
from tests.inventory.factories import World, make_world, mv, post

NOW = datetime(2026, 12, 1, 12, tzinfo=UTC)
DAY = timedelta(days=1)


@pytest.fixture
def w(runtime: Runtime) -> World:
    clock.freeze(NOW)
    return make_world(runtime)


def _state(rt: Runtime, site: int, item: int) -> tuple[D, D, D]:
    with rt.session_factory() as s:
        cost = s.scalars(select(ItemCost).where(ItemCost.site_id == site, ItemCost.item_id == item)).one()
        on_hand = s.scalar(select(Balance.on_hand).where(Balance.site_id == site, Balance.item_id == item))
    assert on_hand == cost.quantity
    return cost.quantity, cost.avg_unit_cost, cost.total_value


def _values(rt: Runtime, site: int) -> dict[str, D]:
    with rt.session_factory() as s:
        return {m.idempotency_key: m.value for m in s.scalars(select(Move).where(Move.site_id == site))}


def test_a_backdated_receipt_re_averages_from_now_and_revalues_nothing_after_it(runtime: Runtime, w: World) -> None:
    post(runtime, w.tenant, mv(w.s1, w.item, "receipt", "10", "r1", unit_cost=D(2), event_at=NOW - 3 * DAY))
    post(runtime, w.tenant, mv(w.s1, w.item, "sale", "-4", "s1", event_at=NOW - DAY))  # 4 @ 2
    # a receipt dated before the sale, recorded after it
    post(runtime, w.tenant, mv(w.s1, w.item, "receipt", "6", "r2", unit_cost=D(4), event_at=NOW - 2 * DAY))
    assert _state(runtime, w.s1, w.item) == (D(12), D(3), D(36))  # (6 x 2 + 6 x 4) / 12
    assert _values(runtime, w.s1) == {"r1": D(20), "s1": D(-8), "r2": D(24)}  # the sale keeps its value


def test_a_backdated_sale_at_a_flagging_site_is_valued_at_the_current_average(runtime: Runtime, w: World) -> None:
    post(runtime, w.tenant, mv(w.s1, w.item, "receipt", "10", "r1", unit_cost=D(2), event_at=NOW - 3 * DAY))
    post(runtime, w.tenant, mv(w.s1, w.item, "receipt", "10", "r2", unit_cost=D(4), event_at=NOW - DAY))
    post(runtime, w.tenant, mv(w.s1, w.item, "sale", "-5", "s1", event_at=NOW - 2 * DAY))  # before r2
    assert _values(runtime, w.s1)["s1"] == D(-15)  # at today's average 3, not at 2
    assert _state(runtime, w.s1, w.item) == (D(15), D(3), D(45))


def test_a_refusing_site_refuses_a_sale_dated_before_the_stock_arrived(runtime: Runtime, w: World) -> None:
    post(runtime, w.tenant, mv(w.strict, w.item, "receipt", "5", "r1", unit_cost=D(2), event_at=NOW - DAY))
    with pytest.raises(InsufficientStock) as exc:
        post(runtime, w.tenant, mv(w.strict, w.item, "sale", "-2", "s1", event_at=NOW - 2 * DAY))
    assert exc.value.extra["shortages"][0]["on_hand_after"] == "-2.000000"
    post(runtime, w.tenant, mv(w.strict, w.item, "sale", "-2", "s2", event_at=NOW - DAY / 2))  # after it: fine
    assert _state(runtime, w.strict, w.item)[0] == D(3)


def test_a_refusing_site_refuses_a_backdated_sale_that_a_later_sale_already_relied_on(
    runtime: Runtime, w: World
) -> None:
    post(runtime, w.tenant, mv(w.strict, w.item, "receipt", "5", "r1", unit_cost=D(2), event_at=NOW - 3 * DAY))
    post(runtime, w.tenant, mv(w.strict, w.item, "sale", "-4", "s1", event_at=NOW - DAY))
    # 1 on hand now, but a sale of 2 dated between them would have left -1 after the later sale
    with pytest.raises(InsufficientStock):
        post(runtime, w.tenant, mv(w.strict, w.item, "sale", "-2", "s2", event_at=NOW - 2 * DAY))
    post(runtime, w.tenant, mv(w.strict, w.item, "sale", "-1", "s3", event_at=NOW - 2 * DAY))
    assert _state(runtime, w.strict, w.item)[0] == D(0)


def test_a_backdated_receipt_into_stock_sold_short_trues_up_at_its_cost(runtime: Runtime, w: World) -> None:
    post(runtime, w.tenant, mv(w.s1, w.item, "receipt", "2", "r1", unit_cost=D(10), event_at=NOW - 3 * DAY))
    post(runtime, w.tenant, mv(w.s1, w.item, "sale", "-5", "s1", event_at=NOW - DAY))  # -3 on hand
    post(runtime, w.tenant, mv(w.s1, w.item, "receipt", "5", "r2", unit_cost=D(12), event_at=NOW - 2 * DAY))
    values = _values(runtime, w.s1)
    assert values["true-up:r2"] == D(-6) and values["r2"] == D(60)
    assert _state(runtime, w.s1, w.item) == (D(2), D(12), D(24))


def test_a_move_beyond_the_tenants_backdating_limit_is_refused(runtime: Runtime, w: World) -> None:
    with runtime.system_uow(w.tenant.id) as uow:
        service.put_settings(uow, SettingsIn(max_backdate_days=7))
        uow.commit()
    with pytest.raises(ValidationFailed) as exc:
        post(runtime, w.tenant, mv(w.s1, w.item, "receipt", "1", "old", unit_cost=D(1), event_at=NOW - 8 * DAY))
    assert [e.code for e in exc.value.errors] == ["inventory.backdate_limit"]
    post(runtime, w.tenant, mv(w.s1, w.item, "receipt", "1", "ok", unit_cost=D(1), event_at=NOW - 6 * DAY))
