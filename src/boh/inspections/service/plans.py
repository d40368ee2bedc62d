"""Planning use cases: rules, inspector profiles, plans for a period, absences that re-plan."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from typing import Any

from sqlalchemy import insert, select, update

from boh.inspections import facts, models, planner, routing
from boh.inspections.errors import InspectorNotFound
from boh.inspections.risk import Risk
from boh.inspections.schemas import AbsenceIn, InspectorIn, PlanCreate, ReplanRead, RuleCreate, RuleUpdate
from boh.inspections.service._common import P_WRITE, rule, template
from boh.kernel.clock import utcnow
from boh.kernel.errors import FieldError, ValidationFailed
from boh.kernel.tenancy import Scope
from boh.kernel.uow import UnitOfWork
from boh.org.api import region_refs, site_points, users_for

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def create_rule(uow: UnitOfWork, body: RuleCreate) -> models.Rule:
    uow.principal.scope(P_WRITE)
    template(uow, body.template_id)
    if body.region_id is not None and body.region_id not in {r.id for r in region_refs(uow.session, uow.tenant_id)}:
        raise ValidationFailed([FieldError(("region_id",), f"region {body.region_id} not found", "unknown_reference")])
    row = models.Rule(tenant_id=uow.tenant_id, active=True, **body.model_dump())
    uow.session.add(row)
    uow.flush()
    uow.audit("inspections.rule.create", "inspections_rule", row.id, after=body.model_dump(mode="json"))
    return row


def update_rule(uow: UnitOfWork, rule_id: int, body: RuleUpdate) -> models.Rule:
    uow.principal.scope(P_WRITE)
    row = rule(uow, rule_id)
    changes = body.model_dump(exclude_unset=True)
    before = {k: getattr(row, k) for k in changes}
    for k, v in changes.items():
        setattr(row, k, v)
    uow.flush()
    uow.audit("inspections.rule.update", "inspections_rule", row.id, before=before, after=changes)
    return row


def put_inspector(uow: UnitOfWork, user_id: int, body: InspectorIn) -> models.Inspector:
    """Create or replace a user's inspector profile (a user of the tenant; planning only uses active profiles)."""
    uow.principal.scope(P_WRITE)
    if not users_for(uow.session, uow.tenant_id, user_ids=[user_id]):
        raise InspectorNotFound(f"user {user_id} not found")
    if body.region_id is not None and body.region_id not in {r.id for r in region_refs(uow.session, uow.tenant_id)}:
        raise ValidationFailed([FieldError(("region_id",), f"region {body.region_id} not found", "unknown_reference")])
    row = uow.session.scalars(
        select(models.Inspector).where(models.Inspector.tenant_id == uow.tenant_id, models.Inspector.user_id == user_id)
    ).one_or_none()
    values = body.model_dump()
    values["working_days"] = [d for d in DAYS if d in set(body.working_days)]
    if row is None:
        row = models.Inspector(tenant_id=uow.tenant_id, user_id=user_id, **values)
        uow.session.add(row)
    else:
        for k, v in values.items():
            setattr(row, k, v)
    uow.flush()
    uow.audit("inspections.inspector.put", "inspections_inspector", user_id, after=body.model_dump(mode="json"))
    return row


def inspector_row(uow: UnitOfWork, user_id: int) -> models.Inspector:
    """The user's inspector profile: 404 for a user of another tenant, 422 for one without a profile."""
    if not users_for(uow.session, uow.tenant_id, user_ids=[user_id]):
        raise InspectorNotFound(f"user {user_id} not found")
    row = uow.session.scalars(
        select(models.Inspector).where(models.Inspector.tenant_id == uow.tenant_id, models.Inspector.user_id == user_id)
    ).one_or_none()
    if row is None:
        raise ValidationFailed([FieldError(("user_id",), f"user {user_id} has no inspector profile", "not_found")])
    return row


def _specs(uow: UnitOfWork, start: date, end: date) -> list[planner.InspectorSpec]:
    rows = uow.session.scalars(
        select(models.Inspector)
        .where(models.Inspector.tenant_id == uow.tenant_id, models.Inspector.active.is_(True))
        .order_by(models.Inspector.user_id)
    ).all()
    absent: dict[int, set[date]] = defaultdict(set)
    for a in uow.session.scalars(
        select(models.Absence).where(
            models.Absence.tenant_id == uow.tenant_id, models.Absence.start <= end, models.Absence.end >= start
        )
    ):
        absent[a.user_id] |= {a.start + timedelta(days=i) for i in range((a.end - a.start).days + 1)}
    return [
        planner.InspectorSpec(
            r.user_id, r.region_id, frozenset(DAYS.index(d) for d in r.working_days), r.daily_capacity,
            (float(r.home_lat), float(r.home_lon)) if r.home_lat is not None and r.home_lon is not None else None,
            frozenset(absent[r.user_id]),
        )
        for r in rows
    ]  # fmt: skip


def _stores(uow: UnitOfWork) -> list[planner.Store]:
    return [
        planner.Store(s.id, float(s.latitude), float(s.longitude), s.region_id, s.format)
        for s in site_points(uow.session, Scope(uow.tenant_id), kind="store")
        if s.active and s.latitude is not None and s.longitude is not None
    ]


def _rules(uow: UnitOfWork) -> list[planner.RuleSpec]:
    rows = uow.session.scalars(
        select(models.Rule).where(models.Rule.tenant_id == uow.tenant_id, models.Rule.active.is_(True))
    )
    templates = {t.id: t for t in uow.session.scalars(
        select(models.Template).where(models.Template.tenant_id == uow.tenant_id))}  # fmt: skip
    out = []
    for r in rows:
        t = templates[r.template_id]
        if t.active:
            out.append(planner.RuleSpec(
                r.id, r.kind, r.template_id, r.site_format, r.region_id, r.every_days,
                float(r.threshold) if r.threshold is not None else None, r.within_days, r.unannounced, r.risk_based,
                tuple(t.formats), tuple(t.region_ids),
            ))  # fmt: skip
    return out


def _reasons(need: planner.Need, risk: Risk | None) -> list[dict[str, Any]]:
    out = [{"code": code, "points": "0", "value": value or None} for code, value in need.reasons]
    if risk is not None:
        out += [{"code": r.code, "points": str(r.points), "value": r.value} for r in risk.reasons]
    return out


def _row(uow: UnitOfWork, plan_id: int, need: planner.Need, risk: Risk | None, **where: Any) -> dict[str, Any]:
    now = utcnow()
    return {
        "tenant_id": uow.tenant_id, "site_id": need.store_id, "template_id": need.template_id, "plan_id": plan_id,
        "rule_id": need.rule_id, "kind": need.kind, "window_start": need.start, "window_end": need.end,
        "unannounced": need.unannounced, "risk_score": risk.score if risk else None, "reasons": _reasons(need, risk),
        "status": "planned", "checkin_flagged": False, "critical_failed": [], "failed_items": [],
        "created_at": now, "updated_at": now, "inspector_id": None, "scheduled_for": None, "route_order": None,
        **where,
    }  # fmt: skip


def _self_rows(
    uow: UnitOfWork, plan_id: int, demand: list[planner.Need], risks: dict[int, Risk]
) -> list[dict[str, Any]]:
    managers: dict[int, int | None] = {}
    rows = []
    for need in demand:
        if need.store_id not in managers:
            found = users_for(uow.session, uow.tenant_id, roles=["store_manager"], site_id=need.store_id)
            managers[need.store_id] = found[0].id if found else None
        rows.append(_row(uow, plan_id, need, risks.get(need.store_id), inspector_id=managers[need.store_id],
                         scheduled_for=need.start))  # fmt: skip
    return rows


def create_plan(uow: UnitOfWork, body: PlanCreate) -> models.Plan:
    """Plan the period: the active rules' visits, given to inspectors and days with short routes. Visits of
    earlier plans in the period that have not started are cancelled (this plan replaces them)."""
    uow.principal.scope(P_WRITE)
    stores, specs, rules = _stores(uow), _specs(uow, body.start, body.end), _rules(uow)
    risks = facts.risks(uow.session, uow.tenant_id, [s.id for s in stores], body.start)
    demand = planner.needs(stores, rules, body.start, body.end, facts.history(uow.session, uow.tenant_id), risks)
    visits_demand = [n for n in demand if n.kind == "inspection"]
    result = routing.plan(stores, specs, visits_demand, body.start, body.end, seconds=float(body.seconds))
    by_id = {s.id: s for s in stores}
    stats = {
        "needed": len(demand), "planned": len(result.visits), "unassigned": len(result.unassigned),
        "self": len(demand) - len(visits_demand), "inspectors": len(specs),
        "travel_km": round(planner.travel_km(result, by_id), 1),
        "workload_cv": round(planner.workload_cv(result, [s.id for s in specs]), 4),
        "homes": {str(k): [round(v[0], 6), round(v[1], 6)] for k, v in result.homes.items()},
    }  # fmt: skip
    plan = models.Plan(tenant_id=uow.tenant_id, name=body.name, start=body.start, end=body.end, stats=stats,
                       created_by=uow.principal.actor)  # fmt: skip
    uow.session.add(plan)
    uow.flush()
    uow.session.execute(
        update(models.Visit)
        .where(models.Visit.tenant_id == uow.tenant_id, models.Visit.status == "planned",
               models.Visit.plan_id.is_not(None), models.Visit.plan_id != plan.id,
               models.Visit.window_start <= body.end, models.Visit.window_end >= body.start)
        .values(status="cancelled", updated_at=utcnow())
    )  # fmt: skip
    rows = [_row(uow, plan.id, v.need, risks.get(v.need.store_id), inspector_id=v.inspector_id, scheduled_for=v.day,
                 route_order=v.order) for v in result.visits]  # fmt: skip
    rows += [_row(uow, plan.id, n, risks.get(n.store_id)) for n in result.unassigned]
    rows += _self_rows(uow, plan.id, [n for n in demand if n.kind == "self"], risks)
    if rows:
        uow.session.execute(insert(models.Visit), rows)
    uow.audit("inspections.plan.create", "inspections_plan", plan.id,
              after={"start": body.start.isoformat(), "end": body.end.isoformat(), **stats})  # fmt: skip
    return plan


def add_absence(uow: UnitOfWork, user_id: int, body: AbsenceIn) -> ReplanRead:
    """Record that an inspector is unavailable and re-plan their visits of those days: another day of theirs in
    the visit's window when there is room, else the inspector of the region with the cheapest detour."""
    uow.principal.scope(P_WRITE)
    inspector_row(uow, user_id)
    absence = models.Absence(tenant_id=uow.tenant_id, user_id=user_id, start=body.start, end=body.end,
                             reason=body.reason)  # fmt: skip
    uow.session.add(absence)
    uow.flush()
    affected_rows = list(uow.session.scalars(
        select(models.Visit).where(
            models.Visit.tenant_id == uow.tenant_id, models.Visit.inspector_id == user_id,
            models.Visit.status == "planned", models.Visit.kind == "inspection",
            models.Visit.scheduled_for >= body.start, models.Visit.scheduled_for <= body.end,
        ).with_for_update()
    ))  # fmt: skip
    result = ReplanRead(absence_id=absence.id, moved=0, reassigned=0, unassigned=0, visit_ids=[])
    if affected_rows:
        _replan(uow, user_id, affected_rows, result)
    after = {"user_id": user_id, "start": body.start.isoformat(), "end": body.end.isoformat(),
             "moved": result.moved, "reassigned": result.reassigned, "unassigned": result.unassigned}  # fmt: skip
    uow.audit("inspections.absence.add", "inspections_absence", absence.id, after=after)
    return result


def _replan(uow: UnitOfWork, user_id: int, affected_rows: list[models.Visit], out: ReplanRead) -> None:
    lo = min(v.window_start or v.scheduled_for for v in affected_rows if v.scheduled_for)  # type: ignore[type-var]
    hi = max(v.window_end or v.scheduled_for for v in affected_rows if v.scheduled_for)  # type: ignore[type-var]
    assert lo is not None and hi is not None
    specs = _specs(uow, lo, hi)
    stores = {s.id: s for s in _stores(uow)}
    kept_rows = list(uow.session.scalars(
        select(models.Visit).where(
            models.Visit.tenant_id == uow.tenant_id, models.Visit.status == "planned",
            models.Visit.inspector_id.is_not(None), models.Visit.scheduled_for >= lo, models.Visit.scheduled_for <= hi,
            models.Visit.id.not_in([v.id for v in affected_rows]), models.Visit.kind == "inspection",
        )
    ))  # fmt: skip

    def need(v: models.Visit) -> planner.Need:
        return planner.Need(v.site_id, v.window_start or lo, v.window_end or hi, v.rule_id or 0, v.template_id)

    kept = [planner.Visit(need(v), v.inspector_id or 0, v.scheduled_for, v.route_order or 0)  # type: ignore[arg-type]
            for v in kept_rows if v.site_id in stores]  # fmt: skip
    homes = {s.id: s.home or _home(kept, stores, s.id) for s in specs}
    needs = [need(v) for v in affected_rows if v.site_id in stores]
    by_need = {(n.store_id, n.start, n.end, n.template_id): v for n, v in zip(needs, affected_rows, strict=False)}
    moves = routing.replan(needs, kept, specs, stores, homes, lo, hi, prefer=user_id)
    touched: set[tuple[int, date]] = set()
    for m in moves:
        row = by_need[(m.need.store_id, m.need.start, m.need.end, m.need.template_id)]
        out.visit_ids.append(row.id)
        if m.inspector_id is None:
            row.inspector_id, row.scheduled_for, row.route_order = None, None, None
            out.unassigned += 1
            continue
        out.moved += m.inspector_id == user_id
        out.reassigned += m.inspector_id != user_id
        row.inspector_id, row.scheduled_for = m.inspector_id, m.day
        touched.add((m.inspector_id, m.day))  # type: ignore[arg-type]
    uow.flush()
    for ins, day in touched:
        _reorder(uow, ins, day, homes[ins], stores)


def _home(kept: list[planner.Visit], stores: dict[int, planner.Store], ins: int) -> planner.Point:
    pts = [(stores[v.need.store_id].lat, stores[v.need.store_id].lon) for v in kept if v.inspector_id == ins]
    return (sum(p[0] for p in pts) / len(pts), sum(p[1] for p in pts) / len(pts)) if pts else (0.0, 0.0)


def _reorder(uow: UnitOfWork, ins: int, day: date, home: planner.Point, stores: dict[int, planner.Store]) -> None:
    rows = list(uow.session.scalars(
        select(models.Visit).where(models.Visit.tenant_id == uow.tenant_id, models.Visit.inspector_id == ins,
                                   models.Visit.scheduled_for == day, models.Visit.status == "planned")
    ))  # fmt: skip
    stops = [(r.id, (stores[r.site_id].lat, stores[r.site_id].lon)) for r in rows if r.site_id in stores]
    for order, vid in enumerate(routing.order_day(home, stops)):
        next(r for r in rows if r.id == vid).route_order = order
    uow.flush()
