"""Read models of inspections for the API and pages (DTOs out, never ORM rows). Reads org through its api."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from boh.inspections import models
from boh.inspections.definition import Definition
from boh.inspections.domain import CENT
from boh.inspections.errors import TemplateNotFound
from boh.inspections.schemas import (
    ActionRead,
    AnswerRead,
    PhotoRead,
    PlanRead,
    Reason,
    TemplateRead,
    VersionRead,
    VisitRead,
)
from boh.inspections.service._common import P_READ
from boh.kernel.paging import page
from boh.kernel.tenancy import Principal, Scope
from boh.org.api import site_points, user_names


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
    rows = list(session.scalars(page(stmt.order_by(models.Template.code), limit, offset)))
    versions = _versions(session, tenant_id, [r.id for r in rows])
    return [_template_read(r, versions[r.id]) for r in rows], total


def version_definition(session: Session, tenant_id: int, version_id: int) -> tuple[int, Definition]:
    v = session.get(models.TemplateVersion, version_id)
    if v is None or v.tenant_id != tenant_id:
        raise TemplateNotFound(f"template version {version_id} not found")
    return v.version, Definition.model_validate(v.definition)


# --- visits -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class VisitFilter:
    site_id: int | None = None
    status: str | None = None
    inspector_id: int | None = None
    plan_id: int | None = None
    day_from: date | None = None
    day_to: date | None = None
    template_id: int | None = None
    kind: str | None = None


def _visible(stmt: Select[Any], p: Principal, scope: Scope) -> Select[Any]:
    """Scope's sites; unannounced visits before their check-in only for planners and their inspector."""
    stmt = stmt.where(models.Visit.tenant_id == scope.tenant_id)
    if scope.site_ids is not None:
        stmt = stmt.where(models.Visit.site_id.in_(sorted(scope.site_ids)))
    if not p.can(P_READ):
        hidden = models.Visit.unannounced.is_(True) & (models.Visit.status == "planned")
        stmt = stmt.where(~hidden | (models.Visit.inspector_id == p.id))
    return stmt


def _cent(value: Decimal | None) -> Decimal | None:
    return None if value is None else value.quantize(CENT)


def _visit_reads(session: Session, tenant_id: int, rows: list[models.Visit]) -> list[VisitRead]:
    sites = {s.id: s for s in site_points(session, Scope(tenant_id))}
    tpl_ids = sorted({r.template_id for r in rows})
    templates = {t.id: t for t in session.scalars(select(models.Template).where(models.Template.id.in_(tpl_ids)))}
    ver_ids = sorted({r.version_id for r in rows if r.version_id})
    vstmt = select(models.TemplateVersion.id, models.TemplateVersion.version).where(
        models.TemplateVersion.id.in_(ver_ids)
    )
    versions: dict[int, int] = {i: v for i, v in session.execute(vstmt)} if ver_ids else {}
    names = user_names(session, tenant_id, [r.inspector_id for r in rows if r.inspector_id])
    out = []
    for r in rows:
        s, t = sites[r.site_id], templates[r.template_id]
        out.append(VisitRead(
            id=r.id, site_id=r.site_id, site_code=s.code, site_name=s.name, site_name_zh=s.name_zh,
            template_id=r.template_id, template_name=t.name, template_name_zh=t.name_zh,
            version=versions.get(r.version_id) if r.version_id else None, plan_id=r.plan_id, kind=r.kind,  # type: ignore[arg-type]
            inspector_id=r.inspector_id, inspector_name=names.get(r.inspector_id) if r.inspector_id else None,
            scheduled_for=r.scheduled_for, window_start=r.window_start, window_end=r.window_end,
            route_order=r.route_order, unannounced=r.unannounced, risk_score=r.risk_score,
            reasons=[Reason(**x) for x in r.reasons or []], status=r.status,  # type: ignore[arg-type]
            checkin_at=r.checkin_at, checkin_distance_m=r.checkin_distance_m, checkin_flagged=r.checkin_flagged,
            submitted_at=r.submitted_at, score=_cent(r.score), percent=_cent(r.percent), passed=r.passed,
            critical_failed=list(r.critical_failed or []), failed_items=list(r.failed_items or []),
        ))  # fmt: skip
    return out


def list_visits(
    session: Session, p: Principal, scope: Scope, f: VisitFilter, limit: int = 50, offset: int = 0
) -> tuple[list[VisitRead], int]:
    stmt = _visible(select(models.Visit), p, scope)
    for col, value in ((models.Visit.site_id, f.site_id), (models.Visit.status, f.status),
                       (models.Visit.inspector_id, f.inspector_id), (models.Visit.plan_id, f.plan_id),
                       (models.Visit.template_id, f.template_id), (models.Visit.kind, f.kind)):  # fmt: skip
        if value is not None:
            stmt = stmt.where(col == value)
    if f.day_from is not None:
        stmt = stmt.where(models.Visit.scheduled_for >= f.day_from)
    if f.day_to is not None:
        stmt = stmt.where(models.Visit.scheduled_for <= f.day_to)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    order = (models.Visit.scheduled_for.is_(None), models.Visit.scheduled_for, models.Visit.inspector_id,
             models.Visit.route_order, models.Visit.id)  # fmt: skip
    rows = list(session.scalars(page(stmt.order_by(*order), limit, offset)))
    return _visit_reads(session, scope.tenant_id, rows), total


def visit_read(session: Session, tenant_id: int, row: models.Visit) -> VisitRead:
    return _visit_reads(session, tenant_id, [row])[0]


def photo_read(p: models.Photo) -> PhotoRead:
    return PhotoRead(
        id=p.id, item_key=p.item_key, sha256=p.sha256, content_type=p.content_type, size_bytes=p.size_bytes,
        width=p.width, height=p.height, captured_at=p.captured_at, uploaded_at=p.uploaded_at,
        url=f"/api/v1/inspections/photos/{p.id}", thumb_url=f"/api/v1/inspections/photos/{p.id}/thumbnail",
    )  # fmt: skip


def photos_of(
    session: Session, tenant_id: int, *, visit_id: int | None = None, action_id: int | None = None
) -> list[PhotoRead]:
    stmt = select(models.Photo).where(models.Photo.tenant_id == tenant_id)
    stmt = (
        stmt.where(models.Photo.visit_id == visit_id)
        if visit_id is not None
        else stmt.where(models.Photo.action_id == action_id)
    )
    return [photo_read(p) for p in session.scalars(stmt.order_by(models.Photo.id))]


def answers(session: Session, visit_id: int) -> list[AnswerRead]:
    rows = session.scalars(select(models.Answer).where(models.Answer.visit_id == visit_id).order_by(models.Answer.id))
    return [AnswerRead(item_key=a.item_key, value=a.value, note=a.note, answered_at=a.answered_at, saved_at=a.saved_at)
            for a in rows]  # fmt: skip


# --- actions ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ActionFilter:
    site_id: int | None = None
    status: str | None = None
    owner_id: int | None = None
    overdue: bool = False
    visit_id: int | None = None


def _action_reads(session: Session, tenant_id: int, rows: list[models.Action], today: date) -> list[ActionRead]:
    sites = {s.id: s.code for s in site_points(session, Scope(tenant_id))}
    names = user_names(session, tenant_id, [r.owner_id for r in rows if r.owner_id])
    photos: dict[int, list[PhotoRead]] = defaultdict(list)
    if rows:
        for p in session.scalars(select(models.Photo).where(models.Photo.action_id.in_([r.id for r in rows]))):
            photos[p.action_id or 0].append(photo_read(p))
    return [
        ActionRead(
            id=r.id, visit_id=r.visit_id, site_id=r.site_id, site_code=sites.get(r.site_id, ""), item_key=r.item_key,
            title=r.title, title_zh=r.title_zh, severity=r.severity, owner_id=r.owner_id,
            owner_name=names.get(r.owner_id) if r.owner_id else None, due_date=r.due_date,
            overdue=r.status != "accepted" and r.due_date < today, status=r.status,  # type: ignore[arg-type]
            evidence_required=list(r.evidence_required), evidence_note=r.evidence_note, photos=photos[r.id],
            submitted_at=r.submitted_at, reviewed_at=r.reviewed_at, review_note=r.review_note, reopened=r.reopened,
            escalation_level=r.escalation_level, closed_at=r.closed_at, created_at=r.created_at,
        )
        for r in rows
    ]  # fmt: skip


def list_actions(
    session: Session, scope: Scope, f: ActionFilter, today: date, limit: int = 50, offset: int = 0
) -> tuple[list[ActionRead], int]:
    stmt = select(models.Action).where(models.Action.tenant_id == scope.tenant_id)
    if scope.site_ids is not None:
        stmt = stmt.where(models.Action.site_id.in_(sorted(scope.site_ids)))
    for col, value in ((models.Action.site_id, f.site_id), (models.Action.status, f.status),
                       (models.Action.owner_id, f.owner_id), (models.Action.visit_id, f.visit_id)):  # fmt: skip
        if value is not None:
            stmt = stmt.where(col == value)
    if f.overdue:
        stmt = stmt.where(models.Action.status != "accepted", models.Action.due_date < today)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    order = (models.Action.status != "open", models.Action.due_date, models.Action.id)
    rows = list(session.scalars(page(stmt.order_by(*order), limit, offset)))
    return _action_reads(session, scope.tenant_id, rows, today), total


def action_read(session: Session, tenant_id: int, row: models.Action, today: date) -> ActionRead:
    return _action_reads(session, tenant_id, [row], today)[0]


def plans(session: Session, tenant_id: int, limit: int = 50, offset: int = 0) -> tuple[list[PlanRead], int]:
    stmt = select(models.Plan).where(models.Plan.tenant_id == tenant_id)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = session.scalars(page(stmt.order_by(models.Plan.start.desc(), models.Plan.id.desc()), limit, offset))
    return [plan_read(r) for r in rows], total


def plan_read(r: models.Plan) -> PlanRead:
    stats = {k: v for k, v in r.stats.items() if k != "homes"}
    return PlanRead(
        id=r.id, name=r.name, start=r.start, end=r.end, status=r.status, stats=stats, created_at=r.created_at
    )
