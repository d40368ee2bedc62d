"""The catalog's pallet size and the site's receiving days feed the suggestion run: a large line rounds to a
whole pallet, and a site that cannot take deliveries on the lead time's day waits for its next receiving day
(the delivery date moves and the cover period grows with it)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from boh.bootstrap import Runtime
from boh.catalog import service as catalog_service
from boh.catalog.models import SupplierItem
from boh.catalog.schemas import SupplierItemUpdate
from boh.org import service as org_service
from boh.org.schemas import SiteUpdate
from boh.replenishment import models as m
from boh.replenishment.pages.explain import render
from tests.replenishment.helpers import DAY, World, make_world, run_day

D = Decimal


@pytest.fixture
def world(runtime: Runtime) -> World:
    return make_world(runtime)


def _milk_line(rt: Runtime, w: World, run_id: int) -> tuple[m.Line, dict]:  # type: ignore[type-arg]
    with rt.session_factory() as s:
        line = s.scalars(select(m.Line).where(m.Line.run_id == run_id, m.Line.site_id == w.s1,
                                              m.Line.item_id == w.milk)).one()  # fmt: skip
        return line, s.get(m.Explanation, line.id).data


def test_a_line_of_a_pallet_or_more_rounds_to_whole_pallets(runtime: Runtime, world: World) -> None:
    with runtime.system_uow(world.tenant.id) as uow:
        si = uow.session.scalars(select(SupplierItem).where(SupplierItem.item_id == world.milk)).one()
        catalog_service.update_supplier_item(uow, si.id, SupplierItemUpdate(pallet_qty=D(2)))  # 2 cases = 24
        uow.commit()
    line, expl = _milk_line(runtime, world, run_day(runtime, world))
    # need 27.849 -> 3 cases (36) -> a pallet of 24: 36 is 1.5 pallets, to the nearest (half to even): 2 = 48
    assert line.suggested_qty == D(48)
    assert [st["rule"] for st in expl["steps"]] == ["case_round", "pallet_round"]
    assert expl["steps"][1]["detail"] == {"pallet": "24.000", "direction": "up"}
    assert line.binding == "pallet_round"


def test_without_a_pallet_size_there_is_no_pallet_rounding(runtime: Runtime, world: World) -> None:
    line, expl = _milk_line(runtime, world, run_day(runtime, world))
    assert line.suggested_qty == D(36) and [st["rule"] for st in expl["steps"]] == ["case_round"]


def test_a_site_that_cannot_receive_moves_the_delivery_and_covers_the_wait(runtime: Runtime, world: World) -> None:
    with runtime.system_uow(world.tenant.id) as uow:  # DAY is a Monday; milk's lead time is 2 days (Wednesday)
        org_service.update_site(uow, world.s1, SiteUpdate(receiving_days=["tue", "thu"]))
        uow.commit()
    line, expl = _milk_line(runtime, world, run_day(runtime, world))
    assert line.needed_by == DAY + timedelta(days=3)  # Thursday, not Wednesday
    assert expl["delivery"] == {"arrival": (DAY + timedelta(days=3)).isoformat(), "moved_days": 1,
                                "receiving_days": ["tue", "thu"]}  # fmt: skip
    assert expl["cover"]["days"] == 4 and line.forecast_qty == D(40)  # 3 days to arrival + 1 review day x 10
    sentences = render(expl, lambda s: s)
    assert any("arrival moved 1 day(s)" in x for x in sentences)
    # another site receiving every day keeps the lead time's day
    with runtime.session_factory() as s:
        s2 = s.scalars(select(m.Line).where(m.Line.run_id == line.run_id, m.Line.site_id == world.s2,
                                            m.Line.item_id == world.milk)).one()  # fmt: skip
        assert s2.needed_by == DAY + timedelta(days=2)
