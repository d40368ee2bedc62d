"""The replenishment domain's manifest (see boh.kernel.manifest). On this branch: the policy simulation only
(sub-package ``simulation``); the replenishment core adds its own models, pages and permissions here."""

from __future__ import annotations

from boh.kernel.manifest import CliGroup, Manifest

_READ, _SIMULATE = "replenishment.read", "replenishment.simulate"

MANIFEST = Manifest(
    name="replenishment",
    summary="Order suggestions, approvals, purchase and transfer orders, and the policy simulation.",
    rank=50,  # above forecasting (its forecasts) and inventory (stock on hand and on order)
    permissions=(_READ, _SIMULATE),
    grants={"regional_manager": (_READ, _SIMULATE), "store_manager": (_READ,)},
    models=("boh.replenishment.simulation.models",),
    page_routers=("boh.replenishment.simulation.pages:router",),
    nav="boh.replenishment.simulation.pages:NAV",
    cli=(
        CliGroup(
            "replenish",
            "Replenishment: simulate policies on a demand history.",
            "boh.replenishment.simulation.cli:register",
        ),
    ),
    subpackages=("simulation",),
)
