"""A small purchasing world: two stores and a DC, a supplier (CNY) selling two items, one by the case of 12
with a GTIN on the case, and DC stock of the second item."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select

from boh.bootstrap import Runtime
from boh.kernel.clock import clock
from boh.kernel.tenancy import Principal
from boh.purchasing import api
from boh.purchasing.api import OrderRequest
from tests.catalog.helpers import make_item, make_supplier, make_supplier_item
from tests.factories import TenantRef, make_site, make_tenant
from tests.inventory.factories import mv, post

NOW = datetime(2026, 12, 7, 2, 0, tzinfo=UTC)  # Monday 10:00 in Shanghai
CASE_GTIN = "16901234567892"
EACH_GTIN = "6901234567892"


@dataclass
class World:
    tenant: TenantRef
    store: int
    store2: int
    dc: int
    supplier: int
    milk: int  # bought by the case of 12, 4.80 a case, lead time 2 days
    bread: int  # bought each, 3.00, stocked at the DC (10)


def gtin_check(payload: str) -> str:
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(payload)))
    return payload + str((10 - total % 10) % 10)


def make_world(rt: Runtime, code: str = "BUY") -> World:
    clock.freeze(NOW)
    t = make_tenant(rt, code=code)
    store, store2 = make_site(rt, t, "S001"), make_site(rt, t, "S002")
    dc = make_site(rt, t, "DC1", kind="dc")
    sup = make_supplier(rt, t, "FRESH", currency="CNY")
    milk = make_item(rt, t, "MILK", uoms={"case": "12"},
                     barcodes=[gtin_check("690123456789"), (gtin_check("1690123456789"), "case")])  # fmt: skip
    bread = make_item(rt, t, "BREAD")
    make_supplier_item(rt, t, sup, milk, purchase_uom="case", price="4.80", lead_time_days=2, preferred=True)
    make_supplier_item(rt, t, sup, bread, purchase_uom="each", price="3.00", lead_time_days=1)
    post(rt, t, mv(dc, bread, "receipt", "10", "dc-bread", unit_cost=Decimal("2")))
    return World(t, store, store2, dc, sup, milk, bread)


def po_request(w: World, qty: str = "24", **extra: Any) -> OrderRequest:
    values: dict[str, Any] = {"site_id": w.store, "item_id": w.milk, "quantity": Decimal(qty), "source": "supplier",
                              "supplier_id": w.supplier} | extra  # fmt: skip
    return OrderRequest(**values)


def to_request(w: World, qty: str = "4", site: int | None = None, **extra: Any) -> OrderRequest:
    values: dict[str, Any] = {"site_id": site or w.store, "item_id": w.bread, "quantity": Decimal(qty),
                              "source": "site", "from_site_id": w.dc} | extra  # fmt: skip
    return OrderRequest(**values)


def place(rt: Runtime, w: World, requests: list[OrderRequest], **kw: Any) -> list[api.PlacedOrder]:
    with rt.system_uow(w.tenant.id) as uow:
        placed = api.place_orders(uow, requests, **kw)
        uow.commit()
        return placed


def count(rt: Runtime, model: type, *where: object) -> int:
    with rt.session_factory() as s:
        return int(s.scalar(select(func.count()).select_from(model).where(*where)) or 0)  # type: ignore[arg-type]


def as_user(rt: Runtime, w: World, roles: set[str], grants: dict[str, frozenset[int] | None],
            supplier_id: int | None = None) -> Principal:  # fmt: skip
    return Principal(kind="user", id=99, tenant_id=w.tenant.id, name="tester", roles=frozenset(roles),
                     grants=grants, supplier_id=supplier_id)  # fmt: skip


TODAY = date(2026, 12, 7)


def levels(rt: Runtime, w: World, site: int, item: int) -> tuple[Decimal, Decimal, Decimal, Decimal]:
    """(on hand, on order, reserved, in transit) of an item at a site."""
    from boh.inventory.api import stock_levels
    from boh.kernel.tenancy import Scope

    with rt.session_factory() as s:
        lv = stock_levels(s, Scope(w.tenant.id), site, [item]).get(item)
    z = Decimal(0)
    return (lv.on_hand, lv.on_order, lv.reserved, lv.in_transit) if lv else (z, z, z, z)


def order_lines(rt: Runtime, order_id: int) -> list[Any]:
    from boh.purchasing.models import OrderLine

    with rt.session_factory() as s:
        return list(s.scalars(select(OrderLine).where(OrderLine.order_id == order_id).order_by(OrderLine.line_no)))


def get(rt: Runtime, model: type, id_: int) -> Any:
    with rt.session_factory() as s:
        return s.get(model, id_)


def uow_as(rt: Runtime, principal: Principal) -> Any:
    from boh.kernel.uow import UnitOfWork

    return UnitOfWork(rt.session_factory, principal)


def supplier_user(w: World, supplier_id: int | None = None) -> Principal:
    from boh.purchasing.service import READ, RESPOND

    return Principal(kind="user", id=7, tenant_id=w.tenant.id, name="supplier", roles=frozenset({"supplier"}),
                     grants={READ: None, RESPOND: None}, supplier_id=supplier_id or w.supplier)  # fmt: skip
