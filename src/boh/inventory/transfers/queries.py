"""Read side of transfer documents: a site's outgoing and incoming documents with their state, a document's
lines, and which document a transfer move belongs to."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import String, cast, func, select
from sqlalchemy.orm import Session, aliased

from boh.catalog.api import item_view
from boh.inventory.models import Lot, Move
from boh.inventory.transfers.models import TransferDoc, TransferDocLine
from boh.kernel.tenancy import Scope

_item = item_view()


@dataclass(frozen=True)
class DocRow:
    id: int
    number: str
    from_site_id: int
    to_site_id: int
    status: str  # draft | shipped | received | partly_received (shipped docs by their lines' receipts)
    lines: int
    received: int
    at: datetime


def list_docs(session: Session, scope: Scope, *, outgoing: bool, limit: int = 50) -> list[DocRow]:
    n_lines = func.count(TransferDocLine.id)
    rcv = aliased(Move)
    received = func.count(rcv.id)
    stmt = (
        select(TransferDoc, n_lines, received)
        .outerjoin(TransferDocLine, TransferDocLine.doc_id == TransferDoc.id)
        .outerjoin(rcv, (rcv.tenant_id == TransferDoc.tenant_id) & (rcv.move_type == "transfer_in")
                   & (rcv.source_type == "transfer") & (rcv.source_id == cast(TransferDocLine.move_id, String)))
        .where(TransferDoc.tenant_id == scope.tenant_id)
        .group_by(TransferDoc.id)
        .order_by(TransferDoc.id.desc())
        .limit(limit)
    )  # fmt: skip
    if scope.site_ids is not None:
        side = TransferDoc.from_site_id if outgoing else TransferDoc.to_site_id
        stmt = stmt.where(side.in_(sorted(scope.site_ids)))
    if not outgoing:
        stmt = stmt.where(TransferDoc.status != "draft")
    out = []
    for doc, n, got in session.execute(stmt):
        status = doc.status
        if status == "shipped" and got:
            status = "received" if got >= n else "partly_received"
        at = doc.shipped_at or doc.created_at
        out.append(DocRow(doc.id, doc.number, doc.from_site_id, doc.to_site_id, status, n, got, at))
    return out


@dataclass(frozen=True)
class LineRow:
    id: int
    item_id: int
    sku: str
    name_en: str
    name_zh: str | None
    uom: str
    lot_code: str | None
    quantity: Decimal
    received: bool


def doc_lines(session: Session, doc: TransferDoc) -> list[LineRow]:
    rcv = aliased(Move)
    got = select(rcv.id).where(
        rcv.tenant_id == doc.tenant_id,
        rcv.move_type == "transfer_in",
        rcv.source_type == "transfer",
        rcv.source_id == cast(TransferDocLine.move_id, String),
    )
    rows = session.execute(
        select(TransferDocLine, _item.c.sku, _item.c.name_en, _item.c.name_zh, _item.c.base_uom, Lot.lot_code,
               got.exists())
        .join(_item, _item.c.id == TransferDocLine.item_id)
        .outerjoin(Lot, Lot.id == TransferDocLine.lot_id)
        .where(TransferDocLine.doc_id == doc.id)
        .order_by(TransferDocLine.position, TransferDocLine.id)
    ).all()  # fmt: skip
    return [LineRow(ln.id, ln.item_id, sku, en, zh, uom, lot, ln.quantity, bool(r))
            for ln, sku, en, zh, uom, lot, r in rows]  # fmt: skip


def docs_of_moves(session: Session, move_ids: Iterable[int]) -> dict[int, tuple[str, int]]:
    """Transfer move id -> (its document's number, the document's id), for moves shipped by a document."""
    ids = sorted(set(move_ids))
    if not ids:
        return {}
    rows = session.execute(
        select(TransferDocLine.move_id, TransferDoc.number, TransferDoc.id)
        .join(TransferDoc, TransferDoc.id == TransferDocLine.doc_id)
        .where(TransferDocLine.move_id.in_(ids))
    )
    return {int(mid): (number, doc_id) for mid, number, doc_id in rows if mid is not None}


def moves_of_doc(session: Session, tenant_id: int, number: str) -> set[int]:
    rows = session.scalars(
        select(TransferDocLine.move_id)
        .join(TransferDoc, TransferDoc.id == TransferDocLine.doc_id)
        .where(TransferDoc.tenant_id == tenant_id, TransferDoc.number == number, TransferDocLine.move_id.is_not(None))
    )
    return {int(m) for m in rows if m is not None}
