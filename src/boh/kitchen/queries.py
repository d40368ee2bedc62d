"""Read models of the kitchen domain: recipe cards (cost, allergens, nutrition at a site), what-if costing,
theoretical vs actual usage per store and period, sales without a recipe, lists for the console."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from boh.catalog.api import get_item_ref
from boh.inventory.api import movements, unit_costs
from boh.kernel.tenancy import Scope
from boh.kitchen import domain, models
from boh.kitchen.schemas import (
    BatchRead,
    CostLineRead,
    RecipeCard,
    RecipeRead,
    UnmappedRead,
    UsageRow,
    WhatIfRead,
)
from boh.kitchen.service import recipes as recipe_service
from boh.org.api import get_site_ref

ZERO = Decimal(0)


def recipe_read(session: Session, row: models.Recipe) -> RecipeRead:
    ref = get_item_ref(session, row.tenant_id, row.item_id)
    return RecipeRead(
        id=row.id,
        item_id=row.item_id,
        sku=ref.sku,
        name=ref.name_en,
        latest_version=row.latest_version,
        draft=row.draft,
        active=row.active,
    )


def list_recipes(session: Session, scope: Scope) -> list[RecipeRead]:
    rows = session.scalars(
        select(models.Recipe).where(models.Recipe.tenant_id == scope.tenant_id).order_by(models.Recipe.id)
    )
    return [recipe_read(session, r) for r in rows]


def _leaf_allergens(session: Session, tenant_id: int, ids: set[int]) -> dict[int, tuple[str, ...]]:
    return {i: get_item_ref(session, tenant_id, i).allergens for i in ids}


def card(session: Session, scope: Scope, recipe_id: int, site_id: int) -> RecipeCard:
    """The recipe's current version (or its draft's item when never published: no figures) costed at a site."""
    site = get_site_ref(session, scope, site_id)
    row = recipe_service.get(session, scope.tenant_id, recipe_id)
    recipes = recipe_service.book(session, scope.tenant_id)
    read = recipe_read(session, row)
    ref = get_item_ref(session, scope.tenant_id, row.item_id)
    if row.item_id not in recipes:
        return RecipeCard(
            recipe=read,
            version_id=None,
            currency=site.currency,
            yield_qty=ZERO,
            uom=ref.base_uom,
            cost=ZERO,
            unit_cost=ZERO,
            lines=[],
            unpriced=[],
            allergens=list(ref.allergens),
            nutrition=None,
            nutrition_missing=[],
        )
    r = recipes[row.item_id]
    comps = set(domain.explode_levels(recipes, row.item_id, Decimal(1)))
    leaves = set(domain.explode(recipes, row.item_id, Decimal(1)))
    prices = unit_costs(session, scope, site_id, leaves)
    costing = domain.cost(recipes, row.item_id, r.yield_qty, prices)
    refs = {i: get_item_ref(session, scope.tenant_id, i) for i in comps | {row.item_id}}
    nutrition, missing = domain.nutrition(
        recipes, row.item_id, recipe_service.nutrition_table(session, scope.tenant_id)
    )
    has_nutrition = len(missing) < len(leaves)
    return RecipeCard(
        recipe=read,
        version_id=r.version_id,
        currency=site.currency,
        yield_qty=r.yield_qty,
        uom=ref.base_uom,
        cost=costing.total,
        unit_cost=costing.unit_cost,
        lines=[
            CostLineRead(
                item_id=ln.item_id,
                sku=refs[ln.item_id].sku,
                name=refs[ln.item_id].name_en,
                quantity=ln.quantity,
                uom=refs[ln.item_id].base_uom,
                unit_cost=ln.unit_cost,
                cost=ln.cost,
                priced=ln.priced,
            )
            for ln in costing.lines
        ],
        unpriced=list(costing.unpriced),
        allergens=domain.allergens(recipes, row.item_id, {i: refs[i].allergens for i in refs}),
        nutrition=nutrition if has_nutrition else None,
        nutrition_missing=list(missing) if has_nutrition else [],
    )


def what_if(session: Session, scope: Scope, recipe_id: int, site_id: int, changes: dict[int, Decimal]) -> WhatIfRead:
    row = recipe_service.get(session, scope.tenant_id, recipe_id)
    recipes = recipe_service.book(session, scope.tenant_id)
    leaves = set(domain.explode(recipes, row.item_id, Decimal(1)))
    prices = unit_costs(session, scope, site_id, leaves)
    r = recipes.get(row.item_id)
    qty = r.yield_qty if r else Decimal(1)
    w = domain.what_if(recipes, row.item_id, qty, prices, changes)
    return WhatIfRead(
        item_id=row.item_id, before=w.before.total, after=w.after.total, delta=w.delta, delta_pct=w.delta_pct
    )


def _bounds(tz: str, start: date, end: date) -> tuple[datetime, datetime]:
    zone = ZoneInfo(tz)
    return datetime.combine(start, time(), zone), datetime.combine(end + timedelta(days=1), time(), zone)


def usage(session: Session, scope: Scope, site_id: int, start: date, end: date) -> list[UsageRow]:
    """Per ingredient: actual usage (opening + inflow - closing from the ledger, counts included) against what
    the recipes say was sold (each sale exploded with the version it was sold with), and the variance's value
    at the current moving average. Sorted by the variance's value, largest loss first."""
    site = get_site_ref(session, scope, site_id)
    sold = session.execute(
        select(models.MenuSale.item_id, models.MenuSale.version_id, func.sum(models.MenuSale.quantity))
        .where(
            models.MenuSale.tenant_id == scope.tenant_id,
            models.MenuSale.site_id == site_id,
            models.MenuSale.day >= start,
            models.MenuSale.day <= end,
        )
        .group_by(models.MenuSale.item_id, models.MenuSale.version_id)
    ).all()
    theoretical: dict[int, Decimal] = {}
    for item_id, version_id, qty in sold:
        pinned = recipe_service.book(session, scope.tenant_id, [version_id])
        for comp, q in domain.deplete(pinned, item_id, Decimal(qty)).items():
            theoretical[comp] = theoretical.get(comp, ZERO) + q
    if not theoretical:
        return []
    t0, t1 = _bounds(site.timezone, start, end)
    moved = movements(session, scope, site_id, theoretical, t0, t1)
    costs = unit_costs(session, scope, site_id, theoretical)
    rows = []
    for item_id, theo in theoretical.items():
        ref = get_item_ref(session, scope.tenant_id, item_id)
        m = moved.get(item_id)
        opening, inflow, closing = (m.opening, m.inflow, m.closing) if m else (ZERO, ZERO, ZERO)
        actual = opening + inflow - closing
        variance = actual - theo
        unit = costs.get(item_id, ZERO)
        rows.append(
            UsageRow(
                item_id=item_id,
                sku=ref.sku,
                name=ref.name_en,
                name_zh=ref.name_zh,
                uom=ref.base_uom,
                opening=opening,
                inflow=inflow,
                closing=closing,
                actual=actual,
                theoretical=theo,
                variance=variance,
                unit_cost=unit,
                variance_value=(variance * unit).quantize(domain.MONEY_Q),
            )
        )
    return sorted(rows, key=lambda r: (-r.variance_value, r.sku))


def unmapped(session: Session, scope: Scope, site_id: int | None = None) -> list[UnmappedRead]:
    u = models.UnmappedSale
    stmt = select(u).where(u.tenant_id == scope.tenant_id).order_by(u.day.desc(), u.site_id, u.item_id)
    if site_id is not None:
        stmt = stmt.where(u.site_id == site_id)
    out = []
    for r in session.scalars(stmt.limit(500)):
        if not scope.allows_site(r.site_id):
            continue
        ref = get_item_ref(session, scope.tenant_id, r.item_id)
        out.append(
            UnmappedRead(
                site_id=r.site_id,
                day=r.day,
                item_id=r.item_id,
                sku=ref.sku,
                name=ref.name_en,
                role=r.role,
                events=r.events,
                quantity=r.quantity,
            )
        )
    return out


def batch_read(session: Session, row: models.Batch) -> BatchRead:
    ref = get_item_ref(session, row.tenant_id, row.item_id)
    v = recipe_service.version(session, row.tenant_id, row.version_id)
    return BatchRead(
        id=row.id,
        number=row.number,
        site_id=row.site_id,
        item_id=row.item_id,
        sku=ref.sku,
        name=ref.name_en,
        version_id=row.version_id,
        version=v.version,
        planned_qty=row.planned_qty,
        actual_qty=row.actual_qty,
        yield_pct=row.yield_pct,
        status=row.status,
        lot_id=row.lot_id,
        lot_code=row.lot_code,
        expiry_date=row.expiry_date,
        cost=row.cost,
        record=row.record,
        created_at=row.created_at,
    )


def list_batches(session: Session, scope: Scope, limit: int = 100) -> list[BatchRead]:
    rows = session.scalars(
        select(models.Batch)
        .where(models.Batch.tenant_id == scope.tenant_id)
        .order_by(models.Batch.id.desc())
        .limit(limit)
    )
    return [batch_read(session, r) for r in rows if scope.allows_site(r.site_id)]


def list_plans(session: Session, scope: Scope, limit: int = 50) -> list[models.Plan]:
    rows = session.scalars(
        select(models.Plan).where(models.Plan.tenant_id == scope.tenant_id).order_by(models.Plan.id.desc()).limit(limit)
    )
    return [r for r in rows if scope.allows_site(r.site_id)]
