"""Console pages of purchasing under /purchasing: orders (list, detail, the buyer's actions), receiving by
scanning (phone), the supplier's page, supplier scorecards."""

from boh.purchasing.pages import orders, receiving, scorecards, supplier  # noqa: F401  (routes register on import)
from boh.purchasing.pages._common import NAV, router

__all__ = ["NAV", "router"]
