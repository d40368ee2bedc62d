"""Write-side SQL of stocktakes: the set-based freeze, bulk entry inserts and the counted-quantity update.

The catalog offers no batched "base unit of these items" lookup, so, like boh.inventory.repository, the
catalog tables are read by name (ids, sku, base unit; assortment membership) and never written.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import BigInteger, Integer, and_, false, func, insert, literal, select
from sqlalchemy import update as sql_update
from sqlalchemy.orm import Session

from boh.catalog.api import assortment_view, item_view
from boh.inventory.counts.models import Count, CountEntry, CountLine, CountSettings
from boh.inventory.models import Balance, ItemCost, Move
from boh.kernel.types import Qty
from boh.org.api import user_view

CHUNK = 1000
ZERO = Decimal(0)

catalog_item = item_view()
org_user = user_view()
catalog_assortment = assortment_view()


def chunks(values: Sequence[Any]) -> Iterable[Sequence[Any]]:
    for start in range(0, len(values), CHUNK):
        yield values[start : start + CHUNK]


def get_count(session: Session, tenant_id: int, count_id: int, *, for_update: bool = False) -> Count | None:
    stmt = select(Count).where(Count.tenant_id == tenant_id, Count.id == count_id)
    if for_update:
        stmt = stmt.with_for_update().execution_options(populate_existing=True)
    return session.scalars(stmt).one_or_none()


def site_item_ids(session: Session, tenant_id: int, site_id: int) -> set[int]:
    """Items with a balance row at the site or carried by it (active assortment)."""
    held = select(Balance.item_id).where(Balance.tenant_id == tenant_id, Balance.site_id == site_id)
    carried = select(catalog_assortment.c.item_id).where(
        catalog_assortment.c.tenant_id == tenant_id,
        catalog_assortment.c.site_id == site_id,
        catalog_assortment.c.active.is_(True),
    )
    return set(session.scalars(held)) | set(session.scalars(carried))


def sales_value(session: Session, tenant_id: int, site_id: int, since: datetime) -> dict[int, Decimal]:
    """Sold quantity since ``since`` per item times the item's current moving average cost."""
    sold = session.execute(
        select(Move.item_id, func.sum(Move.quantity))
        .where(Move.tenant_id == tenant_id, Move.site_id == site_id, Move.move_type == "sale", Move.event_at >= since)
        .group_by(Move.item_id)
    ).all()
    costs = dict(
        session.execute(
            select(ItemCost.item_id, ItemCost.avg_unit_cost).where(
                ItemCost.tenant_id == tenant_id, ItemCost.site_id == site_id
            )
        ).all()
    )
    return {item_id: -qty * costs.get(item_id, ZERO) for item_id, qty in sold}


def user_exists(session: Session, tenant_id: int, user_id: int) -> bool:
    stmt = select(org_user.c.id).where(org_user.c.tenant_id == tenant_id, org_user.c.id == user_id)
    return session.scalar(stmt) is not None


def freeze(session: Session, count: Count, item_ids: Sequence[int] | None) -> None:
    """Create the count's lines with the on-hand quantity of now as expected quantity, in one INSERT ..
    SELECT from the balances (lots with nothing on hand are skipped) and one for the items without any
    balance at the site (expected 0): every item the site carries when ``item_ids`` is None (a full count),
    else each listed item of the tenant."""
    if item_ids is None:
        _freeze(session, count, None)
        return
    for chunk in chunks(sorted(set(item_ids))):
        _freeze(session, count, chunk)


def _freeze(session: Session, count: Count, item_ids: Sequence[int] | None) -> None:
    cols = [
        "tenant_id",
        "count_id",
        "item_id",
        "lot_id",
        "lot_key",
        "expected_qty",
        "round",
        "recount_required",
        "zero_confirmed",
        "accepted",
        "added",
    ]
    tenant, count_id = literal(count.tenant_id, BigInteger), literal(count.id, BigInteger)
    flags = [literal(0, Integer), false(), false(), false(), false()]
    balances = select(
        tenant, count_id, Balance.item_id, Balance.lot_id, Balance.lot_key, Balance.on_hand, *flags
    ).where(
        Balance.tenant_id == count.tenant_id,
        Balance.site_id == count.site_id,
        (Balance.lot_key == 0) | (Balance.on_hand != literal(ZERO, Qty())),
    )
    source = catalog_assortment if item_ids is None else catalog_item
    item_id = source.c.item_id if item_ids is None else source.c.id
    # no line from the balances above (depleted lots give none). NOT IN, not NOT EXISTS: PostgreSQL hashes
    # the list once whatever its statistics say, where a correlated anti-join on a table it has not analyzed
    # yet (a first stock load) planned a nested loop over every balance for every item (1-4 s for 5,000)
    no_balance = item_id.not_in(
        select(Balance.item_id).where(
            Balance.tenant_id == count.tenant_id,
            Balance.site_id == count.site_id,
            (Balance.lot_key == 0) | (Balance.on_hand != literal(ZERO, Qty())),
        )
    )
    carried = select(
        tenant, count_id, item_id, literal(None, BigInteger), literal(0, BigInteger), literal(ZERO, Qty()), *flags
    ).where(source.c.tenant_id == count.tenant_id, no_balance)
    if item_ids is None:
        carried = carried.where(source.c.site_id == count.site_id, source.c.active.is_(True))
    else:
        balances = balances.where(Balance.item_id.in_(item_ids))
        carried = carried.where(item_id.in_(item_ids))
    session.execute(insert(CountLine).from_select(cols, balances))
    session.execute(insert(CountLine).from_select(cols, carried))


@dataclass(frozen=True)
class LineKey:
    id: int
    item_id: int
    lot_key: int
    round: int
    counted_qty: Decimal | None


def line_keys(session: Session, count_id: int) -> list[LineKey]:
    rows = session.execute(
        select(CountLine.id, CountLine.item_id, CountLine.lot_key, CountLine.round, CountLine.counted_qty).where(
            CountLine.count_id == count_id
        )
    )
    return [LineKey(*r) for r in rows]


@dataclass(frozen=True)
class ItemInfo:
    id: int
    sku: str
    base_uom: str


def items_info(session: Session, tenant_id: int, item_ids: Iterable[int]) -> dict[int, ItemInfo]:
    out: dict[int, ItemInfo] = {}
    c = catalog_item.c
    for chunk in chunks(sorted(set(item_ids))):
        rows = session.execute(select(c.id, c.sku, c.base_uom).where(c.tenant_id == tenant_id, c.id.in_(chunk)))
        out.update({i: ItemInfo(i, sku, uom) for i, sku, uom in rows})
    return out


def add_lines(session: Session, count: Count, keys: Sequence[tuple[int, int]]) -> dict[tuple[int, int], int]:
    """Lines for lots found during the count (expected 0, in the count's current round); ids by key."""
    if not keys:
        return {}
    rows = [
        {
            "tenant_id": count.tenant_id,
            "count_id": count.id,
            "item_id": i,
            "lot_id": lk or None,
            "lot_key": lk,
            "expected_qty": ZERO,
            "round": count.round,
            "recount_required": False,
            "zero_confirmed": False,
            "accepted": False,
            "added": True,
        }
        for i, lk in sorted(keys)
    ]
    session.execute(insert(CountLine), rows)
    wanted = set(keys)
    return {(k.item_id, k.lot_key): k.id for k in line_keys(session, count.id) if (k.item_id, k.lot_key) in wanted}


def counted_epcs(session: Session, count_id: int, epcs: Iterable[str]) -> set[str]:
    """The tags among ``epcs`` already counted in the current round of their line."""
    out: set[str] = set()
    for chunk in chunks(sorted(set(epcs))):
        stmt = (
            select(CountEntry.epc)
            .join(CountLine, CountLine.id == CountEntry.line_id)
            .where(CountEntry.count_id == count_id, CountEntry.epc.in_(chunk), CountEntry.round == CountLine.round)
        )
        out.update(e for e in session.scalars(stmt) if e is not None)
    return out


def insert_entries(session: Session, rows: list[dict[str, Any]]) -> None:
    for start in range(0, len(rows), CHUNK * 5):
        session.execute(insert(CountEntry), rows[start : start + CHUNK * 5])


def refresh_counted(session: Session, line_ids: Iterable[int]) -> None:
    """counted_qty = the sum of the entries of the line's current round (NULL when there are none)."""
    total = (
        select(func.sum(CountEntry.qty))
        .where(CountEntry.line_id == CountLine.id, CountEntry.round == CountLine.round)
        .scalar_subquery()
    )
    for chunk in chunks(sorted(set(line_ids))):
        session.execute(
            sql_update(CountLine).where(CountLine.id.in_(chunk)).values(counted_qty=total),
            execution_options={"synchronize_session": False},
        )


def on_hand_by_line(session: Session, count: Count) -> dict[int, tuple[Decimal, Decimal]]:
    """(expected, on hand now) per line id."""
    rows = session.execute(
        select(CountLine.id, CountLine.expected_qty, Balance.on_hand)
        .outerjoin(
            Balance,
            and_(
                Balance.tenant_id == count.tenant_id,
                Balance.site_id == count.site_id,
                Balance.item_id == CountLine.item_id,
                Balance.lot_key == CountLine.lot_key,
            ),
        )
        .where(CountLine.count_id == count.id)
    )
    return {lid: (exp, on_hand if on_hand is not None else ZERO) for lid, exp, on_hand in rows}


def avg_costs(session: Session, tenant_id: int, site_id: int) -> dict[int, Decimal]:
    rows = session.execute(
        select(ItemCost.item_id, ItemCost.avg_unit_cost).where(
            ItemCost.tenant_id == tenant_id, ItemCost.site_id == site_id
        )
    )
    return {i: c for i, c in rows}


def get_settings(session: Session, tenant_id: int, *, for_update: bool = False) -> CountSettings | None:
    stmt = select(CountSettings).where(CountSettings.tenant_id == tenant_id)
    if for_update:
        stmt = stmt.with_for_update()
    return session.scalars(stmt).one_or_none()
