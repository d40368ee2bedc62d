"""Errors of the inspections domain, with stable codes."""

from __future__ import annotations

from boh.kernel.errors import BohError, Conflict, NotFound


class TemplateNotFound(NotFound):
    code = "inspections.template_not_found"
    title = "Template not found"


class RuleNotFound(NotFound):
    code = "inspections.rule_not_found"
    title = "Rule not found"


class PlanNotFound(NotFound):
    code = "inspections.plan_not_found"
    title = "Plan not found"


class VisitNotFound(NotFound):
    code = "inspections.visit_not_found"
    title = "Inspection not found"


class ActionNotFound(NotFound):
    code = "inspections.action_not_found"
    title = "Action not found"


class PhotoNotFound(NotFound):
    code = "inspections.photo_not_found"
    title = "Photo not found"


class InspectorNotFound(NotFound):
    code = "inspections.inspector_not_found"
    title = "Inspector not found"


class TemplateNotPublished(Conflict):
    code = "inspections.template_not_published"
    title = "The template has no published version"


class VisitLocked(Conflict):
    code = "inspections.visit_locked"
    title = "The inspection is submitted and locked"


class WrongStatus(Conflict):
    code = "inspections.wrong_status"
    title = "Not allowed in this state"


class NotCheckedIn(Conflict):
    code = "inspections.not_checked_in"
    title = "Check in at the store first"


class OutsideGeofence(BohError):
    code = "inspections.outside_geofence"
    status = 422
    title = "You are not at the store"


class IncompleteInspection(BohError):
    code = "inspections.incomplete"
    status = 422
    title = "Some required items are not answered"


class EvidenceMissing(BohError):
    code = "inspections.evidence_missing"
    status = 422
    title = "The required evidence is missing"


class BadPhoto(BohError):
    code = "inspections.bad_photo"
    status = 422
    title = "The file is not an acceptable photo"


class PhotoTooLarge(BohError):
    code = "inspections.photo_too_large"
    status = 413
    title = "The photo is too large"
