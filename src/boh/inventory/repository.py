"""Write-side queries of the inventory domain.

Lock order, the same for every writer so that concurrent writers queue instead of deadlocking:
0. new ``inventory_lot`` rows (lots named by code on receipts), inserted in (item_id, lot_code) order with
   ``ON CONFLICT DO NOTHING``;
1. ``inventory_item_cost`` rows, sorted by (site_id, item_id): created if missing with
   ``INSERT .. ON CONFLICT DO NOTHING``, then ``SELECT .. FOR UPDATE``. Holding the (site, item) cost row
   serialises every writer of that item at that site (and of its lots);
2. ``inventory_balance`` rows, sorted by (site_id, item_id, lot_key), changed with one atomic
   ``INSERT .. ON CONFLICT DO UPDATE SET on_hand = on_hand + excluded.on_hand`` (never read-then-write);
3. the tenant's audit chain head (kernel.audit), last.
SQLite opens every transaction with BEGIN IMMEDIATE, so writers are serialised there anyway.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import column, select, table, tuple_
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from boh.inventory import pgledger
from boh.inventory.models import Balance, InventorySettings, ItemCost, Lot, Move
from boh.kernel.clock import utcnow

# The catalog has no public api for item lookups yet: read its table by name (ids and tenant only).
# Replace with boh.catalog.api once it offers a batched "items of this tenant" lookup.
_catalog_item = table("catalog_item", column("id"), column("tenant_id"))

BalanceKey = tuple[int, int, int]  # site_id, item_id, lot_key
CHUNK = 1000  # rows per statement (bind parameter limits)


def _insert(session: Session, model: Any) -> Any:
    if session.get_bind().dialect.name == "postgresql":
        return postgresql.insert(model)
    return sqlite.insert(model)


def existing_item_ids(session: Session, tenant_id: int, ids: Iterable[int]) -> set[int]:
    wanted = sorted(set(ids))
    if not wanted:
        return set()
    stmt = select(_catalog_item.c.id).where(_catalog_item.c.tenant_id == tenant_id, _catalog_item.c.id.in_(wanted))
    return set(session.scalars(stmt))


def lots_by_id(session: Session, tenant_id: int, ids: Iterable[int]) -> dict[int, Lot]:
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    return {lot.id: lot for lot in session.scalars(select(Lot).where(Lot.tenant_id == tenant_id, Lot.id.in_(wanted)))}


def lots_by_code(session: Session, tenant_id: int, pairs: Iterable[tuple[int, str]]) -> dict[tuple[int, str], Lot]:
    """Lots by (item_id, lot_code); unknown pairs are absent."""
    wanted = sorted(set(pairs))
    if not wanted:
        return {}
    out: dict[tuple[int, str], Lot] = {}
    for start in range(0, len(wanted), CHUNK):
        stmt = select(Lot).where(
            Lot.tenant_id == tenant_id, tuple_(Lot.item_id, Lot.lot_code).in_(wanted[start : start + CHUNK])
        )
        out.update({(lot.item_id, lot.lot_code): lot for lot in session.scalars(stmt)})
    return out


def get_lot(session: Session, tenant_id: int, lot_id: int, *, for_update: bool = False) -> Lot | None:
    stmt = select(Lot).where(Lot.tenant_id == tenant_id, Lot.id == lot_id)
    if for_update:
        stmt = stmt.with_for_update()
    return session.scalars(stmt).one_or_none()


def insert_lot(session: Session, tenant_id: int, item_id: int, lot_code: str, expiry: Any) -> int | None:
    """The new lot's id, or None when the item already has a lot with this code (atomic, no race)."""
    now = utcnow()
    stmt = (
        _insert(session, Lot)
        .values(
            tenant_id=tenant_id,
            item_id=item_id,
            lot_code=lot_code,
            expiry_date=expiry,
            status="available",
            received_at=now,
            created_at=now,
            updated_at=now,
        )
        .on_conflict_do_nothing(index_elements=["tenant_id", "item_id", "lot_code"])
        .returning(Lot.id)
    )
    new_id: int | None = session.execute(stmt).scalar_one_or_none()
    return new_id


def lock_costs(session: Session, tenant_id: int, keys: dict[tuple[int, int], str]) -> dict[tuple[int, int], ItemCost]:
    """Lock the cost rows of these (site_id, item_id) keys in key order, creating missing ones in the
    site's currency (the mapped value)."""
    ordered = sorted(keys)
    if not ordered:
        return {}
    now = utcnow()
    if _pg(session):
        return pgledger.lock_costs(session, tenant_id, ordered, [keys[k] for k in ordered], now)
    rows = [
        {
            "tenant_id": tenant_id,
            "site_id": s,
            "item_id": i,
            "currency": keys[(s, i)],
            "quantity": 0,
            "avg_unit_cost": 0,
            "total_value": 0,
            "updated_at": now,
        }
        for s, i in ordered
    ]
    session.execute(
        _insert(session, ItemCost)
        .values(rows)
        .on_conflict_do_nothing(index_elements=["tenant_id", "site_id", "item_id"])
    )
    out: dict[tuple[int, int], ItemCost] = {}
    for start in range(0, len(ordered), CHUNK):
        chunk = ordered[start : start + CHUNK]
        # ORDER BY .. FOR UPDATE locks the rows in the sorted order (PostgreSQL's LockRows sits above the sort)
        stmt = (
            select(ItemCost)
            .where(ItemCost.tenant_id == tenant_id, tuple_(ItemCost.site_id, ItemCost.item_id).in_(chunk))
            .order_by(ItemCost.site_id, ItemCost.item_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        out.update({(c.site_id, c.item_id): c for c in session.scalars(stmt)})
    return out


def moves_by_key(session: Session, tenant_id: int, keys: Iterable[str]) -> dict[str, Move]:
    wanted = sorted(set(keys))
    if _pg(session):
        return {m.idempotency_key: m for m in pgledger.moves_by_key(session, tenant_id, wanted)} if wanted else {}
    out: dict[str, Move] = {}
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        stmt = select(Move).where(Move.tenant_id == tenant_id, Move.idempotency_key.in_(chunk))
        out.update({m.idempotency_key: m for m in session.scalars(stmt)})
    return out


@dataclass
class BalanceDelta:
    on_hand: Decimal = Decimal(0)
    in_transit: Decimal = Decimal(0)


def apply_balance_deltas(
    session: Session, tenant_id: int, deltas: dict[BalanceKey, BalanceDelta]
) -> dict[BalanceKey, Decimal]:
    """Add the deltas to the balances atomically, rows in key order (a multi-row upsert takes its rows in
    VALUES order); returns each key's on_hand afterwards."""
    out: dict[BalanceKey, Decimal] = {}
    now = utcnow()
    ordered = sorted(deltas)
    chunk = len(ordered) or 1 if _pg(session) else CHUNK  # PostgreSQL: one unnest statement
    for start in range(0, len(ordered), chunk):
        rows = [
            {
                "tenant_id": tenant_id,
                "site_id": s,
                "item_id": i,
                "lot_id": lk or None,
                "lot_key": lk,
                "on_hand": deltas[(s, i, lk)].on_hand,
                "reserved": 0,
                "in_transit": deltas[(s, i, lk)].in_transit,
                "on_order": 0,
                "updated_at": now,
            }
            for s, i, lk in ordered[start : start + chunk]
        ]
        if _pg(session):
            out.update(pgledger.add_to_balances(session, tenant_id, rows, now))
            continue
        ins = _insert(session, Balance).values(rows)
        stmt = ins.on_conflict_do_update(
            index_elements=["tenant_id", "site_id", "item_id", "lot_key"],
            set_={
                "on_hand": Balance.on_hand + ins.excluded.on_hand,
                "in_transit": Balance.in_transit + ins.excluded.in_transit,
                "updated_at": ins.excluded.updated_at,
            },
        ).returning(Balance.site_id, Balance.item_id, Balance.lot_key, Balance.on_hand)
        out.update({(s, i, lk): on_hand for s, i, lk, on_hand in session.execute(stmt)})
    return out


def insert_moves(session: Session, moves: Sequence[Move]) -> None:
    if _pg(session) and moves:
        session.flush()  # whatever else is pending goes first, as it would in one flush
        pgledger.insert_moves(session, moves)
        return
    session.add_all(moves)
    session.flush()


def _pg(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def get_move(session: Session, tenant_id: int, move_id: int) -> Move | None:
    return session.scalars(select(Move).where(Move.tenant_id == tenant_id, Move.id == move_id)).one_or_none()


def get_settings(session: Session, tenant_id: int) -> InventorySettings | None:
    return session.get(InventorySettings, tenant_id)


def save_costs(
    session: Session, costs: dict[tuple[int, int], ItemCost], changed: dict[tuple[int, int], Any], now: Any
) -> None:
    """Write the new moving-average states (``changed``: key -> domain.CostState) of locked cost rows.
    PostgreSQL: one UPDATE for the batch, the loaded objects brought in line without a flush (a 5,000-line
    document otherwise flushed 5,000 single-row UPDATEs); SQLite: through the ORM."""
    if not changed:
        return
    if not _pg(session):
        for key, st in changed.items():
            row = costs[key]
            row.quantity, row.avg_unit_cost, row.total_value, row.updated_at = (
                st.quantity, st.avg_unit_cost, st.total_value, now,
            )  # fmt: skip
        return
    keys = sorted(changed)
    pgledger.save_costs(
        session,
        [costs[k].id for k in keys],
        [changed[k].quantity for k in keys],
        [changed[k].avg_unit_cost for k in keys],
        [changed[k].total_value for k in keys],
        now,
    )
    for k in keys:
        row, st = costs[k], changed[k]
        for attr, value in (
            ("quantity", st.quantity), ("avg_unit_cost", st.avg_unit_cost), ("total_value", st.total_value),
            ("updated_at", now),
        ):  # fmt: skip
            set_committed_value(row, attr, value)
