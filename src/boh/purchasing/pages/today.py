"""Purchasing's part of the home page: orders due at the reader's sites, supplier changes waiting for the
buyer, orders a supplier has not answered yet. One grouped count each, for every site in scope."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from boh.http.i18n import gettext_ as _
from boh.http.today import TodayPart, Todo
from boh.kernel.clock import utcnow
from boh.kernel.tenancy import Principal, Scope
from boh.purchasing.models import Order, OrderLine
from boh.purchasing.queries import scoped
from boh.purchasing.service import APPROVE, RECEIVE, RESPOND

OPEN = ("confirmed", "partially_received")


def _count(session: Session, scope: Scope, site_id: int | None, *where: object, lines: bool = False) -> int:
    stmt = scoped(select(func.count(func.distinct(Order.id))).select_from(Order), scope).where(*where)  # type: ignore[arg-type]
    if lines:
        stmt = stmt.join(OrderLine, OrderLine.order_id == Order.id)
    if site_id is not None:
        stmt = stmt.where(Order.site_id == site_id)
    return int(session.scalar(stmt) or 0)


def today_parts(session: Session, principal: Principal, site_id: int | None) -> list[TodayPart]:
    todos = []
    tomorrow = (utcnow() + timedelta(days=1)).date()
    if principal.can(RECEIVE) and principal.supplier_id is None:
        n = _count(session, principal.scope(RECEIVE), site_id, Order.status.in_(OPEN), Order.expected_date <= tomorrow)
        if n:
            todos.append(Todo(_("Purchase orders due by tomorrow"), n, "/purchasing/receiving", testid="po-due"))
    if principal.can(APPROVE) and principal.supplier_id is None:
        n = _count(session, principal.scope(APPROVE), site_id, Order.status.in_(OPEN),
                   OrderLine.response_pending.is_(True), lines=True)  # fmt: skip
        if n:
            todos.append(Todo(_("Supplier changes to decide"), n, "/purchasing/orders?status=confirmed",
                              testid="po-changes"))  # fmt: skip
    if principal.can(RESPOND) and principal.supplier_id is not None:
        n = _count(session, principal.scope(RESPOND), None, Order.status.in_(OPEN), OrderLine.response == "none",
                   OrderLine.status == "open", lines=True)  # fmt: skip
        if n:
            todos.append(Todo(_("Orders to answer"), n, "/purchasing/supplier", testid="po-to-answer"))
    return [TodayPart(title=_("Purchasing"), todos=todos)] if todos else []
