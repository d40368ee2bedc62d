"""Read side of receiving: what a site has to receive, a receipt with its lines, the site's recent receipts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import String, cast, func, select
from sqlalchemy.orm import Session, aliased

from boh.catalog.api import item_view
from boh.inventory.commitments.models import Commitment
from boh.inventory.models import Lot, Move
from boh.inventory.receiving.models import Receipt, ReceiptLine
from boh.inventory.transfers.queries import docs_of_moves
from boh.kernel.tenancy import Scope
from boh.org.api import site_view

_item = item_view()
_site = site_view()


@dataclass(frozen=True)
class Expected:
    """One delivery to receive: a purchase order's open lines, or the transfers from one sender."""

    source: str  # purchase_order | transfer
    key: str  # the PO number, or the sender's site id
    label: str  # PO number or sender code
    lines: int
    quantity: Decimal
    due: date | None
    draft_id: int | None  # a receipt already started for it
    sender_id: int | None = None  # a transfer's sending site
    receive_at: str | None = None  # owned by another domain's document: received there (this page)


def _owned_reservation(move: type[Move] | Any) -> Any:
    """The owned reservation a transfer_out move was shipped from (correlated EXISTS)."""
    return select(Commitment.id).where(
        Commitment.tenant_id == move.tenant_id, move.source_type == "reservation",
        cast(Commitment.id, String) == move.source_id, Commitment.owner.is_not(None),
    )  # fmt: skip


def open_transfer_moves(
    session: Session, tenant_id: int, site_id: int, from_site_id: int | None = None, *, owned: bool = False
) -> list[Move]:
    """Transfer_out moves shipped to ``site_id`` (from ``from_site_id``) and not received yet, oldest first;
    only those no document owns (``owned``: only those a document owns, received by its owner)."""
    rcv = aliased(Move)
    received = select(rcv.id).where(
        rcv.tenant_id == tenant_id, rcv.move_type == "transfer_in", rcv.source_type == "transfer",
        rcv.source_id == cast(Move.id, String),
    )  # fmt: skip
    stmt = select(Move).where(
        Move.tenant_id == tenant_id, Move.move_type == "transfer_out", Move.counter_site_id == site_id,
        ~received.exists(), _owned_reservation(Move).exists() if owned else ~_owned_reservation(Move).exists(),
    )  # fmt: skip
    if from_site_id is not None:
        stmt = stmt.where(Move.site_id == from_site_id)
    return list(session.scalars(stmt.order_by(Move.id)))


def open_po_lines(
    session: Session, tenant_id: int, site_id: int, document_id: str | None = None, *, owned: bool = False
) -> list[Commitment]:
    """Open expected receipts at a site (of one document): those no document owns, or (``owned``) only those
    another domain's document owns."""
    stmt = select(Commitment).where(
        Commitment.tenant_id == tenant_id, Commitment.site_id == site_id, Commitment.kind == "incoming",
        Commitment.status == "open", Commitment.owner.is_not(None) if owned else Commitment.owner.is_(None),
    )  # fmt: skip
    if document_id is not None:
        stmt = stmt.where(Commitment.document_id == document_id)
    return list(session.scalars(stmt.order_by(Commitment.expected_date, Commitment.document_id, Commitment.id)))


def to_receive(session: Session, tenant_id: int, site_id: int) -> list[Expected]:
    drafts = {
        (r.source, r.document_id or str(r.from_site_id)): r.id  # the same keys as the deliveries below
        for r in session.scalars(
            select(Receipt).where(Receipt.tenant_id == tenant_id, Receipt.site_id == site_id, Receipt.status == "draft")
        )
    }
    out: dict[tuple[str, str], list[tuple[Decimal, date | None]]] = {}
    for c in open_po_lines(session, tenant_id, site_id):
        out.setdefault(("purchase_order", c.document_id), []).append((c.open_quantity, c.expected_date))
    senders = {}
    moves = open_transfer_moves(session, tenant_id, site_id)
    docs = docs_of_moves(session, [m.id for m in moves])
    for m in moves:
        key = docs[m.id][0] if m.id in docs else str(m.site_id)  # a document's lines together, else per sender
        out.setdefault(("transfer", key), []).append((-m.quantity, m.event_at.date()))
        senders[key] = m.site_id
    codes: dict[int, str] = dict(
        session.execute(select(_site.c.id, _site.c.code).where(_site.c.id.in_(list(senders.values())))).all()
    )
    result = []
    for (source, key), rows in out.items():
        label = key if source == "purchase_order" or not key.isdigit() else codes.get(int(key), key)
        if source == "transfer" and not key.isdigit():
            label = f"{key} ({codes.get(senders[key], '')})"
        dues = [d for _q, d in rows if d is not None]
        result.append(Expected(source, key, label, len(rows), sum((q for q, _d in rows), Decimal(0)),
                               min(dues) if dues else None, drafts.get((source, key)), senders.get(key)))  # fmt: skip
    return sorted(result + _owned(session, tenant_id, site_id), key=lambda e: (e.due or date.max, e.label))


def _owned(session: Session, tenant_id: int, site_id: int) -> list[Expected]:
    """Deliveries another domain's document owns (a purchase or transfer order): listed with where they are
    received, never received here."""
    groups: dict[str, tuple[Commitment, list[tuple[Decimal, date | None]]]] = {}
    for c in open_po_lines(session, tenant_id, site_id, owned=True):
        groups.setdefault(c.document_id, (c, []))[1].append((c.open_quantity, c.expected_date))
    moves = open_transfer_moves(session, tenant_id, site_id, owned=True)
    sources = {str(c.id): c for c in session.scalars(
        select(Commitment).where(Commitment.id.in_(sorted({int(m.source_id or 0) for m in moves})))
    )}  # fmt: skip
    for m in moves:
        src = sources.get(m.source_id or "")
        if src is not None:
            groups.setdefault(src.document_id, (src, []))[1].append((-m.quantity, m.event_at.date()))
    out = []
    for doc, (c, rows) in groups.items():
        dues = [d for _q, d in rows if d is not None]
        source = "transfer" if "transfer" in c.document_type else "purchase_order"
        out.append(Expected(source, doc, doc, len(rows), sum((q for q, _d in rows), Decimal(0)),
                            min(dues) if dues else None, None, receive_at=c.owner_link or ""))  # fmt: skip
    return out


@dataclass(frozen=True)
class LineView:
    id: int
    item_id: int
    sku: str
    name_en: str
    name_zh: str | None
    uom: str
    expected: Decimal
    received: Decimal
    damaged: Decimal
    lot_code: str | None
    expiry_date: date | None
    reason: str | None
    counted: bool
    announced: bool


def lines(session: Session, receipt: Receipt) -> list[LineView]:
    rows = session.execute(
        select(ReceiptLine, _item.c.sku, _item.c.name_en, _item.c.name_zh, _item.c.base_uom)
        .join(_item, _item.c.id == ReceiptLine.item_id)
        .where(ReceiptLine.tenant_id == receipt.tenant_id, ReceiptLine.receipt_id == receipt.id)
        .order_by(ReceiptLine.position, ReceiptLine.id)
    ).all()
    return [
        LineView(ln.id, ln.item_id, sku, en, zh, uom, ln.expected_qty, ln.received_qty, ln.damaged_qty, ln.lot_code,
                 ln.expiry_date, ln.reason, ln.counted, ln.commitment_id is not None or ln.transfer_move_id is not None)
        for ln, sku, en, zh, uom in rows
    ]  # fmt: skip


def get(session: Session, scope: Scope, receipt_id: int) -> Receipt | None:
    r = session.get(Receipt, receipt_id)
    if r is None or r.tenant_id != scope.tenant_id or not scope.allows_site(r.site_id):
        return None
    return r


@dataclass(frozen=True)
class ReceiptRow:
    id: int
    number: str
    source: str
    document: str
    status: str
    lines: int
    discrepancies: int
    at: datetime


def recent(session: Session, tenant_id: int, site_id: int, limit: int = 20) -> list[ReceiptRow]:
    n_lines = (
        select(func.count(ReceiptLine.id))
        .where(ReceiptLine.receipt_id == Receipt.id)
        .correlate(Receipt)
        .scalar_subquery()
    )
    sender = aliased(_site)
    rows = session.execute(
        select(Receipt, n_lines, sender.c.code)
        .outerjoin(sender, sender.c.id == Receipt.from_site_id)
        .where(Receipt.tenant_id == tenant_id, Receipt.site_id == site_id)
        .order_by(Receipt.id.desc())
        .limit(limit)
    ).all()
    return [
        ReceiptRow(r.id, r.number, r.source, r.document_id or sender_code or "", r.status, n, r.discrepancies,
                   r.posted_at or r.created_at)
        for r, n, sender_code in rows
    ]  # fmt: skip


def lots_of(session: Session, lot_ids: set[int]) -> dict[int, Lot]:
    if not lot_ids:
        return {}
    return {lot.id: lot for lot in session.scalars(select(Lot).where(Lot.id.in_(sorted(lot_ids))))}
