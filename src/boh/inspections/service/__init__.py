"""Use cases of inspections: one public function per command, ``uow`` first; they check the principal's
scope, audit what changed and publish events; they never commit. Split by area: templates, plans (rules,
inspectors, plans, absences), visits (check-in, answers, submit), photos, actions (and settings)."""

from boh.inspections.service._common import (
    A_READ,
    A_REVIEW,
    A_WRITE,
    ANALYTICS,
    P_READ,
    P_WRITE,
    SETTINGS,
    T_READ,
    T_WRITE,
    V_READ,
    V_WRITE,
)
from boh.inspections.service.actions import escalate_overdue, put_geofence, put_settings, review, submit_evidence
from boh.inspections.service.photos import Target, add_photo, readable_photo
from boh.inspections.service.plans import add_absence, create_plan, create_rule, put_inspector, update_rule
from boh.inspections.service.templates import (
    create_template,
    export_template,
    import_template,
    publish,
    update_template,
)
from boh.inspections.service.visits import checkin, create_visit, definition_of, save_answers, submit

__all__ = [
    "ANALYTICS", "A_READ", "A_REVIEW", "A_WRITE", "P_READ", "P_WRITE", "SETTINGS", "T_READ", "T_WRITE", "V_READ",
    "V_WRITE", "Target", "add_absence", "add_photo", "checkin", "create_plan", "create_rule", "create_template",
    "create_visit", "definition_of", "escalate_overdue", "export_template", "import_template", "publish",
    "put_geofence", "put_inspector", "put_settings", "readable_photo", "review", "save_answers", "submit",
    "submit_evidence", "update_rule", "update_template",
]  # fmt: skip
