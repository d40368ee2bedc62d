"""Console pages of inspections under /inspections: the caller's day, the mobile inspection flow (offline
queue in static/inspections-visit.js), the action inbox, the template builder, the plan calendar and the
analytics dashboard; ``report`` renders an inspection's PDF."""

from __future__ import annotations

from boh.inspections.pages import actions, analytics, home, plans, templates, visits
from boh.inspections.pages._common import NAV, router, tiles

__all__ = ["NAV", "actions", "analytics", "home", "plans", "router", "templates", "tiles", "visits"]
