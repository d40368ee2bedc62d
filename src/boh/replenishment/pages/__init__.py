"""Console pages of replenishment: suggestion review (phone first), approval inbox, rules."""

from __future__ import annotations

from boh.replenishment.pages import settings as _settings  # noqa: F401  (registers /replenishment/settings)
from boh.replenishment.pages.views import NAV, router

__all__ = ["NAV", "router"]
