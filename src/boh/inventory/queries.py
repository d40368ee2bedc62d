"""Read models of the inventory domain: balances, move history, lots, FEFO suggestions and transfers.

``available`` and FEFO judge expiry by each site's local date (its timezone from boh.org.api).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from boh.catalog.api import item_view
from boh.inventory import balances
from boh.inventory import repository as repo
from boh.inventory.errors import MoveNotFound
from boh.inventory.ledger import rules
from boh.inventory.models import Balance, ItemCost, Lot, Move
from boh.inventory.schemas import (
    BalanceFilter,
    BalanceRead,
    FefoLine,
    FefoSuggestion,
    ItemValue,
    LotRead,
    MoveFilter,
    MoveRead,
    SettingsRead,
    SiteValue,
    TransferRead,
    ValuationRead,
)
from boh.kernel.paging import page
from boh.kernel.tenancy import Scope
from boh.org.api import get_site_ref, site_stock_settings

ZERO = Decimal(0)


local_date = balances.local_date


@dataclass(frozen=True)
class DailySales:
    site_id: int
    item_id: int
    day: date
    quantity: Decimal  # units sold, net of returns
    stockout: bool  # on hand at or below zero at some moment of the day: censored demand


def _site_dates(session: Session, tenant_id: int, site_ids: set[int]) -> dict[int, date]:
    return {sid: local_date(s.timezone) for sid, s in site_stock_settings(session, tenant_id, site_ids).items()}


def list_balances(
    session: Session, scope: Scope, f: BalanceFilter, limit: int, offset: int
) -> tuple[list[BalanceRead], int]:
    """The API's balance list: the one balance read model (balances.py), as BalanceRead."""
    q = balances.BalanceQuery(
        site_id=f.site_id, item_id=f.item_id, lot_id=f.lot_id, lot_code=f.lot_code, below_zero=bool(f.below_zero),
        expires_within=f.expires_within,
    )  # fmt: skip
    rows, total = balances.read(session, scope, q, limit, offset)
    return [
        BalanceRead(
            site_id=r.site_id,
            item_id=r.item_id,
            lot_id=r.lot_id,
            lot_code=r.lot_code,
            expiry_date=r.expiry_date,
            lot_status=r.lot_status,
            on_hand=r.on_hand,
            reserved=r.reserved,
            in_transit=r.in_transit,
            on_order=r.on_order,
            available=r.available,
            projected=r.projected,
            usable=r.usable,
            unit_cost=r.unit_cost,
            value=r.value,
            currency=r.currency,
        )
        for r in rows
    ], total


def list_moves(session: Session, scope: Scope, f: MoveFilter, limit: int, offset: int) -> tuple[list[MoveRead], int]:
    stmt = _moves(session, scope, f, select(Move))
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = session.scalars(page(stmt.order_by(Move.event_at.desc(), Move.id.desc()), limit, offset))
    return [MoveRead.model_validate(m) for m in rows], total


def moves_value(session: Session, scope: Scope, f: MoveFilter) -> tuple[Decimal, str | None]:
    """The summed value of the moves ``list_moves`` finds (all pages) and their currency (None when there are
    none; a site keeps one currency)."""
    row = session.execute(_moves(session, scope, f, select(func.sum(Move.value), func.max(Move.currency)))).one()
    return Decimal(row[0] or 0), row[1]


def _moves(session: Session, scope: Scope, f: MoveFilter, stmt: Any) -> Any:
    """``stmt`` (a select over inventory_move) limited to the filter's moves that the scope sees."""
    if f.site_id is not None:
        get_site_ref(session, scope, f.site_id)
    stmt = stmt.where(Move.tenant_id == scope.tenant_id)
    if scope.site_ids is not None:
        stmt = stmt.where(Move.site_id.in_(sorted(scope.site_ids)))
    if f.site_id is not None:
        stmt = stmt.where(Move.site_id == f.site_id)
    if f.item_id is not None:
        stmt = stmt.where(Move.item_id == f.item_id)
    if f.move_type is not None:
        stmt = stmt.where(Move.move_type == f.move_type)
    if f.since is not None:
        stmt = stmt.where(Move.event_at >= f.since)
    if f.until is not None:
        stmt = stmt.where(Move.event_at < f.until)
    return stmt


def list_lots(
    session: Session, scope: Scope, item_id: int | None, status: str | None, limit: int, offset: int
) -> tuple[list[LotRead], int]:
    stmt = select(Lot).where(Lot.tenant_id == scope.tenant_id)
    if item_id is not None:
        stmt = stmt.where(Lot.item_id == item_id)
    if status is not None:
        stmt = stmt.where(Lot.status == status)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = session.scalars(
        page(stmt.order_by(Lot.item_id, Lot.expiry_date.is_(None), Lot.expiry_date, Lot.lot_code), limit, offset)
    )
    return [LotRead.model_validate(lot) for lot in rows], total


def suggest_fefo(session: Session, scope: Scope, site_id: int, item_id: int, quantity: Decimal) -> FefoSuggestion:
    """Lots to take ``quantity`` from, earliest expiry first, skipping expired and quarantined lots."""
    site = get_site_ref(session, scope, site_id)
    rows = session.execute(
        select(Balance, Lot)
        .join(Lot, Lot.id == Balance.lot_id)
        .where(
            Balance.tenant_id == scope.tenant_id,
            Balance.site_id == site_id,
            Balance.item_id == item_id,
            Balance.on_hand - Balance.reserved > 0,
        )
    ).all()
    stock = [
        rules.LotStock(lot.id, lot.lot_code, lot.expiry_date, lot.status, b.on_hand - b.reserved, lot.on_hold)
        for b, lot in rows
    ]
    allocations, shortfall = rules.fefo(stock, quantity, local_date(site.timezone))
    lines = [
        FefoLine(
            lot_id=a.lot.lot_id,
            lot_code=a.lot.lot_code,
            expiry_date=a.lot.expiry_date,
            available=a.lot.available,
            take=a.take,
        )
        for a in allocations
    ]
    return FefoSuggestion(site_id=site_id, item_id=item_id, requested=quantity, lines=lines, shortfall=shortfall)


def get_transfer(session: Session, scope: Scope, transfer_id: int) -> TransferRead:
    out = repo.get_move(session, scope.tenant_id, transfer_id)
    if out is None or out.move_type != "transfer_out":
        raise MoveNotFound(f"transfer {transfer_id} not found")
    if not (scope.allows_site(out.site_id) or scope.allows_site(out.counter_site_id)):
        raise MoveNotFound(f"transfer {transfer_id} not found")
    in_move = repo.move_by_key(session, scope.tenant_id, rules.receipt_key(out.id))
    return TransferRead(
        out_move=MoveRead.model_validate(out), in_move=MoveRead.model_validate(in_move) if in_move else None
    )


_item_sku = item_view()


def valuation(
    session: Session, scope: Scope, site_id: int | None, item_id: int | None, limit: int, offset: int
) -> ValuationRead:
    """Stock value per (site, item) at the moving average (items with stock or value), and per site."""
    if site_id is not None:
        get_site_ref(session, scope, site_id)  # 404 outside the scope
    c = ItemCost
    where = [c.tenant_id == scope.tenant_id, or_(c.quantity != 0, c.total_value != 0, c.transit_value != 0)]
    if scope.site_ids is not None:
        where.append(c.site_id.in_(sorted(scope.site_ids)))
    if site_id is not None:
        where.append(c.site_id == site_id)
    if item_id is not None:
        where.append(c.item_id == item_id)
    sites = [
        SiteValue(site_id=s, currency=cur, items=n, value=v, transit_value=t)
        for s, cur, n, v, t in session.execute(
            select(c.site_id, c.currency, func.count(), func.sum(c.total_value), func.sum(c.transit_value))
            .where(*where)
            .group_by(c.site_id, c.currency)
            .order_by(c.site_id)
        )
    ]
    rows = session.execute(
        page(
            select(
                c.site_id,
                c.item_id,
                _item_sku.c.sku,
                c.quantity,
                c.avg_unit_cost,
                c.total_value,
                c.transit_value,
                c.cost_source,
                c.currency,
            )
            .join(_item_sku, _item_sku.c.id == c.item_id)
            .where(*where)
            .order_by(c.site_id, _item_sku.c.sku),
            limit,
            offset,
        )
    )
    items = [
        ItemValue(
            site_id=s,
            item_id=i,
            sku=sku,
            quantity=q,
            avg_unit_cost=a,
            value=v,
            transit_value=t,
            cost_source=src,
            currency=cur,
        )
        for s, i, sku, q, a, v, t, src, cur in rows
    ]
    return ValuationRead(sites=sites, items=items, total=sum(x.items for x in sites), limit=limit, offset=offset)


def settings(session: Session, scope: Scope) -> SettingsRead:
    row = repo.get_settings(session, scope.tenant_id)
    if row is None:
        return SettingsRead(max_backdate_days=None, updated_at=None, updated_by=None)
    return SettingsRead(max_backdate_days=row.max_backdate_days, updated_at=row.updated_at, updated_by=row.updated_by)


# --- demand history for forecasting (read through boh.inventory.api.daily_sales) ----------------------------


def daily_sales(
    session: Session, scope: Scope, start: date, end: date, site_ids: Iterable[int] | None = None,
    item_ids: Iterable[int] | None = None,
) -> list[DailySales]:  # fmt: skip
    """Units sold per (site, item, UTC day) from the ledger's sale moves (returns net them), with the day
    marked ``stockout`` when the on-hand quantity was at or below zero at any moment of it (censored demand).
    Only (site, item) pairs with a sale in the window; days without sales are absent (zero)."""
    from datetime import UTC, datetime, time, timedelta

    lo = datetime.combine(start, time(), tzinfo=UTC)
    hi = datetime.combine(end + timedelta(days=1), time(), tzinfo=UTC)
    base = [Move.tenant_id == scope.tenant_id]
    if site_ids is not None:
        base.append(Move.site_id.in_(sorted(set(site_ids))))
    if item_ids is not None:
        base.append(Move.item_id.in_(sorted(set(item_ids))))
    if scope.site_ids is not None:
        base.append(Move.site_id.in_(sorted(scope.site_ids)))
    pairs = select(Move.site_id, Move.item_id).where(*base, Move.move_type == "sale", Move.event_at >= lo,
                                                     Move.event_at < hi).distinct().subquery()  # fmt: skip
    opening = dict(
        ((s, i), q) for s, i, q in session.execute(
            select(Move.site_id, Move.item_id, func.sum(Move.quantity))
            .join(pairs, (pairs.c.site_id == Move.site_id) & (pairs.c.item_id == Move.item_id))
            .where(Move.tenant_id == scope.tenant_id, Move.event_at < lo).group_by(Move.site_id, Move.item_id)
        )
    )  # fmt: skip
    moves = session.execute(
        select(Move.site_id, Move.item_id, Move.event_at, Move.quantity, Move.move_type)
        .join(pairs, (pairs.c.site_id == Move.site_id) & (pairs.c.item_id == Move.item_id))
        .where(Move.tenant_id == scope.tenant_id, Move.event_at >= lo, Move.event_at < hi)
        .order_by(Move.site_id, Move.item_id, Move.event_at, Move.id)
    )  # fmt: skip
    out: dict[tuple[int, int, date], list[Decimal | bool]] = {}
    balance: dict[tuple[int, int], Decimal] = {}
    for site_id, item_id, at, qty, kind in moves:
        key = (site_id, item_id)
        bal = balance.get(key, Decimal(opening.get(key) or 0)) + qty
        balance[key] = bal
        row = out.setdefault((site_id, item_id, at.date()), [Decimal(0), False])
        if kind in ("sale", "return"):
            row[0] = Decimal(row[0]) - qty
        if bal <= 0:
            row[1] = True
    return [DailySales(s, i, d, Decimal(v[0]), bool(v[1])) for (s, i, d), v in sorted(out.items())]
    return SettingsRead(
        max_backdate_days=row.max_backdate_days,
        held_lot_sales=row.held_lot_sales,
        updated_at=row.updated_at,
        updated_by=row.updated_by,
    )
