"""What the use cases share: permission names, tenant-checked loads and the tenant's settings."""

from __future__ import annotations

from sqlalchemy import select

from boh.inspections import models
from boh.inspections.errors import ActionNotFound, RuleNotFound, TemplateNotFound, VisitNotFound
from boh.kernel.tenancy import Scope
from boh.kernel.uow import UnitOfWork

T_READ, T_WRITE = "inspections.template.read", "inspections.template.write"
P_READ, P_WRITE = "inspections.plan.read", "inspections.plan.write"
V_READ, V_WRITE = "inspections.visit.read", "inspections.visit.write"
A_READ, A_WRITE, A_REVIEW = "inspections.action.read", "inspections.action.write", "inspections.action.review"
ANALYTICS, SETTINGS = "inspections.analytics.read", "inspections.settings.write"


def template(uow: UnitOfWork, template_id: int, *, lock: bool = False) -> models.Template:
    stmt = select(models.Template).where(models.Template.id == template_id, models.Template.tenant_id == uow.tenant_id)
    row = uow.session.scalars(stmt.with_for_update() if lock else stmt).one_or_none()
    if row is None:
        raise TemplateNotFound(f"template {template_id} not found")
    return row


def rule(uow: UnitOfWork, rule_id: int) -> models.Rule:
    row = uow.session.get(models.Rule, rule_id)
    if row is None or row.tenant_id != uow.tenant_id:
        raise RuleNotFound(f"rule {rule_id} not found")
    return row


def visible_visit(scope: Scope, visit: models.Visit | None, *, sees_unannounced: bool) -> bool:
    """A visit of the scope's sites; an unannounced one before its check-in only for planners (the store
    must not see it coming)."""
    if visit is None or visit.tenant_id != scope.tenant_id or not scope.allows_site(visit.site_id):
        return False
    return sees_unannounced or not (visit.unannounced and visit.status == "planned")


def visit(uow: UnitOfWork, visit_id: int, perm: str, *, lock: bool = False) -> models.Visit:
    """The visit if the caller may use ``perm`` on it; VisitNotFound otherwise (never a hint it exists)."""
    stmt = select(models.Visit).where(models.Visit.id == visit_id, models.Visit.tenant_id == uow.tenant_id)
    if lock:
        stmt = stmt.with_for_update().execution_options(populate_existing=True)
    row = uow.session.scalars(stmt).one_or_none()
    sees = uow.principal.can(P_READ) or (row is not None and row.inspector_id == uow.principal.id)
    if row is None or not visible_visit(uow.principal.scope(perm), row, sees_unannounced=sees):
        raise VisitNotFound(f"inspection {visit_id} not found")
    return row


def action(uow: UnitOfWork, action_id: int, perm: str, *, lock: bool = False) -> models.Action:
    stmt = select(models.Action).where(models.Action.id == action_id, models.Action.tenant_id == uow.tenant_id)
    if lock:
        stmt = stmt.with_for_update().execution_options(populate_existing=True)
    row = uow.session.scalars(stmt).one_or_none()
    if row is None or not uow.principal.scope(perm).allows_site(row.site_id):
        raise ActionNotFound(f"action {action_id} not found")
    return row


def settings(uow: UnitOfWork) -> models.Settings:
    """The tenant's settings (defaults until someone saves them; not written by reading)."""
    row = uow.session.get(models.Settings, uow.tenant_id)
    if row is None:
        row = models.Settings(
            tenant_id=uow.tenant_id, geofence_m=150, checkin_policy="flag", max_photo_mb=10, due_days={},
            escalation_step_days=2, site_geofence={}, updated_by="default",
        )  # fmt: skip
    return row


def user_id(uow: UnitOfWork) -> int | None:
    """The acting user's id; None for the system and for API keys (their id is not a user's)."""
    return uow.principal.id if uow.principal.kind == "user" else None
