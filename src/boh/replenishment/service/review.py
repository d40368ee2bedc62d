"""Review and approval of suggestion lines.

A store manager accepts lines or changes a quantity with a reason code (every change is kept: table
``replenishment_change``, and audited). A change within the line's tolerance band (the policy's
``tolerance_pct`` of the suggestion) is approved at once; outside it the line waits for approval: level 1
(regional manager, ``replenishment.approve``), and a level 2 (buyer / HQ, ``replenishment.rules``) when the
line's value reaches the tenant's ``level2_amount`` or its deviation ``level2_deviation_pct``. A step nobody
decides by its deadline is escalated (the job ``replenishment.escalate``): notified one level up.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from decimal import Decimal

from sqlalchemy import select

from boh.http.pages import N_
from boh.kernel.clock import utcnow
from boh.kernel.errors import FieldError, PermissionDenied, ValidationFailed
from boh.kernel.uow import UnitOfWork
from boh.notify.api import notify
from boh.replenishment import domain as d
from boh.replenishment import models as m
from boh.replenishment.errors import LineNotReviewable, NoSuchLine, NothingToApprove, SelfApproval
from boh.replenishment.events import SuggestionsAwaitingApproval
from boh.replenishment.service._common import APPROVE, REVIEW, RULES

REASONS: dict[str, str] = {
    "promotion": N_("Promotion or event"),
    "local_knowledge": N_("Local knowledge"),
    "shelf_space": N_("Shelf space"),
    "quality": N_("Quality or freshness"),
    "overstock": N_("Too much in stock"),
    "weather": N_("Weather"),
    "other": N_("Other"),
}
OPEN = ("proposed", "changed", "approved", "pending")
MSG_PENDING = N_("Order suggestion changed beyond tolerance: %(n)s line(s) wait for approval")
MSG_ESCALATED = N_("An order approval waited past its deadline and is escalated to you")
LEVEL_ROLES = {1: ["regional_manager"], 2: ["buyer", "hq_admin"]}


def settings(uow: UnitOfWork) -> m.Settings:
    row = uow.session.get(m.Settings, uow.tenant_id)
    if row is None:
        row = m.Settings(tenant_id=uow.tenant_id, level2_amount=Decimal(5000), level2_deviation_pct=Decimal(100),
                         escalate_hours=24, auto_enabled=True, updated_at=utcnow())  # fmt: skip
        uow.session.add(row)
        uow.flush()
    return row


def auto_enabled(uow: UnitOfWork) -> bool:
    """The kill switch's state, read only (the settings row is written on first change)."""
    row = uow.session.get(m.Settings, uow.tenant_id)
    return True if row is None else row.auto_enabled


def get_line(uow: UnitOfWork, line_id: int, permission: str = REVIEW, *, for_update: bool = False) -> m.Line:
    stmt = select(m.Line).where(m.Line.id == line_id, m.Line.tenant_id == uow.tenant_id)
    line = uow.session.scalars(stmt.with_for_update() if for_update else stmt).one_or_none()
    if line is None or not uow.principal.scope(permission).allows_site(line.site_id):
        raise NoSuchLine(f"line {line_id} not found")
    return line


def change_qty(uow: UnitOfWork, *, line_id: int, qty: Decimal, reason_code: str, note: str | None = None) -> m.Line:
    """Set a reviewed quantity with a reason; outside the tolerance band it waits for approval."""
    errors = []
    if qty < 0:
        errors.append(FieldError(("qty",), "must be zero or more"))
    if reason_code not in REASONS:
        errors.append(FieldError(("reason_code",), f"must be one of {', '.join(REASONS)}"))
    if errors:
        raise ValidationFailed(errors, "invalid change")
    line = get_line(uow, line_id, for_update=True)
    if line.status not in OPEN:
        raise LineNotReviewable(f"line {line_id} is {line.status}")
    old = line.qty
    dev = d.deviation_pct(line.suggested_qty, qty)
    uow.session.add(m.Change(tenant_id=uow.tenant_id, line_id=line.id, old_qty=old, new_qty=qty, deviation_pct=dev,
                             reason_code=reason_code, note=note, actor=uow.principal.actor, at=utcnow()))  # fmt: skip
    _drop_pending(uow, line)
    line.qty, line.reason_code = qty, reason_code
    if dev <= line.tolerance_pct:
        line.status, line.approval_level, line.approval_due_at = "approved", 0, None
    else:
        _require_approval(uow, line, dev)
    uow.audit("replenishment.line.change", "replenishment_line", line.id,
              before={"qty": str(old)}, after={"qty": str(qty), "reason": reason_code, "deviation_pct": str(dev),
                                               "status": line.status})  # fmt: skip
    return line


def _require_approval(uow: UnitOfWork, line: m.Line, dev: Decimal) -> None:
    cfg = settings(uow)
    value = line.qty * line.unit_price
    levels = 2 if value >= cfg.level2_amount or dev >= cfg.level2_deviation_pct else 1
    due = utcnow() + timedelta(hours=cfg.escalate_hours)
    line.status, line.approval_level, line.approval_due_at = "pending", levels, due
    uow.session.add(m.Approval(tenant_id=uow.tenant_id, line_id=line.id, level=1, status="pending", due_at=due))
    _awaiting(uow, line, 1)
    notify(uow, kind="replenishment_approval", message=MSG_PENDING, params={"n": 1}, roles=LEVEL_ROLES[1],
           site_id=line.site_id, link="/replenishment/approvals",
           dedupe_key=f"replenishment:approval:{line.id}:{line.qty}")  # fmt: skip


def _awaiting(uow: UnitOfWork, line: m.Line, level: int) -> None:
    value = (line.qty * line.unit_price).quantize(Decimal("0.01"))
    uow.publish(SuggestionsAwaitingApproval(tenant_id=uow.tenant_id, line_id=line.id, site_id=line.site_id,
                                            level=level, qty=str(line.qty), value=str(value)))  # fmt: skip


def _drop_pending(uow: UnitOfWork, line: m.Line) -> None:
    for a in uow.session.scalars(
        select(m.Approval).where(m.Approval.line_id == line.id, m.Approval.status == "pending")
    ):
        a.status, a.note, a.decided_at = "superseded", "quantity changed again", utcnow()


def accept(uow: UnitOfWork, *, line_ids: Sequence[int]) -> int:
    """Approve lines at their current quantity (the suggestion, or a change within tolerance)."""
    n = 0
    for line_id in sorted(set(line_ids)):
        line = get_line(uow, line_id, for_update=True)
        if line.status in ("proposed", "changed"):
            line.status = "approved"
            uow.audit("replenishment.line.accept", "replenishment_line", line.id, after={"qty": str(line.qty)})
            n += 1
    return n


def decide(uow: UnitOfWork, *, line_id: int, approve: bool, note: str | None = None) -> m.Line:
    """Decide the line's open approval step (level 1: ``replenishment.approve``, level 2: ``.rules``)."""
    line = get_line(uow, line_id, APPROVE, for_update=True)
    step = uow.session.scalars(select(m.Approval).where(m.Approval.line_id == line.id, m.Approval.status == "pending")
                               .order_by(m.Approval.level)).first()  # fmt: skip
    if line.status != "pending" or step is None:
        raise NothingToApprove(f"line {line_id} is not waiting for approval")
    if step.level >= 2 and not uow.principal.can(RULES):
        raise PermissionDenied("a level-2 approval needs replenishment.rules")
    if step.actor is None and uow.principal.kind == "user" and _changed_by(uow, line) == uow.principal.actor:
        raise SelfApproval("the person who changed the line cannot approve it")
    step.status, step.actor, step.note, step.decided_at = ("approved" if approve else "rejected"), \
        uow.principal.actor, note, utcnow()  # fmt: skip
    if not approve:
        line.qty, line.status, line.approval_level, line.approval_due_at = line.suggested_qty, "proposed", 0, None
    elif step.level < line.approval_level:
        due = utcnow() + timedelta(hours=settings(uow).escalate_hours)
        uow.session.add(m.Approval(tenant_id=uow.tenant_id, line_id=line.id, level=step.level + 1, status="pending",
                                   due_at=due))  # fmt: skip
        line.approval_due_at = due
        _awaiting(uow, line, step.level + 1)
        notify(
            uow,
            kind="replenishment_approval",
            message=MSG_PENDING,
            params={"n": 1},
            roles=LEVEL_ROLES[2],
            site_id=line.site_id,
            link="/replenishment/approvals",
            dedupe_key=f"replenishment:approval2:{line.id}",
        )
    else:
        line.status, line.approval_level, line.approval_due_at = "approved", 0, None
    uow.audit("replenishment.line.decide", "replenishment_line", line.id,
              after={"level": step.level, "approved": approve, "status": line.status,
                     "qty": str(line.qty)})  # fmt: skip
    return line


def _changed_by(uow: UnitOfWork, line: m.Line) -> str | None:
    return uow.session.scalar(select(m.Change.actor).where(m.Change.line_id == line.id).order_by(m.Change.id.desc()))


def escalate_overdue(uow: UnitOfWork) -> int:
    """Escalate the pending steps past their deadline: told to the next level's roles, once."""
    now = utcnow()
    steps = uow.session.scalars(select(m.Approval).where(
        m.Approval.tenant_id == uow.tenant_id, m.Approval.status == "pending", m.Approval.escalated.is_(False),
        m.Approval.due_at < now).order_by(m.Approval.id)).all()  # fmt: skip
    for step in steps:
        line = uow.session.get(m.Line, step.line_id)
        step.escalated = True
        notify(uow, kind="replenishment_escalation", message=MSG_ESCALATED, roles=LEVEL_ROLES[2],
               site_id=line.site_id if line else None, link="/replenishment/approvals",
               dedupe_key=f"replenishment:escalate:{step.id}")  # fmt: skip
        uow.audit("replenishment.approval.escalate", "replenishment_approval", step.id, after={"level": step.level})
    return len(steps)
