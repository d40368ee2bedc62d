"""The inspection flow, phone first: check in with the phone's position, answer item by item (each answer and
photo is queued on the phone and sent as soon as there is a connection: static/inspections-visit.js), submit;
then the result with its actions and the PDF report. The page's data block carries what the script needs to
show conditional items offline."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, Response

from boh.http.deps import UowDep
from boh.http.templating import render
from boh.inspections import domain, queries, service
from boh.inspections.definition import Definition
from boh.inspections.pages._common import ACTION_STATUSES, KINDS, SEVERITIES, VISIT_STATUSES, reason_text, router
from boh.inspections.queries import ActionFilter
from boh.inspections.service import A_READ, P_WRITE, V_READ, V_WRITE
from boh.inspections.service._common import settings
from boh.inspections.service._common import visit as visit_row
from boh.inspections.service.visits import answers_of
from boh.kernel.clock import utcnow


def client_items(definition: Definition) -> list[dict[str, Any]]:
    """What the phone needs to judge conditions offline (the server stays the authority for the score)."""
    return [
        {"key": i.key, "kind": i.kind, "show_if": i.show_if.model_dump(mode="json") if i.show_if else None,
         "pass_value": i.pass_value, "pass_min": str(i.pass_min) if i.pass_min is not None else None,
         "min": str(i.min) if i.min is not None else None, "max": str(i.max) if i.max is not None else None,
         "fails": [o.key for o in i.options if o.fails], "required": i.required}
        for i in definition.items()
    ]  # fmt: skip


@router.get("/visits/{visit_id}", perm=V_READ)
def visit_page(request: Request, uow: UowDep, visit_id: int) -> HTMLResponse:
    row = visit_row(uow, visit_id, V_READ)
    visit = queries.visit_read(uow.session, uow.tenant_id, row)
    definition = service.definition_of(uow, row)
    answers = {a.item_key: a for a in queries.answers(uow.session, row.id)}
    photos: dict[str, list[Any]] = {}
    for pic in queries.photos_of(uow.session, uow.tenant_id, visit_id=row.id):
        photos.setdefault(pic.item_key or "", []).append(pic)
    result = domain.evaluate(definition, answers_of(uow, row.id)) if definition else None
    p = uow.principal
    can_perform = p.can(V_WRITE) and row.status in ("planned", "in_progress") and (
        row.inspector_id in (None, p.id) or p.can(P_WRITE))  # fmt: skip
    actions: list[Any] = []
    if p.can(A_READ) and row.status == "submitted":
        actions, _n = queries.list_actions(uow.session, p.scope(A_READ), ActionFilter(visit_id=row.id),
                                           utcnow().date(), 200, 0)  # fmt: skip
    cfg = settings(uow)
    data = {
        "visit": row.id,
        "status": row.status,
        "items": client_items(definition) if definition else [],
        "answers": {k: a.value for k, a in answers.items()},
        "photos": {k: len(v) for k, v in photos.items()},
    }
    ctx = {
        "v": visit, "definition": definition, "answers": answers, "photos": photos, "result": result,
        "can_perform": can_perform, "actions": actions, "statuses": VISIT_STATUSES, "kinds": KINDS,
        "severities": SEVERITIES, "action_statuses": ACTION_STATUSES, "reason": reason_text, "data": data,
        "radius": int(cfg.site_geofence.get(str(row.site_id), cfg.geofence_m)), "policy": cfg.checkin_policy,
    }  # fmt: skip
    return render(request, "inspections/visit.html", ctx)


@router.get("/session", perm=V_READ)
def keep_session(request: Request) -> Response:
    """Nothing but the console's session refresh: the phone's script calls it when the API says its access
    token has expired, then sends its queue again."""
    return Response(status_code=204)
