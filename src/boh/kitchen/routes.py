"""JSON API of the kitchen domain under /api/v1/kitchen: recipes (cards with cost and allergens, what-if,
publish), nutrition, batches (open, record), production plans, usage variance and sales without a recipe."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import Query

from boh.http.deps import UowDep
from boh.http.routing import SecureRouter
from boh.kitchen import queries
from boh.kitchen.schemas import (
    BatchCreate,
    BatchRead,
    BatchRecord,
    NutritionIn,
    PlanCreate,
    PlanRead,
    RecipeCard,
    RecipeCreate,
    RecipeRead,
    RecipeUpdate,
    UnmappedRead,
    UsageRow,
    WhatIfIn,
    WhatIfRead,
)
from boh.kitchen.service import batches, plans, recipes

router = SecureRouter(prefix="/api/v1/kitchen", tags=["kitchen"])
USAGE = "kitchen.usage.read"


@router.get("/recipes", perm=recipes.READ, response_model=list[RecipeRead], summary="Recipes")
def list_recipes(uow: UowDep) -> list[RecipeRead]:
    return queries.list_recipes(uow.session, uow.principal.scope(recipes.READ))


@router.post("/recipes", perm=recipes.WRITE, status_code=201, response_model=RecipeRead, summary="Create a recipe")
def create_recipe(uow: UowDep, body: RecipeCreate) -> RecipeRead:
    row = recipes.create(uow, body)
    uow.commit()
    return queries.recipe_read(uow.session, row)


@router.put("/recipes/{recipe_id}", perm=recipes.WRITE, response_model=RecipeRead, summary="Replace the draft")
def update_recipe(uow: UowDep, recipe_id: int, body: RecipeUpdate) -> RecipeRead:
    row = recipes.update(uow, recipe_id, body)
    uow.commit()
    return queries.recipe_read(uow.session, row)


@router.post(
    "/recipes/{recipe_id}/publish",
    perm=recipes.WRITE,
    response_model=RecipeRead,
    summary="Publish the draft as a new version (refused if it closes a cycle)",
)
def publish_recipe(uow: UowDep, recipe_id: int) -> RecipeRead:
    recipes.publish(uow, recipe_id)
    uow.commit()
    return queries.recipe_read(uow.session, recipes.get(uow.session, uow.tenant_id, recipe_id))


@router.get(
    "/recipes/{recipe_id}/card",
    perm=recipes.READ,
    response_model=RecipeCard,
    summary="Cost (current moving averages at the site), allergens and nutrition",
)
def recipe_card(uow: UowDep, recipe_id: int, site_id: Annotated[int, Query()]) -> RecipeCard:
    return queries.card(uow.session, uow.principal.scope(recipes.READ), recipe_id, site_id)


@router.post(
    "/recipes/{recipe_id}/what-if",
    perm=recipes.READ,
    response_model=WhatIfRead,
    summary="The recipe's cost if some ingredients' unit costs changed",
)
def what_if(uow: UowDep, recipe_id: int, body: WhatIfIn) -> WhatIfRead:
    return queries.what_if(uow.session, uow.principal.scope(recipes.READ), recipe_id, body.site_id, dict(body.prices))


@router.put("/nutrition", perm=recipes.WRITE, status_code=204, summary="Set an ingredient's nutrition per base unit")
def set_nutrition(uow: UowDep, body: NutritionIn) -> None:
    recipes.set_nutrition(uow, body)
    uow.commit()


@router.get("/batches", perm=batches.READ, response_model=list[BatchRead], summary="Production batches, newest first")
def list_batches(uow: UowDep) -> list[BatchRead]:
    return queries.list_batches(uow.session, uow.principal.scope(batches.READ))


@router.post("/batches", perm=batches.WRITE, status_code=201, response_model=BatchRead, summary="Open a batch")
def open_batch(uow: UowDep, body: BatchCreate) -> BatchRead:
    row = batches.open_batch(uow, body)
    uow.commit()
    return queries.batch_read(uow.session, row)


@router.get("/batches/{batch_id}", perm=batches.READ, response_model=BatchRead, summary="A batch")
def get_batch(uow: UowDep, batch_id: int) -> BatchRead:
    return queries.batch_read(uow.session, batches.get(uow, batch_id))


@router.post(
    "/batches/{batch_id}/record",
    perm=batches.WRITE,
    response_model=BatchRead,
    summary="Record what the batch used and made (posts through the inventory ledger)",
)
def record_batch(uow: UowDep, batch_id: int, body: BatchRecord) -> BatchRead:
    row = batches.record(uow, batch_id, body)
    uow.commit()
    return queries.batch_read(uow.session, row)


def _plan(row: object) -> PlanRead:
    return PlanRead.model_validate(row, from_attributes=True)


@router.post(
    "/plans",
    perm=plans.WRITE,
    status_code=201,
    response_model=PlanRead,
    summary="Solve a production plan (CP-SAT); an infeasible one names its conflicting constraints",
)
def create_plan(uow: UowDep, body: PlanCreate) -> PlanRead:
    row = plans.create(uow, body)
    uow.commit()
    return _plan(row)


@router.get("/plans/{production_plan_id}", perm=plans.READ, response_model=PlanRead, summary="A production plan")
def get_plan(uow: UowDep, production_plan_id: int) -> PlanRead:
    return _plan(plans.get(uow, production_plan_id))


@router.get(
    "/usage",
    perm=USAGE,
    response_model=list[UsageRow],
    summary="Theoretical vs actual usage per ingredient at a store over a period, with the variance's value",
)
def usage(uow: UowDep, site_id: int, start: date, end: date) -> list[UsageRow]:
    return queries.usage(uow.session, uow.principal.scope(USAGE), site_id, start, end)


@router.get(
    "/unmapped", perm=USAGE, response_model=list[UnmappedRead], summary="POS items and modifiers sold without a recipe"
)
def unmapped(uow: UowDep, site_id: int | None = None) -> list[UnmappedRead]:
    return queries.unmapped(uow.session, uow.principal.scope(USAGE), site_id)
