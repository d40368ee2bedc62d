"""Visit use cases: an ad hoc visit, check-in within the geofence, answers saved as entered (idempotent per
entry), food-safety alerts the moment a reading is out of its limit, and the submission that locks the
inspection, scores it on the server and opens a corrective action per failed item."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from boh.inspections import adapters, domain, models
from boh.inspections.definition import Definition, Item
from boh.inspections.errors import (
    IncompleteInspection,
    NotCheckedIn,
    OutsideGeofence,
    VisitLocked,
    WrongStatus,
)
from boh.inspections.events import FoodSafetyAlertRaised, InspectionSubmitted
from boh.inspections.schemas import AnswersIn, CheckinIn, SubmitIn, VisitCreate
from boh.inspections.service._common import P_WRITE, V_WRITE, settings, template, user_id, visit
from boh.inspections.service.templates import latest_version, require_published
from boh.kernel.clock import utcnow
from boh.kernel.errors import FieldError, PermissionDenied, ValidationFailed
from boh.kernel.tenancy import Scope
from boh.kernel.uow import UnitOfWork
from boh.org.api import get_site_ref, site_points, users_for


def create_visit(uow: UnitOfWork, body: VisitCreate) -> models.Visit:
    """An unplanned visit (or a store's self-inspection); a retry with the same key returns the first."""
    scope = uow.principal.scope(V_WRITE)
    existing = uow.session.scalars(
        select(models.Visit).where(models.Visit.tenant_id == uow.tenant_id,
                                   models.Visit.client_key == body.idempotency_key)
    ).first()  # fmt: skip
    if existing is not None:
        return existing
    get_site_ref(uow.session, scope, body.site_id)
    template(uow, body.template_id)
    require_published(uow, body.template_id)
    me = user_id(uow)
    inspector = body.inspector_id if body.inspector_id is not None else me
    if inspector != me and not uow.principal.can(P_WRITE):
        raise PermissionDenied("only planners assign visits to others")
    if body.inspector_id is not None and not users_for(uow.session, uow.tenant_id, user_ids=[body.inspector_id]):
        raise ValidationFailed([FieldError(("inspector_id",), f"user {inspector} not found", "unknown_reference")])
    row = models.Visit(
        tenant_id=uow.tenant_id, site_id=body.site_id, template_id=body.template_id, kind=body.kind,
        inspector_id=inspector, scheduled_for=body.scheduled_for or utcnow().date(), unannounced=body.unannounced,
        status="planned", client_key=body.idempotency_key, reasons=[{"code": "ad_hoc", "points": "0", "value": None}],
        critical_failed=[], failed_items=[], checkin_flagged=False,
    )  # fmt: skip
    uow.session.add(row)
    uow.flush()
    uow.audit("inspections.visit.create", "inspections_visit", row.id, after={"site_id": row.site_id})
    return row


def _may_perform(uow: UnitOfWork, row: models.Visit) -> None:
    if row.inspector_id not in (None, user_id(uow)) and not uow.principal.can(P_WRITE):
        raise PermissionDenied("this inspection is assigned to someone else")


def checkin(uow: UnitOfWork, visit_id: int, body: CheckinIn) -> tuple[models.Visit, str, int | None, int]:
    """Start the inspection at the store: the phone's position against the store's geofence, the server's time.
    Outside, the tenant's policy refuses (nothing written) or lets it through flagged."""
    row = visit(uow, visit_id, V_WRITE, lock=True)
    _may_perform(uow, row)
    if row.status not in ("planned", "in_progress"):
        raise WrongStatus(f"inspection {visit_id} is {row.status}")
    cfg = settings(uow)
    radius = int(cfg.site_geofence.get(str(row.site_id), cfg.geofence_m))
    site = next(s for s in site_points(uow.session, Scope(uow.tenant_id)) if s.id == row.site_id)
    distance = None
    if site.latitude is not None and site.longitude is not None:
        distance = domain.distance_m(float(body.latitude), float(body.longitude), float(site.latitude),
                                     float(site.longitude))  # fmt: skip
    accuracy = float(body.accuracy_m) if body.accuracy_m is not None else None
    verdict = domain.checkin_verdict(distance, accuracy, radius, cfg.checkin_policy)
    if verdict == "refused":
        raise OutsideGeofence(
            f"you are {round(distance or 0)} m from the store; check in within {radius} m",
            distance_m=round(distance or 0),
            radius_m=radius,
        )
    if row.status == "planned":
        version = require_published(uow, row.template_id)
        row.version_id, row.status = version.id, "in_progress"
    row.checkin_at, row.checkin_by = utcnow(), user_id(uow)
    row.checkin_lat, row.checkin_lon = body.latitude, body.longitude
    row.checkin_accuracy_m = round(accuracy) if accuracy is not None else None
    row.checkin_distance_m = round(distance) if distance is not None else None
    row.checkin_flagged = verdict == "flagged"
    row.inspector_id = row.inspector_id or user_id(uow)
    uow.flush()
    uow.audit("inspections.visit.checkin", "inspections_visit", row.id,
              after={"distance_m": row.checkin_distance_m, "flagged": row.checkin_flagged})  # fmt: skip
    return row, verdict, row.checkin_distance_m, radius


def definition_of(uow: UnitOfWork, row: models.Visit) -> Definition | None:
    """The pinned version's definition, or (before the check-in) the latest published one."""
    if row.version_id is not None:
        v = uow.session.get(models.TemplateVersion, row.version_id)
        return Definition.model_validate(v.definition) if v else None
    latest = latest_version(uow, row.template_id)
    return Definition.model_validate(latest.definition) if latest else None


def answers_of(uow: UnitOfWork, visit_id: int) -> dict[str, domain.Answer]:
    photos = dict(uow.session.execute(
        select(models.Photo.item_key, func.count()).where(models.Photo.visit_id == visit_id)
        .group_by(models.Photo.item_key)
    ).all())  # fmt: skip
    out = {a.item_key: domain.Answer(a.value, photos.get(a.item_key, 0)) for a in _answer_rows(uow, visit_id)}
    for key, n in photos.items():
        if key is not None and key not in out:
            out[key] = domain.Answer(None, n)
    return out


def _answer_rows(uow: UnitOfWork, visit_id: int) -> list[models.Answer]:
    return list(uow.session.scalars(select(models.Answer).where(models.Answer.visit_id == visit_id)))


def _open(uow: UnitOfWork, visit_id: int) -> tuple[models.Visit, Definition]:
    row = visit(uow, visit_id, V_WRITE, lock=True)
    _may_perform(uow, row)
    if row.status == "submitted":
        raise VisitLocked(f"inspection {visit_id} was submitted and is locked")
    if row.status != "in_progress":
        raise NotCheckedIn(f"check in at the store before answering (inspection {visit_id} is {row.status})")
    definition = definition_of(uow, row)
    assert definition is not None  # pinned at check-in
    return row, definition


def save_answers(uow: UnitOfWork, visit_id: int, body: AnswersIn) -> tuple[int, int, list[int], domain.Result]:
    """Store each answer as entered. An entry already stored (same client_id) or older than the stored one
    changes nothing, so a phone may resend its whole queue. Every invalid answer is reported at once and
    nothing is saved then. Returns (saved, unchanged, alert ids, the result so far)."""
    row, definition = _open(uow, visit_id)
    errors: list[FieldError] = []
    clean: list[tuple[Item, Any, Any]] = []
    for i, a in enumerate(body.answers):
        item = definition.item(a.item_key)
        if item is None:
            errors.append(FieldError(("answers", i, "item_key"), f"no item '{a.item_key}'", "unknown_reference"))
            continue
        try:
            clean.append((item, domain.normalize(item, a.value), a))
        except domain.AnswerError as exc:
            errors.append(FieldError(("answers", i, "value"), str(exc)))
    if errors:
        raise ValidationFailed(errors)
    stored = {a.item_key: a for a in _answer_rows(uow, visit_id)}
    saved = unchanged = 0
    alerts: list[int] = []
    now = utcnow()
    for item, value, a in clean:
        at = a.answered_at or now
        old = stored.get(item.key)
        if old is not None and (old.client_id == a.client_id or old.answered_at > at):
            unchanged += 1
            continue
        if old is None:
            old = models.Answer(tenant_id=uow.tenant_id, visit_id=row.id, item_key=item.key)
            uow.session.add(old)
            stored[item.key] = old
        old.value, old.note, old.client_id, old.answered_at = value, a.note, a.client_id, at
        old.saved_at, old.saved_by = now, user_id(uow)
        saved += 1
        if domain.answered_out_of_range(item, value):
            alerts += _alert(uow, row, item, str(value))
    uow.flush()
    return saved, unchanged, alerts, domain.evaluate(definition, answers_of(uow, visit_id))


def _alert(uow: UnitOfWork, row: models.Visit, item: Item, reading: str | None) -> list[int]:
    """A food-safety alert, once per visit and item: recorded, published and told at once."""
    exists = uow.session.scalars(
        select(models.Alert.id).where(models.Alert.visit_id == row.id, models.Alert.item_key == item.key)
    ).first()
    if exists is not None:
        return []
    alert = models.Alert(tenant_id=uow.tenant_id, visit_id=row.id, site_id=row.site_id, item_key=item.key,
                         reading=reading)  # fmt: skip
    uow.session.add(alert)
    uow.flush()
    uow.publish(FoodSafetyAlertRaised(tenant_id=uow.tenant_id, alert_id=alert.id, visit_id=row.id,
                                      site_id=row.site_id, item_key=item.key, reading=reading))  # fmt: skip
    site = get_site_ref(uow.session, Scope(uow.tenant_id), row.site_id)
    adapters.tell(
        uow, kind="food_safety_alert", site_id=row.site_id, roles=["store_manager", "regional_manager", "hq_admin"],
        message="Food safety at %(site)s: %(item)s reads %(reading)s (limit %(limit)s)",
        params={"site": site.code, "item": {"en": item.text, "zh": item.text_zh or item.text},
                "reading": reading or "—", "limit": f"{item.min if item.min is not None else ''}..{item.max or ''}"},
        link=f"/inspections/visits/{row.id}", dedupe_key=f"inspections.alert:{alert.id}",
    )  # fmt: skip
    uow.audit("inspections.alert.raise", "inspections_alert", alert.id, after={"item": item.key, "reading": reading})
    return [alert.id]


def submit(uow: UnitOfWork, visit_id: int, body: SubmitIn) -> models.Visit:
    """Lock the inspection with its score computed here. A repeated submit returns the locked inspection."""
    row = visit(uow, visit_id, V_WRITE, lock=True)
    if row.status == "submitted":
        return row
    row, definition = _open(uow, visit_id)
    result = domain.evaluate(definition, answers_of(uow, visit_id))
    if result.missing:
        errors = [FieldError(("answers", key), "this item needs an answer", "missing") for key in result.missing]
        raise IncompleteInspection(f"{len(errors)} item(s) still need an answer", errors=[e.as_dict() for e in errors])
    row.status, row.submitted_at, row.submitted_by = "submitted", utcnow(), user_id(uow)
    row.earned, row.possible, row.percent, row.score = result.earned, result.possible, result.percent, result.score
    row.passed, row.critical_failed, row.failed_items = result.passed, list(result.critical_failed), list(result.failed)
    uow.flush()
    stored = {a.item_key: a for a in _answer_rows(uow, visit_id)}
    for key in result.failed:
        item = definition.item(key)
        assert item is not None
        _open_action(uow, row, item, stored.get(key))
        if domain.food_safety_alert(item, result.items[key]):
            _alert(uow, row, item, str(stored[key].value) if key in stored else None)
    version = uow.session.get(models.TemplateVersion, row.version_id)
    uow.publish(InspectionSubmitted(
        tenant_id=uow.tenant_id, visit_id=row.id, site_id=row.site_id, template_id=row.template_id,
        version=version.version if version else 0, score=row.score, passed=bool(row.passed),
        failed_items=tuple(result.failed),
    ))  # fmt: skip
    uow.audit("inspections.visit.submit", "inspections_visit", row.id,
              after={"score": row.score, "passed": row.passed, "failed": list(result.failed)})  # fmt: skip
    return row


def _open_action(uow: UnitOfWork, row: models.Visit, item: Item, answer: models.Answer | None) -> models.Action:
    severity = domain.action_severity(item)
    cfg = settings(uow)
    on = (row.submitted_at or utcnow()).date()
    managers = users_for(uow.session, uow.tenant_id, roles=["store_manager"], site_id=row.site_id)
    action = models.Action(
        tenant_id=uow.tenant_id, visit_id=row.id, site_id=row.site_id, item_key=item.key, title=item.text,
        title_zh=item.text_zh, severity=severity, owner_id=managers[0].id if managers else None,
        due_date=domain.due_date(severity, on, cfg.due_days or None), status="open",
        evidence_required=["photo", "note"] if severity in ("high", "critical") else ["note"],
        reopened=0, escalation_level=0,
    )  # fmt: skip
    uow.session.add(action)
    uow.flush()
    adapters.tell(
        uow, kind="inspection_action", users=[action.owner_id] if action.owner_id else [], site_id=row.site_id,
        message="Corrective action due %(due)s: %(title)s", link=f"/inspections/actions/{action.id}",
        params={"due": action.due_date.isoformat(), "title": {"en": item.text, "zh": item.text_zh or item.text}},
        dedupe_key=f"inspections.action:{action.id}",
    )  # fmt: skip
    return action
