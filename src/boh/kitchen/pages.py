"""Console pages of the kitchen domain (filled in below)."""

from __future__ import annotations

from boh.http.pages import N_, NavLink, page_router

router = page_router("/kitchen")
NAV = [NavLink(N_("Kitchen"), "/kitchen/", "kitchen.recipe.read")]
