"""The kitchen domain's manifest (see boh.kernel.manifest)."""

from __future__ import annotations

from boh.kernel.manifest import Manifest

_R_READ, _R_WRITE = "kitchen.recipe.read", "kitchen.recipe.write"
_B_READ, _B_WRITE = "kitchen.batch.read", "kitchen.batch.write"
_P_READ, _P_WRITE = "kitchen.plan.read", "kitchen.plan.write"
_USAGE = "kitchen.usage.read"
_ALL = (_R_READ, _R_WRITE, _B_READ, _B_WRITE, _P_READ, _P_WRITE, _USAGE)

MANIFEST = Manifest(
    name="kitchen",
    summary="Recipes and food cost, POS depletion through recipes, central kitchen batches and production plans.",
    rank=40,  # above inventory (it posts through inventory.api and registers inventory's depletion rule)
    permissions=_ALL,
    grants={
        "regional_manager": (_R_READ, _B_READ, _P_READ, _USAGE),
        "store_manager": (_R_READ, _B_READ, _P_READ, _USAGE),
        "store_staff": (_R_READ, _B_READ),
    },
    models=("boh.kitchen.models",),
    api_routers=("boh.kitchen.routes:router",),
    page_routers=("boh.kitchen.pages:router",),
    nav="boh.kitchen.pages:NAV",
    events="boh.kitchen.handlers:subscribe",
)
