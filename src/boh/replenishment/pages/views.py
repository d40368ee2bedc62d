"""Console pages of replenishment: the suggestion review of a site (phone first: one card per line with its
explanation under "Why?", a quantity and a reason), the approval inbox, and the rules page (automatic-ordering
rules, the kill switch, what the last run placed or would have placed)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from sqlalchemy import select

from boh.http.deps import UowDep
from boh.http.i18n import gettext_ as _
from boh.http.pages import N_, NavLink, flash, form_data, page_router, redirect
from boh.http.templating import render
from boh.kernel.errors import BohError, Conflict, PermissionDenied, ValidationFailed
from boh.kernel.uow import UnitOfWork
from boh.org.api import site_points
from boh.replenishment import models as m
from boh.replenishment import queries
from boh.replenishment.pages import explain
from boh.replenishment.schemas import AutoRuleIn
from boh.replenishment.service import APPROVE, READ, REVIEW, RULES, auto, release, review

router = page_router("/replenishment")
SIMULATE = "replenishment.simulate"
NAV = [NavLink(N_("Ordering"), "/replenishment/", READ)]
FormDep = Annotated[dict[str, str], Depends(form_data)]
STATUSES = {"proposed": N_("Proposed"), "approved": N_("Approved"), "pending": N_("Waiting for approval"),
            "ordered": N_("Ordered"), "rejected": N_("Rejected"), "closed": N_("Closed")}  # fmt: skip
CLASSES = {"A": N_("A (top sellers)"), "B": N_("B"), "C": N_("C (slow)")}
DECISIONS = {"placed": N_("Placed"), "would_place": N_("Would place (dry run)"), "to_review": N_("To a person")}
AUTO_REASONS = {"no_history": N_("no sales history"), "deviation": N_("far from recent sales"),
                "no_price_reference": N_("no cost to compare the price with"), "price_band": N_("price out of band"),
                "budget": N_("over the budget")}  # fmt: skip
PAGE = 50


def _site(uow: UnitOfWork, request: Request, counts: dict[int, int] | None = None) -> tuple[int | None, list[Any]]:
    """The site asked for, else the first that has lines to review (``counts``: lines per site), else the first."""
    sites = site_points(uow.session, uow.principal.scope(READ))
    wanted = request.query_params.get("site_id")
    ids = {s.id for s in sites}
    if wanted and wanted.isdigit() and int(wanted) in ids:
        return int(wanted), sites
    busy = next((s.id for s in sites if counts and counts.get(s.id)), None)
    return (busy if busy is not None else sites[0].id if sites else None), sites


@router.get("/", perm=READ)
def suggestions(request: Request, uow: UowDep) -> HTMLResponse:
    run = queries.latest_done_run(uow.session, uow.tenant_id)
    counts = queries.lines_per_site(uow.session, uow.principal.scope(READ), run.id) if run is not None else {}
    site_id, sites = _site(uow, request, counts)
    offset = int(request.query_params.get("offset", "0") or 0)
    rows, total = ([], 0) if run is None or site_id is None else queries.lines(
        uow.session, uow.principal.scope(READ), run_id=run.id, site_id=site_id, limit=PAGE,
        offset=max(0, offset))  # fmt: skip
    expl = {r.id: explain.render(queries.explanation(uow.session, r.id), _) for r in rows}
    ctx = {"run": run, "rows": rows, "total": total, "offset": offset, "page": PAGE, "sites": sites,
           "site_id": site_id, "counts": counts, "explanations": expl, "statuses": STATUSES, "reasons": review.REASONS,
           "can_review": uow.principal.can(REVIEW), "can_approve": uow.principal.can(APPROVE),
           "can_rules": uow.principal.can(RULES), "can_simulate": uow.principal.can(SIMULATE)}  # fmt: skip
    return render(request, "replenishment/suggestions.html", ctx)


@router.post("/lines/{suggestion_id}/change", perm=REVIEW)
def change(uow: UowDep, suggestion_id: int, data: FormDep) -> Response:
    back = f"/replenishment/?site_id={data.get('site_id', '')}#line-{suggestion_id}"
    review.get_line(uow, suggestion_id)  # another tenant's or site's line: 404 before anything else
    try:
        qty = Decimal(data.get("qty", "").replace(",", "."))
    except InvalidOperation:
        response = redirect(back)
        flash(response, _("Enter a quantity."), "error")
        return response
    try:
        line = review.change_qty(uow, line_id=suggestion_id, qty=qty, reason_code=data.get("reason_code", ""),
                                 note=data.get("note") or None)  # fmt: skip
        status = line.status
        uow.commit()
    except (ValidationFailed, Conflict) as exc:
        response = redirect(back)
        flash(response, _("The change was not saved: %(why)s") % {"why": str(exc)}, "error")
        return response
    response = redirect(back)
    flash(response, _("Sent for approval (beyond the tolerance band).") if status == "pending" else _("Saved."))
    return response


@router.post("/accept", perm=REVIEW)
def accept_all(request: Request, uow: UowDep, data: FormDep) -> Response:
    run = queries.latest_done_run(uow.session, uow.tenant_id)
    site = int(data.get("site_id", "0") or 0)
    n = 0
    if run is not None and uow.principal.scope(REVIEW).allows_site(site):
        ids = list(uow.session.scalars(select(m.Line.id).where(m.Line.run_id == run.id, m.Line.site_id == site,
                                                               m.Line.status == "proposed")))  # fmt: skip
        n = review.accept(uow, line_ids=ids)
        uow.commit()
    response = redirect(f"/replenishment/?site_id={site}")
    flash(response, _("%(n)s line(s) approved.") % {"n": n})
    return response


@router.post("/release", perm=REVIEW)
def release_approved(uow: UowDep, data: FormDep) -> Response:
    """Place the approved lines of the site as orders (purchase orders sent, DC transfers as drafts)."""
    run = queries.latest_done_run(uow.session, uow.tenant_id)
    site = int(data.get("site_id", "0") or 0)
    response = redirect(f"/replenishment/?site_id={site}")
    if run is None:
        return response
    try:
        n = release.release_run(uow, run_id=run.id, site_id=site)
        uow.commit()
    except BohError as exc:
        flash(response, _("Not saved: %(why)s") % {"why": str(exc)}, "error")
        return response
    flash(response, _("%(n)s line(s) placed as orders.") % {"n": n})
    return response


@router.get("/approvals", perm=APPROVE)
def approvals(request: Request, uow: UowDep) -> HTMLResponse:
    level = 2 if uow.principal.can(RULES) else 1
    rows = queries.inbox(uow.session, uow.principal.scope(APPROVE), max_level=level)
    expl = {r.line.id: explain.render(queries.explanation(uow.session, r.line.id), _) for r in rows}
    return render(request, "replenishment/approvals.html", {"rows": rows, "explanations": expl,
                                                             "reasons": review.REASONS})  # fmt: skip


@router.post("/approvals/{suggestion_id}", perm=APPROVE)
def decide(uow: UowDep, suggestion_id: int, data: FormDep) -> Response:
    review.get_line(uow, suggestion_id, APPROVE)  # another tenant's or site's line: 404
    if data.get("decision") not in ("approve", "reject"):
        response = redirect("/replenishment/approvals")
        flash(response, _("Choose approve or reject."), "error")
        return response
    try:
        review.decide(
            uow, line_id=suggestion_id, approve=data.get("decision") == "approve", note=data.get("note") or None
        )
        uow.commit()
    except (Conflict, PermissionDenied) as exc:
        response = redirect("/replenishment/approvals")
        flash(response, _("Not saved: %(why)s") % {"why": str(exc)}, "error")
        return response
    response = redirect("/replenishment/approvals")
    flash(response, _("Approved.") if data.get("decision") == "approve" else _("Rejected: back to the suggestion."))
    return response


@router.get("/rules", perm=RULES)
def rules(request: Request, uow: UowDep) -> HTMLResponse:
    run = queries.latest_done_run(uow.session, uow.tenant_id)
    decisions = queries.auto_decisions(uow.session, uow.tenant_id, run.id) if run else []
    rule_rows = list(uow.session.scalars(select(m.AutoRule).where(m.AutoRule.tenant_id == uow.tenant_id)
                                         .order_by(m.AutoRule.id)))  # fmt: skip
    names = {s.id: s.code for s in site_points(uow.session, uow.principal.scope(READ))}
    ctx = {"rules": rule_rows, "auto_enabled": review.auto_enabled(uow), "decisions": decisions, "run": run,
           "sites": names, "decision_labels": DECISIONS, "auto_reasons": AUTO_REASONS}  # fmt: skip
    return render(request, "replenishment/rules.html", ctx)


@router.post("/rules", perm=RULES)
def add_rule(uow: UowDep, data: FormDep) -> Response:
    try:
        body = AutoRuleIn(site_id=int(data["site_id"]) if data.get("site_id") else None,
                          budget=Decimal(data["budget"]),
                          deviation_pct=Decimal(data.get("deviation_pct") or "50"),
                          price_band_pct=Decimal(data.get("price_band_pct") or "10"),
                          dry_run=bool(data.get("dry_run")))  # fmt: skip
    except (KeyError, ValueError, InvalidOperation, ValidationError):
        response = redirect("/replenishment/rules")
        flash(response, _("Check the numbers of the rule."), "error")
        return response
    try:
        auto.create_rule(uow, body)
    except ValidationFailed:
        response = redirect("/replenishment/rules")
        flash(response, _("Check the numbers of the rule."), "error")
        return response
    uow.commit()
    response = redirect("/replenishment/rules")
    flash(response, _("Rule added."))
    return response


@router.post("/kill-switch", perm=RULES)
def kill_switch(uow: UowDep, data: FormDep) -> Response:
    if data.get("auto_enabled") not in ("0", "1"):
        return redirect("/replenishment/rules")
    enabled = data.get("auto_enabled") == "1"
    auto.set_enabled(uow, enabled)
    uow.commit()
    response = redirect("/replenishment/rules")
    flash(response, _("Automatic ordering is on.") if enabled else _("Automatic ordering is stopped."))
    return response
