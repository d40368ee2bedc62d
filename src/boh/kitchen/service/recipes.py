"""Recipe use cases: create, edit the draft, publish a version (lines converted exactly to base units by the
catalog's unit tables, cycles refused), and the recipe book (the current versions) the rest reads."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from boh.catalog.api import get_item_ref, to_base
from boh.kernel.errors import BohError, FieldError, ValidationFailed
from boh.kernel.uow import UnitOfWork
from boh.kitchen import domain, models
from boh.kitchen.errors import RecipeNotFound, RecipeNotPublished
from boh.kitchen.schemas import NutritionIn, RecipeCreate, RecipeDefinition, RecipeUpdate

READ, WRITE = "kitchen.recipe.read", "kitchen.recipe.write"


def _check(session: Session, tenant_id: int, item_id: int, d: RecipeDefinition) -> list[FieldError]:
    """Every problem of a definition at once: unknown items, units, the recipe using its own item."""
    errors: list[FieldError] = []
    try:
        out = get_item_ref(session, tenant_id, item_id)
        if d.yield_uom:
            to_base(session, tenant_id, item_id, d.yield_qty, d.yield_uom)
    except BohError as exc:
        errors.append(FieldError(("yield_uom",) if d.yield_uom else ("item_id",), exc.detail, exc.code))
        out = None
    for n, ln in enumerate(d.lines):
        if ln.item_id == item_id:
            errors.append(
                FieldError(("lines", n, "item_id"), "a recipe cannot use its own item", "kitchen.recipe_cycle")
            )
            continue
        try:
            get_item_ref(session, tenant_id, ln.item_id)
            if ln.uom:
                to_base(session, tenant_id, ln.item_id, ln.quantity, ln.uom)
        except BohError as exc:
            errors.append(FieldError(("lines", n, "uom" if ln.uom else "item_id"), exc.detail, exc.code))
    del out
    return errors


def create(uow: UnitOfWork, data: RecipeCreate) -> models.Recipe:
    uow.principal.scope(WRITE)
    errors = _check(uow.session, uow.tenant_id, data.item_id, data.definition)
    existing = uow.session.scalars(
        select(models.Recipe).where(models.Recipe.tenant_id == uow.tenant_id, models.Recipe.item_id == data.item_id)
    ).one_or_none()
    if existing is not None:
        errors.append(FieldError(("item_id",), "the item already has a recipe", "kitchen.recipe_exists"))
    if errors:
        raise ValidationFailed(errors)
    row = models.Recipe(tenant_id=uow.tenant_id, item_id=data.item_id, draft=data.definition.model_dump(mode="json"))
    uow.session.add(row)
    uow.flush()
    uow.audit("kitchen.recipe.create", "recipe", row.id, after={"item_id": row.item_id, "draft": row.draft})
    return row


def get(session: Session, tenant_id: int, recipe_id: int, *, lock: bool = False) -> models.Recipe:
    stmt = select(models.Recipe).where(models.Recipe.id == recipe_id, models.Recipe.tenant_id == tenant_id)
    row = session.scalars(stmt.with_for_update() if lock else stmt).one_or_none()
    if row is None:
        raise RecipeNotFound(f"recipe {recipe_id} not found")
    return row


def update(uow: UnitOfWork, recipe_id: int, data: RecipeUpdate) -> models.Recipe:
    uow.principal.scope(WRITE)
    row = get(uow.session, uow.tenant_id, recipe_id, lock=True)
    errors = _check(uow.session, uow.tenant_id, row.item_id, data.definition)
    if errors:
        raise ValidationFailed(errors)
    before = row.draft
    row.draft = data.definition.model_dump(mode="json")
    uow.flush()
    uow.audit("kitchen.recipe.update", "recipe", row.id, before={"draft": before}, after={"draft": row.draft})
    return row


def _resolved(session: Session, tenant_id: int, item_id: int, d: RecipeDefinition) -> dict[str, Any]:
    """The definition with every quantity in its item's base unit (exact conversion)."""
    yield_base = to_base(session, tenant_id, item_id, d.yield_qty, d.yield_uom) if d.yield_uom else d.yield_qty
    lines = [
        {
            "item_id": ln.item_id,
            "quantity": str(ln.quantity),
            "uom": ln.uom,
            "loss_pct": str(ln.loss_pct),
            "base_qty": str(to_base(session, tenant_id, ln.item_id, ln.quantity, ln.uom) if ln.uom else ln.quantity),
        }
        for ln in d.lines
    ]
    out = d.model_dump(mode="json")
    out.update(lines=lines, yield_base=str(yield_base))
    return out


def to_recipe(item_id: int, version_id: int, definition: Mapping[str, Any]) -> domain.Recipe:
    lines = tuple(
        domain.RecipeLine(int(ln["item_id"]), Decimal(ln["base_qty"]), Decimal(ln["loss_pct"]))
        for ln in definition["lines"]
    )
    yield_base = Decimal(definition["yield_base"])
    return domain.Recipe(
        item_id=item_id,
        version_id=version_id,
        yield_qty=yield_base,
        lines=lines,
        cook_loss_pct=Decimal(definition.get("cook_loss_pct") or 0),
        station=definition.get("station"),
        minutes_per_batch=int(definition.get("minutes_per_batch") or 0),
        batch_size=yield_base,
        shelf_life_days=definition.get("shelf_life_days"),
        stocked=bool(definition.get("stocked", True)),
        max_batches=int(definition.get("max_batches_per_day") or 20),
    )


def publish(uow: UnitOfWork, recipe_id: int) -> models.RecipeVersion:
    """Publish the draft as the next version; a version that would close a cycle is refused (RecipeCycle)."""
    uow.principal.scope(WRITE)
    row = get(uow.session, uow.tenant_id, recipe_id, lock=True)
    d = RecipeDefinition.model_validate(row.draft)
    errors = _check(uow.session, uow.tenant_id, row.item_id, d)
    if errors:
        raise ValidationFailed(errors)
    definition = _resolved(uow.session, uow.tenant_id, row.item_id, d)
    current = dict(book(uow.session, uow.tenant_id))
    current[row.item_id] = to_recipe(row.item_id, 0, definition)
    domain.check_cycles(current, [row.item_id])
    row.latest_version += 1
    version = models.RecipeVersion(
        tenant_id=uow.tenant_id,
        recipe_id=row.id,
        item_id=row.item_id,
        version=row.latest_version,
        definition=definition,
        published_by=uow.principal.actor,
    )
    uow.session.add(version)
    uow.flush()
    uow.audit("kitchen.recipe.publish", "recipe", row.id, after={"version": version.version, "version_id": version.id})
    return version


def book(session: Session, tenant_id: int, pinned: Iterable[int] = ()) -> dict[int, domain.Recipe]:
    """The recipe book: each active recipe's latest version, or for the items of the ``pinned`` version ids,
    those versions (a batch keeps the version it used)."""
    v, r = models.RecipeVersion, models.Recipe
    rows = session.execute(
        select(v.id, v.item_id, v.definition)
        .join(r, (r.id == v.recipe_id) & (r.latest_version == v.version))
        .where(r.tenant_id == tenant_id, r.active.is_(True))
    ).all()
    out = {item: to_recipe(item, vid, d) for vid, item, d in rows}
    pins = set(pinned)
    if pins:
        for vid, item, d in session.execute(
            select(v.id, v.item_id, v.definition).where(v.tenant_id == tenant_id, v.id.in_(pins))
        ):
            out[item] = to_recipe(item, vid, d)
    return out


def version(session: Session, tenant_id: int, version_id: int) -> models.RecipeVersion:
    row = session.scalars(
        select(models.RecipeVersion).where(
            models.RecipeVersion.id == version_id, models.RecipeVersion.tenant_id == tenant_id
        )
    ).one_or_none()
    if row is None:
        raise RecipeNotFound(f"recipe version {version_id} not found")
    return row


def current_version(session: Session, tenant_id: int, item_id: int) -> models.RecipeVersion:
    r = session.scalars(
        select(models.Recipe).where(models.Recipe.tenant_id == tenant_id, models.Recipe.item_id == item_id)
    ).one_or_none()
    if r is None:
        raise RecipeNotFound(f"item {item_id} has no recipe")
    if r.latest_version == 0:
        raise RecipeNotPublished(f"the recipe of item {item_id} has no published version")
    return session.scalars(
        select(models.RecipeVersion).where(
            models.RecipeVersion.recipe_id == r.id, models.RecipeVersion.version == r.latest_version
        )
    ).one()


def set_nutrition(uow: UnitOfWork, data: NutritionIn) -> None:
    uow.principal.scope(WRITE)
    get_item_ref(uow.session, uow.tenant_id, data.item_id)
    row = uow.session.scalars(
        select(models.Nutrition)
        .where(models.Nutrition.tenant_id == uow.tenant_id, models.Nutrition.item_id == data.item_id)
        .with_for_update()
    ).one_or_none()
    values: dict[str, str] = {str(k): str(v) for k, v in data.values.items()}
    if row is None:
        uow.session.add(models.Nutrition(tenant_id=uow.tenant_id, item_id=data.item_id, values=values))
    else:
        row.values = values
    uow.flush()
    uow.audit("kitchen.nutrition.set", "item", data.item_id, after=values)


def nutrition_table(session: Session, tenant_id: int) -> dict[int, dict[str, Decimal]]:
    rows = session.execute(
        select(models.Nutrition.item_id, models.Nutrition.values).where(models.Nutrition.tenant_id == tenant_id)
    )
    return {i: {k: Decimal(v) for k, v in vals.items()} for i, vals in rows}
