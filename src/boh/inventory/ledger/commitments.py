"""The ledger's writes of stock commitments: a commitment row, its append-only entries (the open quantity
per lot) and the ``reserved`` / ``on_order`` of the balances, in one step (see boh.inventory.commitments for
the use cases). Lock order: the commitment row first, then the (site, item) cost row, then the balances."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, cast

from sqlalchemy import Table

from boh.inventory.commitments.models import Commitment, CommitmentEntry
from boh.inventory.events import StockCommitted
from boh.inventory.ledger.contract import BalanceKey
from boh.inventory.ledger.store import Delta, store_for
from boh.kernel.clock import utcnow
from boh.kernel.uow import UnitOfWork

ZERO = Decimal(0)
RESERVATION = "reservation"
OPENING = frozenset({"reserve", "expect"})


def lock_item(uow: UnitOfWork, site_id: int, item_id: int, currency: str) -> None:
    """Lock the (site, item) cost row: serialises a commitment with every posting of the item there."""
    store_for(uow.session).lock_costs(uow.tenant_id, {(site_id, item_id): currency}, utcnow())


def insert_commitment(uow: UnitOfWork, values: dict[str, Any]) -> int | None:
    """The new commitment's id, or None when its idempotency key is taken (atomic, no race)."""
    store = store_for(uow.session)
    now = utcnow()
    table = cast(Table, Commitment.__table__)
    stmt = (
        store._insert(table)
        .values(**values, created_at=now, updated_at=now)
        .on_conflict_do_nothing(index_elements=["tenant_id", "idempotency_key"])
        .returning(table.c.id)
    )
    new_id: int | None = uow.session.execute(stmt).scalar_one_or_none()
    return new_id


def append(
    uow: UnitOfWork,
    c: Commitment,
    action: str,
    changes: list[tuple[int, Decimal]],
    request_key: str,
    *,
    reason: str | None,
    move_ids: dict[int, int] | None = None,
) -> None:
    """Append the entries of one action (opening ones positive, closing ones given positive and stored
    negative), move the balances, update the commitment, audit and publish."""
    sign = 1 if action in OPENING else -1
    now = utcnow()
    rows = [
        CommitmentEntry(
            tenant_id=uow.tenant_id, commitment_id=c.id, site_id=c.site_id, item_id=c.item_id, lot_id=lk or None,
            lot_key=lk, action=action, quantity=sign * q, move_id=(move_ids or {}).get(lk), reason=reason,
            request_key=request_key, recorded_at=now, actor=uow.principal.actor,
        )
        for lk, q in changes
    ]  # fmt: skip
    uow.session.add_all(rows)
    deltas: dict[BalanceKey, Delta] = {}
    for lk, q in changes:
        d = sign * q
        key = (c.site_id, c.item_id, lk)
        deltas[key] = Delta(reserved=d) if c.kind == RESERVATION else Delta(on_order=d)
    uow.session.flush()
    store_for(uow.session).add_to_balances(uow.tenant_id, deltas, now)
    if sign < 0:
        c.open_quantity -= sum((q for _lk, q in changes), ZERO)
        if c.open_quantity <= 0:
            c.status, c.closed_at = "closed", now
        c.updated_at = now
    uow.flush()
    total = sum((q for _lk, q in changes), ZERO)
    uow.audit(
        f"inventory.{c.kind}.{action}", "commitment", c.id,
        after={"quantity": total, "open_quantity": c.open_quantity, "status": c.status, "reason": reason,
               "request_key": request_key, "move_ids": sorted((move_ids or {}).values())},
    )  # fmt: skip
    uow.publish(
        StockCommitted(
            tenant_id=uow.tenant_id, commitment_id=c.id, kind=c.kind, action=action,
            document_type=c.document_type, document_id=c.document_id,
            changes=tuple(
                {"site_id": s, "item_id": i, "lot_id": lk or None, "reserved_delta": str(d.reserved),
                 "on_order_delta": str(d.on_order)}
                for (s, i, lk), d in sorted(deltas.items())
            ),
        )
    )  # fmt: skip
