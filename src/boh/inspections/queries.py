"""Read models of inspections for the API and pages (DTOs out, never ORM rows). Reads org through its api."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from boh.inspections import models
from boh.inspections.definition import Definition
from boh.inspections.errors import TemplateNotFound
from boh.inspections.schemas import TemplateRead, VersionRead


def _template_read(row: models.Template, versions: list[models.TemplateVersion]) -> TemplateRead:
    latest = versions[0].definition if versions else None
    return TemplateRead(
        id=row.id, code=row.code, name=row.name, name_zh=row.name_zh, formats=list(row.formats),
        region_ids=list(row.region_ids), latest_version=row.latest_version, active=row.active,
        draft=Definition.model_validate(row.draft), unpublished_changes=latest != row.draft,
        versions=[VersionRead(version=v.version, published_at=v.published_at, published_by=v.published_by)
                  for v in versions],
        updated_at=row.updated_at,
    )  # fmt: skip


def _versions(session: Session, tenant_id: int, ids: list[int]) -> dict[int, list[models.TemplateVersion]]:
    out: dict[int, list[models.TemplateVersion]] = {i: [] for i in ids}
    if not ids:
        return out
    rows = session.scalars(
        select(models.TemplateVersion)
        .where(models.TemplateVersion.tenant_id == tenant_id, models.TemplateVersion.template_id.in_(ids))
        .order_by(models.TemplateVersion.template_id, models.TemplateVersion.version.desc())
    )
    for v in rows:
        out[v.template_id].append(v)
    return out


def get_template(session: Session, tenant_id: int, template_id: int) -> TemplateRead:
    row = session.get(models.Template, template_id)
    if row is None or row.tenant_id != tenant_id:
        raise TemplateNotFound(f"template {template_id} not found")
    return _template_read(row, _versions(session, tenant_id, [row.id])[row.id])


def list_templates(
    session: Session, tenant_id: int, *, q: str | None = None, active: bool | None = None, limit: int = 50,
    offset: int = 0,
) -> tuple[list[TemplateRead], int]:  # fmt: skip
    stmt = select(models.Template).where(models.Template.tenant_id == tenant_id)
    if q:
        like = f"%{q.lower()}%"
        stmt = stmt.where(func.lower(models.Template.code).like(like) | func.lower(models.Template.name).like(like))
    if active is not None:
        stmt = stmt.where(models.Template.active.is_(active))
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = list(session.scalars(stmt.order_by(models.Template.code).limit(limit).offset(offset)))
    versions = _versions(session, tenant_id, [r.id for r in rows])
    return [_template_read(r, versions[r.id]) for r in rows], total


def version_definition(session: Session, tenant_id: int, version_id: int) -> tuple[int, Definition]:
    v = session.get(models.TemplateVersion, version_id)
    if v is None or v.tenant_id != tenant_id:
        raise TemplateNotFound(f"template version {version_id} not found")
    return v.version, Definition.model_validate(v.definition)
