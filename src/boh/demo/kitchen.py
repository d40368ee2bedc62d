"""The demo chain's central kitchen (CK01): recipes of three levels for the kitchen's own bento and dumplings
(its teriyaki sauce and its dumpling wrappers made in-house from bought ingredients), a week of
production batches recorded day by day through the ledger (ingredient lots issued, output lots made and
costed, a little waste), and next week's production plan from the stores' daily orders. Everything goes
through the kitchen's services, with the clock set to each production day.

The bistro SH05 cooks two dishes to order (tomato and egg stir-fry, egg fried rice): a week of POS sales
deplete their ingredients through the recipes (the floor-event ingestion, as a till would), and some eggs
and oil leave the stock beside the recipes (spoilage, a count correction), so its usage-variance page
shows over-use worth looking at."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from boh.catalog import service as catalog_service
from boh.catalog.api import item_by_sku
from boh.catalog.schemas import ItemCreate
from boh.demo.refs import CatalogRefs, OrgRefs
from boh.inventory.api import PostingLine, post_document
from boh.inventory.ingest import service as ingest
from boh.kernel.clock import clock, utcnow
from boh.kernel.uow import UnitOfWork
from boh.kitchen import service
from boh.kitchen.schemas import BatchCreate, BatchRecord, PlanCreate, RecipeCreate

D = Decimal
RICE, FLOUR, OIL, SOY, EGGS, CHICKEN, PORK, WRAPS, TERIYAKI, BOXES = (
    "400001",
    "400002",
    "400003",
    "400004",
    "400005",
    "400006",
    "400007",
    "400008",
    "400012",
    "400013",
)
SUGAR, CABBAGE, GINGER, GARLIC = "100060", "200001", "200021", "200023"
BENTO, DUMPLINGS = "300006", "300007"


def _line(sku: str, qty: str, loss: str = "0") -> dict[str, Any]:
    return {"sku": sku, "quantity": qty, "loss_pct": loss}


# sku -> definition (bought ingredients come in bags, bottles and packs: quantities are fractions of them).
# Two items the chain also buys are made in the kitchen: its teriyaki sauce and its dumpling wrappers.
RECIPES: dict[str, dict[str, Any]] = {
    TERIYAKI: {
        "yield_qty": "10",
        "station": "hot",
        "minutes_per_batch": 40,
        "shelf_life_days": 30,
        "lines": [_line(SOY, "0.5"), _line(SUGAR, "6"), _line(GINGER, "0.425", "15"), _line(GARLIC, "0.24", "20")],
    },
    BENTO: {
        "yield_qty": "40",
        "station": "hot",
        "minutes_per_batch": 50,
        "shelf_life_days": 1,
        "lines": [_line(RICE, "0.2"), _line(CHICKEN, "1.14", "5"), _line(TERIYAKI, "1"), _line(BOXES, "0.08")],
    },
    WRAPS: {
        "yield_qty": "20",
        "station": "prep",
        "minutes_per_batch": 60,
        "shelf_life_days": 5,
        "lines": [_line(FLOUR, "0.8"), _line(EGGS, "0.05")],
    },
    DUMPLINGS: {
        "yield_qty": "50",
        "station": "prep",
        "minutes_per_batch": 40,
        "shelf_life_days": 2,
        "lines": [
            _line(WRAPS, "12"),
            _line(PORK, "1.4"),
            _line(CABBAGE, "3.15", "10"),
            _line(SOY, "0.015"),
            _line(OIL, "0.01"),
        ],
    },
}
ORDER = (TERIYAKI, BENTO, WRAPS, DUMPLINGS)  # components first
OPENING = {
    RICE: "20",
    FLOUR: "10",
    OIL: "4",
    SOY: "4",
    EGGS: "2",
    CHICKEN: "40",
    PORK: "20",
    BOXES: "4",
    SUGAR: "40",
    CABBAGE: "200",
    GINGER: "5",
    GARLIC: "5",
}
DAILY = ((TERIYAKI, "2", "2"), (BENTO, "80", "80"), (WRAPS, "12", "12"), (DUMPLINGS, "50", "49"))
CAPACITY = {"hot": 600, "prep": 960}


@dataclass
class KitchenRefs:
    recipes: int = 0
    batches: int = 0
    plan_status: str = ""
    menu_sales: int = 0


def _items(uow: UnitOfWork) -> dict[str, int]:
    ids: dict[str, int] = {}
    for sku in {ln["sku"] for d in RECIPES.values() for ln in d["lines"]} | set(RECIPES):
        ref = item_by_sku(uow.session, uow.tenant_id, sku)
        assert ref is not None, sku
        ids[sku] = ref.id
    return ids


def _recipes(uow: UnitOfWork, ids: dict[str, int]) -> None:
    for sku in ORDER:
        d = RECIPES[sku]
        lines = [
            {"item_id": ids[ln["sku"]], "quantity": ln["quantity"], "loss_pct": ln["loss_pct"]} for ln in d["lines"]
        ]
        row = service.recipes.create(
            uow, RecipeCreate.model_validate({"item_id": ids[sku], "definition": {**d, "lines": lines}})
        )
        service.recipes.publish(uow, row.id)


def _opening(uow: UnitOfWork, ck: int, ids: dict[str, int], cat: CatalogRefs, at: datetime) -> None:
    lines = [
        PostingLine(
            index=n,
            site_id=ck,
            item_id=ids[sku],
            lot_id=None,
            move_type="receipt",
            quantity=D(qty),
            unit_cost=cat.unit_costs.get(sku, D(1)),
            idempotency_key=f"demo-ck-open-{sku}",
            source_type="demo_delivery",
            event_at=at,
            lot_code=f"CK-OPEN-{sku}",
            expiry_date=(at + timedelta(days=60)).date(),
        )
        for n, (sku, qty) in enumerate(sorted(OPENING.items()))
    ]
    post_document(uow, lines)


def _day(uow: UnitOfWork, ck: int, ids: dict[str, int], day: int) -> int:
    """One production day: components first, then the finished goods; a little waste now and then."""
    made = 0
    for sku, qty, actual in DAILY:
        b = service.batches.open_batch(uow, BatchCreate(site_id=ck, item_id=ids[sku], planned_qty=D(qty)))
        waste = (
            [{"item_id": ids[sku], "quantity": "1", "reason_code": "failed_check"}]
            if sku == DUMPLINGS and day % 3 == 0
            else []
        )
        service.batches.record(
            uow,
            b.id,
            BatchRecord.model_validate({"actual_qty": actual, "waste": waste, "idempotency_key": f"demo-{b.number}"}),
        )
        made += 1
    return made


def load_kitchen(uow: UnitOfWork, seed: int, org: OrgRefs, cat: CatalogRefs) -> KitchenRefs:
    refs = KitchenRefs()
    ck = org.site_ids[org.kitchen_code]
    ids = _items(uow)
    _recipes(uow, ids)
    refs.recipes = len(RECIPES)
    today = utcnow().replace(hour=0, minute=0, second=0, microsecond=0)
    start = today - timedelta(days=7)
    with clock.frozen(start - timedelta(hours=2)):
        _opening(uow, ck, ids, cat, start - timedelta(hours=2))
    for day in range(7):
        with clock.frozen(start + timedelta(days=day, hours=22)):  # 06:00 in Shanghai
            refs.batches += _day(uow, ck, ids, day)
    first = (today + timedelta(days=1)).date()
    demand = [
        {
            "item_id": ids[sku],
            "delivery_date": (first + timedelta(days=d)).isoformat(),
            "quantity": qty,
            "store_id": org.site_ids[store],
        }
        for d in range(1, 7)
        for store in org.store_codes
        for sku, qty in ((BENTO, "8"), (DUMPLINGS, "4"))
    ]
    plan = service.plans.create(
        uow,
        PlanCreate.model_validate(
            {"site_id": ck, "start": first.isoformat(), "capacity": CAPACITY, "demand": demand, "time_limit_s": 5}
        ),
    )
    refs.plan_status = plan.status
    refs.menu_sales = _bistro(uow, org, today)
    return refs


BISTRO = "SH05"
# the bistro's own ingredients: eggs in 10-packs, loose tomatoes by the kg, 5 kg sacks of rice, 5 L bottles of
# rapeseed oil, 500 g bunches of spring onion
EGGS10, TOMATO, RICE5, OIL5, SCALLION = "200120", "200009", "100005", "100035", "200020"
DISHES = {  # sku -> (English, Chinese, recipe lines per portion in the ingredients' base units)
    "390101": ("Tomato and egg stir-fry", "番茄炒蛋",
               [_line(EGGS10, "0.3"), _line(TOMATO, "0.25"), _line(OIL5, "0.004"), _line(SCALLION, "0.02")]),
    "390102": ("Egg fried rice", "蛋炒饭",
               [_line(EGGS10, "0.2"), _line(RICE5, "0.04"), _line(OIL5, "0.003"), _line(SCALLION, "0.02")]),
}  # fmt: skip
BISTRO_STOCK = {EGGS10: ("40", "10.65"), TOMATO: ("20", "5.04"), RICE5: ("6", "31.50"), OIL5: ("3", "52.00"),
                SCALLION: ("8", "2.10")}  # fmt: skip


def _bistro(uow: UnitOfWork, org: OrgRefs, today: datetime) -> int:
    """SH05's made-to-order dishes: recipes, a delivery of their ingredients, a week of till sales through
    the ingestion (depleting the ingredients by the recipes) and what left beside the recipes."""
    site = org.site_ids[BISTRO]
    ids = {sku: item_by_sku(uow.session, uow.tenant_id, sku) for sku in BISTRO_STOCK}
    if any(ref is None for ref in ids.values()):
        return 0  # a catalog without these ingredients: no bistro menu
    item_ids = {sku: ref.id for sku, ref in ids.items() if ref is not None}
    bento = item_by_sku(uow.session, uow.tenant_id, BENTO)  # the dishes go with the rice meals
    category = bento.category_id if bento else None
    for sku, (name, name_zh, lines) in DISHES.items():
        dish = catalog_service.create_item(uow, ItemCreate(sku=sku, name_en=name, name_zh=name_zh, kind="prepared",
                                                         base_uom="portion", category_id=category))  # fmt: skip
        definition = {"yield_qty": "1", "stocked": False,
                      "lines": [{"item_id": item_ids[ln["sku"]], "quantity": ln["quantity"], "loss_pct": ln["loss_pct"]}
                                for ln in lines]}  # fmt: skip
        row = service.recipes.create(uow, RecipeCreate.model_validate({"item_id": dish.id, "definition": definition}))
        service.recipes.publish(uow, row.id)
    start = today - timedelta(days=7)  # deliveries on day 1 (a week ago), sales on days 1..6
    with clock.frozen(start + timedelta(days=1, hours=1)):
        post_document(uow, [
            PostingLine(index=n, site_id=site, item_id=item_ids[sku], lot_id=None, move_type="receipt", quantity=D(q),
                        unit_cost=D(cost), idempotency_key=f"demo-bistro-in-{sku}", source_type="demo_delivery",
                        event_at=start + timedelta(days=1, hours=1))
            for n, (sku, (q, cost)) in enumerate(sorted(BISTRO_STOCK.items()))
        ])  # fmt: skip
    sold = 0
    for day in range(1, 7):
        at = start + timedelta(days=day, hours=4)  # 12:00 in Shanghai
        events = [
            {"event_id": f"demo-bistro-{day}-{sku}", "source": f"pos:{BISTRO}:1", "site": BISTRO, "kind": "sale",
             "sku": sku, "qty": str(qty), "occurred_at": at.isoformat()}
            for sku, qty in (("390101", 6 + day % 3), ("390102", 9 + (day * 2) % 5))
        ]  # fmt: skip
        with clock.frozen(at + timedelta(minutes=1)):
            result = ingest.ingest(uow, events)
        assert not result.rejected, result.rejected
        sold += len(events)
    with clock.frozen(today - timedelta(hours=10)):
        at = today - timedelta(hours=10)
        post_document(uow, [
            PostingLine(index=0, site_id=site, item_id=item_ids[EGGS10], lot_id=None, move_type="waste",
                        quantity=D("-2"), reason_code="spoiled", idempotency_key="demo-bistro-waste-eggs",
                        source_type="demo_waste", event_at=at),
            PostingLine(index=1, site_id=site, item_id=item_ids[OIL5], lot_id=None, move_type="adjustment",
                        quantity=D("-0.4"), reason_code="count_correction", idempotency_key="demo-bistro-adj-oil",
                        source_type="demo_count", event_at=at),
        ])  # fmt: skip
    return sold


__all__ = ["UTC", "KitchenRefs", "load_kitchen"]
