"""Errors of the kitchen domain, with stable codes."""

from __future__ import annotations

from boh.kernel.errors import BohError, Conflict, NotFound


class RecipeNotFound(NotFound):
    code = "kitchen.recipe_not_found"
    title = "Recipe not found"


class BatchNotFound(NotFound):
    code = "kitchen.batch_not_found"
    title = "Production batch not found"


class PlanNotFound(NotFound):
    code = "kitchen.plan_not_found"
    title = "Production plan not found"


class RecipeCycle(BohError):
    """A recipe uses itself through its components: the message names the path (A → B → A)."""

    code = "kitchen.recipe_cycle"
    status = 422
    title = "The recipe uses itself"


class RecipeNotPublished(Conflict):
    code = "kitchen.recipe_not_published"
    title = "The recipe has no published version"


class BatchClosed(Conflict):
    code = "kitchen.batch_closed"
    title = "The batch is already recorded"
