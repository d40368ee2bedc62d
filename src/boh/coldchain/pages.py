"""Console pages of the cold chain under /coldchain/."""

from __future__ import annotations

from boh.http.pages import N_, NavLink, page_router

router = page_router("/coldchain")
NAV = [NavLink(N_("Cold chain"), "/coldchain/", "coldchain.unit.read")]
