"""Deterministic generation of the demo catalog from the hand-written products: items (products ×
brands × flavours × packs) with GTIN-13s, supplier offers, and which site carries what at which stock
levels. Pure: the same seed gives the same catalog, and nothing here touches the database."""

from __future__ import annotations

import random
import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import ClassVar

from boh.demo.catalog_data import BRANDS, DEPARTMENT, KITCHEN_LABEL, SUPPLIERS, Brand, Pack, Product, SupplierSpec
from boh.demo.products import ALL_PRODUCTS

CENT = Decimal("0.01")
_BRAND_PRICE = (Decimal("1.00"), Decimal("0.88"), Decimal("1.12"))  # by the brand's position for a product
_MARGIN = {"GROCERY": (72, 82), "FRESH": (58, 70), "PREPARED": (40, 52), "KITCHEN": (100, 100)}  # cost % of retail
_PIECES = re.compile(r"^(\d+)(枚|个|张)$")


def gtin13(prefix: str, item_ref: int) -> str:
    """A GTIN-13 from a 7-digit GS1 company prefix and a 5-digit item reference, with its check digit."""
    body = f"{prefix}{item_ref:05d}"
    if len(body) != 12 or not body.isdigit():
        raise ValueError(f"GTIN body must be 12 digits, got '{body}'")
    return body + check_digit(body)


def check_digit(body: str) -> str:
    """GS1 mod-10 check digit: weights 3 and 1 alternate from the rightmost digit of the body."""
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return str((10 - total % 10) % 10)


@dataclass(frozen=True)
class ItemSpec:
    sku: str
    name: str
    name_zh: str
    category: str
    department: str
    brand: str | None
    brand_zh: str | None
    base_unit: str  # each | kg
    storage: str  # ambient | chilled | frozen
    shelf_life_days: int | None
    perishable: bool
    allergens: tuple[str, ...]
    gtin: str | None  # GTIN-13; None for loose goods weighed at the counter
    case_pack: int  # base units per purchase case
    retail_price: Decimal | None  # None: not sold (kitchen supplies)
    cost_price: Decimal  # per base unit
    daily_units: Decimal  # sold (or used) a day by a medium store
    source: str  # "supplier" or "kitchen" (made by the central kitchen)
    product_key: str
    loose: bool

    @property
    def purchase_unit(self) -> str:
        """What suppliers sell: boxes of loose goods, cases of packs, or single units (a 25 kg sack)."""
        if self.base_unit == "kg":
            return "box"
        return "case" if self.case_pack > 1 else self.base_unit


@dataclass(frozen=True)
class SupplierItemSpec:
    supplier: str
    sku: str
    supplier_sku: str
    purchase_unit: str  # case | box
    units_per_case: int
    price: Decimal  # CNY per purchase unit
    moq: int  # purchase units
    lead_time_days: int
    order_days: tuple[str, ...]
    primary: bool
    pallet: int | None = None  # purchase units on a full pallet (shelf-stable goods)


@dataclass(frozen=True)
class LevelSpec:
    site: str
    sku: str
    min_qty: Decimal
    max_qty: Decimal
    reorder_point: Decimal
    safety_stock: Decimal


def english_label(label: str) -> str:
    match = _PIECES.match(label)
    if match:
        return f"{match.group(1)} pcs"
    return {"精品盒装": "Premium Box"}.get(label, label)


def _names(product: Product, brand: Brand, flavor: tuple[str, str], pack: Pack) -> tuple[str, str]:
    if pack.unit == "kg" and not pack.label:
        kind = "counter" if product.category in ("MEAT", "SEAFOOD") else "loose"
        zh_kind = "称重" if product.category in ("MEAT", "SEAFOOD") else "散装称重"
        return f"{product.en} ({kind}, per kg)", f"{product.zh} {zh_kind}"
    en = " ".join(x for x in (brand.en, flavor[1], product.en, english_label(pack.label)) if x)
    zh = " ".join(x for x in (brand.zh, flavor[0] + product.zh, pack.label) if x)
    return en, zh


class _Numbers:
    """SKUs per department and GTIN item references per company prefix, in generation order."""

    _DEPT_DIGIT: ClassVar[dict[str, int]] = {"GROCERY": 1, "FRESH": 2, "PREPARED": 3, "KITCHEN": 4}

    def __init__(self) -> None:
        self._sku: dict[str, int] = {}
        self._ref: dict[str, int] = {}

    def sku(self, department: str) -> str:
        n = self._sku[department] = self._sku.get(department, 0) + 1
        return f"{self._DEPT_DIGIT[department]}{n:05d}"

    def gtin(self, prefix: str) -> str:
        n = self._ref[prefix] = self._ref.get(prefix, 100) + 7  # sparse, like a real numbering plan
        return gtin13(prefix, n)


def _variants(product: Product) -> Iterator[tuple[Brand, tuple[str, str], Pack]]:
    brands = BRANDS[product.category][: product.brands]
    for b_index, brand in enumerate(brands):
        for flavor in product.flavors:
            for pack in product.packs:
                if pack.unit == "kg" and b_index > 0:
                    continue  # loose goods are one item whatever the brand
                yield brand, flavor, pack


def _item(
    product: Product, brand: Brand, flavor: tuple[str, str], pack: Pack, rng: random.Random, numbers: _Numbers
) -> ItemSpec:
    department = DEPARTMENT[product.category]
    loose = pack.unit == "kg" and not pack.label
    position = BRANDS[product.category].index(brand)
    price = (Decimal(pack.price) * _BRAND_PRICE[min(position, 2)]).quantize(Decimal("0.1")).quantize(CENT)
    low, high = _MARGIN[department]
    cost = (price * Decimal(rng.randint(low, high)) / 100).quantize(CENT)
    en, zh = _names(product, brand, flavor, pack)
    shelf = None if product.category == "PACKAGING" else product.shelf_life
    return ItemSpec(
        sku=numbers.sku(department),
        name=en,
        name_zh=zh,
        category=product.category,
        department=department,
        brand=None if loose else brand.en,
        brand_zh=None if loose else brand.zh,
        base_unit=pack.unit,
        storage=product.storage,
        shelf_life_days=shelf,
        perishable=shelf is not None and (product.storage == "chilled" or shelf <= 45),
        allergens=product.allergens,
        gtin=None if loose else numbers.gtin(brand.gs1_prefix),
        case_pack=pack.case,
        retail_price=None if department == "KITCHEN" else price,
        cost_price=cost,
        daily_units=Decimal(product.daily),
        source="kitchen" if brand == KITCHEN_LABEL else "supplier",
        product_key=product.key,
        loose=loose,
    )


def build_items(seed: int) -> list[ItemSpec]:
    rng = random.Random(f"demo-items-{seed}")
    numbers = _Numbers()
    return [
        _item(product, brand, flavor, pack, rng, numbers)
        for product in ALL_PRODUCTS
        for brand, flavor, pack in _variants(product)
    ]


def _offer(sup: SupplierSpec, item: ItemSpec, n: int, rng: random.Random, *, primary: bool) -> SupplierItemSpec:
    markup = Decimal(1) if primary else Decimal("1.06")
    moq = 1 if item.perishable else rng.choice((1, 2, 2, 3, 5))
    return SupplierItemSpec(
        supplier=sup.code,
        sku=item.sku,
        supplier_sku=f"{sup.code[-2:]}-{n:05d}",
        purchase_unit=item.purchase_unit,
        units_per_case=item.case_pack,
        price=(item.cost_price * item.case_pack * markup).quantize(CENT),
        moq=moq,
        lead_time_days=min(7, sup.lead_days + (0 if primary else 1)),
        order_days=sup.order_days,
        primary=primary,
        pallet=_pallet(item),
    )


def _pallet(item: ItemSpec) -> int | None:
    """Purchase units on a full pallet of shelf-stable goods (a 1.2 x 1.0 m pallet: 40 sacks or boxes, 80 small
    cases of up to 12, 60 bigger cases); fresh goods come in crates, not on pallets."""
    if item.perishable:
        return None
    if item.purchase_unit == "box" or item.case_pack <= 1:
        return 40
    return 80 if item.case_pack <= 12 else 60


def build_supplier_items(seed: int, items: list[ItemSpec]) -> list[SupplierItemSpec]:
    """Each bought item's primary offer, and a dearer, slower second source for about a third of the
    produce and meat (so that choosing a supplier is a real decision)."""
    rng = random.Random(f"demo-supplier-items-{seed}")
    primary = {cat: sup for sup in SUPPLIERS for cat in sup.categories}
    secondary = {cat: sup for sup in SUPPLIERS for cat in sup.secondary}
    counters = {sup.code: 0 for sup in SUPPLIERS}
    offers = []
    for item in items:
        if item.source != "supplier":
            continue
        sources = [(primary[item.category], True)]
        if item.category in secondary and rng.random() < 0.35:
            sources.append((secondary[item.category], False))
        for sup, is_primary in sources:
            counters[sup.code] += 1
            offers.append(_offer(sup, item, counters[sup.code], rng, primary=is_primary))
    return offers
