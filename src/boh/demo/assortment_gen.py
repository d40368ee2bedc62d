"""Which demo site carries which item, with min / max / reorder point / safety stock. Pure and
deterministic: hypermarkets carry the whole retail range, supermarkets most of it, convenience stores
small packs of snacks, drinks, dairy, bakery and prepared food, restaurants kitchen supplies and fresh
produce, the central kitchen what it cooks with and makes, and the DC everything."""

from __future__ import annotations

import random
from decimal import ROUND_CEILING, Decimal

from boh.demo.catalog_gen import ItemSpec, LevelSpec

_SIZE_SCALE = {"S": Decimal("0.4"), "M": Decimal(1), "L": Decimal(2), "XL": Decimal("3.5")}
_CONVENIENCE = {"SNACK", "BEV", "DAIRY", "BAKERY", "BENTO", "DUMPLING", "SALAD"}
_KITCHEN_GROCERY = {
    "soy-light",
    "soy-dark",
    "oyster",
    "vinegar",
    "wine",
    "doubanjiang",
    "salt",
    "sugar",
    "bouillon",
    "oil-sesame",
    "eggs",
    "tofu",
    "milk",
    "noodle-dry",
    "rice-glut",
}


def carries(fmt: str, item: ItemSpec, rng: random.Random) -> bool:
    """Whether a site of this format (or kind: "dc", "kitchen") carries the item."""
    retail = item.department != "KITCHEN"
    if fmt == "dc":
        return True
    if fmt == "kitchen":
        return (
            not retail
            or item.source == "kitchen"
            or item.product_key in _KITCHEN_GROCERY
            or (item.loose and item.category in ("VEG", "MEAT", "SEAFOOD"))
        )
    if fmt == "hypermarket":
        return retail
    if fmt == "supermarket":
        return retail and item.retail_price is not None and item.retail_price < 90 and rng.random() < 0.85
    if fmt == "convenience":
        small = item.retail_price is not None and item.retail_price <= 30
        wanted = item.category in _CONVENIENCE or item.product_key == "noodle-inst"
        return wanted and small and not item.loose and item.storage != "frozen" and rng.random() < 0.8
    if fmt == "restaurant":
        drink = item.category == "BEV" and item.retail_price is not None and item.retail_price <= 8
        fresh = item.loose and item.category in ("VEG", "MEAT", "SEAFOOD")
        return not retail or fresh or drink or item.product_key in _KITCHEN_GROCERY
    raise ValueError(f"unknown store format '{fmt}'")


def _ceil(value: Decimal) -> Decimal:
    return value.to_integral_value(rounding=ROUND_CEILING)


def levels(site: str, item: ItemSpec, scale: Decimal, cover_days: int) -> LevelSpec:
    """Stock levels in base units from the item's daily sales at this site's scale: the safety stock
    covers a day, the reorder point the replenishment cycle on top, the max a case more; perishables
    never hold more than half their shelf life."""
    daily = max(item.daily_units * scale, Decimal("0.5"))
    safety = _ceil(daily)
    reorder = safety + _ceil(daily * cover_days)
    top = reorder + item.case_pack
    if item.perishable and item.shelf_life_days:
        cap = max(_ceil(daily * item.shelf_life_days / 2), reorder + 1)
        top = min(top, cap)
    return LevelSpec(
        site=site, sku=item.sku, min_qty=safety, max_qty=max(top, reorder), reorder_point=reorder, safety_stock=safety
    )


def build_levels(seed: int, sites: dict[str, tuple[str, str]], items: list[ItemSpec]) -> list[LevelSpec]:
    """sites: code -> (format or kind, size class). Stores are replenished daily from the DC, the DC
    covers its suppliers' lead times at about thirty stores' demand."""
    rows = []
    for code in sorted(sites):
        fmt, size = sites[code]
        rng = random.Random(f"demo-assortment-{seed}-{code}")
        scale, cover = (Decimal(30), 7) if fmt == "dc" else (_SIZE_SCALE.get(size, Decimal(1)), 2)
        if fmt == "kitchen":
            scale = Decimal(6)
        rows += [levels(code, item, scale, cover) for item in items if carries(fmt, item, rng)]
    return rows
