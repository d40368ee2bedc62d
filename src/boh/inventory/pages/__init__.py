"""Console pages of the inventory domain under /inventory: stock by site (filters, live updates over the
balance stream), an item's move history, adjustment and waste entry with reason codes, transfers (ship,
receive) and floor alerts."""

from __future__ import annotations

from boh.inventory.pages import forms, stock
from boh.inventory.pages._common import NAV, router

__all__ = ["NAV", "forms", "router", "stock"]
