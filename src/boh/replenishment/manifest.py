"""The replenishment domain's manifest (see boh.kernel.manifest)."""

from __future__ import annotations

from boh.kernel.manifest import CliGroup, Manifest

_READ, _RUN, _REVIEW = "replenishment.read", "replenishment.run", "replenishment.review"
_APPROVE, _RULES = "replenishment.approve", "replenishment.rules"
_ALL = (_READ, _RUN, _REVIEW, _APPROVE, _RULES)

MANIFEST = Manifest(
    name="replenishment",
    summary="Explained order suggestions per site x item, review, approvals and automatic ordering under rules.",
    rank=50,  # above forecasting, kitchen, inventory, catalog (and purchasing, rank 40)
    permissions=_ALL,
    grants={
        "store_manager": (_READ, _REVIEW),
        "regional_manager": (_READ, _REVIEW, _APPROVE),
        "buyer": (_READ, _RUN, _REVIEW, _APPROVE, _RULES),
    },
    models=("boh.replenishment.models",),
    api_routers=("boh.replenishment.routes:router",),
    page_routers=("boh.replenishment.pages:router",),
    nav="boh.replenishment.pages:NAV",
    cli=(CliGroup("replenish", "Replenishment: suggestion runs, escalations.", "boh.replenishment.cli:register"),),
    jobs="boh.replenishment.tasks:JOBS",
)
