"""Visits: list, ad hoc visits, check-in, answers as entered, photos, submit, the PDF report."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import File, Form, Query, Request, UploadFile
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from boh.http.deps import UowDep, request_uow
from boh.http.pagination import Page, PageDep
from boh.http.routing import SecureRouter
from boh.inspections import domain, queries, service
from boh.inspections.queries import VisitFilter
from boh.inspections.routes._photos import photo_store, read_photo
from boh.inspections.schemas import (
    AnswersIn,
    AnswersResult,
    CheckinIn,
    CheckinRead,
    PhotoRead,
    Progress,
    SubmitIn,
    VisitCreate,
    VisitDetail,
    VisitRead,
    VisitStatus,
)
from boh.inspections.service import T_WRITE, V_READ, V_WRITE
from boh.inspections.service._common import visit as visit_row
from boh.inspections.service.visits import answers_of

router = SecureRouter(prefix="/api/v1/inspections", tags=["inspections"])
KEY_FIELD = Form(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._:-]+$")


def progress(r: domain.Result) -> Progress:
    return Progress(score=r.score, percent=r.percent, passed=r.passed, missing=list(r.missing),
                    failed=list(r.failed), visible=r.visible)  # fmt: skip


@router.get("/visits", perm=V_READ, response_model=Page[VisitRead], summary="Inspections (visits)")
def list_visits(
    uow: UowDep, page: PageDep, site_id: int | None = None, status: VisitStatus | None = None,
    inspector_id: int | None = None, template_id: int | None = None, day_from: date | None = None,
    day_to: date | None = None, mine: Annotated[bool, Query(description="Only the caller's")] = False,
) -> Page[VisitRead]:  # fmt: skip
    f = VisitFilter(site_id=site_id, status=status, inspector_id=uow.principal.id if mine else inspector_id,
                    day_from=day_from, day_to=day_to, template_id=template_id)  # fmt: skip
    items, total = queries.list_visits(uow.session, uow.principal, uow.principal.scope(V_READ), f, page.limit,
                                       page.offset)  # fmt: skip
    return Page(items=items, total=total, limit=page.limit, offset=page.offset)


@router.post("/visits", perm=V_WRITE, status_code=201, response_model=VisitRead, summary="An unplanned visit")
def create_visit(uow: UowDep, body: VisitCreate) -> VisitRead:
    row = service.create_visit(uow, body)
    uow.commit()
    return queries.visit_read(uow.session, uow.tenant_id, row)


@router.get("/visits/{visit_id}", perm=V_READ, response_model=VisitDetail,
            summary="An inspection with its definition, answers, photos and progress")  # fmt: skip
def get_visit(uow: UowDep, visit_id: int) -> VisitDetail:
    row = visit_row(uow, visit_id, V_READ)
    definition = service.definition_of(uow, row)
    result = domain.evaluate(definition, answers_of(uow, row.id)) if definition else None
    return VisitDetail(
        visit=queries.visit_read(uow.session, uow.tenant_id, row), definition=definition,
        answers=queries.answers(uow.session, row.id), photos=queries.photos_of(uow.session, uow.tenant_id,
                                                                               visit_id=row.id),
        progress=progress(result) if result else None,
    )  # fmt: skip


@router.post("/visits/{visit_id}/checkin", perm=V_WRITE, response_model=CheckinRead,
             summary="Check in at the store (position vs its geofence, server time)",
             responses={422: {"description": "inspections.outside_geofence when the policy refuses"}})  # fmt: skip
def checkin(uow: UowDep, visit_id: int, body: CheckinIn) -> CheckinRead:
    row, verdict, distance, radius = service.checkin(uow, visit_id, body)
    uow.commit()
    return CheckinRead(visit=queries.visit_read(uow.session, uow.tenant_id, row), verdict=verdict,  # type: ignore[arg-type]
                       distance_m=distance, radius_m=radius)  # fmt: skip


@router.post("/visits/{visit_id}/answers", perm=V_WRITE, response_model=AnswersResult,
             summary="Save answers as they are entered (a replayed entry changes nothing)")  # fmt: skip
def save_answers(uow: UowDep, visit_id: int, body: AnswersIn) -> AnswersResult:
    saved, unchanged, alerts, result = service.save_answers(uow, visit_id, body)
    uow.commit()
    return AnswersResult(saved=saved, unchanged=unchanged, alerts=alerts, progress=progress(result))


@router.post("/visits/{visit_id}/photos", perm=V_WRITE, status_code=201, response_model=PhotoRead,
             summary="A photo of an item (JPEG, PNG or WebP; the same client_id again is the same photo)")  # fmt: skip
async def upload_photo(
    request: Request, visit_id: int, file: Annotated[UploadFile, File()],
    item_key: Annotated[str, Form(pattern=r"^[a-z0-9][a-z0-9_-]{0,39}$")], client_id: Annotated[str, KEY_FIELD],
) -> PhotoRead:  # fmt: skip
    data = await read_photo(file)
    return await run_in_threadpool(_store_photo, request, service.Target(visit_id=visit_id, item_key=item_key), data,
                                   client_id)  # fmt: skip


def _store_photo(request: Request, target: service.Target, data: bytes, client_id: str) -> PhotoRead:
    with request_uow(request) as uow:
        row = service.add_photo(uow, photo_store(request), target, data, client_id)
        uow.commit()
        return queries.photo_read(row)


@router.get("/photos/{photo_id}", perm=V_READ, summary="A photo as uploaded", response_class=Response)
def get_photo(request: Request, uow: UowDep, photo_id: int) -> Response:
    row = service.readable_photo(uow, photo_id)
    return Response(photo_store(request).get(row.blob_key), media_type=row.content_type,
                    headers={"Cache-Control": "private, max-age=3600", "ETag": f'"{row.sha256}"'})  # fmt: skip


@router.get("/photos/{photo_id}/thumbnail", perm=V_READ, summary="A photo's thumbnail (JPEG)",
            response_class=Response)  # fmt: skip
def get_thumbnail(request: Request, uow: UowDep, photo_id: int) -> Response:
    row = service.readable_photo(uow, photo_id)
    return Response(photo_store(request).get(row.thumb_key), media_type="image/jpeg",
                    headers={"Cache-Control": "private, max-age=3600"})  # fmt: skip


@router.post("/visits/{visit_id}/submit", perm=V_WRITE, response_model=VisitRead,
             summary="Submit: the score is computed here, failed items become actions, the inspection is locked",
             responses={409: {"description": "inspections.not_checked_in"},
                        422: {"description": "inspections.incomplete: errors name each unanswered item"}})  # fmt: skip
def submit(uow: UowDep, visit_id: int, body: SubmitIn) -> VisitRead:
    row = service.submit(uow, visit_id, body)
    uow.commit()
    return queries.visit_read(uow.session, uow.tenant_id, row)


@router.post("/templates/{template_id}/photos", perm=T_WRITE, status_code=201, response_model=PhotoRead,
             summary="A reference photo of a template (the standard to compare with)")  # fmt: skip
async def upload_reference(
    request: Request, template_id: int, file: Annotated[UploadFile, File()], client_id: Annotated[str, KEY_FIELD],
) -> PhotoRead:  # fmt: skip
    data = await read_photo(file)
    return await run_in_threadpool(_store_photo, request, service.Target(template_id=template_id), data, client_id)
