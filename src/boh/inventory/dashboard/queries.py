"""Key figures and to-do counts per site, each for every site of a scope in one grouped query."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import and_, case, distinct, func, select
from sqlalchemy.orm import Session

from boh.catalog.api import assortment_view, category_view, item_view
from boh.inventory.commitments.models import Commitment
from boh.inventory.counts.models import Count
from boh.inventory.ingest.models import Alert
from boh.inventory.models import Balance, ItemCost, Lot, Move, ReorderState
from boh.kernel.clock import utcnow
from boh.kernel.tenancy import Scope
from boh.org.api import site_view

# lower domains' tables, read-joined (GUIDE: a domain's queries may read them; they are never written here)
_site_t = site_view()  # fmt: skip
_item_t = item_view()
_category_t = category_view()
_assortment_t = assortment_view()
Site, Item, Category, Assortment = _site_t.c, _item_t.c, _category_t.c, _assortment_t.c

ZERO = Decimal(0)
DAYS = 14
EXPIRY_DAYS = 3
OPEN_COUNTS = ("draft", "counting", "review", "approved")


@dataclass
class SiteFigures:
    site_id: int
    code: str
    name_en: str
    name_zh: str | None
    kind: str
    currency: str
    timezone: str
    today: date
    stock_value: Decimal = ZERO
    sales_days: list[Decimal] = field(default_factory=lambda: [ZERO] * DAYS)  # oldest first, at cost
    waste_days: list[Decimal] = field(default_factory=lambda: [ZERO] * DAYS)
    waste_week: Decimal = ZERO
    shrink_week: int = 0
    stockouts: int = 0
    deliveries_due: int = 0
    transfers_in: int = 0
    counts_open: int = 0
    below_reorder: int = 0
    expiring_lots: int = 0
    expiring_value: Decimal = ZERO
    negative: int = 0
    alerts_open: int = 0

    @property
    def sales_today(self) -> Decimal:
        return self.sales_days[-1]

    @property
    def sales_last_week(self) -> Decimal:
        return self.sales_days[-8]

    @property
    def sales_change(self) -> Decimal | None:
        """Today's sales against the same weekday last week, as a fraction (None without last week's)."""
        if not self.sales_last_week:
            return None
        return (self.sales_today - self.sales_last_week) / self.sales_last_week


def _sites(session: Session, scope: Scope, site_ids: Iterable[int] | None) -> list[Any]:
    stmt = select(_site_t).where(Site.tenant_id == scope.tenant_id, Site.active.is_(True), Site.kind != "office")
    if scope.site_ids is not None:
        stmt = stmt.where(Site.id.in_(sorted(scope.site_ids)))
    if site_ids is not None:
        stmt = stmt.where(Site.id.in_(sorted(set(site_ids))))
    return list(session.execute(stmt.order_by(Site.code)))


def _day_start(day: date, tz: str) -> datetime:
    return datetime.combine(day, time.min, tzinfo=ZoneInfo(tz)).astimezone(UTC)


def _grouped(session: Session, stmt: Any) -> dict[int, Any]:
    return {row[0]: row for row in session.execute(stmt)}


def _money_by_day(session: Session, tenant: int, ids: list[int], tz: str, today: date) -> dict[int, Any]:
    """Sales and waste value (at cost, positive) per site and local day of the last DAYS days, and the
    waste since Monday: one scan of the window, a CASE column per day."""
    bounds = [_day_start(today - timedelta(days=DAYS - 1 - i), tz) for i in range(DAYS + 1)]
    week = _day_start(today - timedelta(days=today.weekday()), tz)
    value = -Move.quantity * func.coalesce(Move.unit_cost, 0)
    cols = []
    for kind in ("sale", "waste"):
        for i in range(DAYS):
            window = and_(Move.move_type == kind, Move.event_at >= bounds[i], Move.event_at < bounds[i + 1])
            cols.append(func.sum(case((window, value), else_=0)))
    cols.append(func.sum(case((and_(Move.move_type == "waste", Move.event_at >= week), value), else_=0)))
    stmt = (
        select(Move.site_id, *cols)
        .where(
            Move.tenant_id == tenant,
            Move.site_id.in_(ids),
            Move.event_at >= bounds[0],
            Move.move_type.in_(("sale", "waste")),
        )
        .group_by(Move.site_id)
    )
    return _grouped(session, stmt)


def _count_by_site(session: Session, column: Any, *where: Any) -> dict[int, Any]:
    model = column.class_
    return _grouped(session, select(model.site_id, func.count(column)).where(*where).group_by(model.site_id))


def _dec(v: Any) -> Decimal:
    return ZERO if v is None else Decimal(v)


def site_figures(session: Session, scope: Scope, site_ids: Iterable[int] | None = None) -> list[SiteFigures]:
    """Figures of every site in ``scope`` (or of ``site_ids`` among them), sorted by site code."""
    sites = _sites(session, scope, site_ids)
    if not sites:
        return []
    t, ids = scope.tenant_id, [s.id for s in sites]
    out = {s.id: SiteFigures(s.id, s.code, s.name, s.name_zh, s.kind, s.currency, s.timezone,
                             utcnow().astimezone(ZoneInfo(s.timezone)).date()) for s in sites}  # fmt: skip
    by_tz: dict[str, list[int]] = defaultdict(list)
    for s in sites:
        by_tz[s.timezone].append(s.id)
    for tz, tz_ids in by_tz.items():
        today = out[tz_ids[0]].today
        for sid, *vals in _money_by_day(session, t, tz_ids, tz, today).values():
            f = out[sid]
            f.sales_days = [_dec(v) for v in vals[:DAYS]]
            f.waste_days = [_dec(v) for v in vals[DAYS : 2 * DAYS]]
            f.waste_week = _dec(vals[-1])
        _todos_by_date(session, t, tz_ids, today, out)
    _stock(session, t, ids, out)
    _counts(session, t, ids, out)
    return [out[i] for i in ids]


def _stock(session: Session, t: int, ids: list[int], out: dict[int, SiteFigures]) -> None:
    for sid, value in _grouped(
        session,
        select(ItemCost.site_id, func.sum(ItemCost.total_value))
        .where(ItemCost.tenant_id == t, ItemCost.site_id.in_(ids))
        .group_by(ItemCost.site_id),
    ).values():
        out[sid].stock_value = _dec(value)
    on_hand = (
        select(Balance.site_id, Balance.item_id, func.sum(Balance.on_hand).label("qty"))
        .where(Balance.tenant_id == t, Balance.site_id.in_(ids))
        .group_by(Balance.site_id, Balance.item_id)
        .subquery()
    )
    stockouts = (
        select(Assortment.site_id, func.count())
        .select_from(_assortment_t)
        .outerjoin(on_hand, and_(on_hand.c.site_id == Assortment.site_id, on_hand.c.item_id == Assortment.item_id))
        .where(Assortment.tenant_id == t, Assortment.site_id.in_(ids), Assortment.active.is_(True))
        .where(func.coalesce(on_hand.c.qty, 0) <= 0)
        .group_by(Assortment.site_id)
    )
    for sid, n in _grouped(session, stockouts).values():
        out[sid].stockouts = n
    for sid, n in _count_by_site(
        session, Balance.id, Balance.tenant_id == t, Balance.site_id.in_(ids), Balance.on_hand < 0
    ).values():
        out[sid].negative = n
    for sid, n in _grouped(
        session,
        select(Balance.site_id, func.count(distinct(Balance.item_id)))
        .where(Balance.tenant_id == t, Balance.site_id.in_(ids), Balance.in_transit > 0)
        .group_by(Balance.site_id),
    ).values():
        out[sid].transfers_in = n
    for sid, n in _count_by_site(
        session, ReorderState.item_id, ReorderState.tenant_id == t, ReorderState.site_id.in_(ids),
        ReorderState.below.is_(True),
    ).values():  # fmt: skip
        out[sid].below_reorder = n


def _todos_by_date(session: Session, t: int, ids: list[int], today: date, out: dict[int, SiteFigures]) -> None:
    due = (
        select(Commitment.site_id, func.count(distinct(Commitment.document_id)))
        .where(Commitment.tenant_id == t, Commitment.site_id.in_(ids), Commitment.kind == "incoming")
        .where(Commitment.status == "open", func.coalesce(Commitment.expected_date, today) <= today)
        .group_by(Commitment.site_id)
    )
    for sid, n in _grouped(session, due).values():
        out[sid].deliveries_due = n
    expiring = (
        select(Balance.site_id, func.count(), func.sum(Balance.on_hand * func.coalesce(ItemCost.avg_unit_cost, 0)))
        .join(Lot, Lot.id == Balance.lot_id)
        .outerjoin(
            ItemCost,
            and_(ItemCost.tenant_id == t, ItemCost.site_id == Balance.site_id, ItemCost.item_id == Balance.item_id),
        )
        .where(Balance.tenant_id == t, Balance.site_id.in_(ids), Balance.on_hand > 0)
        .where(Lot.expiry_date >= today, Lot.expiry_date <= today + timedelta(days=EXPIRY_DAYS))
        .group_by(Balance.site_id)
    )
    for sid, n, value in _grouped(session, expiring).values():
        out[sid].expiring_lots, out[sid].expiring_value = n, _dec(value)
    week = _day_start(today - timedelta(days=today.weekday()), out[ids[0]].timezone)
    shrink = case((and_(Alert.kind == "shrink", Alert.raised_at >= week), 1), else_=0)
    alerts = (
        select(Alert.site_id, func.sum(case((Alert.is_open, 1), else_=0)), func.sum(shrink))
        .where(Alert.tenant_id == t, Alert.site_id.in_(ids))
        .where((Alert.is_open.is_(True)) | (Alert.raised_at >= week))
        .group_by(Alert.site_id)
    )
    for sid, n_open, n_shrink in _grouped(session, alerts).values():
        out[sid].alerts_open, out[sid].shrink_week = int(n_open or 0), int(n_shrink or 0)


def _counts(session: Session, t: int, ids: list[int], out: dict[int, SiteFigures]) -> None:
    for sid, n in _count_by_site(
        session, Count.id, Count.tenant_id == t, Count.site_id.in_(ids), Count.status.in_(OPEN_COUNTS)
    ).values():
        out[sid].counts_open = n


@dataclass(frozen=True)
class CategoryValue:
    name_en: str
    name_zh: str | None
    value: Decimal


def value_by_category(session: Session, tenant_id: int, site_ids: list[int]) -> list[CategoryValue]:
    """Stock value per top-level category (sub-categories rolled up), largest first."""
    cats = {c.id: c for c in session.execute(select(_category_t).where(Category.tenant_id == tenant_id))}

    def root(cid: int | None) -> int | None:
        seen: set[int] = set()
        while cid is not None and cats[cid].parent_id is not None and cid not in seen:
            seen.add(cid)
            cid = cats[cid].parent_id
        return cid

    rows = session.execute(
        select(Item.category_id, func.sum(ItemCost.total_value))
        .join(_item_t, Item.id == ItemCost.item_id)
        .where(ItemCost.tenant_id == tenant_id, ItemCost.site_id.in_(site_ids))
        .group_by(Item.category_id)
    ).all()
    sums: dict[int | None, Decimal] = defaultdict(Decimal)
    for cid, value in rows:
        sums[root(cid) if cid in cats else None] += _dec(value)
    out = [
        CategoryValue(cats[c].name_en if c else "—", cats[c].name_zh if c else None, v) for c, v in sums.items() if v
    ]
    return sorted(out, key=lambda c: -c.value)


@dataclass(frozen=True)
class ItemAtSite:
    site_id: int
    code: str
    name_en: str
    name_zh: str | None
    currency: str
    on_hand: Decimal
    reserved: Decimal
    in_transit: Decimal
    on_order: Decimal
    value: Decimal


def item_across_sites(session: Session, scope: Scope, item_id: int) -> list[ItemAtSite]:
    """One item's stock at every site of the scope that has a balance or a cost row for it."""
    bal = (
        select(
            Balance.site_id,
            func.sum(Balance.on_hand).label("on_hand"),
            func.sum(Balance.reserved).label("reserved"),
            func.sum(Balance.in_transit).label("in_transit"),
            func.sum(Balance.on_order).label("on_order"),
        )
        .where(Balance.tenant_id == scope.tenant_id, Balance.item_id == item_id)
        .group_by(Balance.site_id)
        .subquery()
    )
    stmt = (
        select(
            Site.id,
            Site.code,
            Site.name,
            Site.name_zh,
            Site.currency,
            bal.c.on_hand,
            bal.c.reserved,
            bal.c.in_transit,
            bal.c.on_order,
            ItemCost.total_value,
        )
        .select_from(_site_t)
        .join(bal, bal.c.site_id == Site.id)
        .outerjoin(ItemCost, and_(ItemCost.site_id == Site.id, ItemCost.item_id == item_id))
        .where(Site.tenant_id == scope.tenant_id)
        .order_by(Site.code)
    )
    if scope.site_ids is not None:
        stmt = stmt.where(Site.id.in_(sorted(scope.site_ids)))
    return [
        ItemAtSite(sid, code, name, name_zh, cur, _dec(oh), _dec(rs), _dec(it), _dec(oo), _dec(v))
        for sid, code, name, name_zh, cur, oh, rs, it, oo, v in session.execute(stmt)
    ]
