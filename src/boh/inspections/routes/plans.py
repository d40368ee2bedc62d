"""Planning: rules, inspector profiles and absences (which re-plan), plans, site risk, settings."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import Query
from sqlalchemy import select

from boh.http.deps import UowDep
from boh.http.pagination import Page, PageDep
from boh.http.routing import SecureRouter
from boh.inspections import facts, models, queries, service
from boh.inspections.errors import PlanNotFound
from boh.inspections.queries import VisitFilter
from boh.inspections.schemas import (
    AbsenceIn,
    GeofenceIn,
    InspectorIn,
    InspectorRead,
    PlanCreate,
    PlanRead,
    Reason,
    ReplanRead,
    RuleCreate,
    RuleRead,
    RuleUpdate,
    SettingsIn,
    SettingsRead,
    SiteRisk,
    VisitRead,
)
from boh.inspections.service import P_READ, P_WRITE, SETTINGS, V_READ
from boh.inspections.service._common import settings as settings_row
from boh.kernel.clock import utcnow
from boh.org.api import site_points, user_names

router = SecureRouter(prefix="/api/v1/inspections", tags=["inspections"])


def _rule(r: models.Rule) -> RuleRead:
    return RuleRead.model_validate(r, from_attributes=True)


@router.get("/rules", perm=P_READ, response_model=list[RuleRead], summary="Planning rules")
def list_rules(uow: UowDep) -> list[RuleRead]:
    rows = uow.session.scalars(
        select(models.Rule).where(models.Rule.tenant_id == uow.tenant_id).order_by(models.Rule.id)
    )
    return [_rule(r) for r in rows]


@router.post("/rules", perm=P_WRITE, status_code=201, response_model=RuleRead, summary="Add a planning rule")
def create_rule(uow: UowDep, body: RuleCreate) -> RuleRead:
    row = service.create_rule(uow, body)
    uow.commit()
    return _rule(row)


@router.patch("/rules/{rule_id}", perm=P_WRITE, response_model=RuleRead, summary="Change or pause a rule")
def update_rule(uow: UowDep, rule_id: int, body: RuleUpdate) -> RuleRead:
    row = service.update_rule(uow, rule_id, body)
    uow.commit()
    return _rule(row)


def _inspector(uow: UowDep, r: models.Inspector) -> InspectorRead:
    name = user_names(uow.session, uow.tenant_id, [r.user_id]).get(r.user_id, "")
    return InspectorRead(
        user_id=r.user_id, name=name, region_id=r.region_id, working_days=list(r.working_days),
        daily_capacity=r.daily_capacity, home_lat=r.home_lat, home_lon=r.home_lon, active=r.active,
    )  # fmt: skip


@router.get("/inspectors", perm=P_READ, response_model=list[InspectorRead], summary="Inspector profiles")
def list_inspectors(uow: UowDep) -> list[InspectorRead]:
    rows = uow.session.scalars(
        select(models.Inspector).where(models.Inspector.tenant_id == uow.tenant_id).order_by(models.Inspector.user_id)
    )
    return [_inspector(uow, r) for r in rows]


@router.put("/inspectors/{user_id}", perm=P_WRITE, response_model=InspectorRead, summary="Set an inspector's profile")
def put_inspector(uow: UowDep, user_id: int, body: InspectorIn) -> InspectorRead:
    row = service.put_inspector(uow, user_id, body)
    uow.commit()
    return _inspector(uow, row)


@router.post("/inspectors/{user_id}/absences", perm=P_WRITE, response_model=ReplanRead,
             summary="An inspector is unavailable: their planned visits of those days are re-planned")  # fmt: skip
def add_absence(uow: UowDep, user_id: int, body: AbsenceIn) -> ReplanRead:
    result = service.add_absence(uow, user_id, body)
    uow.commit()
    return result


@router.get("/plans", perm=P_READ, response_model=Page[PlanRead], summary="Inspection plans")
def list_plans(uow: UowDep, page: PageDep) -> Page[PlanRead]:
    items, total = queries.plans(uow.session, uow.tenant_id, page.limit, page.offset)
    return Page(items=items, total=total, limit=page.limit, offset=page.offset)


@router.post("/plans", perm=P_WRITE, status_code=201, response_model=PlanRead, summary="Plan a period")
def create_plan(uow: UowDep, body: PlanCreate) -> PlanRead:
    row = service.create_plan(uow, body)
    uow.commit()
    return queries.plan_read(row)


@router.get("/plans/{plan_id}", perm=P_READ, response_model=PlanRead, summary="A plan and its figures")
def get_plan(uow: UowDep, plan_id: int) -> PlanRead:
    row = uow.session.get(models.Plan, plan_id)
    if row is None or row.tenant_id != uow.tenant_id:
        raise PlanNotFound(f"plan {plan_id} not found")
    return queries.plan_read(row)


@router.get("/plans/{plan_id}/visits", perm=P_READ, response_model=Page[VisitRead],
            summary="A plan's visits by day, inspector and route order, with why each store was chosen")  # fmt: skip
def plan_visits(
    uow: UowDep, page: PageDep, plan_id: int, day_from: date | None = None, day_to: date | None = None,
    inspector_id: int | None = None,
) -> Page[VisitRead]:  # fmt: skip
    get_plan(uow, plan_id)
    f = VisitFilter(plan_id=plan_id, day_from=day_from, day_to=day_to, inspector_id=inspector_id)
    items, total = queries.list_visits(uow.session, uow.principal, uow.principal.scope(V_READ), f, page.limit,
                                       page.offset)  # fmt: skip
    return Page(items=items, total=total, limit=page.limit, offset=page.offset)


@router.get("/risk", perm=P_READ, response_model=list[SiteRisk], summary="Each store's risk and its reasons")
def site_risk(uow: UowDep, site_id: Annotated[int | None, Query()] = None) -> list[SiteRisk]:
    scope = uow.principal.scope(P_READ)
    stores = [s for s in site_points(uow.session, scope, kind="store") if site_id in (None, s.id)]
    risks = facts.risks(uow.session, uow.tenant_id, [s.id for s in stores], utcnow().date())
    out = [
        SiteRisk(site_id=s.id, site_code=s.code, score=risks[s.id].score,
                 reasons=[Reason(code=r.code, points=r.points, value=r.value) for r in risks[s.id].reasons])
        for s in stores
    ]  # fmt: skip
    return sorted(out, key=lambda r: (-r.score, r.site_code))


def _settings(row: models.Settings) -> SettingsRead:
    return SettingsRead(
        geofence_m=row.geofence_m, checkin_policy=row.checkin_policy,  # type: ignore[arg-type]
        max_photo_mb=row.max_photo_mb, due_days=row.due_days or {},  # type: ignore[arg-type]
        escalation_step_days=row.escalation_step_days, site_geofence=row.site_geofence or {},
    )  # fmt: skip


@router.get("/settings", perm=V_READ, response_model=SettingsRead, summary="Check-in policy, limits, due days")
def get_settings(uow: UowDep) -> SettingsRead:
    return _settings(settings_row(uow))


@router.put("/settings", perm=SETTINGS, response_model=SettingsRead, summary="Set the tenant's inspection settings")
def put_settings(uow: UowDep, body: SettingsIn) -> SettingsRead:
    row = service.put_settings(uow, body)
    uow.commit()
    return _settings(row)


@router.put("/sites/{site_id}/geofence", perm=SETTINGS, response_model=SettingsRead,
            summary="A store's own check-in radius (null: the tenant's default)")  # fmt: skip
def put_geofence(uow: UowDep, site_id: int, body: GeofenceIn) -> SettingsRead:
    row = service.put_geofence(uow, site_id, body)
    uow.commit()
    return _settings(row)
