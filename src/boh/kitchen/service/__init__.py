"""Use cases of the kitchen domain: recipes (recipes.py), production batches (batches.py), production
plans (plans.py). Services take the caller's unit of work first and never commit."""

from boh.kitchen.service import batches, plans, recipes

__all__ = ["batches", "plans", "recipes"]
