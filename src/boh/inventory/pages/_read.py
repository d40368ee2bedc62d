"""Read models of the inventory pages: a site's stock rows (the one balance read model, balances.py), site
and category pickers and incoming transfers. Lower domains' tables are read through their api's views."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import String, cast, func, select
from sqlalchemy.orm import Session, aliased

from boh.catalog.api import assortment_view, category_view, item_view
from boh.inventory import balances
from boh.inventory.balances import BalanceQuery, BalanceView
from boh.inventory.models import ItemCost, Lot, Move
from boh.kernel.tenancy import Scope
from boh.org.api import site_view

ZERO = Decimal(0)

_site = site_view()
_item = item_view()
_category = category_view()
_assortment = assortment_view()


@dataclass(frozen=True)
class SiteOption:
    id: int
    code: str
    name: str
    name_zh: str | None


@dataclass(frozen=True)
class CategoryOption:
    id: int
    code: str
    name: str


@dataclass(frozen=True)
class StockFilter:
    q: str | None = None
    category_id: int | None = None
    lot: str | None = None
    below_reorder: bool = False
    negative: bool = False
    expiring: bool = False  # lots with stock that expire within EXPIRING_DAYS (or have expired)


EXPIRING_DAYS = 3


StockRow = BalanceView  # the console's stock rows are the one balance read model's (balances.py)


def site_options(session: Session, scope: Scope) -> list[SiteOption]:
    """Active sites of the tenant within the scope, by code."""
    s = _site.c
    stmt = select(s.id, s.code, s.name, s.name_zh).where(s.tenant_id == scope.tenant_id, s.active.is_(True))
    if scope.site_ids is not None:
        stmt = stmt.where(s.id.in_(sorted(scope.site_ids)))
    return [SiteOption(int(i), str(c), str(n), z) for i, c, n, z in session.execute(stmt.order_by(s.code))]


def category_options(session: Session, tenant_id: int) -> list[CategoryOption]:
    c = _category.c
    rows = session.execute(select(c.id, c.code, c.name_en).where(c.tenant_id == tenant_id).order_by(c.code))
    return [CategoryOption(int(i), str(code), str(n)) for i, code, n in rows]


def stock_rows(
    session: Session, scope: Scope, site_id: int, f: StockFilter, limit: int, offset: int
) -> tuple[list[StockRow], int]:
    """A site's stock for the console: the one balance read model, by SKU."""
    q = BalanceQuery(
        site_id=site_id, q=f.q, category_id=f.category_id, lot=f.lot, below_reorder=f.below_reorder,
        below_zero=f.negative, expires_within=EXPIRING_DAYS if f.expiring else None,
    )  # fmt: skip
    return balances.read(session, scope, q, limit, offset, by_sku=True)


@dataclass(frozen=True)
class IncomingTransfer:
    id: int
    from_site_id: int
    to_site_id: int | None
    item_id: int
    sku: str
    quantity: Decimal  # positive: what is on its way
    lot_code: str | None


def incoming_transfers(session: Session, scope: Scope, limit: int = 50) -> list[IncomingTransfer]:
    """Transfers shipped to the caller's sites and not received yet, oldest first."""
    rcv = aliased(Move)
    received = select(rcv.id).where(
        rcv.tenant_id == scope.tenant_id,
        rcv.move_type == "transfer_in",
        rcv.source_type == "transfer",
        rcv.source_id == cast(Move.id, String),
    )
    stmt = (
        select(Move, _item.c.sku, Lot.lot_code)
        .join(_item, _item.c.id == Move.item_id)
        .outerjoin(Lot, Lot.id == Move.lot_id)
        .where(Move.tenant_id == scope.tenant_id, Move.move_type == "transfer_out", ~received.exists())
    )
    if scope.site_ids is not None:
        stmt = stmt.where(Move.counter_site_id.in_(sorted(scope.site_ids)))
    return [
        IncomingTransfer(m.id, m.site_id, m.counter_site_id, m.item_id, sku, -m.quantity, lot_code)
        for m, sku, lot_code in session.execute(stmt.order_by(Move.id).limit(limit))
    ]


def site_value(session: Session, tenant_id: int, site_id: int) -> tuple[Decimal, str] | None:
    """The stock value of a site at moving average cost, in its currency; None before any stock."""
    row = session.execute(
        select(func.sum(ItemCost.total_value), func.min(ItemCost.currency)).where(
            ItemCost.tenant_id == tenant_id, ItemCost.site_id == site_id
        )
    ).one()
    return None if row[0] is None else (row[0], row[1])


@dataclass(frozen=True)
class ItemName:
    sku: str
    name_en: str
    name_zh: str | None


def skus(session: Session, tenant_id: int, item_ids: set[int]) -> dict[int, ItemName]:
    """SKU and names of these items (for lists that carry item ids)."""
    if not item_ids:
        return {}
    i = _item.c
    rows = session.execute(
        select(i.id, i.sku, i.name_en, i.name_zh).where(i.tenant_id == tenant_id, i.id.in_(sorted(item_ids)))
    )
    return {int(r[0]): ItemName(str(r[1]), str(r[2]), r[3]) for r in rows}
