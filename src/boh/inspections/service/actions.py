"""Corrective actions to closure: the owner submits evidence (the photo and/or note the severity requires), the
inspector or regional manager accepts (closed) or reopens it; overdue actions escalate up the hierarchy
(store manager -> regional manager -> HQ), each level told once. Also the tenant's settings."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from boh.inspections import adapters, domain, models
from boh.inspections.errors import EvidenceMissing, WrongStatus
from boh.inspections.events import ActionClosed, ActionEscalated
from boh.inspections.schemas import EvidenceIn, GeofenceIn, ReviewIn, SettingsIn
from boh.inspections.service._common import A_REVIEW, A_WRITE, SETTINGS, action, settings, user_id
from boh.kernel.clock import utcnow
from boh.kernel.tenancy import Scope
from boh.kernel.uow import UnitOfWork
from boh.org.api import get_site_ref


def submit_evidence(uow: UnitOfWork, action_id: int, body: EvidenceIn) -> models.Action:
    row = action(uow, action_id, A_WRITE, lock=True)
    if row.status == "submitted" and body.note == row.evidence_note:
        return row  # a retry
    if row.status != "open":
        raise WrongStatus(f"action {action_id} is {row.status}")
    photos = uow.session.scalar(select(func.count()).where(models.Photo.action_id == row.id)) or 0
    have = {"photo": photos > 0, "note": bool(body.note)}
    missing = [kind for kind in row.evidence_required if not have.get(kind, False)]
    if missing:
        raise EvidenceMissing(f"add the evidence this action requires: {', '.join(missing)}", missing=missing)
    row.status, row.evidence_note = "submitted", body.note
    row.submitted_at, row.submitted_by = utcnow(), user_id(uow)
    uow.flush()
    adapters.tell(
        uow, kind="inspection_action", roles=["inspector", "regional_manager"], site_id=row.site_id,
        message="Evidence to review: %(title)s", params={"title": {"en": row.title, "zh": row.title_zh or row.title}},
        link=f"/inspections/actions/{row.id}", dedupe_key=f"inspections.evidence:{row.id}:{row.reopened}",
    )  # fmt: skip
    uow.audit("inspections.action.evidence", "inspections_action", row.id, after={"note": body.note})
    return row


def review(uow: UnitOfWork, action_id: int, body: ReviewIn, *, accept: bool) -> models.Action:
    """Accept (close) or reopen submitted evidence; accepting twice is a no-op."""
    row = action(uow, action_id, A_REVIEW, lock=True)
    if accept and row.status == "accepted":
        return row
    if row.status != "submitted":
        raise WrongStatus(f"action {action_id} is {row.status}: only submitted evidence is reviewed")
    now = utcnow()
    row.reviewed_at, row.reviewed_by, row.review_note = now, user_id(uow), body.note
    if accept:
        row.status, row.closed_at = "accepted", now
        days = (now.date() - row.created_at.date()).days
        uow.publish(ActionClosed(tenant_id=uow.tenant_id, action_id=row.id, site_id=row.site_id, days_to_close=days))
    else:
        row.status, row.reopened = "open", row.reopened + 1
        adapters.tell(
            uow, kind="inspection_action", users=[row.owner_id] if row.owner_id else [], site_id=row.site_id,
            message="Action reopened: %(title)s", params={"title": {"en": row.title, "zh": row.title_zh or row.title}},
            link=f"/inspections/actions/{row.id}", dedupe_key=f"inspections.reopen:{row.id}:{row.reopened}",
        )  # fmt: skip
    uow.flush()
    uow.audit("inspections.action." + ("accept" if accept else "reopen"), "inspections_action", row.id,
              after={"note": body.note})  # fmt: skip
    return row


def escalate_overdue(uow: UnitOfWork, today: date) -> int:
    """Raise each overdue action to its level on the ladder and tell that level once. Idempotent: an action
    already at its level is left alone. Returns how many actions rose."""
    cfg = settings(uow)
    rows = uow.session.scalars(
        select(models.Action)
        .where(models.Action.tenant_id == uow.tenant_id, models.Action.status != "accepted",
               models.Action.due_date < today)
        .order_by(models.Action.id).with_for_update()
    ).all()  # fmt: skip
    risen = 0
    for row in rows:
        level = domain.escalation_level(row.due_date, today, cfg.escalation_step_days)
        if level <= row.escalation_level:
            continue
        row.escalation_level, row.escalated_at = level, utcnow()
        role = domain.ESCALATION_LADDER[level]
        site = get_site_ref(uow.session, Scope(uow.tenant_id), row.site_id)
        adapters.tell(
            uow, kind="inspection_overdue", roles=[role], site_id=row.site_id,
            message="Overdue since %(due)s at %(site)s: %(title)s",
            params={"due": row.due_date.isoformat(), "site": site.code,
                    "title": {"en": row.title, "zh": row.title_zh or row.title}},
            link=f"/inspections/actions/{row.id}", dedupe_key=f"inspections.escalate:{row.id}:{level}",
        )  # fmt: skip
        uow.publish(ActionEscalated(tenant_id=uow.tenant_id, action_id=row.id, site_id=row.site_id, level=level))
        uow.audit("inspections.action.escalate", "inspections_action", row.id, after={"level": level, "role": role})
        risen += 1
    uow.flush()
    return risen


def put_settings(uow: UnitOfWork, body: SettingsIn) -> models.Settings:
    uow.principal.scope(SETTINGS)
    row = uow.session.get(models.Settings, uow.tenant_id)
    before = None
    if row is None:
        row = models.Settings(tenant_id=uow.tenant_id, site_geofence={})
        uow.session.add(row)
    else:
        before = {"geofence_m": row.geofence_m, "checkin_policy": row.checkin_policy}
    row.geofence_m, row.checkin_policy, row.max_photo_mb = body.geofence_m, body.checkin_policy, body.max_photo_mb
    row.due_days, row.escalation_step_days = {str(k): v for k, v in body.due_days.items()}, body.escalation_step_days
    row.updated_at, row.updated_by = utcnow(), uow.principal.actor
    uow.flush()
    uow.audit("inspections.settings.put", "inspections_settings", uow.tenant_id, before=before,
              after=body.model_dump(mode="json"))  # fmt: skip
    return row


def put_geofence(uow: UnitOfWork, site_id: int, body: GeofenceIn) -> models.Settings:
    scope = uow.principal.scope(SETTINGS)
    get_site_ref(uow.session, scope, site_id)
    current = settings(uow)
    if uow.session.get(models.Settings, uow.tenant_id) is None:
        uow.session.add(current)
    fences = dict(current.site_geofence or {})
    if body.radius_m is None:
        fences.pop(str(site_id), None)
    else:
        fences[str(site_id)] = body.radius_m
    current.site_geofence, current.updated_at, current.updated_by = fences, utcnow(), uow.principal.actor
    uow.flush()
    uow.audit("inspections.geofence.put", "org_site", site_id, after={"radius_m": body.radius_m})
    return current
