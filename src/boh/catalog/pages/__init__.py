"""Console pages of the catalog domain: items (list, create, edit, import, export) and suppliers with
the items they sell (list, create, edit, import of suppliers and of supplier items, export)."""

from __future__ import annotations

from boh.catalog.pages import items, suppliers
from boh.catalog.pages._common import NAV, router, tiles

__all__ = ["NAV", "items", "router", "suppliers", "tiles"]
