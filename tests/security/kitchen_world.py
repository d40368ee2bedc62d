"""The route walk's objects of the kitchen domain (tenant A, marked 'alpha'): a published recipe (an alpha
sauce made from the world's item), an open production batch and a solved production plan."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tests.security.world import World

API = "/api/v1/kitchen"


def _sauce(w: World) -> int:
    body = {"sku": "ALPHA-SAUCE", "name_en": "Alpha Sauce", "kind": "prepared", "base_uom": "kg"}
    item: int = w.api("POST", "/api/v1/catalog/items", body)["id"]
    return item


def _recipe(w: World) -> int:
    definition = {
        "yield_qty": "2",
        "station": "prep",
        "minutes_per_batch": 30,
        "stocked": False,  # made to order: a POS sale depletes its ingredient (usage)
        "lines": [{"item_id": w.get("item_id"), "quantity": "500", "uom": "g", "loss_pct": "10"}],
    }
    rid: int = w.api("POST", f"{API}/recipes", {"item_id": w.get("sauce_item_id"), "definition": definition})["id"]
    w.api("POST", f"{API}/recipes/{rid}/publish", {})
    return rid


def _batch(w: World) -> int:
    w.get("recipe_id")
    body = {"site_id": w.site1, "item_id": w.get("sauce_item_id"), "planned_qty": "4"}
    bid: int = w.api("POST", f"{API}/batches", body)["id"]
    return bid


def _plan(w: World) -> int:
    w.get("kitchen_sales")  # the lists (usage, sold without a recipe) have tenant A's data to hide
    body = {
        "site_id": w.site1,
        "start": "2030-01-07",
        "capacity": {"prep": 480},
        "time_limit_s": 2,
        "demand": [{"item_id": w.get("sauce_item_id"), "delivery_date": "2030-01-09", "quantity": "6"}],
    }
    pid: int = w.api("POST", f"{API}/plans", body)["id"]
    return pid


def _sales(w: World) -> int:
    """POS sales at site 1 on 2030-01-01 (the walk's date): the alpha sauce through its recipe (usage) and an
    alpha dish with no recipe (reported). The clock is set to that day for the ingestion only."""
    from datetime import UTC, datetime

    from boh.inventory.ingest import service
    from boh.kernel.clock import clock

    w.get("recipe_id")
    w.api(
        "POST",
        "/api/v1/catalog/items",
        {"sku": "ALPHA-DISH", "name_en": "Alpha Dish", "kind": "prepared", "base_uom": "portion"},
    )
    at = "2030-01-01T04:00:00+00:00"
    events = [
        {
            "event_id": f"alpha-k{n}",
            "source": "pos:alpha",
            "site": "ALPHA-S1",
            "kind": "sale",
            "sku": sku,
            "qty": "1",
            "occurred_at": at,
        }
        for n, sku in enumerate(("ALPHA-SAUCE", "ALPHA-DISH"))
    ]
    clock.freeze(datetime(2030, 1, 1, 6, tzinfo=UTC))
    try:
        with w.rt.system_uow(w.a.id) as uow:
            result = service.ingest(uow, events)
            uow.commit()
    finally:
        clock.unfreeze()
    assert result.accepted == 2, result
    return 2


CREATORS: dict[str, Callable[[World], Any]] = {
    "kitchen_sales": _sales,
    "sauce_item_id": _sauce,
    "recipe_id": _recipe,
    "batch_id": _batch,
    "production_plan_id": _plan,
}
ALIASES: dict[str | tuple[str, str], str] = {
    ("/api/v1/kitchen/batches", "plan_id"): "production_plan_id",
}
