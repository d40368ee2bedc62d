"""JSON API of inspections under /api/v1/inspections: one router made of each area's."""

from __future__ import annotations

from boh.http.routing import SecureRouter
from boh.inspections.routes import actions, analytics, plans, templates, visits

router = SecureRouter()
for _area in (templates, plans, visits, actions, analytics):
    router.include_router(_area.router)

__all__ = ["router"]
