"""Templates: list, create, edit the draft, publish, export and import as JSON."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query

from boh.http.deps import UowDep
from boh.http.pagination import Page, PageDep
from boh.http.routing import SecureRouter
from boh.inspections import queries, service
from boh.inspections.schemas import ImportResult, TemplateCreate, TemplateExport, TemplateRead, TemplateUpdate
from boh.inspections.service import T_READ, T_WRITE

router = SecureRouter(prefix="/api/v1/inspections/templates", tags=["inspections"])


@router.get("", perm=T_READ, response_model=Page[TemplateRead], summary="Checklist templates")
def list_templates(
    uow: UowDep, page: PageDep, q: Annotated[str | None, Query(max_length=100)] = None, active: bool | None = None
) -> Page[TemplateRead]:
    items, total = queries.list_templates(uow.session, uow.tenant_id, q=q, active=active, limit=page.limit,
                                          offset=page.offset)  # fmt: skip
    return Page(items=items, total=total, limit=page.limit, offset=page.offset)


@router.post("", perm=T_WRITE, status_code=201, response_model=TemplateRead, summary="Create a template (a draft)")
def create_template(uow: UowDep, body: TemplateCreate) -> TemplateRead:
    row = service.create_template(uow, body)
    uow.commit()
    return queries.get_template(uow.session, uow.tenant_id, row.id)


@router.post("/import", perm=T_WRITE, response_model=ImportResult, summary="Import a template from its JSON export")
def import_template(
    uow: UowDep, body: TemplateExport, publish: Annotated[bool, Query(description="Publish it at once")] = False
) -> ImportResult:
    row, created = service.import_template(uow, body, publish_it=publish)
    uow.commit()
    return ImportResult(template=queries.get_template(uow.session, uow.tenant_id, row.id), created=created,
                        published=publish)  # fmt: skip


@router.get("/{template_id}", perm=T_READ, response_model=TemplateRead, summary="A template with its draft")
def get_template(uow: UowDep, template_id: int) -> TemplateRead:
    return queries.get_template(uow.session, uow.tenant_id, template_id)


@router.patch("/{template_id}", perm=T_WRITE, response_model=TemplateRead, summary="Edit a template or its draft")
def update_template(uow: UowDep, template_id: int, body: TemplateUpdate) -> TemplateRead:
    service.update_template(uow, template_id, body)
    uow.commit()
    return queries.get_template(uow.session, uow.tenant_id, template_id)


@router.post("/{template_id}/publish", perm=T_WRITE, response_model=TemplateRead, summary="Publish the draft")
def publish(uow: UowDep, template_id: int) -> TemplateRead:
    service.publish(uow, template_id)
    uow.commit()
    return queries.get_template(uow.session, uow.tenant_id, template_id)


@router.get("/{template_id}/export", perm=T_READ, response_model=TemplateExport, summary="The template as JSON")
def export_template(uow: UowDep, template_id: int) -> TemplateExport:
    return service.export_template(uow, template_id)
