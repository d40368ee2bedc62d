"""A small replenishment world: a DC and two stores; milk (supplier, cases of 12, MOQ 2 cases), bread
(perishable, 2-day shelf life) and rice (sourced from the DC by the stores); forecasts written as a forecast
run's rows; some stock on hand."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import insert

from boh.bootstrap import Runtime
from boh.catalog.models import Assortment, Category, Item, ItemUom, Supplier, SupplierItem
from boh.forecasting.models import Forecast
from boh.forecasting.models import Run as ForecastRun
from boh.replenishment import models as m
from tests.factories import TenantRef, make_site, make_tenant
from tests.inventory.factories import mv, post

D = Decimal
DAY = date(2026, 3, 2)  # a Monday


@dataclass
class World:
    tenant: TenantRef
    dc: int
    s1: int
    s2: int
    supplier: int
    milk: int
    bread: int
    rice: int
    dairy: int


def _item(uow, t: int, sku: str, cat: int, *, perishable: bool = False, life: int | None = None) -> int:  # type: ignore[no-untyped-def]
    it = Item(tenant_id=t, sku=sku, name_en=f"Item {sku}", name_zh=f"商品{sku}", kind="grocery", base_uom="each",
              storage_class="ambient", perishable=perishable, shelf_life_days=life, allergens=[], active=True,
              category_id=cat)  # fmt: skip
    uow.session.add(it)
    uow.flush()
    return it.id


def make_world(rt: Runtime, code: str = "REPL") -> World:
    t = make_tenant(rt, code=code)
    dc = make_site(rt, t, "DC01", kind="dc")
    s1, s2 = make_site(rt, t, "S001"), make_site(rt, t, "S002")
    with rt.system_uow(t.id) as uow:
        dairy = Category(tenant_id=t.id, code="DAIRY", name_en="Dairy", name_zh="乳品")
        dry = Category(tenant_id=t.id, code="DRY", name_en="Dry goods", name_zh="干货")
        uow.session.add_all([dairy, dry])
        uow.flush()
        milk = _item(uow, t.id, "MILK", dairy.id)
        bread = _item(uow, t.id, "BREAD", dry.id, perishable=True, life=2)
        rice = _item(uow, t.id, "RICE", dry.id)
        uow.session.add(ItemUom(tenant_id=t.id, item_id=milk, uom="case", factor=D(12)))
        sup = Supplier(tenant_id=t.id, code="SUP1", name="Fresh Co", name_zh="鲜食公司", currency="CNY")
        uow.session.add(sup)
        uow.flush()
        for item, uom, price, moq, lead in ((milk, "case", D("60"), D(2), 2), (bread, "each", D("3"), D(0), 1),
                                            (rice, "each", D("10"), D(0), 3)):  # fmt: skip
            uow.session.add(SupplierItem(tenant_id=t.id, supplier_id=sup.id, item_id=item, purchase_uom=uom,
                                         price=price, currency="CNY", moq=moq, order_multiple=D(1),
                                         lead_time_days=lead, order_days=[], price_breaks=[], preferred=True,
                                         active=True))  # fmt: skip
        for site in (dc, s1, s2):
            for item in (milk, bread, rice):
                uow.session.add(Assortment(tenant_id=t.id, site_id=site, item_id=item, active=True))
        uow.session.add(m.Sourcing(tenant_id=t.id, item_id=rice, source="site", from_site_id=dc, lead_time_days=1,
                                   order_days=[]))  # fmt: skip
        uow.flush()
        ids = World(t, dc, s1, s2, sup.id, milk, bread, rice, dairy.id)
        _forecasts(uow, ids)
        uow.commit()
    post(rt, t, mv(s1, milk, "receipt", "5", "rcv-m1", unit_cost=D(5)), mv(s1, rice, "receipt", "100", "rcv-r1",
         unit_cost=D(10)), mv(s1, bread, "receipt", "4", "rcv-b1", unit_cost=D(3)))  # fmt: skip
    return ids


def _forecasts(uow, w: World) -> None:  # type: ignore[no-untyped-def]
    run = ForecastRun(tenant_id=w.tenant.id, model_version="test", config={}, series=9, origin=DAY - timedelta(days=1))
    uow.session.add(run)
    uow.flush()
    daily = {w.milk: D(10), w.bread: D(6), w.rice: D(4)}
    rows = []
    for site in (w.dc, w.s1, w.s2):
        for item, mean in daily.items():
            for i in range(42):
                rows.append(dict(run_id=run.id, site_id=site, item_id=item, day=DAY + timedelta(days=i),
                                 tenant_id=w.tenant.id, model="test", mean=mean, q50=mean, q80=mean + 1,
                                 q90=mean + D("1.281552"), q95=mean + 2, q99=mean + 3))  # fmt: skip
    uow.session.execute(insert(Forecast), rows)


def run_day(rt: Runtime, w: World, *, sites: list[int] | None = None, key: str = "t1") -> int:
    from boh.replenishment.service import run

    with rt.system_uow(w.tenant.id) as uow:
        r = run.create_run(uow, order_day=DAY, site_ids=sites, idempotency_key=key)
        uow.commit()
        run_id = r.id
    done = run.execute(rt, w.tenant.id, run_id)
    assert done.status == "done"
    return run_id
