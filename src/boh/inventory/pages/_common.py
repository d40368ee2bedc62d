"""Shared parts of the inventory pages: the router, navigation, dashboard tile, labels and site pickers."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from boh.http.pages import N_, NavLink, form_data, page_router
from boh.inventory.pages import _read
from boh.kernel.errors import NotFound

READ, WRITE = "inventory.stock.read", "inventory.move.write"
PAGE_SIZE = 50
LIVE_PAGE = 30  # stock rows of the live page (paged; the feed shows what moves elsewhere)

router = page_router("/inventory")
NAV = [NavLink(N_("Inventory"), "/inventory/stock", READ)]
FormDep = Annotated[dict[str, str], Depends(form_data)]

ADJUST_REASONS = {
    "count_correction": N_("Count correction"),
    "found": N_("Stock found"),
    "damaged": N_("Damaged"),
    "theft": N_("Theft or loss"),
    "data_entry": N_("Data entry error"),
}
WASTE_REASONS = {
    "expired": N_("Expired"),
    "spoiled": N_("Spoiled"),
    "damaged": N_("Damaged"),
    "prep_waste": N_("Preparation waste"),
    "quality": N_("Failed quality check"),
}
MOVE_TYPES = {
    "receipt": N_("Receipt"),
    "sale": N_("Sale"),
    "return": N_("Return"),
    "transfer_out": N_("Transfer out"),
    "transfer_in": N_("Transfer in"),
    "adjustment": N_("Adjustment"),
    "waste": N_("Waste"),
    "count_variance": N_("Count variance"),
    "production_consume": N_("Production use"),
    "production_output": N_("Production output"),
    "revaluation": N_("Revaluation"),
}
LOT_STATUSES = {"available": N_("Available"), "quarantined": N_("Quarantined")}
VALUE_REASONS = {
    "cost_true_up": N_("Cost true-up (stock sold short, revalued at the receipt's cost)"),
    "migration_true_up": N_("Opening value correction"),
}
OTHER_REASONS = {
    "transfer_short": N_("Transfer arrived short"),
    "transfer_over": N_("Transfer arrived with more"),
    "transfer_damaged": N_("Transfer arrived damaged"),
    "transfer_expired": N_("Transfer arrived expired"),
    "transfer_quality": N_("Transfer failed the quality check"),
    "transfer_wrong_item": N_("Transfer sent the wrong item"),
}
LABELS = {
    "adjust": ADJUST_REASONS,
    "waste": WASTE_REASONS,
    "value": VALUE_REASONS,
    "moves": MOVE_TYPES,
    "lots": LOT_STATUSES,
    "reasons": OTHER_REASONS,
}


def int_or_none(value: str | None) -> int | None:
    return int(value) if value and value.strip().isdigit() else None


def pick_site(sites: list[_read.SiteOption], site_id: int | None) -> _read.SiteOption | None:
    """The chosen site among the caller's; the first one when none is chosen; NotFound for another."""
    if site_id is None:
        return sites[0] if sites else None
    for s in sites:
        if s.id == site_id:
            return s
    raise NotFound(f"site {site_id} not found", code="org.site_not_found")
