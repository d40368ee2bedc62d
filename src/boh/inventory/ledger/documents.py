"""Posting a document: validate every line (all errors at once), then post them all or none."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from sqlalchemy import select
from sqlalchemy.orm import Session

from boh.inventory.events import HeldLotSold
from boh.inventory.ledger.contract import Line, PostedMove
from boh.inventory.ledger.post import post
from boh.inventory.ledger.validate import validate
from boh.inventory.models import Lot
from boh.kernel.tenancy import Scope
from boh.kernel.uow import UnitOfWork


def held_lot_ids(session: Session, tenant_id: int, lot_ids: set[int]) -> set[int]:
    stmt = select(Lot.id).where(Lot.tenant_id == tenant_id, Lot.id.in_(sorted(lot_ids)), Lot.on_hold.is_(True))
    return set(session.scalars(stmt))


@dataclass(frozen=True)
class PostResult:
    moves: list[PostedMove]  # one per line, in the order of the document; replays are the original moves
    replayed: int
    true_ups: list[PostedMove]  # revaluations the ledger booked before costed inflows (see valuation.py)
    all_moves: list[PostedMove]  # every move written (the parts of lines split over lots too) or replayed


def flag_held_sales(uow: UnitOfWork, moves: Sequence[PostedMove]) -> None:
    """Publish HeldLotSold for the sales of lots on hold that were posted (the tenant's policy is ``flag``;
    with ``refuse`` they never get here)."""
    sales = [m for m in moves if m.move_type == "sale" and m.quantity < 0 and m.lot_id is not None]
    if not sales:
        return
    held = held_lot_ids(uow.session, uow.tenant_id, {m.lot_id for m in sales if m.lot_id is not None})
    flagged = [m for m in sales if m.lot_id in held]
    if flagged:
        uow.publish(
            HeldLotSold(
                tenant_id=uow.tenant_id,
                move_ids=tuple(m.id for m in flagged),
                lot_ids=tuple(sorted({m.lot_id for m in flagged if m.lot_id is not None})),
            )
        )


def post_document(
    uow: UnitOfWork, scope: Scope, lines: list[Line], *, internal: bool, audit: bool = True, fefo: bool = False
) -> PostResult:
    """Validate and post a document's lines, every line or none; one audit record for what was written.
    ``fefo``: lines marked ``fefo`` are taken from the usable lots first expiring first (else the mark is
    ignored)."""
    valid, sites = validate(uow, scope, lines, internal=internal)
    if not fefo:
        valid = [replace(ln, fefo=False) if ln.fefo else ln for ln in valid]
    done = post(uow, valid, sites=sites, each=False)
    flag_held_sales(uow, done.parts)
    written = [*done.true_ups, *done.parts]
    if audit and written:
        ids = sorted(m.id for m in written)
        uow.audit(
            "inventory.moves.post",
            "move_batch",
            ids[0],
            after={
                "move_ids": ids,
                "count": len(ids),
                "negative_move_ids": sorted(m.id for m in written if m.negative),
                "value": str(sum((m.value for m in written), start=written[0].value * 0)),
            },
        )
    replays = [done.moves[i] for i in sorted(done.replayed)]
    return PostResult(
        done.in_order([ln.index for ln in lines]), len(done.replayed), done.true_ups, replays + done.parts
    )
