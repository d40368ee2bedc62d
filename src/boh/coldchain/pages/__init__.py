"""Console pages of the cold chain under /coldchain/: the dashboard (a chart per unit, excursions marked),
the excursion decision screen and the HACCP log (printable)."""

from __future__ import annotations

from boh.coldchain.pages import dashboard, log  # noqa: F401  (registers the routes)
from boh.coldchain.pages._common import NAV, router

__all__ = ["NAV", "router"]
