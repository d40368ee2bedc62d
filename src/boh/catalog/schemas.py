"""Input and output models of the catalog domain. Decimals travel as strings in JSON (exact)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    EmailStr,
    Field,
    PlainSerializer,
    model_validator,
)

from boh.catalog.domain import (
    BASE_UNITS,
    PriceBreak,
    canonical_unit,
    check_price_breaks,
    normalize_allergens,
    normalize_weekdays,
    plain_decimal,
)
from boh.catalog.errors import UnknownUnit
from boh.kernel.patch import PatchModel

ItemKind = Literal["grocery", "fresh", "prepared", "ingredient", "packaging"]
StorageClass = Literal["ambient", "chilled", "frozen"]
Code = Annotated[str, Field(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")]
Currency = Annotated[str, Field(pattern=r"^[A-Z]{3}$", description="ISO 4217 code")]
Name = Annotated[str, Field(min_length=1, max_length=200)]


def _unit(value: object) -> str:
    if not isinstance(value, str):
        raise ValueError("a unit code is text")
    try:
        return canonical_unit(value)
    except UnknownUnit as exc:
        raise ValueError(exc.detail) from exc


def _base_unit(value: str) -> str:
    if value not in BASE_UNITS:
        raise ValueError(f"'{value}' is not a base unit; use one of: {', '.join(BASE_UNITS)}")
    return value


UnitCode = Annotated[str, BeforeValidator(_unit), Field(description="Unit code: case, pack, kg, g, L, mL...")]
BaseUnit = Annotated[UnitCode, AfterValidator(_base_unit), Field(description="each, portion, kg, g, L, mL, m")]
Factor = Annotated[
    Decimal,
    Field(gt=0, max_digits=20, decimal_places=9, description="Base units in one of this unit (a case of 12: 12)"),
]
QtyIn = Annotated[Decimal, Field(ge=0, max_digits=18, decimal_places=6)]
PositiveQty = Annotated[Decimal, Field(gt=0, max_digits=18, decimal_places=6)]
MoneyIn = Annotated[Decimal, Field(ge=0, max_digits=20, decimal_places=6)]
Dec = Annotated[Decimal, PlainSerializer(plain_decimal, return_type=str, when_used="json")]
Allergens = Annotated[
    list[str],
    AfterValidator(normalize_allergens),
    Field(
        description="EU allergen codes: celery, gluten, crustaceans, eggs, fish, lupin, "
        "milk, molluscs, mustard, nuts, peanuts, sesame, soybeans, sulphites"
    ),
]
Weekdays = Annotated[list[str], AfterValidator(normalize_weekdays)]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


# ---------------------------------------------------------------- categories
class CategoryCreate(_In):
    code: Code
    name_en: Name
    name_zh: str | None = Field(default=None, max_length=200)
    parent_id: int | None = None


class CategoryUpdate(PatchModel):
    nullable = frozenset({"name_zh", "parent_id"})

    code: Code | None = None
    name_en: Name | None = None
    name_zh: str | None = Field(default=None, max_length=200)
    parent_id: int | None = None


class CategoryRead(BaseModel):
    id: int
    code: str
    name_en: str
    name_zh: str | None
    parent_id: int | None
    path: str = Field(description="Codes from the root, joined by '/'")
    depth: int


# ---------------------------------------------------------------- items
class UomIn(_In):
    uom: UnitCode
    factor: Factor


class BarcodeIn(_In):
    code: str = Field(description="GTIN-8, -12, -13 or -14 (check digit verified)")
    uom: UnitCode | None = Field(default=None, description="Unit the barcode is printed on; default the base")


class ItemFields(_In):
    name_en: Name
    name_zh: str | None = Field(default=None, max_length=200)
    category_id: int | None = None
    kind: ItemKind
    storage_class: StorageClass = "ambient"
    perishable: bool = False
    shelf_life_days: int | None = Field(default=None, ge=1, le=3650)
    allergens: Allergens = Field(default_factory=list)
    active: bool = True


class ItemCreate(ItemFields):
    sku: Code
    base_uom: BaseUnit
    uoms: list[UomIn] = Field(default_factory=list)
    barcodes: list[BarcodeIn] = Field(default_factory=list)


class ItemUpdate(PatchModel):
    """SKU and base unit cannot change: stock and history are kept in the base unit."""

    nullable = frozenset({"name_zh", "category_id", "shelf_life_days"})

    name_en: Name | None = None
    name_zh: str | None = Field(default=None, max_length=200)
    category_id: int | None = None
    kind: ItemKind | None = None
    storage_class: StorageClass | None = None
    perishable: bool | None = None
    shelf_life_days: int | None = Field(default=None, ge=1, le=3650)
    allergens: Allergens | None = None
    active: bool | None = None


class UomRead(BaseModel):
    uom: str
    factor: Dec


class BarcodeRead(BaseModel):
    gtin: str
    uom: str | None


class ItemRead(BaseModel):
    id: int
    sku: str
    name_en: str
    name_zh: str | None
    category_id: int | None
    category_code: str | None
    kind: str
    base_uom: str
    storage_class: str
    perishable: bool
    shelf_life_days: int | None
    allergens: list[str]
    active: bool
    uoms: list[UomRead]
    barcodes: list[BarcodeRead]
    created_at: datetime
    updated_at: datetime


class ItemFilter(BaseModel):
    q: str | None = None
    category_id: int | None = Field(default=None, description="The category and its sub-categories")
    kind: ItemKind | None = None
    storage_class: StorageClass | None = None
    active: bool | None = None
    supplier_id: int | None = Field(default=None, description="Only items this supplier sells")


class LookupRead(BaseModel):
    source: Literal["gtin", "gs1", "epc"]
    gtin: str
    uom: str = Field(description="The unit the code stands for (a case GTIN: the case)")
    base_qty: Dec = Field(description="Base units in one scanned unit")
    lot: str | None
    expiry: date | None
    best_before: date | None
    serial: str | None
    epc_uri: str | None
    item: ItemRead


Language = Literal["en", "zh_CN"]


# ---------------------------------------------------------------- suppliers
class SupplierCreate(_In):
    code: Code
    name: Name
    name_zh: str | None = Field(default=None, max_length=200)
    email: EmailStr | None = None
    phone: str | None = Field(default=None, max_length=40, pattern=r"^[0-9+()\- ]{3,40}$")
    order_email: EmailStr | None = Field(default=None, description="Where purchase orders are e-mailed (else email)")
    language: Language | None = Field(default=None, description="en or zh_CN: its documents (None: the tenant's)")
    currency: Currency = "CNY"
    payment_terms_days: int = Field(default=30, ge=0, le=365)
    active: bool = True


class SupplierUpdate(PatchModel):
    nullable = frozenset({"name_zh", "email", "phone", "order_email", "language"})

    name: Name | None = None
    name_zh: str | None = Field(default=None, max_length=200)
    email: EmailStr | None = None
    phone: str | None = Field(default=None, max_length=40, pattern=r"^[0-9+()\- ]{3,40}$")
    order_email: EmailStr | None = None
    language: Language | None = None
    currency: Currency | None = None
    payment_terms_days: int | None = Field(default=None, ge=0, le=365)
    active: bool | None = None


class SupplierRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    code: str
    name: str
    name_zh: str | None
    email: str | None
    phone: str | None
    order_email: str | None = None
    language: str | None = None
    currency: str
    payment_terms_days: int
    active: bool


class SupplierFilter(BaseModel):
    q: str | None = None
    active: bool | None = None


# ---------------------------------------------------------------- supplier items
class PriceBreakIn(_In):
    min_qty: PositiveQty = Field(description="From this many purchase units")
    price: MoneyIn


def _check_breaks(value: list[PriceBreakIn]) -> list[PriceBreakIn]:
    problems = check_price_breaks([PriceBreak(b.min_qty, b.price) for b in value])
    if problems:
        raise ValueError("; ".join(problems))
    return value


PriceBreaks = Annotated[
    list[PriceBreakIn],
    AfterValidator(_check_breaks),
    Field(description="Ascending ladder: from min_qty purchase units, this unit price"),
]


class SupplierItemUpdate(PatchModel):
    # currency None: the supplier's
    nullable = frozenset({"supplier_sku", "currency", "valid_from", "valid_to", "pallet_qty"})

    supplier_sku: str | None = Field(default=None, max_length=60)
    purchase_uom: UnitCode | None = None
    price: MoneyIn | None = None
    currency: Currency | None = None
    moq: QtyIn | None = None
    order_multiple: PositiveQty | None = None
    lead_time_days: int | None = Field(default=None, ge=0, le=365)
    order_days: Weekdays | None = None
    pallet_qty: PositiveQty | None = Field(default=None, description="Purchase units on a full pallet (rounding)")
    price_breaks: PriceBreaks | None = None
    preferred: bool | None = None
    valid_from: date | None = None
    valid_to: date | None = None
    active: bool | None = None

    @model_validator(mode="after")
    def _dates(self) -> SupplierItemUpdate:
        if self.valid_from and self.valid_to and self.valid_to < self.valid_from:
            raise ValueError("valid_to is before valid_from")
        return self


class SupplierItemCreate(SupplierItemUpdate):
    """Quantities (moq, order_multiple, price-break min_qty) are in purchase units; ``currency``
    defaults to the supplier's."""

    item_id: int
    purchase_uom: UnitCode
    price: MoneyIn
    moq: QtyIn = Decimal(0)
    order_multiple: PositiveQty = Decimal(1)
    lead_time_days: int = Field(default=1, ge=0, le=365)
    order_days: Weekdays = Field(default_factory=list)
    price_breaks: PriceBreaks = Field(default_factory=list)
    preferred: bool = False
    active: bool = True


class PriceBreakRead(BaseModel):
    min_qty: Dec
    price: Dec


class SupplierItemRead(BaseModel):
    id: int
    supplier_id: int
    supplier_code: str
    supplier_name: str
    item_id: int
    sku: str
    item_name_en: str
    item_name_zh: str | None
    base_uom: str
    supplier_sku: str | None
    purchase_uom: str
    purchase_factor: Dec = Field(description="Base units in one purchase unit")
    price: Dec
    currency: str
    moq: Dec
    order_multiple: Dec
    lead_time_days: int
    order_days: list[str]
    pallet_qty: Dec | None = Field(default=None, description="Purchase units on a full pallet")
    price_breaks: list[PriceBreakRead]
    preferred: bool
    valid_from: date | None
    valid_to: date | None
    active: bool


# ---------------------------------------------------------------- assortment
class AssortmentUpdate(PatchModel):
    """Quantities are in the item's base unit."""

    nullable = frozenset({"min_qty", "max_qty", "reorder_point", "safety_stock", "preferred_supplier_id",
                          "order_multiple"})  # fmt: skip

    active: bool | None = None
    min_qty: QtyIn | None = None
    max_qty: QtyIn | None = None
    reorder_point: QtyIn | None = None
    safety_stock: QtyIn | None = None
    preferred_supplier_id: int | None = None
    order_multiple: PositiveQty | None = None


class AssortmentUpsert(AssortmentUpdate):
    active: bool = True


class AssortmentRead(BaseModel):
    id: int
    site_id: int
    item_id: int
    sku: str
    name_en: str
    name_zh: str | None
    base_uom: str
    category_id: int | None
    active: bool
    min_qty: Dec | None
    max_qty: Dec | None
    reorder_point: Dec | None
    safety_stock: Dec | None
    preferred_supplier_id: int | None
    preferred_supplier_code: str | None
    order_multiple: Dec | None


class AssortmentFilter(BaseModel):
    q: str | None = None
    active: bool | None = None
    category_id: int | None = None
    kind: ItemKind | None = None
    preferred_supplier_id: int | None = None
