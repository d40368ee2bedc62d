"""Shared parts of the inspection pages: the router, navigation, dashboard tiles and labels."""

from __future__ import annotations

from typing import Any

from boh.http.i18n import gettext_ as _
from boh.http.pages import N_, NavLink, Tile, page_router
from boh.inspections.service import V_READ

router = page_router("/inspections")
NAV = [NavLink(N_("Inspections"), "/inspections/", V_READ)]


def tiles(uow: Any) -> list[Tile]:
    if not uow.principal.can(V_READ):
        return []
    return [Tile(_("Inspections"), 0, "/inspections/")]
