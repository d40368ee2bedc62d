"""Console pages of the cold chain under /coldchain/: the dashboard (a chart per unit, excursions marked),
the excursion decision screen, the HACCP log (printable) and the rejected readings with their replay."""

from __future__ import annotations

from boh.coldchain.pages import dashboard, deadletters, log  # noqa: F401  (registers the routes)
from boh.coldchain.pages._common import NAV, router

__all__ = ["NAV", "router"]
