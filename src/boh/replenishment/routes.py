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
    ChangeIn,
    DecisionIn,
    KillSwitchIn,
    LineDetail,
    LineRead,
    RunIn,
    RunRead,
)
from boh.replenishment.service import APPROVE, READ, REVIEW, RULES, RUN, auto, release, review, run

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
