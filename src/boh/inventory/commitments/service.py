"""Use cases of stock commitments: reserve / release / fulfil stock, expect / receive / cancel what is on
order. Callers own the transaction; each command runs in a savepoint, so a refused command leaves nothing
behind. See the package docstring for the rules."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from boh.catalog.api import existing_item_ids
from boh.inventory import repository as inv_repo
from boh.inventory.commitments import domain
from boh.inventory.commitments import repository as repo
from boh.inventory.commitments.errors import (
    CommitmentClosed,
    CommitmentNotFound,
    ExceedsOpenQuantity,
    LotNotUsable,
    ManagedByOwner,
    NotEnoughAvailable,
    OwnedElsewhere,
)
from boh.inventory.commitments.models import Commitment
from boh.inventory.commitments.schemas import FulfilIn, IncomingIn, ReceiveIn, ReleaseIn, ReservationIn
from boh.inventory.errors import IdempotencyKeyReused
from boh.inventory.ledger import commitments as ledger_commitments
from boh.inventory.ledger.contract import Line, PostedMove
from boh.inventory.ledger.documents import post_document
from boh.inventory.ledger.rules import lot_usable
from boh.inventory.queries import local_date
from boh.kernel.clock import utcnow
from boh.kernel.errors import FieldError, ValidationFailed
from boh.kernel.tenancy import Scope
from boh.kernel.uow import UnitOfWork
from boh.org.api import get_site_ref

RESERVE = "inventory.reservation.write"
INCOMING = "inventory.incoming.write"
MOVE = "inventory.move.write"
ZERO = Decimal(0)
DONE = {"cancel": "cancelled", "release": "released", "fulfil": "shipped"}


@dataclass
class Outcome:
    commitment: Commitment
    moves: list[PostedMove] = field(default_factory=list)  # posted (or, on a replay, first posted) by the request
    replayed: bool = False


# --- opening a commitment ------------------------------------------------------------------------------


def _check_item(uow: UnitOfWork, item_id: int, lot_id: int | None) -> None:
    errors: list[FieldError] = []
    if not existing_item_ids(uow.session, uow.tenant_id, [item_id]):
        errors.append(FieldError(("item_id",), f"unknown item {item_id}", "catalog.item_not_found"))
    elif lot_id is not None:
        lot = inv_repo.lots_by_id(uow.session, uow.tenant_id, [lot_id]).get(lot_id)
        if lot is None or lot.item_id != item_id:
            errors.append(
                FieldError(("lot_id",), f"lot {lot_id} is not a lot of item {item_id}", "inventory.lot_not_found")
            )
    if errors:
        raise ValidationFailed(errors)


def _replay_open(existing: Commitment, same: dict[str, Any]) -> Outcome:
    mine = {k: getattr(existing, k) for k in same}
    if mine != same:
        raise IdempotencyKeyReused(
            f"idempotency key '{existing.idempotency_key}' was used for commitment {existing.id}",
            commitment_id=existing.id,
        )
    return Outcome(existing, replayed=True)


def _open(uow: UnitOfWork, values: dict[str, Any], allocation: list[tuple[int, Decimal]], action: str) -> Outcome:
    """Insert the commitment, its opening entries and the balance deltas; a commitment inserted meanwhile
    with the same key (a concurrent retry) is returned as a replay."""
    key = values["idempotency_key"]
    new_id = ledger_commitments.insert_commitment(uow, values)
    if new_id is None:
        existing = repo.by_key(uow.session, uow.tenant_id, key)
        assert existing is not None
        return _replay_open(existing, _identity(values))
    c = repo.get(uow.session, uow.tenant_id, new_id)
    assert c is not None
    _entries(uow, c, action, [(lk, q) for lk, q in allocation], key, reason=None)
    return Outcome(c)


def _identity(values: dict[str, Any]) -> dict[str, Any]:
    keys = ("kind", "site_id", "item_id", "lot_id", "quantity", "document_type", "document_id", "document_line")
    return {k: values[k] for k in keys}


def reserve(
    uow: UnitOfWork, data: ReservationIn, *, owner: str | None = None, owner_link: str | None = None
) -> Outcome:
    """Hold available stock for a document (see the package docstring); 409 insufficient_available when
    there is not enough (nothing is reserved) unless ``allow_partial``. ``owner``: the domain whose document
    it is (what it ships is then received only by that owner, see ``check_owner``)."""
    scope = uow.principal.scope(RESERVE)
    site = get_site_ref(uow.session, scope, data.site_id)
    if owner is not None and data.expires_at is not None:
        raise ValidationFailed(
            [FieldError(("expires_at",), "a reservation a document owns does not expire: its owner releases it")]
        )
    values = {
        "tenant_id": uow.tenant_id, "kind": domain.RESERVATION, "site_id": data.site_id, "item_id": data.item_id,
        "lot_id": data.lot_id, "document_type": data.document_type, "document_id": data.document_id,
        "document_line": data.document_line, "quantity": data.quantity, "expected_date": None,
        "expires_at": data.expires_at, "idempotency_key": data.idempotency_key, "actor": uow.principal.actor,
        "owner": owner, "owner_link": owner_link,
    }  # fmt: skip
    existing = repo.by_key(uow.session, uow.tenant_id, data.idempotency_key)
    if existing is not None:
        return _replay_open(existing, _identity(values))
    _check_item(uow, data.item_id, data.lot_id)
    with uow.session.begin_nested():
        # the (site, item) cost row serialises this with every posting and reservation of the item there
        ledger_commitments.lock_item(uow, data.site_id, data.item_id, site.currency)
        stock = repo.stock_of(uow.session, uow.tenant_id, data.site_id, data.item_id)
        if data.lot_id is not None:
            stock = [s for s in stock if s.lot_key == data.lot_id]
        allocation, short = domain.allocate(stock, data.quantity, local_date(site.timezone))
        reserved = data.quantity - short
        if short > 0 and (not data.allow_partial or reserved <= 0):
            raise NotEnoughAvailable(
                f"{reserved} of {data.quantity} available to reserve; nothing was reserved",
                requested=str(data.quantity),
                available=str(reserved),
            )
        values |= {"open_quantity": reserved, "status": "open"}
        return _open(uow, values, allocation, "reserve")


def expect(uow: UnitOfWork, data: IncomingIn, *, owner: str | None = None, owner_link: str | None = None) -> Outcome:
    """Record stock on order for a site (a purchase order line, a planned inbound transfer). ``owner``: the
    domain whose document it is (e.g. "purchasing"): only that owner then receives it (``receive(owner=)``),
    inventory's own receiving refuses it and points to ``owner_link``, where the owner's users receive it."""
    scope = uow.principal.scope(INCOMING)
    get_site_ref(uow.session, scope, data.site_id)
    values = {
        "tenant_id": uow.tenant_id, "kind": domain.INCOMING, "site_id": data.site_id, "item_id": data.item_id,
        "lot_id": None, "document_type": data.document_type, "document_id": data.document_id,
        "document_line": data.document_line, "quantity": data.quantity, "expected_date": data.expected_date,
        "expires_at": None, "idempotency_key": data.idempotency_key, "actor": uow.principal.actor,
        "owner": owner, "owner_link": owner_link,
    }  # fmt: skip
    existing = repo.by_key(uow.session, uow.tenant_id, data.idempotency_key)
    if existing is not None:
        return _replay_open(existing, _identity(values))
    _check_item(uow, data.item_id, None)
    with uow.session.begin_nested():
        values |= {"open_quantity": data.quantity, "status": "open"}
        return _open(uow, values, [(0, data.quantity)], "expect")


# --- changing an open commitment -----------------------------------------------------------------------


def _locked(uow: UnitOfWork, scope: Scope, commitment_id: int, kind: str) -> Commitment:
    c = repo.get(uow.session, uow.tenant_id, commitment_id, for_update=True)
    if c is None or c.kind != kind or not scope.allows_site(c.site_id):
        raise CommitmentNotFound(f"{kind} {commitment_id} not found")
    return c


def _request(
    uow: UnitOfWork, scope: Scope, commitment_id: int, kind: str, key: str, owner: str | None, action: str
) -> tuple[Commitment, Outcome | None]:
    """The commitment, locked, and the outcome of this request if it was already made (a retry). A caller
    that is not the commitment's owner is refused first, before anything is read or written for it."""
    c = _locked(uow, scope, commitment_id, kind)
    check_owner(c, owner, action)
    done = repo.request_entries(uow.session, uow.tenant_id, c.id, key)
    if not done:
        return c, None
    ids = sorted({e.move_id for e in done if e.move_id is not None})
    return c, Outcome(c, repo.moves(uow.session, uow.tenant_id, ids), replayed=True)


def _how_much(c: Commitment, quantity: Decimal | None) -> Decimal:
    if c.status != "open":
        raise CommitmentClosed(f"{c.kind} {c.id} is closed")
    qty = c.open_quantity if quantity is None else quantity
    if qty > c.open_quantity:
        raise ExceedsOpenQuantity(
            f"{qty} is more than the {c.open_quantity} open on {c.kind} {c.id}", open_quantity=str(c.open_quantity)
        )
    return qty


def _entries(
    uow: UnitOfWork,
    c: Commitment,
    action: str,
    changes: list[tuple[int, Decimal]],
    request_key: str,
    *,
    reason: str | None,
    move_ids: dict[int, int] | None = None,
) -> None:
    ledger_commitments.append(uow, c, action, changes, request_key, reason=reason, move_ids=move_ids)


def _close_part(uow: UnitOfWork, c: Commitment, qty: Decimal, action: str, key: str, reason: str) -> None:
    draws = domain.draw(repo.open_by_lot(uow.session, c.id), qty)
    _entries(uow, c, action, draws, key, reason=reason)


def release(uow: UnitOfWork, commitment_id: int, data: ReleaseIn, *, owner: str | None = None) -> Outcome:
    """Give reserved stock back to availability (all that is open by default). A reservation with an owner
    is released by that owner only (``owner``; else 409 inventory.owned_elsewhere, nothing changes)."""
    return _release(uow, commitment_id, data, domain.RESERVATION, RESERVE, "release", owner)


def cancel(uow: UnitOfWork, commitment_id: int, data: ReleaseIn, *, owner: str | None = None) -> Outcome:
    """Take (part of) an expected receipt off order: it will not come. An expected receipt with an owner is
    cancelled by that owner only (``owner``; else 409 inventory.owned_elsewhere, nothing changes)."""
    return _release(uow, commitment_id, data, domain.INCOMING, INCOMING, "cancel", owner)


def _release(uow: UnitOfWork, commitment_id: int, data: ReleaseIn, kind: str, perm: str, action: str,
             owner: str | None) -> Outcome:  # fmt: skip
    scope = uow.principal.scope(perm)
    c, replay = _request(uow, scope, commitment_id, kind, data.idempotency_key, owner, action)
    if replay is not None:
        return replay
    qty = _how_much(c, data.quantity)
    with uow.session.begin_nested():
        _close_part(uow, c, qty, action, data.idempotency_key, data.reason)
    return Outcome(c)


def fulfil(uow: UnitOfWork, commitment_id: int, data: FulfilIn, *, owner: str | None = None) -> Outcome:
    """Issue reserved stock: one move per reserved lot (first allocated first) through the ledger, and the
    same quantity off ``reserved``, in one transaction. A reservation with an owner is shipped by that owner
    only (``owner``, e.g. a transfer order's dispatch; else 409 inventory.owned_elsewhere, nothing posted)."""
    scope = uow.principal.scope(RESERVE)
    move_scope = uow.principal.scope(MOVE)
    c, replay = _request(uow, scope, commitment_id, domain.RESERVATION, data.idempotency_key, owner, "fulfil")
    if replay is not None:
        return replay
    if (data.move_type == "transfer_out") != (data.to_site_id is not None) or data.to_site_id == c.site_id:
        raise ValidationFailed(
            [FieldError(("to_site_id",), "a transfer_out needs to_site_id, another site; other moves none")]
        )
    qty = _how_much(c, data.quantity)
    draws = domain.draw(repo.open_by_lot(uow.session, c.id), qty)
    _check_usable(uow, scope, c, [lk for lk, _take in draws])
    lines = [
        Line(
            index=n, site_id=c.site_id, item_id=c.item_id, lot_id=lk or None, move_type=data.move_type,
            quantity=-take, source_type="reservation", source_id=str(c.id),
            idempotency_key=f"reservation:{c.id}:{data.idempotency_key}:{lk}", event_at=data.event_at,
            counter_site_id=data.to_site_id,
        )
        for n, (lk, take) in enumerate(draws)
    ]  # fmt: skip
    with uow.session.begin_nested():
        result = post_document(uow, move_scope, lines, internal=True)
        move_ids = {lk: m.id for (lk, _take), m in zip(draws, result.moves, strict=True)}
        _entries(uow, c, "fulfil", draws, data.idempotency_key, reason=None, move_ids=move_ids)
    return Outcome(c, result.moves)


def _check_usable(uow: UnitOfWork, scope: Scope, c: Commitment, lot_keys: list[int]) -> None:
    """A reserved lot that was quarantined (a recall, a failed inspection) or has expired since is not
    shipped: release the reservation and reserve again."""
    lots = inv_repo.lots_by_id(uow.session, uow.tenant_id, [lk for lk in lot_keys if lk])
    if not lots:
        return
    today = local_date(get_site_ref(uow.session, scope, c.site_id).timezone)
    bad = sorted(
        lot.lot_code for lot in lots.values() if not lot_usable(lot.status, lot.expiry_date, today, lot.on_hold)
    )
    if bad:
        raise LotNotUsable(f"reserved lot(s) {', '.join(bad)} are on hold, quarantined or expired", lots=bad)


def check_owner(c: Commitment, owner: str | None, action: str = "receive") -> None:
    """Refuse acting on a commitment another domain's document owns: receiving it (409
    inventory.received_by_owner, ``receive_at`` where it is received) or cancelling, releasing or shipping
    it (409 inventory.owned_elsewhere, ``managed_at`` the owner's page)."""
    if c.owner is None or c.owner == owner:
        return
    where = f": {c.owner_link}" if c.owner_link else ""
    if action == "receive":
        raise OwnedElsewhere(
            f"{c.document_type} {c.document_id} is received through {c.owner}{where}",
            owner=c.owner, receive_at=c.owner_link, document_id=c.document_id,
        )  # fmt: skip
    raise ManagedByOwner(
        f"{c.document_type} {c.document_id} is managed by {c.owner}: it is {DONE.get(action, action)} there, "
        f"not here{where}",
        owner=c.owner, managed_at=c.owner_link, document_type=c.document_type, document_id=c.document_id,
        action=action,
    )  # fmt: skip


def receive(uow: UnitOfWork, commitment_id: int, data: ReceiveIn, *, owner: str | None = None) -> Outcome:
    """Receive against an expected receipt: a receipt move of what arrived, and that much (at most what is
    open) off ``on_order``; ``close`` cancels what stays open (a short delivery). An expected receipt with an
    owner is received by that owner only (``owner``; else 409 inventory.received_by_owner)."""
    scope = uow.principal.scope(INCOMING)
    move_scope = uow.principal.scope(MOVE)
    c, replay = _request(uow, scope, commitment_id, domain.INCOMING, data.idempotency_key, owner, "receive")
    if replay is not None:
        return replay
    if c.status != "open":
        raise CommitmentClosed(f"incoming {c.id} is closed")
    line = Line(
        index=0, site_id=c.site_id, item_id=c.item_id, lot_id=None, move_type="receipt", quantity=data.quantity,
        unit_cost=data.unit_cost, source_type="incoming", source_id=str(c.id),
        idempotency_key=f"incoming:{c.id}:{data.idempotency_key}", event_at=data.event_at, lot_code=data.lot_code,
        expiry_date=data.expiry_date,
    )  # fmt: skip
    applied = min(data.quantity, c.open_quantity)
    with uow.session.begin_nested():
        result = post_document(uow, move_scope, [line], internal=False)
        move = result.moves[0]
        _entries(uow, c, "receive", [(0, applied)], data.idempotency_key, reason=None, move_ids={0: move.id})
        if data.close and c.open_quantity > 0:
            _close_part(uow, c, c.open_quantity, "cancel", data.idempotency_key, "closed short on receipt")
    return Outcome(c, [move])


# --- expiry --------------------------------------------------------------------------------------------


def expire(uow: UnitOfWork, commitment_id: int, now: datetime | None = None) -> bool:
    """Release a reservation whose expiry has passed (the worker's job); False when there is nothing to do
    (released, fulfilled or extended meanwhile). A reservation a document owns is never expired silently:
    its owner releases it (a transfer order's cancel or close), so it is left as it is (False)."""
    scope = uow.principal.scope(RESERVE)
    c = _locked(uow, scope, commitment_id, domain.RESERVATION)
    moment = now or utcnow()
    if c.owner is not None or c.status != "open" or c.expires_at is None or c.expires_at > moment:
        return False
    with uow.session.begin_nested():
        _close_part(uow, c, c.open_quantity, "expire", f"expire:{c.id}", "reservation expired")
    return True
