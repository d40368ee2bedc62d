"""Read models of replenishment for the API and the console: runs, lines with item and site names, the
approval inbox, automatic decisions. DTOs out, never ORM objects."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from boh.catalog.api import category_view, item_view
from boh.kernel.paging import page
from boh.kernel.tenancy import Scope
from boh.org.api import site_view
from boh.replenishment import models as m


def runs(session: Session, tenant_id: int, limit: int = 20) -> list[m.Run]:
    return list(
        session.scalars(select(m.Run).where(m.Run.tenant_id == tenant_id).order_by(m.Run.id.desc()).limit(limit))
    )


def latest_done_run(session: Session, tenant_id: int) -> m.Run | None:
    return session.scalars(select(m.Run).where(m.Run.tenant_id == tenant_id, m.Run.status == "done")
                           .order_by(m.Run.id.desc()).limit(1)).first()  # fmt: skip


@dataclass(frozen=True)
class LineRow:
    id: int
    site_id: int
    site_code: str
    item_id: int
    sku: str
    name_en: str
    name_zh: str | None
    base_uom: str
    item_class: str
    suggested_qty: Decimal
    qty: Decimal
    forecast_qty: Decimal
    safety_stock: Decimal
    position: Decimal
    unit_price: Decimal
    currency: str
    binding: str | None
    status: str
    approval_level: int
    reason_code: str | None
    needed_by: date
    auto: bool

    @property
    def value(self) -> Decimal:
        return self.qty * self.unit_price


def lines(
    session: Session, scope: Scope, *, run_id: int | None = None, site_id: int | None = None,
    status: str | None = None, limit: int = 200, offset: int = 0,
) -> tuple[list[LineRow], int]:  # fmt: skip
    L, it, st = m.Line, item_view(), site_view()
    where = [L.tenant_id == scope.tenant_id]
    if run_id is not None:
        where.append(L.run_id == run_id)
    if site_id is not None:
        where.append(L.site_id == site_id)
    if status is not None:
        where.append(L.status == status)
    if scope.site_ids is not None:
        where.append(L.site_id.in_(sorted(scope.site_ids)))
    total = session.scalar(select(func.count()).select_from(L).where(*where)) or 0
    stmt = (page(select(L.id, L.site_id, st.c.code, L.item_id, it.c.sku, it.c.name_en, it.c.name_zh, it.c.base_uom,
                   L.item_class, L.suggested_qty, L.qty, L.forecast_qty, L.safety_stock, L.position, L.unit_price,
                   L.currency, L.binding, L.status, L.approval_level, L.reason_code, L.needed_by, L.auto)
            .join(it, it.c.id == L.item_id).join(st, st.c.id == L.site_id).where(*where)
            .order_by(L.site_id, it.c.sku), limit, offset))  # fmt: skip
    return [LineRow(*r) for r in session.execute(stmt)], total


def lines_per_site(session: Session, scope: Scope, run_id: int) -> dict[int, int]:
    """Site id -> the run's lines there, for the sites the scope sees (sites without lines are absent)."""
    L = m.Line
    where = [L.tenant_id == scope.tenant_id, L.run_id == run_id]
    if scope.site_ids is not None:
        where.append(L.site_id.in_(sorted(scope.site_ids)))
    return {site: n for site, n in session.execute(select(L.site_id, func.count()).where(*where).group_by(L.site_id))}


def explanation(session: Session, line_id: int) -> dict[str, Any]:
    row = session.get(m.Explanation, line_id)
    return dict(row.data) if row is not None else {}


def changes(session: Session, line_id: int) -> list[m.Change]:
    return list(session.scalars(select(m.Change).where(m.Change.line_id == line_id).order_by(m.Change.id)))


@dataclass(frozen=True)
class InboxRow:
    line: LineRow
    level: int
    due_at: Any
    escalated: bool
    deviation_pct: Decimal | None
    changed_by: str | None


def inbox(session: Session, scope: Scope, *, max_level: int) -> list[InboxRow]:
    """Pending approval steps in scope up to ``max_level``, oldest deadline first."""
    A = m.Approval
    steps = session.execute(select(A.line_id, A.level, A.due_at, A.escalated).where(
        A.tenant_id == scope.tenant_id, A.status == "pending", A.level <= max_level)
        .order_by(A.due_at, A.id)).all()  # fmt: skip
    if not steps:
        return []
    rows, _ = lines(session, scope, status="pending", limit=5000)
    by_id = {r.id: r for r in rows}
    last = {c.line_id: c for c in session.scalars(select(m.Change).where(
        m.Change.line_id.in_([s.line_id for s in steps])).order_by(m.Change.id))}  # fmt: skip
    return [InboxRow(by_id[s.line_id], s.level, s.due_at, s.escalated,
                     last[s.line_id].deviation_pct if s.line_id in last else None,
                     last[s.line_id].actor if s.line_id in last else None)
            for s in steps if s.line_id in by_id]  # fmt: skip


def auto_decisions(session: Session, tenant_id: int, run_id: int) -> list[m.AutoDecision]:
    return list(session.scalars(select(m.AutoDecision).where(m.AutoDecision.tenant_id == tenant_id,
                                                             m.AutoDecision.run_id == run_id)
                                .order_by(m.AutoDecision.id)))  # fmt: skip


@dataclass(frozen=True)
class CategoryRow:
    id: int
    code: str
    name_en: str
    name_zh: str | None


def categories(session: Session, tenant_id: int) -> list[CategoryRow]:
    """The tenant's item categories by code (pick lists of the settings page)."""
    c = category_view()
    rows = session.execute(select(c.c.id, c.c.code, c.c.name_en, c.c.name_zh).where(c.c.tenant_id == tenant_id)
                           .order_by(c.c.code))  # fmt: skip
    return [CategoryRow(*r) for r in rows]
