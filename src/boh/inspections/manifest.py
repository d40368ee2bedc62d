"""The inspections domain's manifest (see boh.kernel.manifest)."""

from __future__ import annotations

from boh.kernel.manifest import CliGroup, Manifest

_T_READ, _T_WRITE = "inspections.template.read", "inspections.template.write"
_P_READ, _P_WRITE = "inspections.plan.read", "inspections.plan.write"
_V_READ, _V_WRITE = "inspections.visit.read", "inspections.visit.write"
_A_READ, _A_WRITE, _A_REVIEW = "inspections.action.read", "inspections.action.write", "inspections.action.review"
_ANALYTICS, _SETTINGS = "inspections.analytics.read", "inspections.settings.write"
_ALL = (_T_READ, _T_WRITE, _P_READ, _P_WRITE, _V_READ, _V_WRITE, _A_READ, _A_WRITE, _A_REVIEW, _ANALYTICS, _SETTINGS)

MANIFEST = Manifest(
    name="inspections",
    summary="Checklist templates, inspection plans, verified visits, corrective actions and their analytics.",
    rank=30,  # the row of inventory: independent of it (its facts arrive as events, by topic)
    permissions=_ALL,
    grants={
        "regional_manager": (_T_READ, _P_READ, _P_WRITE, _V_READ, _A_READ, _A_REVIEW, _ANALYTICS),
        "store_manager": (_T_READ, _V_READ, _V_WRITE, _A_READ, _A_WRITE, _ANALYTICS),
        "store_staff": (_T_READ, _V_READ, _A_READ, _A_WRITE),
        "inspector": (_T_READ, _P_READ, _V_READ, _V_WRITE, _A_READ, _A_REVIEW, _ANALYTICS),
    },
    models=("boh.inspections.models",),
    api_routers=("boh.inspections.routes:router",),
    page_routers=("boh.inspections.pages:router",),
    nav="boh.inspections.pages:NAV",
    tiles="boh.inspections.pages:tiles",
    cli=(CliGroup("inspections", "Inspection plans, escalation and checks.", "boh.inspections.cli:register"),),
    jobs="boh.inspections.tasks:JOBS",
    events="boh.inspections.handlers:subscribe",
)
