"""Use cases of receiving: start a receipt, scan and edit its lines, attach the delivery note's photo,
post it through the ledger's service functions, and tell the buyers about differences."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from boh.catalog.api import find_item, get_supplier_ref
from boh.http.pages import N_
from boh.inventory import service as ledger
from boh.inventory.commitments import service as commitments
from boh.inventory.commitments.models import Commitment
from boh.inventory.commitments.schemas import ReceiveIn, ReleaseIn
from boh.inventory.receiving import domain, queries
from boh.inventory.receiving.errors import NothingToReceive, ReceiptNotDraft, ReceiptNotFound
from boh.inventory.receiving.models import Receipt, ReceiptLine
from boh.inventory.schemas import MoveIn
from boh.inventory.transfers.queries import moves_of_doc
from boh.kernel.clock import utcnow
from boh.kernel.errors import FieldError, ValidationFailed
from boh.kernel.uow import UnitOfWork
from boh.notify.api import notify
from boh.org.api import get_site_ref, site_view

WRITE = "inventory.move.write"
ZERO = Decimal(0)
DISCREPANCY = N_("Delivery %(number)s at %(site)s: %(n)s line(s) differ from what was expected")


def _draft(uow: UnitOfWork, receipt_id: int) -> Receipt:
    scope = uow.principal.scope(WRITE)
    r = queries.get(uow.session, scope, receipt_id)
    if r is None:
        raise ReceiptNotFound(f"receipt {receipt_id} not found")
    if r.status != "draft":
        raise ReceiptNotDraft(f"receipt {r.number} is {r.status}")
    return r


def start(
    uow: UnitOfWork, *, site_id: int, source: str, idempotency_key: str, document_id: str | None = None,
    from_site_id: int | None = None, supplier_id: int | None = None,
) -> Receipt:  # fmt: skip
    """A draft receipt with the expected lines (a PO's open lines, the open transfers from one sender), or
    an empty one for an unannounced delivery. A draft already started for the same delivery is returned.
    ``supplier_id``: who delivers (its lots are then found by a supplier recall)."""
    scope = uow.principal.scope(WRITE)
    site = get_site_ref(uow.session, scope, site_id)
    if supplier_id is not None:
        get_supplier_ref(uow.session, uow.tenant_id, supplier_id)  # SupplierNotFound for another tenant's
    if source not in domain.SOURCES:
        raise ValidationFailed([FieldError(("source",), f"unknown source {source!r}")])
    same = select(Receipt).where(Receipt.tenant_id == uow.tenant_id, Receipt.site_id == site_id)
    existing = uow.session.scalars(
        same.where(Receipt.idempotency_key == idempotency_key)
        if source == "unannounced"
        else same.where(
            Receipt.status == "draft",
            Receipt.source == source,
            Receipt.document_id == document_id,
            Receipt.from_site_id == from_site_id,
        )
    ).first()
    if existing is not None:
        return existing
    expected = _expected(uow, site_id, source, document_id, from_site_id)
    if source != "unannounced" and not expected:
        _refuse_owned(uow, site_id, source, document_id, from_site_id)
        raise NothingToReceive("nothing is expected from this delivery any more")
    r = Receipt(tenant_id=uow.tenant_id, site_id=site_id, number="", source=source, document_id=document_id,
                from_site_id=from_site_id, supplier_id=supplier_id, idempotency_key=idempotency_key,
                created_by=uow.principal.actor)  # fmt: skip
    uow.session.add(r)
    uow.flush()
    r.number = domain.number(site.code, r.id)
    for i, values in enumerate(expected):
        uow.session.add(ReceiptLine(tenant_id=uow.tenant_id, receipt_id=r.id, position=i, **values))
    uow.flush()
    uow.audit("inventory.receipt.start", "receipt", r.id, after={"number": r.number, "source": source})
    return r


def _refuse_owned(uow: UnitOfWork, site_id: int, source: str, doc: str | None, sender: int | None) -> None:
    """A delivery that another domain's document owns (a purchasing order) is received there: 409
    inventory.received_by_owner with the page where it is received (``receive_at``)."""
    if source == "purchase_order":
        owned = queries.open_po_lines(uow.session, uow.tenant_id, site_id, doc or "", owned=True)
        if owned:
            commitments.check_owner(owned[0], None)
        return
    moves = queries.open_transfer_moves(uow.session, uow.tenant_id, site_id, sender, owned=True)
    ids = sorted({int(m.source_id) for m in moves if m.source_id and m.source_id.isdigit()})
    for c in uow.session.scalars(select(Commitment).where(Commitment.id.in_(ids)).order_by(Commitment.id)):
        if doc is None or c.document_id == doc:
            commitments.check_owner(c, None)


def _expected(uow: UnitOfWork, site_id: int, source: str, doc: str | None, sender: int | None) -> list[dict[str, Any]]:
    if source == "purchase_order":
        return [
            {"item_id": c.item_id, "commitment_id": c.id, "expected_qty": c.open_quantity}
            for c in queries.open_po_lines(uow.session, uow.tenant_id, site_id, doc or "")
        ]
    if source == "transfer":
        moves = queries.open_transfer_moves(uow.session, uow.tenant_id, site_id, sender)
        if doc:  # one transfer document's lines
            wanted = moves_of_doc(uow.session, uow.tenant_id, doc)
            moves = [m for m in moves if m.id in wanted]
        lots = queries.lots_of(uow.session, {m.lot_id for m in moves if m.lot_id})
        return [
            {"item_id": m.item_id, "transfer_move_id": m.id, "expected_qty": -m.quantity,
             "lot_code": lots[m.lot_id].lot_code if m.lot_id else None,
             "expiry_date": lots[m.lot_id].expiry_date if m.lot_id else None}
            for m in moves
        ]  # fmt: skip
    return []


@dataclass(frozen=True)
class Scanned:
    line_id: int
    added: bool  # a line the delivery did not announce
    quantity: Decimal


def scan(uow: UnitOfWork, receipt_id: int, code: str, quantity: Decimal = Decimal(1)) -> Scanned:
    """Count what a scan (or a typed SKU) names: ``quantity`` scanned units (a case GTIN counts its base
    units) onto the matching line (same item, and same lot when the scan carries one), filling its lot and
    expiry from a GS1-128 scan; an item the delivery did not announce gets its own line."""
    r = _draft(uow, receipt_id)
    found = find_item(uow.session, uow.tenant_id, code)
    if found is None:
        raise ValidationFailed([FieldError(("code",), f"no item has the SKU or barcode {code!r}", "unknown_code")])
    s = found.scanned
    lot = s.scan.lot if s else None
    expiry = (s.scan.expiry or s.scan.best_before) if s else None
    qty = quantity * (s.base_qty if s else Decimal(1))
    rows = [ln for ln in _lines(uow, r) if ln.item_id == found.item.id]
    line = next((ln for ln in rows if lot and ln.lot_code == lot), None) or next(
        (ln for ln in rows if not lot or not ln.lot_code or not ln.counted), None
    )
    added = line is None
    if line is None:
        line = ReceiptLine(tenant_id=uow.tenant_id, receipt_id=r.id, item_id=found.item.id, position=len(rows) + 1000)
        uow.session.add(line)
    line.received_qty = (line.received_qty or ZERO) + qty
    line.counted = True
    if lot:
        line.lot_code = lot
    if expiry:
        line.expiry_date = expiry
    uow.flush()
    return Scanned(line.id, added, qty)


def _lines(uow: UnitOfWork, r: Receipt) -> list[ReceiptLine]:
    return list(
        uow.session.scalars(
            select(ReceiptLine).where(ReceiptLine.receipt_id == r.id).order_by(ReceiptLine.position, ReceiptLine.id)
        )
    )


@dataclass(frozen=True)
class LineEdit:
    id: int
    received: Decimal
    damaged: Decimal
    lot_code: str | None
    expiry_date: date | None
    reason: str | None


def update_lines(uow: UnitOfWork, receipt_id: int, edits: list[LineEdit]) -> None:
    """Apply every edit or none; every invalid field of every line is reported at once."""
    r = _draft(uow, receipt_id)
    by_id = {ln.id: ln for ln in _lines(uow, r)}
    errors = []
    for e in edits:
        if e.id not in by_id:
            errors.append(FieldError(("lines", str(e.id)), "not a line of this receipt", "not_found"))
        if e.received < 0 or e.damaged < 0:
            errors.append(FieldError(("lines", str(e.id), "received"), "quantities cannot be negative", "negative"))
        if e.reason is not None and e.reason not in domain.REASONS:
            errors.append(FieldError(("lines", str(e.id), "reason"), f"unknown reason {e.reason!r}", "enum"))
    if errors:
        raise ValidationFailed(errors)
    for e in edits:
        ln = by_id[e.id]
        changed = (ln.received_qty, ln.damaged_qty) != (e.received, e.damaged)
        ln.received_qty, ln.damaged_qty, ln.reason = e.received, e.damaged, e.reason
        ln.lot_code, ln.expiry_date = e.lot_code or None, e.expiry_date
        ln.counted = ln.counted or changed
    uow.flush()


def set_photo(uow: UnitOfWork, receipt_id: int, key: str) -> None:
    r = _draft(uow, receipt_id)
    r.photo_key = key
    uow.flush()
    uow.audit("inventory.receipt.photo", "receipt", r.id, after={"photo_key": key})


def _key(r: Receipt, ln: ReceiptLine, what: str) -> str:
    return f"receipt:{r.id}:{ln.id}:{what}"


def _post_po_line(uow: UnitOfWork, r: Receipt, ln: ReceiptLine) -> None:
    assert ln.commitment_id is not None
    if ln.received_qty > 0:
        data = ReceiveIn(
            quantity=ln.received_qty, lot_code=ln.lot_code, expiry_date=ln.expiry_date,
            close=ln.received_qty < ln.expected_qty, idempotency_key=_key(r, ln, "receive"),
        )  # fmt: skip
        ln.move_id = commitments.receive(uow, ln.commitment_id, data).moves[0].id
    elif ln.expected_qty > 0:
        reason = f"{r.number}: {ln.reason or 'short'}"
        commitments.cancel(uow, ln.commitment_id, ReleaseIn(reason=reason, idempotency_key=_key(r, ln, "cancel")))


def _post_transfer_line(uow: UnitOfWork, r: Receipt, ln: ReceiptLine) -> None:
    """The whole transfer arrives through the ledger; what did not (short, damaged) or what came on top
    (over) is then an adjustment with the reason, so on hand matches what was counted."""
    assert ln.transfer_move_id is not None
    move = ledger.receive_transfer(uow, ln.transfer_move_id)
    ln.move_id = move.id
    diff = ln.received_qty - ln.expected_qty
    if diff:
        reason = "transfer_over" if diff > 0 else f"transfer_{ln.reason or 'short'}"
        ledger.adjust(uow, site_id=r.site_id, item_id=ln.item_id, quantity=diff, reason_code=reason,
                      idempotency_key=_key(r, ln, "adjust"), lot_id=move.lot_id)  # fmt: skip


def _unannounced_moves(r: Receipt, lines: list[ReceiptLine]) -> list[MoveIn]:
    return [
        MoveIn(site_id=r.site_id, item_id=ln.item_id, move_type="receipt", quantity=ln.received_qty,
               lot_code=ln.lot_code, expiry_date=ln.expiry_date, source_type="receipt", source_id=r.number,
               idempotency_key=_key(r, ln, "receipt"))
        for ln in lines
        if ln.received_qty > 0
    ]  # fmt: skip


def post(uow: UnitOfWork, receipt_id: int) -> Receipt:
    """Post what was received into stock through the ledger (see the package docstring), mark the lines'
    differences with a reason and tell the buyers (and a transfer's sender) when there are any."""
    r = _draft(uow, receipt_id)
    lines = _lines(uow, r)
    if not any(ln.received_qty > 0 or ln.expected_qty > 0 for ln in lines):
        raise ValidationFailed([FieldError(("lines",), "nothing was received: scan or enter what arrived", "empty")])
    unannounced = [ln for ln in lines if ln.commitment_id is None and ln.transfer_move_id is None]
    moves = _unannounced_moves(r, unannounced)
    if moves:
        posted = ledger.post_moves(uow, moves).moves
        for ln, mv in zip([ln for ln in unannounced if ln.received_qty > 0], posted, strict=True):
            ln.move_id = mv.id
    for ln in lines:
        if ln.commitment_id is not None:
            _post_po_line(uow, r, ln)
        elif ln.transfer_move_id is not None:
            _post_transfer_line(uow, r, ln)
    differing = 0
    for ln in lines:
        announced = ln.commitment_id is not None or ln.transfer_move_id is not None
        kind = domain.difference(ln.expected_qty, ln.received_qty, ln.damaged_qty, announced)
        if kind == "unexpected" and r.source == "unannounced":
            kind = None
        if kind is not None:
            differing += 1
            ln.reason = ln.reason or ("wrong_item" if kind == "unexpected" else kind)
    r.status, r.posted_at, r.posted_by, r.discrepancies = "posted", utcnow(), uow.principal.actor, differing
    uow.flush()
    uow.audit("inventory.receipt.post", "receipt", r.id, after={"number": r.number, "discrepancies": differing})
    if differing:
        _tell(uow, r, differing)
    return r


def _tell(uow: UnitOfWork, r: Receipt, n: int) -> None:
    site = get_site_ref(uow.session, uow.principal.scope(WRITE), r.site_id)
    names = _site_names(uow, [r.site_id])
    params = {"number": r.number, "site": names.get(r.site_id, {"en": site.code}), "n": n}
    link = f"/inventory/receiving/{r.id}"
    notify(uow, kind="receipt_discrepancy", message=DISCREPANCY, params=params, link=link, roles=["buyer"],
           site_id=r.site_id, dedupe_key=f"receipt:{r.id}")  # fmt: skip
    if r.from_site_id is not None:
        notify(uow, kind="receipt_discrepancy", message=DISCREPANCY, params=params, link=link,
               roles=["store_manager"], site_id=r.from_site_id, dedupe_key=f"receipt:{r.id}")  # fmt: skip


def _site_names(uow: UnitOfWork, ids: list[int]) -> dict[int, dict[str, str | None]]:

    site = site_view()
    rows = uow.session.execute(select(site.c.id, site.c.code, site.c.name, site.c.name_zh).where(site.c.id.in_(ids)))
    return {sid: {"en": f"{code} {name}", "zh": f"{code} {zh or name}"} for sid, code, name, zh in rows}
