"""Read models of stocktakes: counts and their lines, with the blind-count rule applied.

A blind count never shows expected quantities (nor anything derived from them: variance, value, moved
since freeze, total value) while it is draft or counting; they appear once it is in review.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, Select, case, func, literal, or_, select
from sqlalchemy.orm import Session

from boh.inventory.counts import domain
from boh.inventory.counts import repository as repo
from boh.inventory.counts.errors import CountNotFound
from boh.inventory.counts.models import Count, CountEntry, CountLine
from boh.inventory.counts.schemas import CountFilter, CountRead, EntryRead, LineRead
from boh.inventory.models import Lot
from boh.kernel.paging import page
from boh.kernel.tenancy import Scope
from boh.kernel.types import MoneyAmount, Qty

ZERO = Decimal(0)


def unresolved() -> ColumnElement[bool]:
    """Lines that stop approval: expected but not counted, or flagged for a recount and not accepted."""
    not_counted = CountLine.counted_qty.is_(None) & (CountLine.expected_qty != literal(ZERO, Qty()))
    return not_counted | (CountLine.recount_required & ~CountLine.accepted)


def hidden(count: Count) -> bool:
    return count.blind and count.status in domain.HIDDEN_WHILE


def _count(session: Session, scope: Scope, count_id: int) -> Count:
    count = repo.get_count(session, scope.tenant_id, count_id)
    if count is None or not scope.allows_site(count.site_id):
        raise CountNotFound(f"count {count_id} not found")
    return count


def count_read(session: Session, count: Count) -> CountRead:
    n = session.scalar(select(func.count()).where(CountLine.count_id == count.id)) or 0
    out = CountRead.model_validate(count).model_copy(update={"lines": n})
    return out.model_copy(update={"total_abs_value": None}) if hidden(count) else out


def get_count(session: Session, scope: Scope, count_id: int) -> CountRead:
    return count_read(session, _count(session, scope, count_id))


def list_counts(session: Session, scope: Scope, f: CountFilter, limit: int, offset: int) -> tuple[list[CountRead], int]:
    stmt = select(Count).where(Count.tenant_id == scope.tenant_id)
    if scope.site_ids is not None:
        stmt = stmt.where(Count.site_id.in_(sorted(scope.site_ids)))
    if f.site_id is not None:
        stmt = stmt.where(Count.site_id == f.site_id)
    if f.status is not None:
        stmt = stmt.where(Count.status == f.status)
    if f.assignee_id is not None:
        stmt = stmt.where(Count.assignee_id == f.assignee_id)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = session.scalars(
        page(stmt.order_by(Count.scheduled_for.is_(None), Count.scheduled_for, Count.id.desc()), limit, offset)
    )
    return [count_read(session, c) for c in rows], total


def _filter(
    stmt: Select[tuple[CountLine, str, str, str | None, str | None]],
    min_abs_variance: Decimal | None,
    min_abs_value: Decimal | None,
    flagged: bool | None,
) -> Select[tuple[CountLine, str, str, str | None, str | None]]:
    if min_abs_variance is not None:
        q = Decimal(min_abs_variance).quantize(domain.QTY_Q)
        stmt = stmt.where((CountLine.variance >= literal(q, Qty())) | (CountLine.variance <= literal(-q, Qty())))
    if min_abs_value is not None:
        m = domain.money(min_abs_value)
        stmt = stmt.where(
            (CountLine.variance_value >= literal(m, MoneyAmount()))
            | (CountLine.variance_value <= literal(-m, MoneyAmount()))
        )
    if flagged:
        stmt = stmt.where(unresolved())
    return stmt


def _search(
    stmt: Select[tuple[CountLine, str, str, str | None, str | None]],
    q: str | None,
    counted: bool | None,
    line_ids: Collection[int] | None,
) -> Select[tuple[CountLine, str, str, str | None, str | None]]:
    item = repo.catalog_item.c
    if q:
        like = f"%{q.lower()}%"
        stmt = stmt.where(
            or_(
                func.lower(item.sku).like(like),
                func.lower(item.name_en).like(like),
                item.name_zh.like(f"%{q}%"),
                func.lower(Lot.lot_code).like(like),
            )
        )
    if counted is not None:
        stmt = stmt.where(CountLine.counted_qty.is_not(None) if counted else CountLine.counted_qty.is_(None))
    if line_ids is not None:
        stmt = stmt.where(CountLine.id.in_(sorted(set(line_ids))))
    return stmt


def list_lines(
    session: Session,
    scope: Scope,
    count_id: int,
    limit: int,
    offset: int,
    *,
    min_abs_variance: Decimal | None = None,
    min_abs_value: Decimal | None = None,
    flagged: bool | None = None,
    q: str | None = None,
    counted: bool | None = None,
    line_ids: Collection[int] | None = None,
    by_value: bool = False,
) -> tuple[list[LineRead], int]:
    """Lines of a count by item (``by_value``: largest |variance value| first); filters on |variance|,
    |value| and flags (ignored while hidden), on SKU / name / lot text ``q``, on counted or not, on ids."""
    count = _count(session, scope, count_id)
    item = repo.catalog_item.c
    stmt = (
        select(CountLine, item.sku, item.name_en, Lot.lot_code, item.name_zh)
        .join(repo.catalog_item, item.id == CountLine.item_id)
        .outerjoin(Lot, Lot.id == CountLine.lot_id)
        .where(CountLine.count_id == count.id)
    )
    blind = hidden(count)
    if not blind:
        stmt = _filter(stmt, min_abs_variance, min_abs_value, flagged)
    stmt = _search(stmt, q, counted, line_ids)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    order: list[Any] = [item.sku, CountLine.lot_key]
    if by_value and not blind:
        value = func.abs(func.coalesce(CountLine.variance_value, literal(ZERO, MoneyAmount())))
        order = [value.desc(), *order]
    rows: list[Any] = list(session.execute(page(stmt.order_by(*order), limit, offset)))
    moved: dict[int, tuple[Decimal, Decimal]] = {}
    if count.status in ("review", "approved"):
        moved = repo.on_hand_by_line(session, count)
    return [_line(ln, sku, (name, zh), lot, blind, moved.get(ln.id)) for ln, sku, name, lot, zh in rows], total


def _line(
    ln: CountLine,
    sku: str,
    names: tuple[str, str | None],
    lot_code: str | None,
    blind: bool,
    moved: tuple[Decimal, Decimal] | None,
) -> LineRead:
    return LineRead(
        id=ln.id,
        item_id=ln.item_id,
        sku=sku,
        item_name=names[0],
        item_name_zh=names[1],
        lot_id=ln.lot_id,
        lot_code=lot_code,
        expected_qty=None if blind else ln.expected_qty,
        counted_qty=ln.counted_qty,
        round=ln.round,
        variance=None if blind else ln.variance,
        unit_cost=None if blind else ln.unit_cost,
        variance_value=None if blind else ln.variance_value,
        moved_since_freeze=None if blind or moved is None else moved[1] - moved[0],
        recount_required=ln.recount_required,
        zero_confirmed=ln.zero_confirmed,
        accepted=ln.accepted,
        added=ln.added,
        reason_code=ln.reason_code,
    )


def list_entries(
    session: Session, scope: Scope, count_id: int, limit: int, offset: int, *, line_id: int | None, counter: str | None
) -> tuple[list[EntryRead], int]:
    """Who counted what, newest first (quantities only: nothing here reveals an expected quantity)."""
    count = _count(session, scope, count_id)
    stmt = select(CountEntry).where(CountEntry.count_id == count.id)
    if line_id is not None:
        stmt = stmt.where(CountEntry.line_id == line_id)
    if counter is not None:
        stmt = stmt.where(CountEntry.counter == counter)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = session.scalars(page(stmt.order_by(CountEntry.id.desc()), limit, offset))
    return [EntryRead.model_validate(e) for e in rows], total


@dataclass(frozen=True)
class LineTotals:
    lines: int
    counted: int
    unresolved: int  # lines that stop approval (queries.unresolved); 0 while hidden
    net_value: Decimal | None  # sum of variance values (None while hidden)
    abs_value: Decimal | None  # sum of |variance value| (None while hidden)


def line_totals(session: Session, scope: Scope, count_id: int) -> LineTotals:
    """Totals over every line of a count, with the blind-count rule applied."""
    count = _count(session, scope, count_id)
    zero = literal(ZERO, MoneyAmount())
    value = func.coalesce(CountLine.variance_value, zero)
    row = session.execute(
        select(
            func.count(),
            func.count(CountLine.counted_qty),
            func.sum(case((unresolved(), 1), else_=0)),
            func.sum(value),
            func.sum(func.abs(value, type_=MoneyAmount())),
        ).where(CountLine.count_id == count.id)
    ).one()
    n, n_counted, n_open, net, total = row
    if hidden(count):
        return LineTotals(int(n), int(n_counted), 0, None, None)
    return LineTotals(
        int(n), int(n_counted), int(n_open or 0), domain.money(Decimal(net or 0)), domain.money(Decimal(total or 0))
    )
