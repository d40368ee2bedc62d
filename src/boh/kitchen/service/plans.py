"""Production plans of a central kitchen: the stores' demand (orders and forecasts, as rows) exploded through
the recipes, netted against usable stock and open batches (work in progress), solved with CP-SAT under the
stations' minutes per day, batch sizes, shelf lives and the delivery days (planner.py). An infeasible plan
is stored with the constraints that make it so, in words."""

from __future__ import annotations

import math
from datetime import timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from boh.catalog.api import get_item_ref
from boh.inventory.api import stock_levels
from boh.kernel.uow import UnitOfWork
from boh.kitchen import domain, models, planner
from boh.kitchen.errors import PlanNotFound
from boh.kitchen.schemas import PlanCreate
from boh.kitchen.service.recipes import book
from boh.org.api import get_site_ref

READ, WRITE = "kitchen.plan.read", "kitchen.plan.write"
WHOLE = frozenset({"each", "portion"})


def _scale(uom: str) -> int:
    """Planning units per base unit: whole units as they are, kg/L/m in thousandths (g, mL, mm)."""
    return 1 if uom in WHOLE else 1000


def create(uow: UnitOfWork, data: PlanCreate) -> models.Plan:
    scope = uow.principal.scope(WRITE)
    get_site_ref(uow.session, scope, data.site_id)
    recipes = book(uow.session, uow.tenant_id)
    made = {i: r for i, r in recipes.items() if r.station}
    refs = {i: get_item_ref(uow.session, uow.tenant_id, i) for i in {*made, *(d.item_id for d in data.demand)}}
    scale = {i: _scale(r.base_uom) for i, r in refs.items()}
    stock = stock_levels(uow.session, scope, data.site_id, made)
    wip = _wip(uow, data.site_id, made)
    items = {
        i: planner.PlanItem(
            i,
            r.station,
            batch_size=max(1, int(r.batch_size * scale[i])),
            minutes_per_batch=r.minutes_per_batch,
            max_batches=r.max_batches,
            shelf_life_days=r.shelf_life_days or refs[i].shelf_life_days,
            components=tuple(
                (c, math.ceil(q * scale[c])) for c, q in domain.direct_needs(r, r.batch_size).items() if c in made
            ),
            stock=max(0, int(stock[i].available * scale[i])) if i in stock else 0,
            wip={0: int(wip[i] * scale[i])} if i in wip else {},
            name=refs[i].sku,
        )
        for i, r in made.items()
    }
    demand = [
        planner.DemandRow(
            d.item_id,
            (d.delivery_date - data.start).days,
            math.ceil(d.quantity * scale[d.item_id]),
            store=str(d.store_id) if d.store_id else None,
            source=d.source,
        )
        for d in data.demand
        if d.item_id in made and 0 <= (d.delivery_date - data.start).days < data.days
    ]
    capacity = {s: [m] * data.days for s, m in data.capacity.items()}
    for r in made.values():
        capacity.setdefault(r.station or "", [0] * data.days)
    result = planner.solve(
        items, demand, capacity, days=data.days, lead_days=data.lead_days, time_limit_s=data.time_limit_s
    )
    lines = [
        {
            "item_id": ln.item_id,
            "sku": refs[ln.item_id].sku,
            "day": (data.start + timedelta(days=ln.day)).isoformat(),
            "batches": ln.batches,
            "quantity": str(Decimal(ln.quantity) / scale[ln.item_id]),
            "uom": refs[ln.item_id].base_uom,
            "station": ln.station,
            "minutes": ln.minutes,
        }
        for ln in result.lines
    ]
    row = models.Plan(
        tenant_id=uow.tenant_id,
        site_id=data.site_id,
        start=data.start,
        days=data.days,
        status=result.status,
        settings={"capacity": data.capacity, "lead_days": data.lead_days, "demand_rows": len(data.demand)},
        lines=lines,
        conflicts=[_words(c, refs, data, capacity) for c in result.conflicts],
        figures={
            "objective": result.objective,
            "bound": result.bound,
            "gap_pct": result.gap_pct,
            "first_feasible_s": result.first_feasible_s,
            "solve_s": result.solve_s,
        },
        created_by=uow.principal.actor,
    )
    uow.session.add(row)
    uow.flush()
    uow.audit("kitchen.plan.create", "plan", row.id, after={"status": row.status, "lines": len(lines)})
    return row


def _wip(uow: UnitOfWork, site_id: int, items: dict[int, domain.Recipe]) -> dict[int, Decimal]:
    rows = uow.session.execute(
        select(models.Batch.item_id, models.Batch.planned_qty).where(
            models.Batch.tenant_id == uow.tenant_id, models.Batch.site_id == site_id, models.Batch.status == "open"
        )
    )
    out: dict[int, Decimal] = {}
    for item, qty in rows:
        if item in items:
            out[item] = out.get(item, Decimal(0)) + qty
    return out


def _words(name: str, refs: dict[int, Any], data: PlanCreate, capacity: dict[str, list[int]]) -> str:
    kind, _, rest = name.partition(":")
    if kind == "capacity":
        station, day = rest.rsplit(":", 1)
        when = data.start + timedelta(days=int(day))
        return f"capacity of station {station} on {when} ({capacity[station][int(day)]} min)"
    if kind == "shelf_life":
        ref = refs[int(rest)]
        return f"shelf life of {ref.sku}"
    item, day = rest.split(":")
    return f"demand of {refs[int(item)].sku} due {data.start + timedelta(days=int(day))}"


def get(uow: UnitOfWork, plan_id: int) -> models.Plan:
    scope = uow.principal.scope(READ)
    row = uow.session.scalars(
        select(models.Plan).where(models.Plan.id == plan_id, models.Plan.tenant_id == uow.tenant_id)
    ).one_or_none()
    if row is None or not scope.allows_site(row.site_id):
        raise PlanNotFound(f"plan {plan_id} not found")
    return row
