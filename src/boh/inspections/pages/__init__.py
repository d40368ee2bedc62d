"""Console pages of inspections under /inspections."""

from __future__ import annotations

from boh.inspections.pages._common import NAV, router, tiles

__all__ = ["NAV", "router", "tiles"]
