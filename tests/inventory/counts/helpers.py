"""Stocktake test helpers: a site with stocked items, and thin wrappers over the count use cases."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal as D
from typing import Any

from sqlalchemy import func, select

from boh.bootstrap import Runtime
from boh.inventory.counts import service
from boh.inventory.counts.models import Count, CountEntry, CountLine
from boh.inventory.counts.schemas import CountCreate, EntriesResult, EntryIn
from boh.inventory.models import Balance, Move
from tests.catalog.helpers import make_item
from tests.factories import TenantRef, make_site, make_tenant
from tests.inventory.factories import mv, post

GTIN_A = "06901234567892"  # urn:epc:id:sgtin:6901234.056789.<serial> names this GTIN


def epc(serial: int) -> str:
    return f"urn:epc:id:sgtin:6901234.056789.{serial}"


@dataclass
class Shop:
    tenant: TenantRef
    site: int
    a: int  # "A1" each, barcode GTIN_A, case of 6; 10 on hand at 2.00
    b: int  # "B1" kg; 5 on hand at 4.00
    c: int  # "C1" each; 3 on hand at 1.00


def make_shop(rt: Runtime, code: str = "ACME") -> Shop:
    t = make_tenant(rt, code=code)
    site = make_site(rt, t, "S001")
    a = make_item(rt, t, "A1", uoms={"case": "6"}, barcodes=[GTIN_A])
    b = make_item(rt, t, "B1", base_uom="kg")
    c = make_item(rt, t, "C1")
    post(
        rt,
        t,
        mv(site, a, "receipt", "10", "r-a", unit_cost=D("2.00")),
        mv(site, b, "receipt", "5", "r-b", unit_cost=D("4.00")),
        mv(site, c, "receipt", "3", "r-c", unit_cost=D("1.00")),
    )
    return Shop(t, site, a, b, c)


def create(rt: Runtime, shop: Shop, *, start: bool = True, **extra: Any) -> int:
    with rt.system_uow(shop.tenant.id) as uow:
        count = service.create_count(uow, CountCreate(site_id=shop.site, **extra))
        if start:
            service.start_count(uow, count.id)
        uow.commit()
        return count.id


def enter(rt: Runtime, shop: Shop, count_id: int, *entries: dict[str, Any]) -> EntriesResult:
    with rt.system_uow(shop.tenant.id) as uow:
        result = service.add_entries(uow, count_id, [EntryIn.model_validate(e) for e in entries])
        uow.commit()
        return result


def step(rt: Runtime, shop: Shop, fn: Any, count_id: int, *args: Any) -> Any:
    with rt.system_uow(shop.tenant.id) as uow:
        out = fn(uow, count_id, *args)
        uow.commit()
        return out


def lines(rt: Runtime, count_id: int) -> dict[int, CountLine]:
    """Lines by item id (non-lot stock)."""
    with rt.session_factory() as s:
        rows = s.scalars(select(CountLine).where(CountLine.count_id == count_id)).all()
        return {ln.item_id: ln for ln in rows}


def status(rt: Runtime, count_id: int) -> str:
    with rt.session_factory() as s:
        count = s.get(Count, count_id)
        assert count is not None
        return count.status


def on_hand(rt: Runtime, site: int, item: int) -> D:
    with rt.session_factory() as s:
        value = s.scalar(select(func.sum(Balance.on_hand)).where(Balance.site_id == site, Balance.item_id == item))
        return value if value is not None else D(0)


def n_rows(rt: Runtime, model: Any, *where: Any) -> int:
    with rt.session_factory() as s:
        return s.scalar(select(func.count()).select_from(model).where(*where)) or 0


def n_entries(rt: Runtime) -> int:
    return n_rows(rt, CountEntry)


def n_variance_moves(rt: Runtime) -> int:
    return n_rows(rt, Move, Move.move_type == "count_variance")
