"""Read models of the inventory pages: stock rows of a site with item names, categories and reorder
thresholds, site pickers and incoming transfers. Lower domains' tables are read by name (the written
exception for read models); ``available`` follows rules.lot_usable (expired / quarantined lots: 0)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, Select, String, and_, case, cast, column, func, literal, or_, select, table
from sqlalchemy.orm import Session, aliased

from boh.inventory.ledger import rules, valuation
from boh.inventory.models import Balance, ItemCost, Lot, Move
from boh.inventory.queries import local_date
from boh.kernel.tenancy import Scope
from boh.kernel.types import Qty
from boh.org.api import get_site_ref

ZERO = Decimal(0)

_site = table(
    "org_site", column("id"), column("tenant_id"), column("code"), column("name"), column("name_zh"), column("active")
)
_item = table(
    "catalog_item",
    column("id"),
    column("tenant_id"),
    column("sku"),
    column("name_en"),
    column("name_zh"),
    column("base_uom"),
    column("category_id"),
)
_category = table("catalog_category", column("id"), column("tenant_id"), column("code"), column("name_en"))
_assortment = table(
    "catalog_assortment",
    column("tenant_id"),
    column("site_id"),
    column("item_id"),
    column("active"),
    column("reorder_point", Qty()),
    column("safety_stock", Qty()),
)


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


@dataclass(frozen=True)
class StockRow:
    item_id: int
    sku: str
    name_en: str
    name_zh: str | None
    base_uom: str
    lot_id: int | None
    lot_code: str | None
    expiry_date: date | None
    lot_status: str | None
    on_hand: Decimal
    reserved: Decimal
    in_transit: Decimal
    on_order: Decimal
    available: Decimal
    value: Decimal | None  # on_hand at the moving average cost
    currency: str | None
    item_available: Decimal  # summed over the item's lots at the site
    threshold: Decimal | None  # reorder point, else safety stock

    @property
    def below_reorder(self) -> bool:
        return self.threshold is not None and self.item_available < self.threshold

    @property
    def key(self) -> str:
        return f"{self.item_id}:{self.lot_id or 0}"


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


def _usable(today: date) -> ColumnElement[bool]:
    return or_(
        Lot.id.is_(None), and_(Lot.status == "available", or_(Lot.expiry_date.is_(None), Lot.expiry_date >= today))
    )


def _stock_query(tenant_id: int, site_id: int, today: date, f: StockFilter) -> Select[Any]:
    avail = case((_usable(today), Balance.on_hand - Balance.reserved), else_=literal(ZERO, Qty()))  # type: ignore[arg-type]
    per_item = (
        select(Balance.item_id.label("item_id"), func.sum(avail).label("avail"))
        .outerjoin(Lot, Lot.id == Balance.lot_id)
        .where(Balance.tenant_id == tenant_id, Balance.site_id == site_id)
        .group_by(Balance.item_id)
        .subquery()
    )
    a, i = _assortment.c, _item.c
    threshold = case((a.active.is_(True), func.coalesce(a.reorder_point, a.safety_stock)), else_=None)
    stmt = (
        select(
            Balance,
            Lot,
            i.sku,
            i.name_en,
            i.name_zh,
            i.base_uom,
            per_item.c.avail,
            threshold,
            ItemCost.avg_unit_cost,
            ItemCost.currency,
        )
        .join(_item, i.id == Balance.item_id)
        .join(per_item, per_item.c.item_id == Balance.item_id)
        .outerjoin(Lot, Lot.id == Balance.lot_id)
        .outerjoin(_assortment, and_(a.tenant_id == tenant_id, a.site_id == site_id, a.item_id == Balance.item_id))
        .outerjoin(
            ItemCost,
            and_(ItemCost.tenant_id == tenant_id, ItemCost.site_id == site_id, ItemCost.item_id == Balance.item_id),
        )
        .where(Balance.tenant_id == tenant_id, Balance.site_id == site_id)
    )
    if f.q:
        like = f"%{f.q.lower()}%"
        stmt = stmt.where(or_(func.lower(i.sku).like(like), func.lower(i.name_en).like(like), i.name_zh.like(like)))
    if f.category_id is not None:
        stmt = stmt.where(i.category_id == f.category_id)
    if f.lot:
        stmt = stmt.where(func.lower(Lot.lot_code).like(f"%{f.lot.lower()}%"))
    if f.below_reorder:
        stmt = stmt.where(threshold.is_not(None), per_item.c.avail < threshold)
    if f.negative:
        stmt = stmt.where(Balance.on_hand < 0)
    if f.expiring:
        stmt = stmt.where(Lot.expiry_date <= today + timedelta(days=EXPIRING_DAYS), Balance.on_hand > 0)
    return stmt


def stock_rows(
    session: Session, scope: Scope, site_id: int, f: StockFilter, limit: int, offset: int
) -> tuple[list[StockRow], int]:
    site = get_site_ref(session, scope, site_id)  # 404 outside the scope
    today = local_date(site.timezone)
    stmt = _stock_query(scope.tenant_id, site_id, today, f)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows: list[Any] = list(session.execute(stmt.order_by(_item.c.sku, Balance.lot_key).limit(limit).offset(offset)))
    out = []
    for b, lot, sku, name_en, name_zh, uom, item_avail, threshold, avg, currency in rows:
        usable = rules.lot_usable(lot.status if lot else None, lot.expiry_date if lot else None, today)
        row = StockRow(
            item_id=b.item_id, sku=sku, name_en=name_en, name_zh=name_zh, base_uom=uom, lot_id=b.lot_id,
            lot_code=lot.lot_code if lot else None, expiry_date=lot.expiry_date if lot else None,
            lot_status=lot.status if lot else None, on_hand=b.on_hand, reserved=b.reserved,
            in_transit=b.in_transit, on_order=b.on_order,
            value=valuation.stock_value(b.on_hand, avg) if avg is not None else None, currency=currency,
            available=b.on_hand - b.reserved if usable else ZERO,
            item_available=item_avail if item_avail is not None else ZERO, threshold=threshold,
        )  # fmt: skip
        out.append(row)
    return out, total


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
