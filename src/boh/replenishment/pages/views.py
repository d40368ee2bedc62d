"""Console pages of replenishment (see the package docstring)."""

from __future__ import annotations

from boh.http.pages import N_, NavLink, page_router
from boh.replenishment.service import READ

router = page_router("/replenishment")
NAV = [NavLink(N_("Ordering"), "/replenishment/", READ)]
