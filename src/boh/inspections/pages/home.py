"""The inspections home page: the caller's day (today's route, the coming week), open actions of their
stores, recent results, and an unplanned visit."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError

from boh.http.deps import UowDep
from boh.http.i18n import gettext_ as _
from boh.http.pages import flash, form_errors, redirect
from boh.http.templating import render
from boh.inspections import queries, service
from boh.inspections.pages._common import VISIT_STATUSES, FormDep, error_title, reason_text, router
from boh.inspections.queries import ActionFilter, VisitFilter
from boh.inspections.schemas import VisitCreate
from boh.inspections.service import A_READ, ANALYTICS, P_READ, T_READ, T_WRITE, V_READ, V_WRITE
from boh.kernel.clock import utcnow
from boh.kernel.errors import BohError
from boh.kernel.uow import UnitOfWork
from boh.org.api import site_points


def _home(request: Request, uow: UnitOfWork, values: dict[str, str], errors: dict[str, str], status: int = 200
          ) -> HTMLResponse:  # fmt: skip
    p, today = uow.principal, utcnow().date()
    scope = p.scope(V_READ)
    mine = VisitFilter(inspector_id=p.id, day_from=today, day_to=today + timedelta(days=6))
    week, _n = queries.list_visits(uow.session, p, scope, mine, 200, 0)
    started, _n = queries.list_visits(uow.session, p, scope, VisitFilter(status="in_progress"), 50, 0)
    recent, _n = queries.list_visits(uow.session, p, scope, VisitFilter(status="submitted"), 200, 0)
    recent = sorted(recent, key=lambda v: v.submitted_at or utcnow(), reverse=True)[:10]
    actions: list[Any] = []
    if p.can(A_READ):
        actions, _n = queries.list_actions(uow.session, p.scope(A_READ), ActionFilter(status="open"), today, 10, 0)
    templates = queries.list_templates(uow.session, uow.tenant_id, active=True, limit=200)[0] if p.can(V_WRITE) else []
    ctx = {
        "today": [v for v in week if v.scheduled_for == today], "week": [v for v in week if v.scheduled_for != today],
        "started": started, "recent": recent, "actions": actions, "statuses": VISIT_STATUSES, "reason": reason_text,
        "sites": site_points(uow.session, p.scope(V_WRITE), kind="store") if p.can(V_WRITE) else [],
        "templates": [t for t in templates if t.latest_version > 0], "values": values, "errors": errors,
        "can": {"plan": p.can(P_READ), "templates": p.can(T_READ), "build": p.can(T_WRITE),
                "analytics": p.can(ANALYTICS), "actions": p.can(A_READ), "visit": p.can(V_WRITE)},
    }  # fmt: skip
    return render(request, "inspections/home.html", ctx, status_code=status)


@router.get("/", perm=V_READ)
def home(request: Request, uow: UowDep) -> HTMLResponse:
    return _home(request, uow, {}, {})


@router.post("/visits", perm=V_WRITE)
def start_visit(request: Request, uow: UowDep, data: FormDep) -> Response:
    try:
        body = VisitCreate.model_validate({
            "site_id": data.get("site_id") or None, "template_id": data.get("template_id") or None,
            "kind": data.get("kind") or "inspection", "idempotency_key": data.get("idempotency_key") or "",
            "unannounced": data.get("unannounced") == "on",
        })  # fmt: skip
        row = service.create_visit(uow, body)
    except ValidationError as exc:
        return _home(request, uow, data, form_errors(exc), 422)
    except BohError as exc:
        uow.rollback()
        return _home(request, uow, data, {"__all__": error_title(exc)}, exc.status)
    uow.commit()
    response = redirect(f"/inspections/visits/{row.id}")
    flash(response, _("Visit created: check in when you are at the store."))
    return response
