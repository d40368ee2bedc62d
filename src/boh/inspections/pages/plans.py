"""The plan calendar: a week of visits per day and inspector in route order, why each store was chosen, the plan's
figures; planning a period, the rules, and inspectors' absences (which re-plan their visits)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from sqlalchemy import select

from boh.http.deps import UowDep
from boh.http.i18n import gettext_ as _
from boh.http.pages import flash, form_errors, redirect
from boh.http.templating import render
from boh.inspections import facts, models, queries, service
from boh.inspections.pages._common import (
    DAY_LABELS,
    RULE_KINDS,
    VISIT_STATUSES,
    FormDep,
    error_title,
    reason_text,
    router,
)
from boh.inspections.queries import VisitFilter
from boh.inspections.schemas import AbsenceIn, PlanCreate, RuleCreate
from boh.inspections.service import P_READ, P_WRITE
from boh.kernel.clock import utcnow
from boh.kernel.errors import BohError
from boh.kernel.uow import UnitOfWork
from boh.org.api import site_points, user_names


def _monday(d: date) -> date:
    return d - timedelta(days=d.weekday())


def _calendar(uow: UnitOfWork, plan_id: int | None, week: date, inspector_id: int | None) -> dict[str, Any]:
    f = VisitFilter(plan_id=plan_id, day_from=week, day_to=week + timedelta(days=6), inspector_id=inspector_id,
                    kind="inspection")  # fmt: skip
    visits, _n = queries.list_visits(uow.session, uow.principal, uow.principal.scope(P_READ), f, 2000, 0)
    days: dict[date, dict[str, list[Any]]] = {week + timedelta(days=i): defaultdict(list) for i in range(7)}
    for v in visits:
        if v.scheduled_for in days:
            days[v.scheduled_for][v.inspector_name or "—"].append(v)
    return {"days": days, "count": len(visits)}


def _page(request: Request, uow: UnitOfWork, params: dict[str, Any], errors: dict[str, str], status: int = 200,
          values: dict[str, Any] | None = None) -> HTMLResponse:  # fmt: skip
    plans, _n = queries.plans(uow.session, uow.tenant_id, 20, 0)
    plan = next((p for p in plans if p.id == params.get("plan_id")), plans[0] if plans else None)
    today = utcnow().date()
    inside = plan is None or plan.start <= today <= plan.end
    week = params.get("week") or _monday(today if inside or plan is None else plan.start)
    rules = list(uow.session.scalars(select(models.Rule).where(models.Rule.tenant_id == uow.tenant_id)
                                     .order_by(models.Rule.id)))  # fmt: skip
    inspectors = list(uow.session.scalars(select(models.Inspector).where(models.Inspector.tenant_id == uow.tenant_id)
                                          .order_by(models.Inspector.user_id)))  # fmt: skip
    stores = site_points(uow.session, uow.principal.scope(P_READ), kind="store")
    risks = facts.risks(uow.session, uow.tenant_id, [s.id for s in stores], utcnow().date())
    top = sorted(((risks[s.id], s) for s in stores), key=lambda rs: (-rs[0].score, rs[1].code))[:8]
    templates = queries.list_templates(uow.session, uow.tenant_id, limit=500)[0]
    ctx = {
        "plans": plans, "plan": plan, "week": week, "prev": week - timedelta(days=7), "next": week + timedelta(days=7),
        "cal": _calendar(uow, plan.id if plan else None, week, params.get("inspector_id")), "rules": rules,
        "inspectors": inspectors, "names": user_names(uow.session, uow.tenant_id, [i.user_id for i in inspectors]),
        "top": top, "reason": reason_text, "rule_kinds": RULE_KINDS, "statuses": VISIT_STATUSES,
        "templates": {t.id: t for t in templates}, "can_write": uow.principal.can(P_WRITE), "errors": errors,
        "values": values or {}, "params": params, "today": utcnow().date(), "day_labels": DAY_LABELS,
    }  # fmt: skip
    return render(request, "inspections/plan.html", ctx, status_code=status)


def _int(v: str | None) -> int | None:
    return int(v) if v and v.isdigit() else None


@router.get("/plan", perm=P_READ)
def plan_page(request: Request, uow: UowDep, plan_id: str | None = None, week: str | None = None,
              inspector_id: str | None = None) -> HTMLResponse:  # fmt: skip
    try:
        monday = _monday(date.fromisoformat(week)) if week else None
    except ValueError:
        monday = None
    return _page(request, uow, {"plan_id": _int(plan_id), "week": monday, "inspector_id": _int(inspector_id)}, {})


@router.post("/plan", perm=P_WRITE)
def plan_create(request: Request, uow: UowDep, data: FormDep) -> Response:
    try:
        body = PlanCreate.model_validate({"name": data.get("name", ""), "start": data.get("start") or None,
                                          "end": data.get("end") or None, "seconds": "5"})  # fmt: skip
        plan = service.create_plan(uow, body)
    except ValidationError as exc:
        return _page(request, uow, {}, {f"plan_{k}": v for k, v in form_errors(exc).items()}, 422, data)
    except BohError as exc:
        uow.rollback()
        return _page(request, uow, {}, {"plan___all__": error_title(exc)}, exc.status, data)
    uow.commit()
    response = redirect(f"/inspections/plan?plan_id={plan.id}&week={_monday(plan.start).isoformat()}")
    flash(response, _("Planned: %(n)s visits.") % {"n": plan.stats.get("planned", 0) + plan.stats.get("self", 0)})
    return response


@router.post("/rules", perm=P_WRITE)
def rule_create(request: Request, uow: UowDep, data: FormDep) -> Response:
    try:
        body = RuleCreate.model_validate({
            "name": data.get("name", ""), "kind": data.get("kind") or "every_n_days",
            "template_id": data.get("template_id") or None, "site_format": data.get("site_format") or None,
            "every_days": data.get("every_days") or None, "threshold": data.get("threshold") or None,
            "within_days": data.get("within_days") or None, "unannounced": data.get("unannounced") == "on",
        })  # fmt: skip
        service.create_rule(uow, body)
    except ValidationError as exc:
        return _page(request, uow, {}, {f"rule_{k}": v for k, v in form_errors(exc).items()}, 422, data)
    except BohError as exc:
        uow.rollback()
        return _page(request, uow, {}, {"rule___all__": error_title(exc)}, exc.status, data)
    uow.commit()
    response = redirect("/inspections/plan")
    flash(response, _("Rule added: it applies to the next plan."))
    return response


@router.post("/inspectors/{user_id}/absences", perm=P_WRITE)
def absence_create(request: Request, uow: UowDep, user_id: int, data: FormDep) -> Response:
    try:
        body = AbsenceIn.model_validate({"start": data.get("start") or None, "end": data.get("end") or None,
                                         "reason": data.get("reason") or None})  # fmt: skip
        result = service.add_absence(uow, user_id, body)
    except ValidationError as exc:
        return _page(request, uow, {}, {f"absence_{k}": v for k, v in form_errors(exc).items()}, 422, data)
    except BohError as exc:
        uow.rollback()
        if exc.status == 404:
            raise
        return _page(request, uow, {}, {"absence___all__": error_title(exc)}, exc.status, data)
    uow.commit()
    response = redirect("/inspections/plan")
    flash(
        response,
        _("Absence recorded: %(moved)s visit(s) moved, %(re)s given to another inspector, %(un)s left unassigned.")
        % {"moved": result.moved, "re": result.reassigned, "un": result.unassigned},
    )
    return response
