"""What the inventory domain tells people (boh.notify): a suspected shrink (a tag left the shop without a
sale) to the managers of the store, once per alert (the outbox may deliver the event twice)."""

from __future__ import annotations

from sqlalchemy import select

from boh.catalog.api import item_view
from boh.http.pages import N_
from boh.inventory.ingest.events import ShrinkSuspected
from boh.kernel.events import Event
from boh.kernel.uow import UnitOfWork
from boh.notify.api import notify
from boh.org.api import site_view

SHRINK = N_("%(item)s left %(site)s through the exit without a sale")
_item = item_view()
_site = site_view()


def tell_shrink(uow: UnitOfWork, event: Event) -> None:
    if not isinstance(event, ShrinkSuspected):
        return
    item = uow.session.execute(
        select(_item.c.sku, _item.c.name_en, _item.c.name_zh).where(_item.c.id == event.item_id)
    ).first()
    site = uow.session.execute(
        select(_site.c.code, _site.c.name, _site.c.name_zh).where(_site.c.id == event.site_id)
    ).first()
    params = {
        "item": {"en": f"{item[0]} {item[1]}", "zh": f"{item[0]} {item[2] or item[1]}"} if item else "?",
        "site": {"en": f"{site[0]} {site[1]}", "zh": f"{site[0]} {site[2] or site[1]}"} if site else "?",
    }
    notify(uow, kind="shrink_alert", message=SHRINK, params=params, roles=["store_manager"], site_id=event.site_id,
           link=f"/inventory/alerts?site_id={event.site_id}", dedupe_key=f"alert:{event.alert_id}")  # fmt: skip
