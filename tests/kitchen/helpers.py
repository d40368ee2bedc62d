"""A small kitchen world: a store and a central kitchen, bought ingredients, a sauce made ahead, a dish and
a meal made to order, a dish with no recipe; helpers to publish recipes and post receipts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from boh.bootstrap import Runtime
from boh.catalog.models import Item
from boh.kitchen.schemas import RecipeCreate
from boh.kitchen.service import recipes
from tests.factories import TenantRef, make_site, make_tenant
from tests.inventory.factories import mv, post

RECEIVED_AT = datetime.fromisoformat("2026-11-20T08:00:00+08:00")


def make_item(rt: Runtime, t: TenantRef, sku: str, uom: str, kind: str = "ingredient", **extra: Any) -> int:
    with rt.system_uow(t.id) as uow:
        item = Item(
            tenant_id=t.id,
            sku=sku,
            name_en=f"Item {sku}",
            name_zh=None,
            kind=kind,
            base_uom=uom,
            storage_class="chilled",
            perishable=True,
            allergens=extra.pop("allergens", []),
            active=True,
            **extra,
        )
        uow.session.add(item)
        uow.commit()
        return item.id


@dataclass
class Kitchen:
    tenant: TenantRef
    store: int
    ck: int  # the central kitchen
    tomato: int  # kg
    oil: int  # L
    pasta: int  # kg, gluten + eggs
    cheese: int  # kg, milk
    sauce: int  # kg, made ahead (stocked)
    dish: int  # portion, made to order
    meal: int  # portion, made to order
    soda: int  # portion, prepared but no recipe
    peel: int  # kg, a by-product of the sauce


def make_kitchen(rt: Runtime) -> Kitchen:
    t = make_tenant(rt)
    return Kitchen(
        t,
        make_site(rt, t, "SH01"),
        make_site(rt, t, "CK01", kind="kitchen"),
        make_item(rt, t, "TOMATO", "kg"),
        make_item(rt, t, "OIL", "L"),
        make_item(rt, t, "PASTA", "kg", allergens=["eggs", "gluten"]),
        make_item(rt, t, "CHEESE", "kg", allergens=["milk"]),
        make_item(rt, t, "SAUCE", "kg", kind="prepared", shelf_life_days=3),
        make_item(rt, t, "DISH", "portion", kind="prepared"),
        make_item(rt, t, "MEAL", "portion", kind="prepared"),
        make_item(rt, t, "SODA", "portion", kind="prepared"),
        make_item(rt, t, "PEEL", "kg"),
    )


def recipe(rt: Runtime, k: Kitchen, item: int, definition: dict[str, Any], *, publish: bool = True) -> int:
    with rt.system_uow(k.tenant.id) as uow:
        row = recipes.create(uow, RecipeCreate.model_validate({"item_id": item, "definition": definition}))
        if publish:
            recipes.publish(uow, row.id)
        uow.commit()
        return row.id


def standard_recipes(rt: Runtime, k: Kitchen) -> dict[str, int]:
    """Sauce (2 kg from 2 kg of tomato at 15 % trim and 100 mL oil, made ahead at the prep station), dish (4
    portions: 600 g sauce, 400 g pasta, 100 g cheese), meal (a dish and 20 g cheese)."""
    return {
        "sauce": recipe(
            rt,
            k,
            k.sauce,
            {
                "yield_qty": "2",
                "station": "prep",
                "minutes_per_batch": 30,
                "shelf_life_days": 3,
                "lines": [
                    {"item_id": k.tomato, "quantity": "1.7", "loss_pct": "15"},
                    {"item_id": k.oil, "quantity": "100", "uom": "mL"},
                ],
            },
        ),
        "dish": recipe(
            rt,
            k,
            k.dish,
            {
                "yield_qty": "4",
                "stocked": False,
                "lines": [
                    {"item_id": k.sauce, "quantity": "600", "uom": "g"},
                    {"item_id": k.pasta, "quantity": "0.4"},
                    {"item_id": k.cheese, "quantity": "100", "uom": "g"},
                ],
            },
        ),
        "meal": recipe(
            rt,
            k,
            k.meal,
            {
                "yield_qty": "1",
                "stocked": False,
                "lines": [{"item_id": k.dish, "quantity": "1"}, {"item_id": k.cheese, "quantity": "20", "uom": "g"}],
            },
        ),
    }


def receive(rt: Runtime, k: Kitchen, site: int, item: int, qty: str, cost: str, key: str = "", **extra: Any) -> None:
    move = mv(site, item, "receipt", qty, key or f"rcv-{site}-{item}-{qty}", unit_cost=Decimal(cost), **extra)
    post(rt, k.tenant, move.model_copy(update={"event_at": RECEIVED_AT}))
