"""The replenishment domain's manifest (see boh.kernel.manifest): order suggestions, review, approvals and
automatic ordering (the core), and the policy simulation (sub-package ``simulation``)."""

from __future__ import annotations

from boh.kernel.manifest import CliGroup, Manifest

_READ, _RUN, _REVIEW = "replenishment.read", "replenishment.run", "replenishment.review"
_APPROVE, _RULES, _SIMULATE = "replenishment.approve", "replenishment.rules", "replenishment.simulate"
_ALL = (_READ, _RUN, _REVIEW, _APPROVE, _RULES, _SIMULATE)

MANIFEST = Manifest(
    name="replenishment",
    summary="Explained order suggestions per site x item, review, approvals, automatic ordering under rules, and "
    "the policy simulation on a real demand history.",
    rank=50,  # above forecasting, kitchen, inventory, catalog (and purchasing, rank 40)
    permissions=_ALL,
    grants={
        "store_manager": (_READ, _REVIEW),
        "regional_manager": (_READ, _REVIEW, _APPROVE, _SIMULATE),
        "buyer": (_READ, _RUN, _REVIEW, _APPROVE, _RULES, _SIMULATE),
    },
    models=("boh.replenishment.models", "boh.replenishment.simulation.models"),
    api_routers=("boh.replenishment.routes:router",),
    page_routers=("boh.replenishment.pages:router", "boh.replenishment.simulation.pages:router"),
    nav="boh.replenishment.pages:NAV",
    cli=(
        CliGroup(
            "replenish",
            "Replenishment: suggestion runs, escalations, policy simulation.",
            "boh.replenishment.cli:register",
        ),
    ),
    jobs="boh.replenishment.tasks:JOBS",
    today="boh.replenishment.pages.today:today_parts",
    subpackages=("simulation",),
)
