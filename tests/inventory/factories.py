"""Inventory test factories: items are inserted with the catalog model directly (deterministic values),
so these tests do not depend on the catalog's use cases."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from boh.bootstrap import Runtime
from boh.catalog.models import Item
from boh.inventory import service
from boh.inventory.schemas import LotCreate, MoveIn
from tests.factories import TenantRef, make_site, make_tenant


def make_item(rt: Runtime, tenant: TenantRef, sku: str = "MILK-1L", *, base_uom: str = "each") -> int:
    with rt.system_uow(tenant.id) as uow:
        item = Item(
            tenant_id=tenant.id,
            sku=sku,
            name_en=f"Item {sku}",
            name_zh=None,
            kind="grocery",
            base_uom=base_uom,
            storage_class="ambient",
            perishable=False,
            allergens=[],
            active=True,
        )
        uow.session.add(item)
        uow.commit()
        return item.id


def make_lot(rt: Runtime, tenant: TenantRef, item_id: int, code: str, expiry: date | None) -> int:
    with rt.system_uow(tenant.id) as uow:
        lot = service.create_lot(uow, LotCreate(item_id=item_id, lot_code=code, expiry_date=expiry))
        uow.commit()
        return lot.id


@dataclass
class World:
    tenant: TenantRef
    s1: int  # S001, negative stock "flag"
    s2: int  # S002, "flag"
    strict: int  # S009, "refuse"
    item: int
    item2: int


def make_world(rt: Runtime, code: str = "ACME") -> World:
    t = make_tenant(rt, code=code)
    s1 = make_site(rt, t, "S001")
    s2 = make_site(rt, t, "S002")
    strict = make_site(rt, t, "S009", negative_stock="refuse")
    return World(t, s1, s2, strict, make_item(rt, t, "MILK-1L"), make_item(rt, t, "BREAD", base_uom="kg"))


def mv(site_id: int, item_id: int, move_type: str, qty: str, key: str, **extra: Any) -> MoveIn:
    return MoveIn(
        site_id=site_id,
        item_id=item_id,
        move_type=move_type,
        quantity=Decimal(qty),  # type: ignore[arg-type]
        idempotency_key=key,
        **extra,
    )


def post(rt: Runtime, tenant: TenantRef, *moves: MoveIn) -> service.PostResult:
    with rt.system_uow(tenant.id) as uow:
        result = service.post_moves(uow, list(moves))
        uow.commit()
        return result


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)
