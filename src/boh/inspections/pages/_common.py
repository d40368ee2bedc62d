"""Shared parts of the inspection pages: the router, navigation, dashboard tiles, translated labels and the
error summaries of the services' codes."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends
from sqlalchemy import func, select

from boh.http.i18n import gettext_ as _
from boh.http.pages import N_, NavLink, Tile, form_data, page_router
from boh.inspections import models
from boh.inspections.service import A_READ, V_READ, V_WRITE
from boh.kernel.clock import utcnow
from boh.kernel.errors import BohError

router = page_router("/inspections")
NAV = [NavLink(N_("Inspections"), "/inspections/", V_READ)]
FormDep = Annotated[dict[str, str], Depends(form_data)]

KINDS = {
    "yes_no": N_("Yes / no"), "scale": N_("Score scale"), "number": N_("Number in a range"),
    "temperature": N_("Temperature"), "text": N_("Text"), "choice": N_("Multiple choice"),
    "photo": N_("Photo required"), "signature": N_("Signature"),
}  # fmt: skip
SEVERITIES = {"low": N_("Low"), "medium": N_("Medium"), "high": N_("High"), "critical": N_("Critical")}
VISIT_STATUSES = {"planned": N_("Planned"), "in_progress": N_("In progress"), "submitted": N_("Completed"),
                  "cancelled": N_("Cancelled")}  # fmt: skip
ACTION_STATUSES = {"open": N_("Open"), "submitted": N_("Evidence submitted"), "accepted": N_("Closed")}
RULE_KINDS = {"every_n_days": N_("Every N days"), "self_monthly": N_("Monthly self-inspection"),
              "reinspect_below": N_("Re-inspect after a low score")}  # fmt: skip
REASONS = {
    "rule": N_("Rule: at least every %(value)s days"),
    "risk_interval": N_("Riskier store: every %(value)s days"),
    "reinspect_below": N_("Last score %(value)s was below the threshold"),
    "self_monthly": N_("Monthly self-inspection"),
    "never_inspected": N_("Never inspected"),
    "last_score_low": N_("Last score %(value)s"),
    "repeat_failures": N_("%(value)s item(s) failed repeatedly"),
    "open_actions": N_("%(value)s open action(s)"),
    "overdue_actions": N_("%(value)s overdue action(s)"),
    "stock_discrepancy": N_("%(value)s stock discrepancy(ies)"),
    "shrink": N_("%(value)s shrink alert(s)"),
    "stockout": N_("%(value)s stockout(s)"),
    "waste": N_("%(value)s waste record(s)"),
    "cold_chain": N_("%(value)s cold-chain alert(s)"),
    "ad_hoc": N_("Unplanned visit"),
}
ERROR_TITLES = {
    "inspections.outside_geofence": N_("You are not at the store"),
    "inspections.not_checked_in": N_("Check in at the store first"),
    "inspections.visit_locked": N_("The inspection is submitted and locked"),
    "inspections.incomplete": N_("Some required items are not answered"),
    "inspections.evidence_missing": N_("The required evidence is missing"),
    "inspections.bad_photo": N_("The file is not an acceptable photo"),
    "inspections.photo_too_large": N_("The photo is too large"),
    "inspections.wrong_status": N_("Not allowed in this state"),
    "inspections.template_not_published": N_("The template has no published version"),
}
DAY_LABELS = {"mon": N_("Mon"), "tue": N_("Tue"), "wed": N_("Wed"), "thu": N_("Thu"), "fri": N_("Fri"),
              "sat": N_("Sat"), "sun": N_("Sun")}  # fmt: skip


def reason_text(reason: Any) -> str:
    """A plan's reason (a dict or a Reason) in the reader's language."""
    code = reason.get("code") if isinstance(reason, dict) else reason.code
    value = reason.get("value") if isinstance(reason, dict) else reason.value
    label = REASONS.get(str(code))
    if label is None:
        return str(code)
    return _(label) % {"value": value or ""}


def error_title(exc: BohError) -> str:
    return _(ERROR_TITLES[exc.code]) if exc.code in ERROR_TITLES else exc.detail


def tiles(uow: Any) -> list[Tile]:
    p = uow.principal
    if not p.can(V_READ):
        return []
    out: list[Tile] = []
    today = utcnow().date()
    if p.can(V_WRITE):
        n = uow.session.scalar(select(func.count()).select_from(models.Visit).where(
            models.Visit.tenant_id == uow.tenant_id, models.Visit.inspector_id == p.id,
            models.Visit.scheduled_for == today, models.Visit.status.in_(["planned", "in_progress"])))  # fmt: skip
        if n:
            out.append(Tile(_("Inspections today"), int(n), "/inspections/"))
    if p.can(A_READ):
        scope = p.scope(A_READ)
        stmt = (
            select(func.count())
            .select_from(models.Action)
            .where(models.Action.tenant_id == uow.tenant_id, models.Action.status != "accepted")
        )
        if scope.site_ids is not None:
            stmt = stmt.where(models.Action.site_id.in_(sorted(scope.site_ids)))
        open_actions = int(uow.session.scalar(stmt) or 0)
        if open_actions:
            out.append(Tile(_("Open corrective actions"), open_actions, "/inspections/actions"))
    return out
