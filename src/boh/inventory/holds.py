"""Lot holds: a recall or a quarantine blocks lots at once. A lot with an open hold is not available, not
pickable (FEFO skips it) and not sellable (a sale of it is refused or flagged per the tenant's
``held_lot_sales`` policy, see ``ledger/validate.py`` and the floor-event ingestion); its stock stays on
hand and may still be wasted, returned or sent back. Each hold records why, from where (``source``: recall,
quarantine, ...; ``source_ref``: e.g. the recall's id), who and when; a lot stays on hold until its last
open hold is released. ``Lot.on_hold`` mirrors "has an open hold" so that the usability rule
(``ledger.rules.lot_usable`` / ``lot_usable_sql``) reads one column."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from boh.inventory.errors import LotNotFound
from boh.inventory.events import LotHoldReleased, LotsHeld
from boh.inventory.models import Lot, LotHold
from boh.kernel.clock import utcnow
from boh.kernel.errors import FieldError, ValidationFailed
from boh.kernel.uow import UnitOfWork

HOLD = "inventory.lot.hold"
CHUNK = 1000


@dataclass(frozen=True)
class Hold:
    id: int
    lot_id: int
    reason: str
    source: str
    source_ref: str | None
    held_by: str
    held_at: datetime
    released_at: datetime | None
    released_by: str | None
    release_reason: str | None


def _hold(h: LotHold) -> Hold:
    return Hold(
        h.id, h.lot_id, h.reason, h.source, h.source_ref, h.held_by, h.held_at, h.released_at, h.released_by,
        h.release_reason,
    )  # fmt: skip


def _chunks(ids: list[int]) -> Iterable[list[int]]:
    for start in range(0, len(ids), CHUNK):
        yield ids[start : start + CHUNK]


def _check(reason: str, source: str) -> None:
    errors = []
    if not reason.strip():
        errors.append(FieldError(("reason",), "a hold needs a reason", "inventory.reason_required"))
    if not source.strip() or len(source) > 40:
        errors.append(
            FieldError(("source",), "a hold needs a source (recall, quarantine, ...)", "inventory.bad_source")
        )
    if errors:
        raise ValidationFailed(errors)


def hold_lots(
    uow: UnitOfWork, lot_ids: Iterable[int], *, reason: str, source: str, source_ref: str | None = None
) -> list[Hold]:
    """Put these lots on hold (all or none: an unknown lot is not found). A lot that already has an open hold
    of the same source and reference keeps it (a retry holds nothing twice). Returns the open holds of that
    source and reference, by lot."""
    scope = uow.principal.scope(HOLD)
    _check(reason, source)
    wanted = sorted(set(lot_ids))
    if not wanted:
        return []
    s = uow.session
    found: set[int] = set()
    for chunk in _chunks(wanted):  # lock the lots in id order
        stmt = select(Lot.id).where(Lot.tenant_id == scope.tenant_id, Lot.id.in_(chunk)).order_by(Lot.id)
        found.update(s.scalars(stmt.with_for_update()))
    missing = [i for i in wanted if i not in found]
    if missing:
        raise LotNotFound(f"lot(s) {', '.join(map(str, missing[:20]))} not found", lot_ids=missing[:100])
    existing = _open(s, scope.tenant_id, wanted, source=source, source_ref=source_ref)
    new = [i for i in wanted if i not in existing]
    now, actor = utcnow(), uow.principal.actor
    if new:
        s.execute(
            insert(LotHold),
            [
                {"tenant_id": scope.tenant_id, "lot_id": i, "reason": reason[:500], "source": source,
                 "source_ref": source_ref, "held_by": actor, "held_at": now}
                for i in new
            ],
        )  # fmt: skip
        for chunk in _chunks(new):
            s.execute(
                update(Lot)
                .where(Lot.tenant_id == scope.tenant_id, Lot.id.in_(chunk))
                .values(on_hold=True)
                .execution_options(synchronize_session=False)
            )
        s.expire_all()
    holds = _open(s, scope.tenant_id, wanted, source=source, source_ref=source_ref)
    if new:
        made = sorted(holds[i].id for i in new)
        uow.audit(
            "inventory.lot.hold", "lot_hold", made[0],
            after={"lot_ids": new, "hold_ids": made, "source": source, "source_ref": source_ref, "reason": reason},
        )  # fmt: skip
        uow.publish(
            LotsHeld(
                tenant_id=scope.tenant_id, lot_ids=tuple(new), hold_ids=tuple(made), source=source,
                source_ref=source_ref, reason=reason,
            )
        )  # fmt: skip
    return [holds[i] for i in wanted]


def release_lot(
    uow: UnitOfWork, lot_id: int, *, reason: str, source: str | None = None, source_ref: str | None = None
) -> list[Hold]:
    """Release the open holds of a lot (those of ``source`` / ``source_ref`` when given); the lot is usable
    again once no open hold is left. Returns the holds still open."""
    scope = uow.principal.scope(HOLD)
    _check(reason, source or "any")
    s = uow.session
    lot = s.scalar(select(Lot).where(Lot.tenant_id == scope.tenant_id, Lot.id == lot_id).with_for_update())
    if lot is None:
        raise LotNotFound(f"lot {lot_id} not found")
    stmt = select(LotHold).where(
        LotHold.tenant_id == scope.tenant_id, LotHold.lot_id == lot_id, LotHold.released_at.is_(None)
    )
    open_holds = list(s.scalars(stmt.order_by(LotHold.id)))
    closing = [
        h for h in open_holds
        if (source is None or h.source == source) and (source_ref is None or h.source_ref == source_ref)
    ]  # fmt: skip
    now, actor = utcnow(), uow.principal.actor
    for h in closing:
        h.released_at, h.released_by, h.release_reason = now, actor, reason[:500]
    left = [h for h in open_holds if h not in closing]
    lot.on_hold = bool(left)
    uow.flush()
    if closing:
        ids = [h.id for h in closing]
        uow.audit(
            "inventory.lot.release_hold", "lot", lot_id, before={"hold_ids": ids},
            after={"reason": reason, "on_hold": lot.on_hold},
        )  # fmt: skip
        uow.publish(
            LotHoldReleased(
                tenant_id=scope.tenant_id, lot_id=lot_id, hold_ids=tuple(ids), on_hold=lot.on_hold, reason=reason
            )
        )
    return [_hold(h) for h in left]


def _open(
    session: Session, tenant_id: int, lot_ids: list[int], *, source: str | None = None, source_ref: str | None = None
) -> dict[int, Hold]:
    out: dict[int, Hold] = {}
    for chunk in _chunks(lot_ids):
        stmt = select(LotHold).where(
            LotHold.tenant_id == tenant_id, LotHold.lot_id.in_(chunk), LotHold.released_at.is_(None)
        )
        if source is not None:
            stmt = stmt.where(LotHold.source == source)
        if source_ref is not None:
            stmt = stmt.where(LotHold.source_ref == source_ref)
        elif source is not None:
            stmt = stmt.where(LotHold.source_ref.is_(None))
        for h in session.scalars(stmt.order_by(LotHold.id)):
            out.setdefault(h.lot_id, _hold(h))
    return out


def holds_of(session: Session, tenant_id: int, lot_ids: Iterable[int], *, open_only: bool = True) -> list[Hold]:
    """The holds of these lots (open ones only by default), oldest first."""
    wanted = sorted(set(lot_ids))
    out: list[Hold] = []
    for chunk in _chunks(wanted):
        stmt = select(LotHold).where(LotHold.tenant_id == tenant_id, LotHold.lot_id.in_(chunk))
        if open_only:
            stmt = stmt.where(LotHold.released_at.is_(None))
        out.extend(_hold(h) for h in session.scalars(stmt.order_by(LotHold.id)))
    return sorted(out, key=lambda h: h.id)


def held_lot_ids(session: Session, tenant_id: int, lot_ids: Iterable[int]) -> set[int]:
    """Which of these lots are on hold."""
    wanted = sorted(set(lot_ids))
    out: set[int] = set()
    for chunk in _chunks(wanted):
        stmt = select(Lot.id).where(Lot.tenant_id == tenant_id, Lot.id.in_(chunk), Lot.on_hold.is_(True))
        out.update(session.scalars(stmt))
    return out
