"""A small cold-chain world: a store with a fridge (temperature and door sensors) and a freezer, a chilled
item with a lot on hand and a frozen one."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from boh.bootstrap import Runtime
from boh.catalog.models import Item
from boh.coldchain import service
from boh.coldchain.schemas import SensorCreate, UnitCreate
from boh.inventory import service as inventory
from boh.inventory.schemas import LotCreate
from tests.factories import TenantRef, make_site, make_tenant
from tests.inventory.factories import mv, post

T0 = datetime(2026, 12, 1, tzinfo=UTC)


@dataclass
class World:
    tenant: TenantRef
    site: int
    fridge: int
    freezer: int
    chilled_lot: int
    frozen_lot: int
    chilled_item: int


def _item(rt: Runtime, tenant: TenantRef, sku: str, storage: str) -> int:
    with rt.system_uow(tenant.id) as uow:
        item = Item(tenant_id=tenant.id, sku=sku, name_en=f"Item {sku}", name_zh=None, kind="fresh", base_uom="kg",
                    storage_class=storage, perishable=True, allergens=[], active=True)  # fmt: skip
        uow.session.add(item)
        uow.commit()
        return item.id


def _lot(rt: Runtime, tenant: TenantRef, site: int, item: int, code: str) -> int:
    with rt.system_uow(tenant.id) as uow:
        lot = inventory.create_lot(uow, LotCreate(item_id=item, lot_code=code, expiry_date=None))
        uow.commit()
        lot_id = lot.id
    post(rt, tenant, mv(site, item, "receipt", "10", f"rcv-{code}", lot_id=lot_id, unit_cost=Decimal("2")))
    return lot_id


def make_world(rt: Runtime, code: str = "COLD", **unit: Any) -> World:
    t = make_tenant(rt, code=code)
    site = make_site(rt, t, "S001")
    with rt.system_uow(t.id) as uow:
        fridge = service.create_unit(uow, UnitCreate(site_id=site, code="F1", name="Walk-in fridge",
                                                     name_zh="冷藏库", kind="fridge", **unit))  # fmt: skip
        freezer = service.create_unit(uow, UnitCreate(site_id=site, code="Z1", name="Freezer", kind="freezer"))
        service.add_sensor(uow, fridge.id, SensorCreate(code="T-F1", kind="temperature"))
        service.add_sensor(uow, fridge.id, SensorCreate(code="D-F1", kind="door"))
        service.add_sensor(uow, freezer.id, SensorCreate(code="T-Z1", kind="temperature"))
        uow.commit()
        ids = fridge.id, freezer.id
    chilled, frozen = _item(rt, t, "MILK", "chilled"), _item(rt, t, "PEAS", "frozen")
    return World(t, site, ids[0], ids[1], _lot(rt, t, site, chilled, "M-1"), _lot(rt, t, site, frozen, "P-1"),
                 chilled)  # fmt: skip


def readings(
    values: list[float], *, sensor: str = "T-F1", start: datetime = T0, prefix: str = "r"
) -> list[dict[str, Any]]:
    return [
        {
            "reading_id": f"{prefix}-{sensor}-{i}",
            "sensor": sensor,
            "at": (start + timedelta(minutes=i)).isoformat(),
            "value": v,
        }
        for i, v in enumerate(values)
    ]


def ingest(rt: Runtime, tenant: TenantRef, raw: list[Any], **kw: Any) -> Any:
    with rt.system_uow(tenant.id) as uow:
        result = service.ingest(uow, raw, transport="test", **kw)
        uow.commit()
        return result
