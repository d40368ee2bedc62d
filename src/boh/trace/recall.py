"""Recalls: from lots (or a supplier and a date range) find every affected lot and site with what is on hand,
sold, wasted and in transit (a full forward trace), block the lots at once (inventory lot holds, source
``recall``), tell the affected stores (in-app and e-mail through the notify domain), record each store's
confirmation of removal and close with a report. A mock recall runs the same flow without blocking (a
drill: the stores are told it is one)."""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from boh.catalog.api import item_view
from boh.inventory import api as inventory
from boh.kernel.clock import utcnow
from boh.kernel.errors import FieldError, ValidationFailed
from boh.kernel.tenancy import Scope
from boh.kernel.uow import UnitOfWork
from boh.notify.api import notify
from boh.org.api import site_view
from boh.trace import notices
from boh.trace.errors import NothingToRecall, RecallClosed, RecallNotFound
from boh.trace.events import RecallClosed as RecallClosedEvent
from boh.trace.events import RecallStarted
from boh.trace.genealogy import Position, Trace, trace
from boh.trace.models import Recall, RecallLot, RecallSite
from boh.trace.source import LedgerSource

READ, WRITE, CONFIRM = "trace.read", "trace.recall.write", "trace.recall.confirm"
ZERO = Decimal(0)
_site = site_view()
_item = item_view()


@dataclass(frozen=True)
class Origin:
    lot_ids: tuple[int, ...] = ()
    supplier_id: int | None = None
    start: datetime | None = None
    end: datetime | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "lot_ids": list(self.lot_ids), "supplier_id": self.supplier_id,
            "start": self.start.isoformat() if self.start else None, "end": self.end.isoformat() if self.end else None,
        }  # fmt: skip


def origin_lots(session: Session, tenant_id: int, origin: Origin) -> list[int]:
    lots = set(origin.lot_ids)
    if origin.supplier_id is not None:
        if origin.start is None or origin.end is None:
            raise ValidationFailed([FieldError(("start",), "a supplier recall needs a date range", "trace.no_range")])
        lots |= set(inventory.supplier_lots(session, tenant_id, origin.supplier_id, start=origin.start, end=origin.end))
    return sorted(lots)


def affected(session: Session, tenant_id: int, lot_ids: Iterable[int]) -> Trace:
    """Every lot made from these lots (a full forward trace), with their moves."""
    return trace(LedgerSource(session, tenant_id), lot_ids, "forward")


def _number(session: Session, tenant_id: int, mock: bool) -> str:
    n = session.scalar(select(func.count()).select_from(Recall).where(Recall.tenant_id == tenant_id)) or 0
    return f"{'MR' if mock else 'RC'}-{n + 1:05d}"


def _sites(session: Session, tenant_id: int, ids: Iterable[int]) -> dict[int, Any]:
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    rows = session.execute(select(_site).where(_site.c.tenant_id == tenant_id, _site.c.id.in_(wanted)))
    return {r.id: r for r in rows}


def _touched(p: Position) -> bool:
    return any(v != 0 for v in (p.on_hand, p.sold, p.wasted, p.in_transit, p.consumed))


def start(uow: UnitOfWork, origin: Origin, *, reason: str, mock: bool = False) -> Recall:
    """Open a recall (or a mock recall): find, block (not a mock), notify. Raises NothingToRecall when no lot
    matches the origin."""
    scope = uow.principal.scope(WRITE)
    began = time.perf_counter()
    if not reason.strip():
        raise ValidationFailed([FieldError(("reason",), "a recall needs a reason", "trace.reason_required")])
    s = uow.session
    roots = origin_lots(s, scope.tenant_id, origin)
    facts = inventory.lot_facts(s, scope.tenant_id, roots)
    roots = [i for i in roots if i in facts]
    if not roots:
        raise NothingToRecall("no lot matches the recall's origin")
    found = affected(s, scope.tenant_id, roots)
    facts = inventory.lot_facts(s, scope.tenant_id, found.lots)
    positions = [p for p in found.positions() if _touched(p)]
    r = Recall(
        tenant_id=scope.tenant_id, number=_number(s, scope.tenant_id, mock), mock=mock, status="open",
        reason=reason[:500], origin=origin.as_json(), summary={}, created_by=uow.principal.actor,
    )  # fmt: skip
    s.add(r)
    uow.flush()
    s.add_all(
        RecallLot(recall_id=r.id, lot_id=lot, item_id=facts[lot].item_id, lot_code=facts[lot].lot_code, depth=d)
        for lot, d in sorted(found.depth.items())
        if lot in facts
    )
    s.add_all(
        RecallSite(recall_id=r.id, site_id=p.site_id, lot_id=p.lot_id, on_hand=p.on_hand, sold=p.sold,
                   wasted=p.wasted, in_transit=p.in_transit)
        for p in positions
    )  # fmt: skip
    if not mock:
        inventory.hold_lots(uow, sorted(found.lots), reason=f"{r.number}: {reason}"[:500], source="recall",
                            source_ref=r.number)  # fmt: skip
    blocked = time.perf_counter() - began
    sites = _sites(s, scope.tenant_id, {p.site_id for p in positions})
    stores = sorted({p.site_id for p in positions if (p.on_hand > 0 or p.in_transit > 0)})
    now = utcnow()
    for site_id in stores:
        n = len({p.lot_id for p in positions if p.site_id == site_id and (p.on_hand > 0 or p.in_transit > 0)})
        site = sites.get(site_id)
        name = {"en": site.name, "zh": site.name_zh or site.name} if site is not None else str(site_id)
        message = notices.MOCK_RECALL if mock else notices.RECALL
        notify(
            uow, kind="recall", message=message, params={"number": r.number, "n": n, "site": name},
            link=f"/trace/recalls/{r.id}", roles=("store_manager", "regional_manager"), site_id=site_id,
            dedupe_key=f"recall:{r.id}:{site_id}",
        )  # fmt: skip
    for row in s.scalars(select(RecallSite).where(RecallSite.recall_id == r.id, RecallSite.site_id.in_(stores))):
        row.notified_at = now
    r.summary = {
        "lots": len(found.lots), "sites": len({p.site_id for p in positions}), "stores_told": len(stores),
        "on_hand": str(sum((p.on_hand for p in positions if p.on_hand > 0), ZERO)),
        "sold": str(sum((p.sold for p in positions), ZERO)),
        "in_transit": str(sum((p.in_transit for p in positions), ZERO)),
        "untracked_inputs": len(found.untracked),
    }  # fmt: skip
    r.seconds = f"{blocked:.3f}"
    uow.flush()
    uow.audit("trace.recall.start", "recall", r.id, after={"number": r.number, "mock": mock, **r.summary})
    uow.publish(
        RecallStarted(
            tenant_id=scope.tenant_id, recall_id=r.id, number=r.number, mock=mock,
            lot_ids=tuple(sorted(found.lots)), site_ids=tuple(sorted({p.site_id for p in positions})),
        )
    )  # fmt: skip
    return r


def _get(uow: UnitOfWork, scope: Scope, recall_id: int, *, lock: bool = False) -> Recall:
    stmt = select(Recall).where(Recall.tenant_id == scope.tenant_id, Recall.id == recall_id)
    r = uow.session.scalar(stmt.with_for_update() if lock else stmt)
    if r is None:
        raise RecallNotFound(f"recall {recall_id} not found")
    return r


def confirm(
    uow: UnitOfWork, recall_id: int, site_id: int, *, removed: Decimal | None = None, note: str | None = None
) -> int:
    """A site confirms it removed the recalled stock (all its rows of the recall); returns the rows confirmed.
    A site outside the caller's scope, or not affected, is not found."""
    scope = uow.principal.scope(CONFIRM)
    r = _get(uow, scope, recall_id, lock=True)
    if r.status != "open":
        raise RecallClosed(f"recall {r.number} is closed")
    if not scope.allows_site(site_id):
        raise RecallNotFound(f"recall {recall_id} has no site {site_id}")
    rows = list(
        uow.session.scalars(select(RecallSite).where(RecallSite.recall_id == r.id, RecallSite.site_id == site_id))
    )
    if not rows:
        raise RecallNotFound(f"recall {recall_id} has no site {site_id}")
    now = utcnow()
    for row in rows:
        if row.confirmed_at is None:
            row.confirmed_at, row.confirmed_by = now, uow.principal.actor
        row.note = (note or "")[:500] or row.note
    if removed is not None:
        rows[0].removed = removed
    uow.flush()
    uow.audit("trace.recall.confirm", "recall", r.id, after={"site_id": site_id, "note": note})
    return len(rows)


def close(uow: UnitOfWork, recall_id: int, *, note: str | None = None) -> Recall:
    """Close a recall (the report is final). The holds of a real recall stay: the blocked stock leaves as
    waste or returns; release lots one by one if the recall is withdrawn."""
    scope = uow.principal.scope(WRITE)
    r = _get(uow, scope, recall_id, lock=True)
    if r.status == "closed":
        return r
    r.status, r.closed_at, r.closed_by, r.close_note = "closed", utcnow(), uow.principal.actor, note
    uow.flush()
    uow.audit("trace.recall.close", "recall", r.id, after={"note": note})
    uow.publish(RecallClosedEvent(tenant_id=scope.tenant_id, recall_id=r.id, number=r.number, mock=r.mock))
    return r


# --- reading ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SiteLine:
    site_id: int
    site_code: str
    site_name: str
    lot_id: int
    lot_code: str
    sku: str
    item_name: str
    on_hand: Decimal
    sold: Decimal
    wasted: Decimal
    in_transit: Decimal
    notified_at: datetime | None
    confirmed_at: datetime | None
    confirmed_by: str | None
    note: str | None


@dataclass(frozen=True)
class RecallView:
    id: int
    number: str
    mock: bool
    status: str
    reason: str
    summary: dict[str, Any]
    seconds: str | None
    created_by: str
    created_at: datetime
    closed_at: datetime | None
    lots: list[RecallLot]
    lines: list[SiteLine]

    @property
    def sites(self) -> list[int]:
        return sorted({ln.site_id for ln in self.lines})

    @property
    def confirmed_sites(self) -> list[int]:
        told = {ln.site_id for ln in self.lines if ln.notified_at is not None}
        return sorted(s for s in told if all(x.confirmed_at for x in self.lines if x.site_id == s))

    @property
    def told_sites(self) -> list[int]:
        return sorted({ln.site_id for ln in self.lines if ln.notified_at is not None})


def get(session: Session, scope: Scope, recall_id: int) -> RecallView:
    r = session.scalar(select(Recall).where(Recall.tenant_id == scope.tenant_id, Recall.id == recall_id))
    if r is None:
        raise RecallNotFound(f"recall {recall_id} not found")
    lots = list(
        session.scalars(
            select(RecallLot).where(RecallLot.recall_id == r.id).order_by(RecallLot.depth, RecallLot.lot_id)
        )
    )
    rows = list(
        session.scalars(
            select(RecallSite).where(RecallSite.recall_id == r.id).order_by(RecallSite.site_id, RecallSite.lot_id)
        )
    )
    if scope.site_ids is not None:
        rows = [x for x in rows if x.site_id in scope.site_ids]
    sites = _sites(session, scope.tenant_id, {x.site_id for x in rows})
    by_lot = {lot.lot_id: lot for lot in lots}
    item_ids = sorted({lot.item_id for lot in lots})
    items = {i.id: i for i in session.execute(select(_item).where(_item.c.id.in_(item_ids)))} if item_ids else {}
    lines = []
    for x in rows:
        lot = by_lot.get(x.lot_id)
        item = items.get(lot.item_id) if lot else None
        site = sites.get(x.site_id)
        lines.append(SiteLine(
            x.site_id, site.code if site else str(x.site_id), site.name if site else "", x.lot_id,
            lot.lot_code if lot else "", item.sku if item else "", item.name_en if item else "", x.on_hand, x.sold,
            x.wasted, x.in_transit, x.notified_at, x.confirmed_at, x.confirmed_by, x.note,
        ))  # fmt: skip
    return RecallView(
        r.id, r.number, r.mock, r.status, r.reason, dict(r.summary or {}), r.seconds, r.created_by, r.created_at,
        r.closed_at, lots, lines,
    )  # fmt: skip


def listing(session: Session, scope: Scope, *, limit: int = 50) -> list[Recall]:
    stmt = select(Recall).where(Recall.tenant_id == scope.tenant_id).order_by(Recall.id.desc()).limit(limit)
    return list(session.scalars(stmt))


REPORT_COLUMNS = (
    "recall", "mock", "site", "site_name", "sku", "item", "lot", "on_hand", "sold", "wasted", "in_transit",
    "notified_at", "confirmed_at", "confirmed_by", "note",
)  # fmt: skip


def report_rows(v: RecallView) -> list[list[str]]:
    def t(d: datetime | None) -> str:
        return d.isoformat() if d else ""

    return [
        [v.number, "yes" if v.mock else "no", ln.site_code, ln.site_name, ln.sku, ln.item_name, ln.lot_code,
         str(ln.on_hand), str(ln.sold), str(ln.wasted), str(ln.in_transit), t(ln.notified_at), t(ln.confirmed_at),
         ln.confirmed_by or "", ln.note or ""]
        for ln in v.lines
    ]  # fmt: skip


def report_csv(v: RecallView) -> str:
    import csv
    import io

    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(REPORT_COLUMNS)
    w.writerows(report_rows(v))
    return buf.getvalue()
