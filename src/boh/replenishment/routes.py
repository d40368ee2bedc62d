"""JSON API of replenishment under /api/v1/replenishment: suggestion runs (202 + poll: the worker computes
them), lines with their explanation, review changes with a reason, approvals, automatic-ordering rules and
the kill switch."""

from __future__ import annotations

from fastapi import Response
from sqlalchemy import select

from boh.http.deps import UowDep
from boh.http.pagination import Page, PageDep
from boh.http.routing import SecureRouter
from boh.kernel.clock import utcnow
from boh.replenishment import models as m
from boh.replenishment import queries
from boh.replenishment.schemas import (
    AcceptIn,
    AutoResultRead,
    AutoRuleIn,
    AutoRuleRead,
    BudgetIn,
    BudgetPatch,
    BudgetRead,
    ChangeIn,
    DecisionIn,
    KillSwitchIn,
    LineDetail,
    LineRead,
    PolicyIn,
    PolicyPatch,
    PolicyRead,
    RunIn,
    RunRead,
    SettingsIn,
    SettingsRead,
    SourcingIn,
    SourcingPatch,
    SourcingRead,
)
from boh.replenishment.service import APPROVE, READ, REVIEW, RULES, RUN, auto, config, release, review, run

router = SecureRouter(prefix="/api/v1/replenishment", tags=["replenishment"])
_404 = {404: {"description": "replenishment.run_not_found / line_not_found (problem+json)"}}
_409 = {409: {"description": "replenishment.line_not_reviewable / nothing_to_approve (problem+json)"}}


@router.get("/runs", perm=READ, response_model=list[RunRead], summary="Recent suggestion runs")
def list_runs(uow: UowDep) -> list[RunRead]:
    return [RunRead.model_validate(r) for r in queries.runs(uow.session, uow.tenant_id)]


@router.post("/runs", perm=RUN, status_code=202, response_model=RunRead,
             summary="Queue a suggestion run (the worker computes it; poll GET /runs/{id})")  # fmt: skip
def create_run(uow: UowDep, body: RunIn, response: Response) -> RunRead:
    r = run.create_run(uow, order_day=body.order_day or utcnow().date(), site_ids=body.site_ids,
                       idempotency_key=body.idempotency_key)  # fmt: skip
    uow.commit()
    response.headers["Location"] = f"/api/v1/replenishment/runs/{r.id}"
    return RunRead.model_validate(r)


@router.get("/runs/{run_id}", perm=READ, response_model=RunRead, responses=_404,
            summary="A run's status and progress (sites done of total)")  # fmt: skip
def get_run(uow: UowDep, run_id: int) -> RunRead:
    return RunRead.model_validate(run.get_run(uow, run_id))


@router.get(
    "/lines", perm=READ, response_model=Page[LineRead], summary="Suggestion lines (filter by run, site, status)"
)
def list_lines(uow: UowDep, page: PageDep, run_id: int | None = None, site_id: int | None = None,
               status: str | None = None) -> Page[LineRead]:  # fmt: skip
    rows, total = queries.lines(uow.session, uow.principal.scope(READ), run_id=run_id, site_id=site_id, status=status,
                                limit=page.limit, offset=page.offset)  # fmt: skip
    ids = [r.id for r in rows]
    objs = {x.id: x for x in uow.session.scalars(select(m.Line).where(m.Line.id.in_(ids)))} if ids else {}
    return Page(items=[LineRead.model_validate(objs[i]) for i in ids], total=total, limit=page.limit,
                offset=page.offset)  # fmt: skip


@router.get("/lines/{suggestion_id}", perm=READ, response_model=LineDetail, responses=_404,
            summary="A line with its structured explanation")  # fmt: skip
def get_line(uow: UowDep, suggestion_id: int) -> LineDetail:
    line = review.get_line(uow, suggestion_id, READ)
    return LineDetail.model_validate({**LineRead.model_validate(line).model_dump(),
                                      "explanation": queries.explanation(uow.session, suggestion_id)})  # fmt: skip


@router.post("/lines/{suggestion_id}/change", perm=REVIEW, response_model=LineRead, responses={**_404, **_409},
             summary="Change a quantity with a reason (beyond tolerance it waits for approval)")  # fmt: skip
def change_line(uow: UowDep, suggestion_id: int, body: ChangeIn) -> LineRead:
    line = review.change_qty(uow, line_id=suggestion_id, qty=body.qty, reason_code=body.reason_code, note=body.note)
    uow.commit()
    return LineRead.model_validate(line)


@router.post("/lines/accept", perm=REVIEW, summary="Approve lines at their current quantity")
def accept_lines(uow: UowDep, body: AcceptIn) -> dict[str, int]:
    n = review.accept(uow, line_ids=body.line_ids)
    uow.commit()
    return {"accepted": n}


@router.post("/lines/{suggestion_id}/decision", perm=APPROVE, response_model=LineRead, responses={**_404, **_409},
             summary="Approve or reject a line's pending change (level 2 needs replenishment.rules)")  # fmt: skip
def decide_line(uow: UowDep, suggestion_id: int, body: DecisionIn) -> LineRead:
    line = review.decide(uow, line_id=suggestion_id, approve=body.approve, note=body.note)
    uow.commit()
    return LineRead.model_validate(line)


@router.post("/runs/{run_id}/release", perm=REVIEW, responses=_404,
             summary="Place the run's approved lines as purchase and transfer orders")  # fmt: skip
def release_run(uow: UowDep, run_id: int, site_id: int | None = None) -> dict[str, int]:
    run.get_run(uow, run_id)
    n = release.release_run(uow, run_id=run_id, site_id=site_id)
    uow.commit()
    return {"released": n}


@router.get("/auto-rules", perm=RULES, response_model=list[AutoRuleRead], summary="Automatic-ordering rules")
def list_rules(uow: UowDep) -> list[AutoRuleRead]:
    rows = uow.session.scalars(select(m.AutoRule).where(m.AutoRule.tenant_id == uow.tenant_id).order_by(m.AutoRule.id))
    return [AutoRuleRead.model_validate(r) for r in rows]


@router.post("/auto-rules", perm=RULES, status_code=201, response_model=AutoRuleRead, summary="Add a rule")
def create_rule(uow: UowDep, body: AutoRuleIn) -> AutoRuleRead:
    rule = auto.create_rule(uow, body)
    uow.commit()
    return AutoRuleRead.model_validate(rule)


@router.put("/kill-switch", perm=RULES, summary="Stop (false) or allow (true) automatic ordering for the tenant")
def kill_switch(uow: UowDep, body: KillSwitchIn) -> dict[str, bool]:
    auto.set_enabled(uow, body.auto_enabled)
    uow.commit()
    return {"auto_enabled": body.auto_enabled}


@router.post("/runs/{run_id}/auto", perm=RULES, response_model=AutoResultRead, responses=_404,
             summary="Apply the automatic-ordering rules to a run's proposed lines")  # fmt: skip
def apply_auto(uow: UowDep, run_id: int) -> AutoResultRead:
    run.get_run(uow, run_id)
    res = auto.apply_rules(uow, run_id=run_id)
    uow.commit()
    return AutoResultRead(**res.__dict__)


# --- configuration: policies, sourcing rules, budgets, approval settings -----------------------------------

_422 = {422: {"description": "boh.validation_failed: every invalid field at once (problem+json)"}}
_P404 = {404: {"description": "replenishment.policy_not_found (problem+json)"}, **_422}
_S404 = {404: {"description": "replenishment.sourcing_not_found (problem+json)"}, **_422}
_B404 = {404: {"description": "replenishment.budget_not_found (problem+json)"}, **_422}


@router.get("/policies", perm=RULES, response_model=list[PolicyRead],
            summary="Replenishment policies (per site, category, ABC/XYZ class)")  # fmt: skip
def list_policies(uow: UowDep, include_inactive: bool = False) -> list[PolicyRead]:
    return [PolicyRead.model_validate(p) for p in config.policies(uow, include_inactive=include_inactive)]


@router.post("/policies", perm=RULES, status_code=201, response_model=PolicyRead, responses=_422,
             summary="Add a policy (the next run uses it)")  # fmt: skip
def create_policy(uow: UowDep, body: PolicyIn) -> PolicyRead:
    p = config.create_policy(uow, body.model_dump())
    uow.commit()
    return PolicyRead.model_validate(p)


@router.patch("/policies/{policy_id}", perm=RULES, response_model=PolicyRead, responses=_P404,
              summary="Change a policy (only the fields sent)")  # fmt: skip
def update_policy(uow: UowDep, policy_id: int, body: PolicyPatch) -> PolicyRead:
    p = config.update_policy(uow, policy_id, body.model_dump(exclude_unset=True))
    uow.commit()
    return PolicyRead.model_validate(p)


@router.delete("/policies/{policy_id}", perm=RULES, response_model=PolicyRead, responses=_P404,
               summary="Deactivate a policy (kept for the explanations of past runs)")  # fmt: skip
def deactivate_policy(uow: UowDep, policy_id: int) -> PolicyRead:
    p = config.deactivate_policy(uow, policy_id)
    uow.commit()
    return PolicyRead.model_validate(p)


@router.get("/sourcing", perm=RULES, response_model=list[SourcingRead],
            summary="Sourcing rules: a supplier or a DC per site/region x item/category")  # fmt: skip
def list_sourcing(uow: UowDep) -> list[SourcingRead]:
    return [SourcingRead.model_validate(r) for r in config.sourcing_rules(uow)]


@router.post("/sourcing", perm=RULES, status_code=201, response_model=SourcingRead, responses=_422,
             summary="Add a sourcing rule")  # fmt: skip
def create_sourcing(uow: UowDep, body: SourcingIn) -> SourcingRead:
    r = config.create_sourcing(uow, body.model_dump())
    uow.commit()
    return SourcingRead.model_validate(r)


@router.patch("/sourcing/{sourcing_id}", perm=RULES, response_model=SourcingRead, responses=_S404,
              summary="Change a sourcing rule (only the fields sent)")  # fmt: skip
def update_sourcing(uow: UowDep, sourcing_id: int, body: SourcingPatch) -> SourcingRead:
    r = config.update_sourcing(uow, sourcing_id, body.model_dump(exclude_unset=True))
    uow.commit()
    return SourcingRead.model_validate(r)


@router.delete("/sourcing/{sourcing_id}", perm=RULES, status_code=204, responses=_S404,
               summary="Remove a sourcing rule (the audit keeps what it was)")  # fmt: skip
def delete_sourcing(uow: UowDep, sourcing_id: int) -> Response:
    config.delete_sourcing(uow, sourcing_id)
    uow.commit()
    return Response(status_code=204)


@router.get("/budgets", perm=RULES, response_model=list[BudgetRead], summary="Budgets per site (and category)")
def list_budgets(uow: UowDep) -> list[BudgetRead]:
    return [BudgetRead.model_validate(b) for b in config.budgets(uow)]


@router.post("/budgets", perm=RULES, status_code=201, response_model=BudgetRead, responses=_422,
             summary="Add a budget (a run's lines are trimmed to fit)")  # fmt: skip
def create_budget(uow: UowDep, body: BudgetIn) -> BudgetRead:
    b = config.create_budget(uow, body.model_dump())
    uow.commit()
    return BudgetRead.model_validate(b)


@router.patch("/budgets/{budget_id}", perm=RULES, response_model=BudgetRead, responses=_B404,
              summary="Change a budget (only the fields sent)")  # fmt: skip
def update_budget(uow: UowDep, budget_id: int, body: BudgetPatch) -> BudgetRead:
    b = config.update_budget(uow, budget_id, body.model_dump(exclude_unset=True))
    uow.commit()
    return BudgetRead.model_validate(b)


@router.delete("/budgets/{budget_id}", perm=RULES, status_code=204, responses=_B404,
               summary="Remove a budget (the audit keeps what it was)")  # fmt: skip
def delete_budget(uow: UowDep, budget_id: int) -> Response:
    config.delete_budget(uow, budget_id)
    uow.commit()
    return Response(status_code=204)


@router.get("/settings", perm=RULES, response_model=SettingsRead,
            summary="Approval thresholds, escalation and the kill switch's state")  # fmt: skip
def get_settings(uow: UowDep) -> SettingsRead:
    return SettingsRead.model_validate(config.read_settings(uow))


@router.put("/settings", perm=RULES, response_model=SettingsRead, responses=_422,
            summary="Set the approval thresholds and escalation (HQ; the kill switch: PUT /kill-switch)")  # fmt: skip
def put_settings(uow: UowDep, body: SettingsIn) -> SettingsRead:
    config.update_settings(uow, body.model_dump())
    out = SettingsRead.model_validate(config.read_settings(uow))
    uow.commit()
    return out
