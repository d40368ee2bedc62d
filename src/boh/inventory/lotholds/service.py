"""Use cases of the lot-hold API: check the lots are in the person's site scope, then hold or release
through ``boh.inventory.holds`` (which audits, publishes LotsHeld / LotHoldReleased and never holds twice)."""

from __future__ import annotations

from sqlalchemy import select

from boh.inventory import holds
from boh.inventory.errors import LotNotFound
from boh.inventory.lotholds.queries import lots_in_scope
from boh.inventory.lotholds.schemas import HoldIn, ReleaseIn
from boh.inventory.models import LotHold
from boh.kernel.errors import FieldError, ValidationFailed
from boh.kernel.uow import UnitOfWork

PROTECTED = frozenset({"recall"})  # released by closing the recall, not through this API


def _in_scope(uow: UnitOfWork, lot_ids: list[int]) -> None:
    scope = uow.principal.scope(holds.HOLD)
    allowed = lots_in_scope(uow.session, scope, lot_ids)
    missing = sorted(set(lot_ids) - allowed)
    if missing:  # another site's or tenant's lot reads as unknown
        raise LotNotFound(f"lot(s) {', '.join(map(str, missing[:20]))} not found", lot_ids=missing[:100])


def hold(uow: UnitOfWork, data: HoldIn) -> list[holds.Hold]:
    if data.source in PROTECTED:
        raise ValidationFailed([FieldError(("source",), f"holds of source '{data.source}' come from their domain")])
    _in_scope(uow, data.lot_ids)
    return holds.hold_lots(uow, data.lot_ids, reason=data.reason, source=data.source, source_ref=data.source_ref)


def release(uow: UnitOfWork, lot_id: int, data: ReleaseIn) -> tuple[list[int], list[holds.Hold]]:
    """Close the lot's open holds of ``source`` (and ``source_ref``), or all but the protected sources'
    when no source is given. Returns (the closed hold ids, the holds still open). A retry closes nothing."""
    if data.source in PROTECTED:
        raise ValidationFailed([FieldError(("source",), f"holds of source '{data.source}' are released elsewhere")])
    _in_scope(uow, [lot_id])
    open_holds = uow.session.execute(
        select(LotHold.id, LotHold.source, LotHold.source_ref).where(
            LotHold.tenant_id == uow.tenant_id, LotHold.lot_id == lot_id, LotHold.released_at.is_(None)
        )
    ).all()
    targets = sorted(
        {(src, ref) for _id, src, ref in open_holds
         if src not in PROTECTED and (data.source is None or src == data.source)
         and (data.source_ref is None or ref == data.source_ref)},
        key=lambda p: (p[0], p[1] or ""),
    )  # fmt: skip
    closing = [i for i, src, ref in open_holds if (src, ref) in targets]
    left = holds.holds_of(uow.session, uow.tenant_id, [lot_id])
    for src, ref in targets:
        left = holds.release_lot(uow, lot_id, reason=data.reason, source=src, source_ref=ref)
    return sorted(closing), left
