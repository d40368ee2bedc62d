"""The kitchen domain: recipes and food cost, and central kitchen production.

Owns: kitchen_recipe, kitchen_recipe_version, kitchen_nutrition, kitchen_menu_sale, kitchen_unmapped_sale,
kitchen_batch, kitchen_plan.

- Recipes of several levels (sauce → dish → meal) with trim loss per line and a yield per step, quantities
  converted exactly with the catalog's unit tables, allergens (EU 14) and optional nutrition rolled up, cost
  rolled up from the inventory's moving averages with a what-if; versioned (domain.py, service/recipes.py).
- POS sales deplete ingredients through the recipes in the ingestion's transaction: the kitchen registers
  its ``DepletionRule`` with inventory (depletion.py, handlers.py); items and modifiers sold without a recipe
  are reported. Theoretical vs actual usage per store and period (queries.usage).
- Production batches post through ``boh.inventory.api.produce`` (service/batches.py); production plans are
  solved with OR-Tools CP-SAT (planner.py, service/plans.py).

Api: boh.kitchen.api (explode, recipe_items, DemandRow). Publishes no events yet; consumes none.
"""
