"""Move history people can read: who did it (a user's or a device key's name, never ``api_key:2``), the
document behind it as words with a link where the console has a page for it (never ``floor_sale
SH01-4-…``), and the running balance after each move."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from boh.http.i18n import gettext_ as _
from boh.http.pages import N_
from boh.inventory.models import Move
from boh.inventory.schemas import MoveRead
from boh.org.api import actor_names

ZERO = Decimal(0)
SOURCES = {
    "floor_sale": N_("Till sale"),
    "floor_return": N_("Till return"),
    "floor_rfid": N_("RFID read"),
    "floor_weight": N_("Weight shelf"),
    "demo_pos": N_("Till sale"),
    "pos_sale": N_("Till sale"),
    "incoming": N_("Purchase order receipt"),
    "receipt": N_("Goods receipt"),
    "transfer": N_("Transfer"),
    "inventory_count": N_("Stocktake"),
    "reservation": N_("Reserved order shipped"),
    "reversal": N_("Correction of an earlier move"),
    "demo_opening": N_("Opening stock"),
    "demo_delivery": N_("Delivery"),
}


@dataclass(frozen=True)
class HistoryRow:
    move: MoveRead
    actor: str
    source: str  # words
    link: str  # "" when the console has no page for the document
    balance: Decimal  # on hand after this move (all lots of the item at the site)


def _source(m: MoveRead) -> tuple[str, str]:
    kind = m.source_type or ""
    label = _(SOURCES[kind]) if kind in SOURCES else (_("Entered by hand") if not kind else kind.replace("_", " "))
    if kind == "inventory_count" and (m.source_id or "").isdigit():
        return f"{label} #{m.source_id}", f"/inventory/counts/{m.source_id}"
    if kind == "transfer":
        transfer_id = m.source_id if m.move_type == "transfer_in" else str(m.id)
        return label, f"/inventory/transfers/{transfer_id}" if (transfer_id or "").isdigit() else ""
    if kind == "receipt" and m.source_id:
        return f"{label} {m.source_id}", ""
    return label, ""


def _actor(actor: str, names: dict[str, str]) -> str:
    if actor in names:
        return names[actor]
    if actor.startswith("system"):
        return _("the system")
    return _("someone no longer known")


def history(
    session: Session, tenant_id: int, site_id: int, item_id: int, moves: Sequence[MoveRead], offset: int
) -> list[HistoryRow]:
    """``moves`` are a page of the item's moves at the site, newest first (event time, then id), starting at
    ``offset``: each gets the on hand after it, from the current on hand less the newer moves."""
    where = (Move.tenant_id == tenant_id, Move.site_id == site_id, Move.item_id == item_id)
    now = session.scalar(select(func.coalesce(func.sum(Move.quantity), 0)).where(*where))
    newer = ZERO
    if offset:
        page = select(Move.quantity).where(*where).order_by(Move.event_at.desc(), Move.id.desc()).limit(offset)
        sub = page.subquery()
        newer = Decimal(session.scalar(select(func.coalesce(func.sum(sub.c.quantity), 0))) or 0)
    balance = Decimal(now or 0) - newer
    names = actor_names(session, tenant_id, {m.actor for m in moves})
    out = []
    for m in moves:
        source, link = _source(m)
        out.append(HistoryRow(m, _actor(m.actor, names), source, link, balance))
        balance -= m.quantity
    return out


@dataclass(frozen=True)
class LogRow:
    move: MoveRead
    actor: str
    source: str
    link: str


def log(session: Session, tenant_id: int, moves: Sequence[MoveRead]) -> list[LogRow]:
    """A page of a site's moves of any items (the moves page): who and which document, without balances."""
    names = actor_names(session, tenant_id, {m.actor for m in moves})
    return [LogRow(m, _actor(m.actor, names), *_source(m)) for m in moves]
