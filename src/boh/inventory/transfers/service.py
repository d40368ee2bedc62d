"""Use cases of transfer documents: draft, add / change / remove lines (by scan, SKU or the picker),
ship every line through the ledger in one transaction."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select

from boh.catalog.api import find_item, get_item_ref
from boh.inventory import service as ledger
from boh.inventory.schemas import TransferIn
from boh.inventory.transfers.models import TransferDoc, TransferDocLine
from boh.kernel.clock import utcnow
from boh.kernel.errors import Conflict, FieldError, NotFound, ValidationFailed
from boh.kernel.tenancy import Scope
from boh.kernel.uow import UnitOfWork
from boh.org.api import get_site_ref

WRITE = "inventory.move.write"


class TransferDocNotFound(NotFound):
    code = "inventory.transfer_doc_not_found"


class TransferDocNotDraft(Conflict):
    code = "inventory.transfer_doc_not_draft"


def get(uow: UnitOfWork, doc_id: int, perm: str = WRITE, *, either_side: bool = False) -> TransferDoc:
    scope = uow.principal.scope(perm)
    doc = uow.session.get(TransferDoc, doc_id)
    visible = (
        doc is not None
        and doc.tenant_id == scope.tenant_id
        and (scope.allows_site(doc.from_site_id) or (either_side and scope.allows_site(doc.to_site_id)))
    )
    if doc is None or not visible:
        raise TransferDocNotFound(f"transfer {doc_id} not found")
    return doc


def create(uow: UnitOfWork, *, from_site_id: int, to_site_id: int) -> TransferDoc:
    scope = uow.principal.scope(WRITE)
    sender = get_site_ref(uow.session, scope, from_site_id)
    get_site_ref(uow.session, Scope(uow.tenant_id), to_site_id)
    if from_site_id == to_site_id:
        raise ValidationFailed([FieldError(("to_site_id",), "a transfer needs two different sites")])
    doc = TransferDoc(tenant_id=uow.tenant_id, number="", from_site_id=from_site_id, to_site_id=to_site_id,
                      created_by=uow.principal.actor)  # fmt: skip
    uow.session.add(doc)
    uow.flush()
    doc.number = f"TR-{sender.code}-{doc.id:06d}"
    uow.audit("inventory.transfer_doc.create", "transfer_doc", doc.id, after={"number": doc.number})
    return doc


def _draft(uow: UnitOfWork, doc_id: int) -> TransferDoc:
    doc = get(uow, doc_id)
    if doc.status != "draft":
        raise TransferDocNotDraft(f"transfer {doc.number} is {doc.status}")
    return doc


def lines(uow: UnitOfWork, doc: TransferDoc) -> list[TransferDocLine]:
    stmt = select(TransferDocLine).where(TransferDocLine.doc_id == doc.id)
    return list(uow.session.scalars(stmt.order_by(TransferDocLine.position, TransferDocLine.id)))


def add(uow: UnitOfWork, doc_id: int, *, quantity: Decimal, code: str = "", item_id: int | None = None) -> int:
    """Add ``quantity`` of the item named by ``code`` (SKU or barcode: a case GTIN counts its base units) or
    by ``item_id`` (the picker); the same item and lot adds to its line. Returns the line id."""
    doc = _draft(uow, doc_id)
    if quantity <= 0:
        raise ValidationFailed([FieldError(("quantity",), "enter a positive quantity", "greater_than")])
    lot_code = None
    if item_id is not None:
        item = get_item_ref(uow.session, uow.tenant_id, item_id)
    else:
        found = find_item(uow.session, uow.tenant_id, code)
        if found is None:
            raise ValidationFailed([FieldError(("code",), f"no item has the SKU or barcode {code!r}", "unknown_code")])
        item = found.item
        if found.scanned is not None:
            quantity *= found.scanned.base_qty
            lot_code = found.scanned.scan.lot
    lot_id = None
    if lot_code:
        from boh.inventory.models import Lot

        lot_id = uow.session.scalar(select(Lot.id).where(Lot.tenant_id == uow.tenant_id, Lot.item_id == item.id,
                                                         Lot.lot_code == lot_code))  # fmt: skip
    existing = next((ln for ln in lines(uow, doc) if ln.item_id == item.id and ln.lot_id == lot_id), None)
    if existing is None:
        existing = TransferDocLine(tenant_id=uow.tenant_id, doc_id=doc.id, item_id=item.id, lot_id=lot_id,
                                   quantity=Decimal(0), position=len(lines(uow, doc)))  # fmt: skip
        uow.session.add(existing)
    existing.quantity += quantity
    uow.flush()
    return existing.id


def set_quantity(uow: UnitOfWork, doc_id: int, line_id: int, quantity: Decimal) -> None:
    """A new quantity for a line; zero removes it."""
    doc = _draft(uow, doc_id)
    line = next((ln for ln in lines(uow, doc) if ln.id == line_id), None)
    if line is None:
        raise TransferDocNotFound(f"line {line_id} not found")
    if quantity < 0:
        raise ValidationFailed([FieldError(("quantity",), "enter zero or more", "greater_than_equal")])
    if quantity == 0:
        uow.session.delete(line)
    else:
        line.quantity = quantity
    uow.flush()


def ship(uow: UnitOfWork, doc_id: int) -> TransferDoc:
    """Post every line as a transfer through the ledger (all or none); the receiver sees it on its way."""
    doc = _draft(uow, doc_id)
    rows = lines(uow, doc)
    if not rows:
        raise ValidationFailed([FieldError(("lines",), "add at least one line", "empty")])
    for ln in rows:
        move = ledger.transfer(uow, TransferIn(
            from_site_id=doc.from_site_id, to_site_id=doc.to_site_id, item_id=ln.item_id, lot_id=ln.lot_id,
            quantity=ln.quantity, idempotency_key=f"trdoc:{doc.id}:{ln.id}",
        ))  # fmt: skip
        ln.move_id = move.id
    doc.status, doc.shipped_at = "shipped", utcnow()
    uow.flush()
    uow.audit("inventory.transfer_doc.ship", "transfer_doc", doc.id, after={"number": doc.number, "lines": len(rows)})
    return doc
