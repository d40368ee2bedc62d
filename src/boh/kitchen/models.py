"""Tables owned by the kitchen domain (prefix ``kitchen_``).

A recipe (one per output item) keeps an editable draft and immutable published versions; a production
batch and a menu sale keep the version they used. ``kitchen_nutrition`` holds optional nutrition facts of
bought ingredients. ``kitchen_menu_sale`` tallies what the POS sold through recipes (per site, day, item,
version: the theoretical usage), ``kitchen_unmapped_sale`` what it sold without a recipe (reported, never
skipped silently). ``kitchen_batch`` is a production batch (its moves are in the inventory ledger, document
type ``kitchen_batch``); ``kitchen_plan`` a solved production plan with its lines.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from boh.kernel.clock import utcnow
from boh.kernel.db import Base, IdMixin, TimestampMixin
from boh.kernel.types import MoneyAmount, Qty, UTCDateTime


class Recipe(IdMixin, TimestampMixin, Base):
    __tablename__ = "kitchen_recipe"
    __table_args__ = (UniqueConstraint("tenant_id", "item_id"),)

    tenant_id: Mapped[int] = mapped_column(ForeignKey("org_tenant.id"), index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("catalog_item.id"))  # what the recipe makes
    draft: Mapped[dict[str, Any]] = mapped_column(JSON)  # the definition being edited (schemas.RecipeDefinition)
    latest_version: Mapped[int] = mapped_column(Integer, default=0)  # 0: never published
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class RecipeVersion(IdMixin, Base):
    """A published definition (lines in base units, already converted): never changed again."""

    __tablename__ = "kitchen_recipe_version"
    __table_args__ = (UniqueConstraint("recipe_id", "version"),)

    tenant_id: Mapped[int] = mapped_column(ForeignKey("org_tenant.id"), index=True)
    recipe_id: Mapped[int] = mapped_column(ForeignKey("kitchen_recipe.id"))
    item_id: Mapped[int] = mapped_column(ForeignKey("catalog_item.id"))
    version: Mapped[int] = mapped_column(Integer)
    definition: Mapped[dict[str, Any]] = mapped_column(JSON)
    published_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    published_by: Mapped[str] = mapped_column(String(120))


class Nutrition(IdMixin, Base):
    """Nutrition of one base unit of a bought ingredient (optional)."""

    __tablename__ = "kitchen_nutrition"
    __table_args__ = (UniqueConstraint("tenant_id", "item_id"),)

    tenant_id: Mapped[int] = mapped_column(ForeignKey("org_tenant.id"), index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("catalog_item.id"))
    values: Mapped[dict[str, str]] = mapped_column(JSON)  # nutrient -> decimal text, per base unit


class MenuSale(IdMixin, Base):
    """What the POS sold through a recipe at a site on a day (the source of theoretical usage)."""

    __tablename__ = "kitchen_menu_sale"
    __table_args__ = (UniqueConstraint("tenant_id", "site_id", "day", "item_id", "version_id"),)

    tenant_id: Mapped[int] = mapped_column(ForeignKey("org_tenant.id"), index=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("org_site.id"))
    day: Mapped[date] = mapped_column(Date)
    item_id: Mapped[int] = mapped_column(ForeignKey("catalog_item.id"))
    version_id: Mapped[int] = mapped_column(ForeignKey("kitchen_recipe_version.id"))
    quantity: Mapped[Decimal] = mapped_column(Qty())  # net sold (returns subtract)


class UnmappedSale(IdMixin, Base):
    """A POS item or modifier sold without a recipe: reported until someone gives it one."""

    __tablename__ = "kitchen_unmapped_sale"
    __table_args__ = (UniqueConstraint("tenant_id", "site_id", "day", "item_id", "role"),)

    tenant_id: Mapped[int] = mapped_column(ForeignKey("org_tenant.id"), index=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("org_site.id"))
    day: Mapped[date] = mapped_column(Date)
    item_id: Mapped[int] = mapped_column(ForeignKey("catalog_item.id"))
    role: Mapped[str] = mapped_column(String(10))  # item | modifier
    events: Mapped[int] = mapped_column(Integer, default=0)
    quantity: Mapped[Decimal] = mapped_column(Qty())
    last_event_id: Mapped[str] = mapped_column(String(80))


class Batch(IdMixin, TimestampMixin, Base):
    __tablename__ = "kitchen_batch"
    __table_args__ = (UniqueConstraint("tenant_id", "number"),)

    tenant_id: Mapped[int] = mapped_column(ForeignKey("org_tenant.id"), index=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("org_site.id"))
    number: Mapped[str] = mapped_column(String(40))
    item_id: Mapped[int] = mapped_column(ForeignKey("catalog_item.id"))
    version_id: Mapped[int] = mapped_column(ForeignKey("kitchen_recipe_version.id"))
    plan_id: Mapped[int | None] = mapped_column(ForeignKey("kitchen_plan.id"))
    planned_qty: Mapped[Decimal] = mapped_column(Qty())
    actual_qty: Mapped[Decimal | None] = mapped_column(Qty())
    yield_pct: Mapped[Decimal | None] = mapped_column(Qty())
    status: Mapped[str] = mapped_column(String(12), default="open")  # open | done
    lot_id: Mapped[int | None] = mapped_column(Integer)  # the output lot (inventory's)
    lot_code: Mapped[str | None] = mapped_column(String(60))
    expiry_date: Mapped[date | None] = mapped_column(Date)
    cost: Mapped[Decimal | None] = mapped_column(MoneyAmount())
    record: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # inputs, by-products, waste as recorded
    produced_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    produced_by: Mapped[str | None] = mapped_column(String(120))


class Plan(IdMixin, TimestampMixin, Base):
    __tablename__ = "kitchen_plan"

    tenant_id: Mapped[int] = mapped_column(ForeignKey("org_tenant.id"), index=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("org_site.id"))  # the central kitchen
    start: Mapped[date] = mapped_column(Date)
    days: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(12))  # optimal | feasible | infeasible | unknown
    settings: Mapped[dict[str, Any]] = mapped_column(JSON)  # stations and capacities, lead days
    lines: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    conflicts: Mapped[list[str]] = mapped_column(JSON, default=list)
    figures: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # objective, bound, gap, times
    created_by: Mapped[str] = mapped_column(String(120))
