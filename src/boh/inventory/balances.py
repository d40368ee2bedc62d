"""The one read model of stock balances: per site, item and lot, with the lot, the moving-average cost and
value, the item's names and unit, and (for one site) the item's available stock over its lots and its
reorder threshold. The API's balance list (``queries.list_balances``), the console's stock list and its
export (``pages``), and the public ``api.stock_levels`` all read it.

Lot usability is the ledger's one rule (``ledger.rules``): ``lot_usable`` judges each row in Python by its
site's local date, ``lot_usable_sql`` the same rule in SQL where a query must aggregate or filter on it (an
item's available stock, "below reorder point"); a test holds the two together on a real database.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from functools import lru_cache
from typing import Any

from sqlalchemy import Select, and_, case, func, literal, or_, select
from sqlalchemy.orm import Session

from boh.catalog.api import assortment_view, item_view
from boh.inventory.ledger import rules
from boh.inventory.ledger.valuation import stock_value
from boh.inventory.models import Balance, ItemCost, Lot
from boh.kernel.clock import utcnow
from boh.kernel.paging import page
from boh.kernel.tenancy import Scope
from boh.kernel.types import Qty
from boh.org.api import SiteStockSettings, get_site_ref, site_stock_settings

ZERO = Decimal(0)
_item = item_view()
_assortment = assortment_view()


@dataclass(frozen=True)
class BalanceQuery:
    site_id: int | None = None
    item_id: int | None = None
    item_ids: tuple[int, ...] | None = None
    lot_id: int | None = None
    lot_code: str | None = None  # exact
    lot: str | None = None  # part of the lot code
    q: str | None = None  # part of the SKU or of either name
    category_id: int | None = None
    below_zero: bool = False
    expires_within: int | None = None  # days: lots with stock expiring by then (expired ones included)
    below_reorder: bool = False  # one site only: items whose available stock is below their threshold


@dataclass(frozen=True)
class BalanceView:
    site_id: int
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
    usable: bool  # no lot, or an available lot not past its expiry (the site's local date)
    available: Decimal  # on_hand - reserved of usable stock, else 0
    unit_cost: Decimal | None  # the moving average of the item at the site
    value: Decimal | None  # on_hand at the moving average
    currency: str | None
    item_available: Decimal | None  # one site: the item's available stock over its lots
    threshold: Decimal | None  # one site: the reorder point, else the safety stock

    @property
    def projected(self) -> Decimal:
        return self.available + self.in_transit + self.on_order

    @property
    def below_reorder(self) -> bool:
        return self.threshold is not None and self.item_available is not None and self.item_available < self.threshold

    @property
    def key(self) -> str:
        return f"{self.item_id}:{self.lot_id or 0}"


def local_date(timezone: str, at: Any = None) -> date:
    from zoneinfo import ZoneInfo

    return (at or utcnow()).astimezone(ZoneInfo(timezone)).date()


@lru_cache(maxsize=1024)
def _per_item(tenant_id: int, site_id: int, today: date) -> Any:
    """The available stock of each item at the site, over its usable lots (the rule in SQL). Kept per
    (tenant, site, day): a subquery builds its column collection (a proxy of each column, with its foreign
    keys and their events) the first time ``.c`` is read, a fifth of a one-balance read's time when it was
    built anew for each read. A statement is immutable, so one object serves every thread."""
    usable = rules.lot_usable_sql(Lot.id, Lot.status, Lot.expiry_date, today, Lot.on_hold)
    avail = case((usable, Balance.on_hand - Balance.reserved), else_=literal(ZERO, Qty()))  # type: ignore[arg-type]
    return (
        select(Balance.item_id.label("item_id"), func.sum(avail).label("avail"))
        .outerjoin(Lot, Lot.id == Balance.lot_id)
        .where(Balance.tenant_id == tenant_id, Balance.site_id == site_id)
        .group_by(Balance.item_id)
        .subquery()
    )


def _statement(scope: Scope, f: BalanceQuery, today: date | None) -> Select[Any]:
    b, i, a = Balance, _item.c, _assortment.c
    cost = and_(ItemCost.tenant_id == b.tenant_id, ItemCost.site_id == b.site_id, ItemCost.item_id == b.item_id)
    cols: list[Any] = [
        b.site_id, b.item_id, i.sku, i.name_en, i.name_zh, i.base_uom, b.lot_id, Lot.lot_code, Lot.expiry_date,
        Lot.status, b.on_hand, b.reserved, b.in_transit, b.on_order, ItemCost.avg_unit_cost, ItemCost.currency,
        Lot.on_hold,
    ]  # fmt: skip
    stmt = select(*cols).join(_item, i.id == b.item_id).outerjoin(Lot, Lot.id == b.lot_id).outerjoin(ItemCost, cost)
    if f.site_id is not None and today is not None:  # one site: the item's availability and threshold
        per_item = _per_item(scope.tenant_id, f.site_id, today)
        threshold = case((a.active.is_(True), func.coalesce(a.reorder_point, a.safety_stock)), else_=None)
        stmt = (
            stmt.add_columns(per_item.c.avail, threshold.label("threshold"))
            .join(per_item, per_item.c.item_id == b.item_id)
            .outerjoin(_assortment, and_(a.tenant_id == b.tenant_id, a.site_id == b.site_id, a.item_id == b.item_id))
        )
        if f.below_reorder:
            stmt = stmt.where(threshold.is_not(None), per_item.c.avail < threshold)
    else:
        stmt = stmt.add_columns(literal(None).label("avail"), literal(None).label("threshold"))
    return stmt.where(*_filters(scope, f, today))


def _filters(scope: Scope, f: BalanceQuery, today: date | None) -> list[Any]:
    b, i = Balance, _item.c
    where: list[Any] = [b.tenant_id == scope.tenant_id]
    if scope.site_ids is not None:
        where.append(b.site_id.in_(sorted(scope.site_ids)))
    for col, value in ((b.site_id, f.site_id), (b.item_id, f.item_id), (b.lot_id, f.lot_id)):
        if value is not None:
            where.append(col == value)
    if f.item_ids is not None:
        where.append(b.item_id.in_(sorted(set(f.item_ids))))
    if f.lot_code is not None:
        where.append(Lot.lot_code == f.lot_code)
    if f.lot:
        where.append(func.lower(Lot.lot_code).like(f"%{f.lot.lower()}%"))
    if f.q:
        like = f"%{f.q.lower()}%"
        where.append(or_(func.lower(i.sku).like(like), func.lower(i.name_en).like(like), i.name_zh.like(like)))
    if f.category_id is not None:
        where.append(i.category_id == f.category_id)
    if f.below_zero:
        where.append(b.on_hand < 0)
    if f.expires_within is not None:  # judged by the site's local date when one site is asked for
        day = today or utcnow().date()
        where.append(and_(Lot.expiry_date <= day + timedelta(days=f.expires_within), b.on_hand > 0))
    return where


def read(
    session: Session, scope: Scope, f: BalanceQuery, limit: int, offset: int, *, by_sku: bool = False
) -> tuple[list[BalanceView], int]:
    """The balances of the filter (404 for a site outside the scope), a page of them and their total."""
    site = get_site_ref(session, scope, f.site_id, cached=True) if f.site_id is not None else None
    today = local_date(site.timezone) if site is not None else None
    stmt = _statement(scope, f, today)
    order = (_item.c.sku, Balance.lot_key) if by_sku else (Balance.site_id, Balance.item_id, Balance.lot_key)
    rows = session.execute(page(stmt.order_by(*order), limit, offset)).all()
    if offset == 0 and len(rows) < limit:  # the whole result is on this page: no count query
        total = len(rows)
    else:
        total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    dates = {site.id: today} if site is not None and today is not None else _site_dates(session, scope, rows)
    return [_view(r, dates[r.site_id]) for r in rows], int(total)


def _site_dates(session: Session, scope: Scope, rows: Any) -> dict[int, date]:
    sites: dict[int, SiteStockSettings] = site_stock_settings(session, scope.tenant_id, {r.site_id for r in rows})
    return {sid: local_date(s.timezone) for sid, s in sites.items()}


def _view(r: Any, today: date) -> BalanceView:
    usable = rules.lot_usable(r.status, r.expiry_date, today, r.on_hold)
    avg = r.avg_unit_cost
    return BalanceView(
        site_id=r.site_id, item_id=r.item_id, sku=r.sku, name_en=r.name_en, name_zh=r.name_zh, base_uom=r.base_uom,
        lot_id=r.lot_id, lot_code=r.lot_code, expiry_date=r.expiry_date, lot_status=r.status, on_hand=r.on_hand,
        reserved=r.reserved, in_transit=r.in_transit, on_order=r.on_order, usable=usable,
        available=r.on_hand - r.reserved if usable else ZERO, unit_cost=avg,
        value=stock_value(r.on_hand, avg) if avg is not None else None, currency=r.currency,
        item_available=r.avail, threshold=r.threshold,
    )  # fmt: skip
