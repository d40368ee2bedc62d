"""The live page's feed: the newest stock events of a site in words (what sold, what was received, which tag
left the shop), polled by htmx every second from a cursor so each event is sent once; new entries are
inserted at the top of the feed (an out-of-band swap) and the poller replaces itself with the new cursor."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from fastapi import Request
from fastapi.responses import HTMLResponse
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from boh.catalog.api import item_view
from boh.http.deps import UowDep
from boh.http.templating import render
from boh.inventory.ingest.models import Alert
from boh.inventory.models import Move
from boh.inventory.pages._common import LABELS, READ, router
from boh.inventory.pages.history import SOURCES
from boh.kernel.errors import NotFound

FEED_SIZE = 20
_item = item_view()


@dataclass(frozen=True)
class FeedEntry:
    key: str  # "m<id>" or "a<id>"
    at: datetime
    kind: str  # a move type, or "tag_left"
    source: str  # a msgid of history.SOURCES or ""
    sku: str
    name_en: str
    name_zh: str | None
    quantity: Decimal | None
    uom: str


@dataclass(frozen=True)
class Feed:
    entries: list[FeedEntry]  # newest first
    after: int  # the highest move id seen
    after_alert: int


def feed(session: Session, tenant_id: int, site_id: int, after: int | None, after_alert: int | None) -> Feed:
    """The site's moves and alerts newer than the cursors (the newest FEED_SIZE of each when a cursor is None)."""
    mq = (
        select(Move.id, Move.event_at, Move.move_type, Move.source_type, Move.quantity, _item.c.sku, _item.c.name_en,
               _item.c.name_zh, _item.c.base_uom)
        .join(_item, _item.c.id == Move.item_id)
        .where(Move.tenant_id == tenant_id, Move.site_id == site_id)
        .order_by(Move.id.desc())
        .limit(FEED_SIZE)
    )  # fmt: skip
    aq = (
        select(Alert.id, Alert.raised_at, _item.c.sku, _item.c.name_en, _item.c.name_zh)
        .outerjoin(_item, _item.c.id == Alert.item_id)
        .where(Alert.tenant_id == tenant_id, Alert.site_id == site_id, Alert.kind == "shrink")
        .order_by(Alert.id.desc())
        .limit(FEED_SIZE)
    )
    if after is not None:
        mq = mq.where(Move.id > after)
    if after_alert is not None:
        aq = aq.where(Alert.id > after_alert)
    moves, alerts = session.execute(mq).all(), session.execute(aq).all()
    entries = [FeedEntry(f"m{i}", at, t, SOURCES.get(src or "", ""), sku, en, zh, q, uom)
               for i, at, t, src, q, sku, en, zh, uom in moves]  # fmt: skip
    entries += [
        FeedEntry(f"a{i}", at, "tag_left", "", sku or "", en or "", zh, None, "") for i, at, sku, en, zh in alerts
    ]
    entries.sort(key=lambda e: e.at, reverse=True)
    high = max([int(m[0]) for m in moves], default=after or 0)
    if after is None and not moves:
        high = int(session.scalar(select(func.coalesce(func.max(Move.id), 0)).where(Move.tenant_id == tenant_id)) or 0)
    high_alert = max([int(a[0]) for a in alerts], default=after_alert or 0)
    return Feed(entries[:FEED_SIZE], high, high_alert)


@router.get("/live/feed", perm=READ)
def live_feed(request: Request, uow: UowDep, site_id: int, after: int = 0, after_alert: int = 0) -> HTMLResponse:
    """New feed entries since the cursors (htmx polls it every second)."""
    scope = uow.principal.scope(READ)
    if not scope.allows_site(site_id):
        raise NotFound(f"site {site_id} not found", code="org.site_not_found")
    f = feed(uow.session, scope.tenant_id, site_id, after, after_alert)
    ctx = {"feed": f, "site_id": site_id, "labels": LABELS, "oob": True}
    return render(request, "inventory/_live_feed.html", ctx)
