"""Replenishment's part of the home page: suggestions waiting for the reader's review, lines waiting for the
reader's approval (level 1: ``replenishment.approve``, level 2: ``replenishment.rules``), escalated approvals,
the automatic orders placed in the last 24 hours (count and value) and, for HQ, the kill switch's state."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from boh.http.i18n import fmt_money
from boh.http.i18n import gettext_ as _
from boh.http.today import Figure, TodayPart, Todo
from boh.kernel.clock import utcnow
from boh.kernel.tenancy import Principal, Scope
from boh.replenishment import models as m
from boh.replenishment.service._common import APPROVE, READ, REVIEW, RULES


def _sites(stmt, scope: Scope, site_id: int | None):  # type: ignore[no-untyped-def]
    stmt = stmt.where(m.Line.tenant_id == scope.tenant_id)
    if scope.site_ids is not None:
        stmt = stmt.where(m.Line.site_id.in_(sorted(scope.site_ids)))
    if site_id is not None:
        stmt = stmt.where(m.Line.site_id == site_id)
    return stmt


def _latest_run(session: Session, tenant_id: int) -> int | None:
    return session.scalar(select(func.max(m.Run.id)).where(m.Run.tenant_id == tenant_id, m.Run.status == "done"))


def _awaiting(session: Session, scope: Scope, site_id: int | None, levels: list[int], escalated: bool) -> int:
    stmt = (select(func.count(func.distinct(m.Line.id))).select_from(m.Line)
            .join(m.Approval, m.Approval.line_id == m.Line.id)
            .where(m.Line.status == "pending", m.Approval.status == "pending",
                   m.Approval.level.in_(levels)))  # fmt: skip
    if escalated:
        stmt = stmt.where(m.Approval.escalated.is_(True))
    return int(session.scalar(_sites(stmt, scope, site_id)) or 0)


def today_parts(session: Session, principal: Principal, site_id: int | None) -> list[TodayPart]:
    if principal.supplier_id is not None or not principal.can(READ):
        return []
    todos: list[Todo] = []
    figures: list[Figure] = []
    tenant = principal.tenant_id
    if principal.can(REVIEW):
        run_id = _latest_run(session, tenant)
        if run_id is not None:
            stmt = select(func.count()).select_from(m.Line).where(m.Line.run_id == run_id, m.Line.status == "proposed")
            n = int(session.scalar(_sites(stmt, principal.scope(REVIEW), site_id)) or 0)
            if n:
                href = "/replenishment/" + (f"?site_id={site_id}" if site_id else "")
                todos.append(Todo(_("Order suggestions to review"), n, href, testid="repl-review"))
    levels = ([1] if principal.can(APPROVE) else []) + ([2] if principal.can(RULES) else [])
    if levels:
        scope = principal.scope(APPROVE if principal.can(APPROVE) else RULES)
        n = _awaiting(session, scope, site_id, levels, escalated=False)
        if n:
            todos.append(Todo(_("Order changes waiting for my approval"), n, "/replenishment/approvals",
                              testid="repl-approvals"))  # fmt: skip
        esc = _awaiting(session, scope, site_id, levels, escalated=True)
        if esc:
            todos.append(Todo(_("Approvals past their deadline (escalated)"), esc, "/replenishment/approvals",
                              tone="bad", testid="repl-escalated"))  # fmt: skip
    since = utcnow() - timedelta(hours=24)
    auto_q = (select(m.Line.currency, func.count(), func.sum(m.AutoDecision.value)).select_from(m.AutoDecision)
            .join(m.Line, m.Line.id == m.AutoDecision.line_id)
            .where(m.AutoDecision.decision == "placed", m.AutoDecision.dry_run.is_(False), m.AutoDecision.at >= since)
            .group_by(m.Line.currency).order_by(m.Line.currency))  # fmt: skip
    placed = session.execute(_sites(auto_q, principal.scope(READ), site_id)).all()
    if placed:
        count = sum(int(n) for _c, n, _v in placed)
        value = " + ".join(fmt_money(Decimal(v or 0).quantize(Decimal("0.01")), c) for c, _n, v in placed)
        figures.append(Figure(_("Automatic orders, last 24 hours"), str(count), "/replenishment/rules",
                              note=value, testid="repl-auto-placed"))  # fmt: skip
    if principal.can(RULES):
        row = session.get(m.Settings, tenant)
        on = True if row is None else row.auto_enabled
        state = _("On") if on else _("Stopped (kill switch)")
        figures.append(Figure(_("Automatic ordering"), state, "/replenishment/rules", tone="good" if on else "bad",
                              testid="repl-kill-switch"))  # fmt: skip
    if not todos and not figures:
        return []
    return [TodayPart(title=_("Replenishment"), figures=figures, todos=todos)]
