"""The action inbox and an action's page: the owner adds photos and a note and submits the fix; the inspector
or regional manager accepts or reopens it."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import File, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from boh.http.deps import UowDep, request_uow
from boh.http.i18n import gettext_ as _
from boh.http.pages import flash, pager, redirect
from boh.http.templating import render
from boh.inspections import queries, service
from boh.inspections.pages._common import ACTION_STATUSES, SEVERITIES, FormDep, error_title, router
from boh.inspections.queries import ActionFilter
from boh.inspections.routes._photos import photo_store, read_photo
from boh.inspections.schemas import EvidenceIn, ReviewIn
from boh.inspections.service import A_READ, A_REVIEW, A_WRITE
from boh.inspections.service._common import action as action_row
from boh.kernel.clock import utcnow
from boh.kernel.errors import BohError
from boh.org.api import site_points

PAGE = 50


@router.get("/actions", perm=A_READ)
def inbox(
    request: Request, uow: UowDep, status: str | None = None, site_id: str | None = None, mine: str | None = None,
    overdue: str | None = None, page: Annotated[int, Query(ge=1)] = 1,
) -> HTMLResponse:  # fmt: skip
    scope = uow.principal.scope(A_READ)
    sid = int(site_id) if site_id and site_id.isdigit() else None
    f = ActionFilter(site_id=sid, status=status if status in ACTION_STATUSES else None,
                     owner_id=uow.principal.id if mine else None, overdue=bool(overdue))  # fmt: skip
    rows, total = queries.list_actions(uow.session, scope, f, utcnow().date(), PAGE, (page - 1) * PAGE)
    params = {"status": f.status, "site_id": sid, "mine": mine, "overdue": overdue}
    ctx = {
        "rows": rows,
        "statuses": ACTION_STATUSES,
        "severities": SEVERITIES,
        "filters": params,
        "sites": site_points(uow.session, scope, kind="store"),
        "pager": pager(total, page, PAGE, params),
    }
    return render(request, "inspections/actions.html", ctx)


@router.get("/actions/{action_id}", perm=A_READ)
def action_page(request: Request, uow: UowDep, action_id: int) -> HTMLResponse:
    row = action_row(uow, action_id, A_READ)
    a = queries.action_read(uow.session, uow.tenant_id, row, utcnow().date())
    p = uow.principal
    ctx = {
        "a": a, "statuses": ACTION_STATUSES, "severities": SEVERITIES,
        "can_fix": p.can(A_WRITE) and p.scope(A_WRITE).allows_site(row.site_id) and a.status == "open",
        "can_review": p.can(A_REVIEW) and p.scope(A_REVIEW).allows_site(row.site_id) and a.status == "submitted",
        "client_id": uuid.uuid4().hex,
    }  # fmt: skip
    return render(request, "inspections/action.html", ctx)


def _back(action_id: int, message: str, level: str = "success") -> Response:
    response = redirect(f"/inspections/actions/{action_id}")
    flash(response, message, level)
    return response


@router.post("/actions/{action_id}/photos", perm=A_WRITE)
async def add_photo(
    request: Request, action_id: int, file: Annotated[UploadFile | None, File()] = None
) -> Response:  # fmt: skip
    form = await request.form()
    client_id = str(form.get("client_id") or uuid.uuid4().hex)[:64]
    data = await read_photo(file) if file is not None else b""
    return await run_in_threadpool(_store, request, action_id, data, client_id)


def _store(request: Request, action_id: int, data: bytes, client_id: str) -> Response:
    with request_uow(request) as uow:
        action_row(uow, action_id, A_WRITE)  # another tenant's or site's action: 404, nothing stored
        if not data:
            return _back(action_id, _("Choose a photo to upload."), "error")
        try:
            service.add_photo(uow, photo_store(request), service.Target(action_id=action_id), data, client_id)
        except BohError as exc:
            uow.rollback()
            return _back(action_id, f"{error_title(exc)}: {exc.detail}", "error")
        uow.commit()
    return _back(action_id, _("Photo added."))


@router.post("/actions/{action_id}/evidence", perm=A_WRITE)
def submit_evidence(uow: UowDep, action_id: int, data: FormDep) -> Response:
    action_row(uow, action_id, A_WRITE)
    try:
        service.submit_evidence(uow, action_id, EvidenceIn(note=data.get("note") or None))
    except BohError as exc:
        uow.rollback()
        return _back(action_id, f"{error_title(exc)}: {exc.detail}", "error")
    uow.commit()
    return _back(action_id, _("Fix submitted for review."))


@router.post("/actions/{action_id}/review", perm=A_REVIEW)
def review(uow: UowDep, action_id: int, data: FormDep) -> Response:
    action_row(uow, action_id, A_REVIEW)
    accept = data.get("decision") == "accept"
    try:
        service.review(uow, action_id, ReviewIn(note=(data.get("note") or None)), accept=accept)
    except BohError as exc:
        uow.rollback()
        return _back(action_id, f"{error_title(exc)}: {exc.detail}", "error")
    uow.commit()
    return _back(action_id, _("Action closed.") if accept else _("Action reopened."))
