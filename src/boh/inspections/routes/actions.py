"""Corrective actions: the inbox, evidence (note and photos), accept or reopen."""

from __future__ import annotations

from typing import Annotated

from fastapi import File, Query, Request, UploadFile
from starlette.concurrency import run_in_threadpool

from boh.http.deps import UowDep
from boh.http.pagination import Page, PageDep
from boh.http.routing import SecureRouter
from boh.inspections import queries, service
from boh.inspections.queries import ActionFilter
from boh.inspections.routes._photos import read_photo
from boh.inspections.routes.visits import KEY_FIELD, _store_photo
from boh.inspections.schemas import ActionRead, ActionStatus, EvidenceIn, PhotoRead, ReviewIn
from boh.inspections.service import A_READ, A_REVIEW, A_WRITE
from boh.inspections.service._common import action as action_row
from boh.kernel.clock import utcnow

router = SecureRouter(prefix="/api/v1/inspections/actions", tags=["inspections"])


def _read(uow: UowDep, action_id: int) -> ActionRead:
    row = action_row(uow, action_id, A_READ)
    return queries.action_read(uow.session, uow.tenant_id, row, utcnow().date())


@router.get("", perm=A_READ, response_model=Page[ActionRead], summary="Corrective actions (open first, by due date)")
def list_actions(
    uow: UowDep, page: PageDep, site_id: int | None = None, status: ActionStatus | None = None,
    visit_id: int | None = None, overdue: bool = False,
    mine: Annotated[bool, Query(description="Only the actions the caller owns")] = False,
) -> Page[ActionRead]:  # fmt: skip
    f = ActionFilter(site_id=site_id, status=status, owner_id=uow.principal.id if mine else None, overdue=overdue,
                     visit_id=visit_id)  # fmt: skip
    items, total = queries.list_actions(uow.session, uow.principal.scope(A_READ), f, utcnow().date(), page.limit,
                                        page.offset)  # fmt: skip
    return Page(items=items, total=total, limit=page.limit, offset=page.offset)


@router.get("/{action_id}", perm=A_READ, response_model=ActionRead, summary="A corrective action")
def get_action(uow: UowDep, action_id: int) -> ActionRead:
    return _read(uow, action_id)


@router.post("/{action_id}/photos", perm=A_WRITE, status_code=201, response_model=PhotoRead,
             summary="A photo of the fix (evidence)")  # fmt: skip
async def upload_evidence_photo(
    request: Request, action_id: int, file: Annotated[UploadFile, File()], client_id: Annotated[str, KEY_FIELD],
) -> PhotoRead:  # fmt: skip
    data = await read_photo(file)
    return await run_in_threadpool(_store_photo, request, service.Target(action_id=action_id), data, client_id)


@router.post("/{action_id}/evidence", perm=A_WRITE, response_model=ActionRead,
             summary="Submit the fix for review (the evidence the severity requires)",
             responses={422: {"description": "inspections.evidence_missing"}})  # fmt: skip
def submit_evidence(uow: UowDep, action_id: int, body: EvidenceIn) -> ActionRead:
    service.submit_evidence(uow, action_id, body)
    uow.commit()
    return _read(uow, action_id)


@router.post("/{action_id}/accept", perm=A_REVIEW, response_model=ActionRead, summary="Accept the fix: closed")
def accept(uow: UowDep, action_id: int, body: ReviewIn) -> ActionRead:
    service.review(uow, action_id, body, accept=True)
    uow.commit()
    return _read(uow, action_id)


@router.post("/{action_id}/reopen", perm=A_REVIEW, response_model=ActionRead, summary="Reopen: the fix is not enough")
def reopen(uow: UowDep, action_id: int, body: ReviewIn) -> ActionRead:
    service.review(uow, action_id, body, accept=False)
    uow.commit()
    return _read(uow, action_id)
