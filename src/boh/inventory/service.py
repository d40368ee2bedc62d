"""Use cases of the inventory domain: post moves (batch, all-or-nothing), transfers, adjustments,
waste, revaluations, lots. Callers own the transaction; posting runs inside a savepoint (the ledger) so
that a refused batch leaves nothing behind even if the caller goes on to commit other work.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from boh.catalog.api import existing_item_ids
from boh.inventory import repository as repo
from boh.inventory.errors import DuplicateLot, LotNotFound, MoveNotFound
from boh.inventory.events import LotCreated, LotStatusChanged
from boh.inventory.ledger import rules
from boh.inventory.ledger.contract import Line, PostedMove
from boh.inventory.ledger.documents import PostResult, post_document
from boh.inventory.ledger.store import store_for
from boh.inventory.models import InventorySettings, Lot
from boh.inventory.schemas import LotCreate, MoveIn, RevaluationIn, SettingsIn, TransferIn
from boh.kernel.clock import utcnow
from boh.kernel.errors import FieldError, ValidationFailed
from boh.kernel.uow import UnitOfWork
from boh.org.api import site_stock_settings

WRITE = "inventory.move.write"


def line_of(index: int, m: MoveIn) -> Line:
    return Line(
        index=index, site_id=m.site_id, item_id=m.item_id, lot_id=m.lot_id, move_type=m.move_type,
        quantity=m.quantity, idempotency_key=m.idempotency_key, unit_cost=m.unit_cost, currency=m.currency,
        reason_code=m.reason_code, source_type=m.source_type, source_id=m.source_id, event_at=m.event_at,
        lot_code=m.lot_code, expiry_date=m.expiry_date,
    )  # fmt: skip


def post_moves(uow: UnitOfWork, moves: list[MoveIn]) -> PostResult:
    """Post a batch of moves: every move or none. Errors of every move are reported at once, by index."""
    scope = uow.principal.scope(WRITE)
    return post_document(uow, scope, [line_of(i, m) for i, m in enumerate(moves)], internal=False)


def adjust(
    uow: UnitOfWork,
    *,
    site_id: int,
    item_id: int,
    quantity: Decimal,
    reason_code: str,
    idempotency_key: str,
    lot_id: int | None = None,
    event_at: datetime | None = None,
) -> PostedMove:
    """A signed correction of the on-hand quantity, with its reason."""
    move = MoveIn(
        site_id=site_id,
        item_id=item_id,
        lot_id=lot_id,
        move_type="adjustment",
        quantity=quantity,
        reason_code=reason_code,
        idempotency_key=idempotency_key,
        event_at=event_at,
    )
    return post_moves(uow, [move]).moves[0]


def record_waste(
    uow: UnitOfWork,
    *,
    site_id: int,
    item_id: int,
    quantity: Decimal,
    reason_code: str,
    idempotency_key: str,
    lot_id: int | None = None,
    event_at: datetime | None = None,
) -> PostedMove:
    """Stock thrown away: ``quantity`` is the positive amount wasted; the move takes it out."""
    move = MoveIn(
        site_id=site_id,
        item_id=item_id,
        lot_id=lot_id,
        move_type="waste",
        quantity=-abs(quantity),
        reason_code=reason_code,
        idempotency_key=idempotency_key,
        event_at=event_at,
    )
    return post_moves(uow, [move]).moves[0]


def transfer(uow: UnitOfWork, data: TransferIn) -> PostedMove:
    """Ship stock to another site of the tenant: a transfer_out at the sender and the quantity in transit
    at the receiver until ``receive_transfer``. Returns the transfer_out move (the transfer's id)."""
    scope = uow.principal.scope(WRITE)
    if data.to_site_id == data.from_site_id:
        raise ValidationFailed([FieldError(("to_site_id",), "a transfer needs two different sites")])
    line = Line(
        index=0, site_id=data.from_site_id, item_id=data.item_id, lot_id=data.lot_id, move_type="transfer_out",
        quantity=-data.quantity, source_type="transfer", idempotency_key=data.idempotency_key,
        event_at=data.event_at, counter_site_id=data.to_site_id,
    )  # fmt: skip
    return post_document(uow, scope, [line], internal=True).moves[0]


def receive_transfer(
    uow: UnitOfWork, transfer_id: int, *, event_at: datetime | None = None, owner: str | None = None
) -> PostedMove:
    """Receive a whole transfer at its destination; receiving it again returns the first receipt. A transfer
    shipped from a reservation that a document owns (``reserve(owner=)``, a transfer order of purchasing) is
    received by that owner only (``owner``; else 409 inventory.received_by_owner)."""
    scope = uow.principal.scope(WRITE)
    out = repo.get_move(uow.session, scope.tenant_id, transfer_id)
    if out is None or out.move_type != "transfer_out" or out.counter_site_id is None:
        raise MoveNotFound(f"transfer {transfer_id} not found")
    if not scope.allows_site(out.counter_site_id):
        raise MoveNotFound(f"transfer {transfer_id} not found")
    if out.source_type == "reservation" and out.source_id and out.source_id.isdigit():
        from boh.inventory.commitments.models import Commitment
        from boh.inventory.commitments.service import check_owner

        reservation = uow.session.get(Commitment, int(out.source_id))
        if reservation is not None and reservation.tenant_id == scope.tenant_id:
            check_owner(reservation, owner)
    sites = site_stock_settings(uow.session, scope.tenant_id, [out.site_id, out.counter_site_id])
    same_currency = sites[out.site_id].currency == sites[out.counter_site_id].currency
    # the stock arrives with the value it left with (in the same currency), and that value leaves the
    # sender's in-transit value
    line = Line(
        index=0, site_id=out.counter_site_id, item_id=out.item_id, lot_id=out.lot_id, move_type="transfer_in",
        quantity=-out.quantity, unit_cost=out.unit_cost if same_currency else None,
        value=-out.value if same_currency else None, source_type="transfer", source_id=str(out.id),
        idempotency_key=rules.receipt_key(out.id), event_at=event_at, counter_site_id=out.site_id,
        transit_release=-out.value,
    )  # fmt: skip
    return post_document(uow, scope, [line], internal=True).moves[0]


def reverse_move(uow: UnitOfWork, move_id: int, *, reason_code: str, event_at: datetime | None = None) -> PostedMove:
    """Cancel a posted move by posting its opposite (the ledger is never edited): same type, site, item and
    lot, the opposite quantity, valued at the original's unit cost; source "reversal" / the original's id.
    A move is reversed once: reversing it again returns the first reversal. Transfers are not reversed
    (send the stock back with a transfer), nor are reversals."""
    scope = uow.principal.scope(WRITE)
    original = repo.get_move(uow.session, scope.tenant_id, move_id)
    if original is None or not scope.allows_site(original.site_id):
        raise MoveNotFound(f"move {move_id} not found")
    if original.move_type in rules.TRANSFER_TYPES | rules.VALUE_ONLY or original.source_type == "reversal":
        raise ValidationFailed(
            [
                FieldError(
                    ("move_id",), "transfers, revaluations and reversals cannot be reversed", "inventory.not_reversible"
                )
            ]
        )
    line = Line(
        index=0, site_id=original.site_id, item_id=original.item_id, lot_id=original.lot_id,
        move_type=original.move_type, quantity=-original.quantity, unit_cost=original.unit_cost,
        reason_code=reason_code, source_type="reversal", source_id=str(original.id),
        idempotency_key=rules.reversal_key(original.id), event_at=event_at,
    )  # fmt: skip
    return post_document(uow, scope, [line], internal=True).moves[0]


def revalue(uow: UnitOfWork, data: RevaluationIn) -> PostedMove:
    """Change the value of the stock on hand of an item at a site, with a reason (landed cost, price
    correction): a value-only move of ``value_change``, or of what it takes to bring the average to
    ``new_unit_cost``."""
    scope = uow.principal.scope(WRITE)
    line = Line(
        index=0, site_id=data.site_id, item_id=data.item_id, lot_id=None, move_type="revaluation",
        quantity=Decimal(0), value=data.value_change, unit_cost=data.new_unit_cost, reason_code=data.reason_code,
        source_type="revaluation", source_id=data.document_ref, idempotency_key=data.idempotency_key,
        event_at=data.event_at,
    )  # fmt: skip
    return post_document(uow, scope, [line], internal=True).moves[0]


# --- lots ---------------------------------------------------------------------------------------------


def create_lot(uow: UnitOfWork, data: LotCreate) -> Lot:
    scope = uow.principal.scope(WRITE)
    if not existing_item_ids(uow.session, scope.tenant_id, [data.item_id]):
        raise ValidationFailed([FieldError(("item_id",), f"unknown item {data.item_id}", "catalog.item_not_found")])
    lot_id = store_for(uow.session).insert_lot(scope.tenant_id, data.item_id, data.lot_code, data.expiry_date, utcnow())
    if lot_id is None:
        raise DuplicateLot(f"item {data.item_id} already has a lot '{data.lot_code}'", field="lot_code")
    lot = repo.get_lot(uow.session, scope.tenant_id, lot_id)
    assert lot is not None
    uow.audit("inventory.lot.create", "lot", lot.id, after=data.model_dump())
    uow.publish(LotCreated(tenant_id=scope.tenant_id, lot_id=lot.id, item_id=lot.item_id, lot_code=lot.lot_code))
    return lot


def set_lot_status(uow: UnitOfWork, lot_id: int, status: str, reason: str) -> Lot:
    scope = uow.principal.scope(WRITE)
    lot = repo.get_lot(uow.session, scope.tenant_id, lot_id, for_update=True)
    if lot is None:
        raise LotNotFound(f"lot {lot_id} not found")
    if lot.status != status:
        before = lot.status
        lot.status = status
        uow.flush()
        uow.audit(
            f"inventory.lot.{status}",
            "lot",
            lot.id,
            before={"status": before},
            after={"status": status, "reason": reason},
        )
        uow.publish(
            LotStatusChanged(
                tenant_id=scope.tenant_id, lot_id=lot.id, item_id=lot.item_id, status=status, reason=reason
            )
        )
    return lot


def quarantine_lot(uow: UnitOfWork, lot_id: int, reason: str) -> Lot:
    """Exclude a lot from availability and FEFO (e.g. a failed inspection); its stock stays on hand."""
    return set_lot_status(uow, lot_id, "quarantined", reason)


def release_lot(uow: UnitOfWork, lot_id: int, reason: str) -> Lot:
    return set_lot_status(uow, lot_id, "available", reason)


# --- settings -----------------------------------------------------------------------------------------

SETTINGS = "inventory.settings.write"


def put_settings(uow: UnitOfWork, data: SettingsIn) -> InventorySettings:
    """Set the tenant's ledger rules (audited with the values before and after)."""
    uow.principal.scope(SETTINGS)
    row = repo.get_settings(uow.session, uow.tenant_id)
    before = {"max_backdate_days": row.max_backdate_days, "held_lot_sales": row.held_lot_sales} if row else None
    if row is None:
        row = InventorySettings(tenant_id=uow.tenant_id, updated_by=uow.principal.actor)
        uow.session.add(row)
    row.max_backdate_days, row.updated_at, row.updated_by = data.max_backdate_days, utcnow(), uow.principal.actor
    row.held_lot_sales = data.held_lot_sales
    uow.flush()
    uow.audit("inventory.settings.update", "tenant", uow.tenant_id, before=before, after=data.model_dump())
    return row


# --- production ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProductionInput:
    item_id: int
    quantity: Decimal  # positive: what is consumed
    lot_id: int | None = None  # None: first expiring lots first (FEFO) at the site


@dataclass(frozen=True)
class ProductionOutput:
    item_id: int
    quantity: Decimal  # positive: what is made
    lot_code: str | None = None  # the output lot, created with its expiry
    expiry_date: date | None = None
    cost_share: Decimal = Decimal(1)  # how the inputs' value is split over several outputs (by-products)


@dataclass(frozen=True)
class ProductionWaste:
    """Stock lost in a batch (spilt, burnt, failed a check): a ``waste`` move of the batch's document."""

    item_id: int
    quantity: Decimal  # positive: what is wasted
    reason_code: str
    lot_id: int | None = None  # None: first expiring lots first


@dataclass(frozen=True)
class ProductionResult:
    consumed: list[PostedMove]
    produced: list[PostedMove]
    wasted: list[PostedMove] = field(default_factory=list)


def produce(
    uow: UnitOfWork,
    *,
    site_id: int,
    inputs: list[ProductionInput],
    outputs: list[ProductionOutput],
    document_type: str,
    document_id: str,
    idempotency_key: str,
    event_at: datetime | None = None,
    waste: Sequence[ProductionWaste] = (),
) -> ProductionResult:
    """A production batch: consume the inputs (``production_consume`` at the moving average; lots named or
    first expiring first) and make the outputs (``production_output``, each output lot created), costed from
    the inputs: their value split over the outputs by ``cost_share`` (by-products: outputs with their share).
    ``waste``: stock lost in the batch, posted as ``waste`` moves with their reasons after the outputs (so
    part of an output may be wasted). All or nothing; a retry with the same key returns the first result."""
    scope = uow.principal.scope(WRITE)
    consume = [
        Line(
            index=n, site_id=site_id, item_id=i.item_id, lot_id=i.lot_id, move_type="production_consume",
            quantity=-abs(i.quantity), source_type=document_type, source_id=document_id,
            idempotency_key=f"{idempotency_key}:in:{n}", event_at=event_at, fefo=i.lot_id is None,
        )
        for n, i in enumerate(inputs)
    ]  # fmt: skip
    with uow.session.begin_nested():
        used = post_document(uow, scope, consume, internal=False, fefo=True)
        total = -sum((m.value for m in used.all_moves), Decimal(0))
        shares = sum((o.cost_share for o in outputs), Decimal(0))
        make = [
            Line(
                index=n, site_id=site_id, item_id=o.item_id, lot_id=None, move_type="production_output",
                quantity=abs(o.quantity), value=total * o.cost_share / shares if shares else Decimal(0),
                unit_cost=(total * o.cost_share / shares / abs(o.quantity)) if shares else Decimal(0),
                source_type=document_type, source_id=document_id, idempotency_key=f"{idempotency_key}:out:{n}",
                event_at=event_at, lot_code=o.lot_code, expiry_date=o.expiry_date,
            )
            for n, o in enumerate(outputs)
        ]  # fmt: skip
        made = post_document(uow, scope, make, internal=False)
        lost = [
            Line(
                index=n, site_id=site_id, item_id=w.item_id, lot_id=w.lot_id, move_type="waste",
                quantity=-abs(w.quantity), reason_code=w.reason_code, source_type=document_type,
                source_id=document_id, idempotency_key=f"{idempotency_key}:waste:{n}", event_at=event_at,
                fefo=w.lot_id is None,
            )
            for n, w in enumerate(waste)
        ]  # fmt: skip
        wasted = post_document(uow, scope, lost, internal=False, fefo=True).all_moves if lost else []
    return ProductionResult(used.all_moves, made.moves, wasted)
