"""The kitchen's depletion rule (boh.inventory.api.DepletionRule): a POS sale of an item made to order (its
recipe not stocked) takes its ingredients out of stock instead of the item, through every made-to-order
level down to stocked or bought items; a modifier with a recipe adds its own (a stocked one: itself). An
item made ahead with a stocked recipe is sold as itself. What is sold without a recipe (a prepared item, or any
modifier) is reported in ``kitchen_unmapped_sale``, never skipped silently: the item's own sale is posted
as before and the modifier is not depleted. Registered by the manifest's hook (handlers.subscribe)."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from sqlalchemy import select

from boh.catalog.api import item_view
from boh.inventory.api import Depletion, SoldLine
from boh.kernel.uow import UnitOfWork
from boh.kitchen import domain, repository
from boh.kitchen.service.recipes import book

MENU_KINDS = frozenset({"prepared"})  # catalog kinds sold as dishes: without a recipe they are reported
# the catalog's item view, made once: a new alias per call rebuilt its column collection for every batch
_ITEMS = item_view()


class RecipeDepletion:
    """Stateless: ``begin`` reads the recipe book and the tenant's dishes once per batch, in the caller's
    transaction."""

    def begin(self, uow: UnitOfWork) -> KitchenBatch:
        recipes = book(uow.session, uow.tenant_id)
        return KitchenBatch(recipes, _menu_items(uow))


class KitchenBatch:
    """The recipe book and the dishes as read for one batch. ``items``: the items with a recipe and the
    dishes (a dish sold without a recipe is reported); a line of any other item matters only through its
    modifiers (each depleted through its recipe or reported), and inventory gives it only when it has some."""

    __slots__ = ("items", "menu", "recipes")

    def __init__(self, recipes: domain.Book, menu: frozenset[int]) -> None:
        self.recipes, self.menu = recipes, menu
        self.items = frozenset(recipes) | menu

    def deplete(self, sold: Sequence[SoldLine]) -> dict[int, Depletion]:
        recipes = self.recipes
        if not recipes:
            return {}
        out: dict[int, Depletion] = {}
        for s in sold:
            parts: dict[int, Decimal] = {}
            handled = _to_order(recipes, s.item_id)
            _add(parts, _through(recipes, s.item_id, s.quantity))
            for mod, per in s.modifiers:
                if mod in recipes:
                    handled = True
                    _add(parts, _through(recipes, mod, per * s.quantity))
            if handled:
                out[s.index] = Depletion(tuple(sorted(parts.items())))
        return out

    def record(self, uow: UnitOfWork, sold: Sequence[SoldLine]) -> None:
        if not sold:
            return
        recipes, menu = self.recipes, self.menu
        sales: list[dict[str, object]] = []
        unmapped: list[dict[str, object]] = []
        t = uow.tenant_id
        for s in sold:
            net = -s.quantity  # sold: positive; a return: negative
            if _to_order(recipes, s.item_id):
                sales.append(
                    {
                        "tenant_id": t,
                        "site_id": s.site_id,
                        "day": s.day,
                        "item_id": s.item_id,
                        "version_id": recipes[s.item_id].version_id,
                        "quantity": net,
                    }
                )
            elif s.item_id in menu and s.item_id not in recipes:
                unmapped.append(_unmapped(t, s, s.item_id, "item", net))
            for mod, per in s.modifiers:
                if _to_order(recipes, mod):
                    sales.append(
                        {
                            "tenant_id": t,
                            "site_id": s.site_id,
                            "day": s.day,
                            "item_id": mod,
                            "version_id": recipes[mod].version_id,
                            "quantity": per * net,
                        }
                    )
                elif mod not in recipes:
                    unmapped.append(_unmapped(t, s, mod, "modifier", per * net))
        repository.add_menu_sales(uow.session, _merge(sales, ("site_id", "day", "item_id", "version_id")))
        repository.add_unmapped(uow.session, _merge(unmapped, ("site_id", "day", "item_id", "role")))


def _to_order(recipes: domain.Book, item_id: int) -> bool:
    """Made to order: its sale takes its ingredients out of stock (a stocked item with a recipe, made ahead
    in a kitchen, is sold as itself)."""
    return item_id in recipes and not recipes[item_id].stocked


def _through(recipes: domain.Book, item_id: int, qty: Decimal) -> dict[int, Decimal]:
    return domain.deplete(recipes, item_id, qty) if _to_order(recipes, item_id) else {item_id: qty}


def _add(into: dict[int, Decimal], more: dict[int, Decimal]) -> None:
    for k, v in more.items():
        into[k] = into.get(k, Decimal(0)) + v


def _menu_items(uow: UnitOfWork) -> frozenset[int]:
    """The tenant's dishes (catalog kinds in MENU_KINDS): one read of a few ids (no list of thousands of sold
    ids sent as parameters)."""
    v = _ITEMS
    stmt = select(v.c.id).where(v.c.tenant_id == uow.tenant_id, v.c.kind.in_(MENU_KINDS))
    return frozenset(uow.session.scalars(stmt))


def _unmapped(tenant_id: int, s: SoldLine, item_id: int, role: str, qty: Decimal) -> dict[str, object]:
    return {
        "tenant_id": tenant_id,
        "site_id": s.site_id,
        "day": s.day,
        "item_id": item_id,
        "role": role,
        "events": 1,
        "quantity": qty,
        "last_event_id": s.event_id[:80],
    }


def _merge(rows: list[dict[str, object]], key: tuple[str, ...]) -> list[dict[str, object]]:
    """One row per key (an upsert statement may not touch a row twice)."""
    out: dict[tuple[object, ...], dict[str, object]] = {}
    for r in rows:
        k = tuple(r[c] for c in key)
        if k in out:
            o = out[k]
            o["quantity"] = o["quantity"] + r["quantity"]  # type: ignore[operator]
            if "events" in o:
                o["events"] = o["events"] + r["events"]  # type: ignore[operator]
                o["last_event_id"] = r["last_event_id"]
        else:
            out[k] = dict(r)
    return list(out.values())


RULE = RecipeDepletion()
