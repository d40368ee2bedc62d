"""The purchasing domain's manifest (see boh.kernel.manifest)."""

from __future__ import annotations

from boh.kernel.manifest import Manifest

_READ, _WRITE, _APPROVE = "purchasing.order.read", "purchasing.order.write", "purchasing.order.approve"
_RECEIVE, _RESPOND, _SCORE = "purchasing.receive", "purchasing.supplier.respond", "purchasing.scorecard.read"

MANIFEST = Manifest(
    name="purchasing",
    summary="Purchase and transfer orders, supplier responses and shipping notices, goods receipts, scorecards.",
    rank=40,  # above catalog (suppliers, terms) and inventory (puts lines on order, posts receipts through it)
    permissions=(_READ, _WRITE, _APPROVE, _RECEIVE, _RESPOND, _SCORE),
    grants={
        "regional_manager": (_READ, _WRITE, _APPROVE, _SCORE),
        "store_manager": (_READ, _WRITE, _APPROVE, _RECEIVE, _SCORE),
        "store_staff": (_READ, _RECEIVE),
        "buyer": (_READ, _WRITE, _APPROVE, _SCORE),
        "accountant": (_READ, _SCORE),
        # a supplier user sees only its own supplier's purchase orders (Scope.supplier_id)
        "supplier": (_READ, _RESPOND),
    },
    models=("boh.purchasing.models",),
    api_routers=("boh.purchasing.routes:router",),
    page_routers=("boh.purchasing.pages:router",),
    nav="boh.purchasing.pages:NAV",
    today="boh.purchasing.pages.today:today_parts",
    events="boh.purchasing.handlers:subscribe",
)
