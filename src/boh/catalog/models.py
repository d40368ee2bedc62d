"""Tables owned by the catalog domain. Every table carries the tenant id; quantities and prices are exact."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from boh.kernel.db import Base, IdMixin, TimestampMixin
from boh.kernel.types import ExactDecimal, MoneyAmount, Qty


def UnitFactor() -> ExactDecimal:
    """Base units in one unit of measure: up to 9 decimal places (a milligram of a kilogram item)."""
    return ExactDecimal(20, 9)


class Category(IdMixin, TimestampMixin, Base):
    __tablename__ = "catalog_category"
    __table_args__ = (UniqueConstraint("tenant_id", "code"),)

    tenant_id: Mapped[int] = mapped_column(ForeignKey("org_tenant.id"), index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("catalog_category.id"))
    code: Mapped[str] = mapped_column(String(40))
    name_en: Mapped[str] = mapped_column(String(200))
    name_zh: Mapped[str | None] = mapped_column(String(200))


class Item(IdMixin, TimestampMixin, Base):
    __tablename__ = "catalog_item"
    __table_args__ = (
        UniqueConstraint("tenant_id", "sku"),
        Index("ix_catalog_item_tenant_category", "tenant_id", "category_id"),
    )

    tenant_id: Mapped[int] = mapped_column(ForeignKey("org_tenant.id"), index=True)
    sku: Mapped[str] = mapped_column(String(40))
    name_en: Mapped[str] = mapped_column(String(200))
    name_zh: Mapped[str | None] = mapped_column(String(200))
    category_id: Mapped[int | None] = mapped_column(ForeignKey("catalog_category.id"))
    kind: Mapped[str] = mapped_column(String(20))  # grocery | fresh | prepared | ingredient | packaging
    base_uom: Mapped[str] = mapped_column(String(20))  # each | portion | kg | g | L | mL | m
    storage_class: Mapped[str] = mapped_column(String(10), default="ambient")  # ambient | chilled | frozen
    perishable: Mapped[bool] = mapped_column(Boolean, default=False)
    shelf_life_days: Mapped[int | None] = mapped_column(Integer)
    allergens: Mapped[list[str]] = mapped_column(JSON, default=list)  # EU allergen codes, sorted
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class ItemUom(IdMixin, Base):
    """A unit of measure of one item other than its base unit, with its exact factor to the base."""

    __tablename__ = "catalog_item_uom"
    __table_args__ = (UniqueConstraint("item_id", "uom"),)

    tenant_id: Mapped[int] = mapped_column(ForeignKey("org_tenant.id"), index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("catalog_item.id", ondelete="CASCADE"), index=True)
    uom: Mapped[str] = mapped_column(String(20))
    factor: Mapped[Decimal] = mapped_column(UnitFactor())


class ItemBarcode(IdMixin, Base):
    """A GTIN of an item, stored as GTIN-14; ``uom`` is the unit the barcode is printed on (a case GTIN)."""

    __tablename__ = "catalog_item_barcode"
    __table_args__ = (UniqueConstraint("tenant_id", "gtin"),)

    tenant_id: Mapped[int] = mapped_column(ForeignKey("org_tenant.id"), index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("catalog_item.id", ondelete="CASCADE"), index=True)
    gtin: Mapped[str] = mapped_column(String(14))
    uom: Mapped[str | None] = mapped_column(String(20))  # None: the base unit


class Supplier(IdMixin, TimestampMixin, Base):
    __tablename__ = "catalog_supplier"
    # (id, tenant_id) is unique so that other tables can require "a supplier of the same tenant" by FK
    __table_args__ = (UniqueConstraint("tenant_id", "code"), UniqueConstraint("id", "tenant_id"))

    tenant_id: Mapped[int] = mapped_column(ForeignKey("org_tenant.id"), index=True)
    code: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(200))
    name_zh: Mapped[str | None] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(40))
    order_email: Mapped[str | None] = mapped_column(String(254))  # where purchase orders go (else email)
    language: Mapped[str | None] = mapped_column(String(10))  # en | zh_CN: its documents (None: the tenant's)
    currency: Mapped[str] = mapped_column(String(3), default="CNY")
    payment_terms_days: Mapped[int] = mapped_column(Integer, default=30)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class SupplierItem(IdMixin, TimestampMixin, Base):
    """What a supplier sells of an item: in which unit, at what price, with which ordering rules."""

    __tablename__ = "catalog_supplier_item"
    __table_args__ = (
        UniqueConstraint("supplier_id", "item_id"),
        UniqueConstraint("supplier_id", "supplier_sku"),
        Index("ix_catalog_supplier_item_tenant_item", "tenant_id", "item_id"),
    )

    tenant_id: Mapped[int] = mapped_column(ForeignKey("org_tenant.id"), index=True)
    supplier_id: Mapped[int] = mapped_column(ForeignKey("catalog_supplier.id"))
    item_id: Mapped[int] = mapped_column(ForeignKey("catalog_item.id"))
    supplier_sku: Mapped[str | None] = mapped_column(String(60))
    purchase_uom: Mapped[str] = mapped_column(String(20))
    price: Mapped[Decimal] = mapped_column(MoneyAmount())  # per purchase unit
    currency: Mapped[str] = mapped_column(String(3))
    moq: Mapped[Decimal] = mapped_column(Qty(), default=Decimal(0))  # in purchase units
    order_multiple: Mapped[Decimal] = mapped_column(Qty(), default=Decimal(1))  # in purchase units
    lead_time_days: Mapped[int] = mapped_column(Integer, default=1)
    order_days: Mapped[list[str]] = mapped_column(JSON, default=list)  # ["mon", "thu"]; empty: any day
    pallet_qty: Mapped[Decimal | None] = mapped_column(Qty())  # purchase units on a full pallet (None: none)
    price_breaks: Mapped[list[dict[str, Any]]] = mapped_column(
        JSON, default=list
    )  # [{"min_qty": "10", "price": "9.5"}]
    preferred: Mapped[bool] = mapped_column(Boolean, default=False)
    valid_from: Mapped[date | None] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Assortment(IdMixin, TimestampMixin, Base):
    """An item carried by a site, with the site's replenishment parameters (quantities in base units)."""

    __tablename__ = "catalog_assortment"
    __table_args__ = (
        UniqueConstraint("site_id", "item_id"),
        Index("ix_catalog_assortment_tenant_site", "tenant_id", "site_id"),
    )

    tenant_id: Mapped[int] = mapped_column(ForeignKey("org_tenant.id"))
    site_id: Mapped[int] = mapped_column(ForeignKey("org_site.id"))
    item_id: Mapped[int] = mapped_column(ForeignKey("catalog_item.id"), index=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    min_qty: Mapped[Decimal | None] = mapped_column(Qty())
    max_qty: Mapped[Decimal | None] = mapped_column(Qty())
    reorder_point: Mapped[Decimal | None] = mapped_column(Qty())
    safety_stock: Mapped[Decimal | None] = mapped_column(Qty())
    preferred_supplier_id: Mapped[int | None] = mapped_column(ForeignKey("catalog_supplier.id"))
    order_multiple: Mapped[Decimal | None] = mapped_column(Qty())
