"""Shared parts of the cold-chain pages: the router, navigation, translated labels."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import Depends

from boh.coldchain.service import READ
from boh.http.pages import N_, NavLink, form_data, page_router
from boh.kernel.tenancy import Scope
from boh.org.api import get_site_ref

router = page_router("/coldchain")
NAV = [NavLink(N_("Cold chain"), "/coldchain/", READ)]
FormDep = Annotated[dict[str, str], Depends(form_data)]

UNIT_KINDS = {"fridge": N_("Fridge"), "freezer": N_("Freezer"), "hot_holding": N_("Hot holding"),
              "vehicle": N_("Vehicle")}  # fmt: skip
EXC_KINDS = {
    "temperature": N_("Temperature excursion"),
    "humidity": N_("Humidity excursion"),
    "dropout": N_("Sensor dropout"),
}
EXC_STATUSES = {"open": N_("Open"), "reviewed": N_("Corrective action recorded")}
LOT_STATUSES = {"flagged": N_("Flagged"), "quarantined": N_("Quarantined"), "released": N_("Released"),
                "wasted": N_("Wasted")}  # fmt: skip
RECORD_KINDS = {"corrective": N_("Corrective action"), "signoff": N_("Sign-off")}
ERROR_TITLES = {
    "coldchain.already_decided": N_("The lot is not waiting for a decision"),
    "coldchain.exposure_not_found": N_("Lot exposure not found"),
}


def local_time(uow: Any) -> Callable[[datetime | None, int], datetime | None]:
    """``local(dt, site_id)``: a time in its site's timezone (what the store's people read), for the templates."""
    zones: dict[int, ZoneInfo] = {}

    def local(dt: datetime | None, site_id: int) -> datetime | None:
        if dt is None:
            return None
        if site_id not in zones:
            zones[site_id] = ZoneInfo(get_site_ref(uow.session, Scope(uow.tenant_id), site_id, cached=True).timezone)
        return dt.astimezone(zones[site_id])

    return local
