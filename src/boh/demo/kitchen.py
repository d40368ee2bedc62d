"""The demo chain's central kitchen (CK01): recipes of three levels for the kitchen's own bento and dumplings
(its teriyaki sauce and its dumpling wrappers made in-house from bought ingredients), a week of
production batches recorded day by day through the ledger (ingredient lots issued, output lots made and
costed, a little waste), and next week's production plan from the stores' daily orders. Everything goes
through the kitchen's services, with the clock set to each production day."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from boh.catalog.api import item_by_sku
from boh.demo.refs import CatalogRefs, OrgRefs
from boh.inventory.api import PostingLine, post_document
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
    return refs


__all__ = ["UTC", "KitchenRefs", "load_kitchen"]
