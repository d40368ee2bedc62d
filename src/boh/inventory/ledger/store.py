"""The ledger's statements behind one interface. ``PortableStore`` runs on any database through SQLAlchemy
Core (SQLite in development and tests); ``store_pg.PgStore`` runs the same statements set-based on
PostgreSQL (COPY, ``unnest`` arrays). Both keep the same semantics (conflict targets, the atomic
``on_hand = on_hand + excluded.on_hand`` upsert, rows in key order so the lock order holds); the property
tests post random sequences through both and demand identical results. ``store_for(session)`` picks one.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, cast

from sqlalchemy import Table, bindparam, func, insert, select, tuple_, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from boh.inventory.ledger.contract import BalanceKey, CostKey, PostedMove
from boh.inventory.ledger.rules import LotStock
from boh.inventory.ledger.valuation import CostState
from boh.inventory.models import Balance, ItemCost, Lot, Move

CHUNK = 1000  # rows per statement where the database limits bound parameters

MOVE_COLUMNS = (
    "tenant_id",
    "site_id",
    "item_id",
    "lot_id",
    "move_type",
    "reason_code",
    "quantity",
    "unit_cost",
    "value",
    "provisional",
    "currency",
    "counter_site_id",
    "source_type",
    "source_id",
    "idempotency_key",
    "negative",
    "event_at",
    "recorded_at",
    "actor",
)


@dataclass(slots=True)  # one per locked key of every posting: not frozen (see ledger.contract)
class CostRow:
    """A locked ``inventory_item_cost`` row."""

    id: int
    state: CostState
    transit_value: Decimal


@dataclass(slots=True)
class Delta:
    on_hand: Decimal = Decimal(0)
    in_transit: Decimal = Decimal(0)
    reserved: Decimal = Decimal(0)
    on_order: Decimal = Decimal(0)


def _table(model: Any) -> Table:
    return cast(Table, model.__table__)


MOVE, BALANCE, COST, LOT = _table(Move), _table(Balance), _table(ItemCost), _table(Lot)


def posted_move(row: Any) -> PostedMove:
    """A ``PostedMove`` from a row (or object) with the move's columns and its id; times in UTC."""
    return PostedMove(
        id=row.id,
        site_id=row.site_id,
        item_id=row.item_id,
        lot_id=row.lot_id,
        move_type=row.move_type,
        reason_code=row.reason_code,
        quantity=row.quantity,
        unit_cost=row.unit_cost,
        value=row.value,
        provisional=row.provisional,
        currency=row.currency,
        counter_site_id=row.counter_site_id,
        source_type=row.source_type,
        source_id=row.source_id,
        idempotency_key=row.idempotency_key,
        negative=row.negative,
        event_at=row.event_at,
        recorded_at=row.recorded_at,
        actor=row.actor,
    )


class PortableStore:
    """The ledger's statements through SQLAlchemy Core: any database (SQLite's ``INSERT .. ON CONFLICT`` and
    ``RETURNING`` included)."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def _insert(self, table: Table) -> Any:
        dialect = postgresql if self.session.get_bind().dialect.name == "postgresql" else sqlite
        return dialect.insert(table)

    # --- lots ---------------------------------------------------------------------------------------

    def insert_lot(self, tenant_id: int, item_id: int, lot_code: str, expiry: date | None, now: datetime) -> int | None:
        """The new lot's id, or None when the item already has a lot with this code (atomic, no race)."""
        stmt = (
            self._insert(LOT)
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
            .returning(LOT.c.id)
        )
        new_id: int | None = self.session.execute(stmt).scalar_one_or_none()
        return new_id

    def lot_ids(self, tenant_id: int, pairs: Iterable[tuple[int, str]]) -> dict[tuple[int, str], int]:
        wanted = sorted(set(pairs))
        out: dict[tuple[int, str], int] = {}
        for start in range(0, len(wanted), CHUNK):
            stmt = select(LOT.c.item_id, LOT.c.lot_code, LOT.c.id).where(
                LOT.c.tenant_id == tenant_id, tuple_(LOT.c.item_id, LOT.c.lot_code).in_(wanted[start : start + CHUNK])
            )
            out.update({(i, code): lot_id for i, code, lot_id in self.session.execute(stmt)})
        return out

    def lot_stock(self, tenant_id: int, keys: Iterable[CostKey]) -> dict[CostKey, list[LotStock]]:
        """Lots with stock on hand per (site, item)."""
        wanted = sorted(set(keys))
        out: dict[CostKey, list[LotStock]] = {}
        b = BALANCE.c
        for start in range(0, len(wanted), CHUNK):
            stmt = (
                select(
                    b.site_id,
                    b.item_id,
                    LOT.c.id,
                    LOT.c.lot_code,
                    LOT.c.expiry_date,
                    LOT.c.status,
                    b.on_hand,
                    LOT.c.on_hold,
                )
                .join(LOT, LOT.c.id == b.lot_id)
                .where(
                    b.tenant_id == tenant_id,
                    b.lot_key != 0,
                    b.on_hand > 0,
                    tuple_(b.site_id, b.item_id).in_(wanted[start : start + CHUNK]),
                )
            )
            for s, i, lot_id, code, expiry, status, on_hand, held in self.session.execute(stmt):
                out.setdefault((s, i), []).append(LotStock(lot_id, code, expiry, status, on_hand, bool(held)))
        return out

    # --- costs --------------------------------------------------------------------------------------

    def lock_costs(self, tenant_id: int, keys: Mapping[CostKey, str], now: datetime) -> dict[CostKey, CostRow]:
        """Lock the cost rows of these keys in key order, creating missing ones in the mapped currency."""
        ordered = sorted(keys)
        if not ordered:
            return {}
        rows = [
            {
                "tenant_id": tenant_id,
                "site_id": s,
                "item_id": i,
                "currency": keys[(s, i)],
                "quantity": 0,
                "avg_unit_cost": 0,
                "total_value": 0,
                "cost_source": "none",
                "transit_value": 0,
                "updated_at": now,
            }
            for s, i in ordered
        ]
        conn = self.session.connection()
        conn.execute(
            self._insert(COST).on_conflict_do_nothing(index_elements=["tenant_id", "site_id", "item_id"]), rows
        )
        out: dict[CostKey, CostRow] = {}
        c = COST.c
        for start in range(0, len(ordered), CHUNK):  # chunks keep the global key order
            stmt = (
                select(
                    c.id,
                    c.site_id,
                    c.item_id,
                    c.quantity,
                    c.avg_unit_cost,
                    c.total_value,
                    c.cost_source,
                    c.transit_value,
                )
                .where(c.tenant_id == tenant_id, tuple_(c.site_id, c.item_id).in_(ordered[start : start + CHUNK]))
                .order_by(c.site_id, c.item_id)
                .with_for_update()
            )
            for cid, s, i, q, avg, value, source, transit in conn.execute(stmt):
                out[(s, i)] = CostRow(cid, CostState(q, avg, value, source), transit)
        return out

    def save_costs(self, rows: Sequence[tuple[int, CostState, Decimal]], now: datetime) -> None:
        """Write the new states (and in-transit values) of locked cost rows, by id."""
        if not rows:
            return
        stmt = (
            update(COST)
            .where(COST.c.id == bindparam("b_id"))
            .values(
                quantity=bindparam("b_q"),
                avg_unit_cost=bindparam("b_a"),
                total_value=bindparam("b_v"),
                cost_source=bindparam("b_s"),
                transit_value=bindparam("b_t"),
                updated_at=bindparam("b_now"),
            )
        )
        params = [
            {
                "b_id": i,
                "b_q": st.quantity,
                "b_a": st.avg_unit_cost,
                "b_v": st.total_value,
                "b_s": st.source,
                "b_t": transit,
                "b_now": now,
            }
            for i, st, transit in sorted(rows, key=lambda r: r[0])
        ]
        self.session.connection().execute(stmt, params)

    # --- moves --------------------------------------------------------------------------------------

    def moves_by_key(self, tenant_id: int, keys: Iterable[str]) -> dict[str, PostedMove]:
        wanted = sorted(set(keys))
        out: dict[str, PostedMove] = {}
        m = MOVE.c
        for start in range(0, len(wanted), 500):
            stmt = select(MOVE).where(m.tenant_id == tenant_id, m.idempotency_key.in_(wanted[start : start + 500]))
            out.update({r.idempotency_key: posted_move(r) for r in self.session.connection().execute(stmt)})
        return out

    def later_moves(
        self, tenant_id: int, keys: Iterable[BalanceKey], since: datetime
    ) -> dict[BalanceKey, list[tuple[datetime, Decimal]]]:
        """The moves of these balances dated after ``since`` (event time, quantity)."""
        out: dict[BalanceKey, list[tuple[datetime, Decimal]]] = {}
        m = MOVE.c
        lot_key = func.coalesce(m.lot_id, 0)
        wanted = sorted(set(keys))
        for start in range(0, len(wanted), CHUNK):
            stmt = select(m.site_id, m.item_id, lot_key, m.event_at, m.quantity).where(
                m.tenant_id == tenant_id,
                m.event_at > since,
                m.quantity != 0,
                tuple_(m.site_id, m.item_id, lot_key).in_(wanted[start : start + CHUNK]),
            )
            for s, i, lk, at, q in self.session.connection().execute(stmt):
                out.setdefault((s, i, lk), []).append((at, q))
        return out

    def insert_moves(self, rows: Sequence[Sequence[Any]]) -> list[int]:
        """Insert fully built move rows (``MOVE_COLUMNS`` order); their ids in the same order."""
        if not rows:
            return []
        stmt = insert(MOVE).returning(MOVE.c.id, sort_by_parameter_order=True)
        params = [dict(zip(MOVE_COLUMNS, r, strict=True)) for r in rows]
        return [r[0] for r in self.session.connection().execute(stmt, params)]

    # --- balances -----------------------------------------------------------------------------------

    def on_hand(self, tenant_id: int, keys: Iterable[BalanceKey]) -> dict[BalanceKey, Decimal]:
        wanted = sorted(set(keys))
        out: dict[BalanceKey, Decimal] = {}
        b = BALANCE.c
        for start in range(0, len(wanted), CHUNK):
            stmt = select(b.site_id, b.item_id, b.lot_key, b.on_hand).where(
                b.tenant_id == tenant_id, tuple_(b.site_id, b.item_id, b.lot_key).in_(wanted[start : start + CHUNK])
            )
            out.update({(s, i, lk): q for s, i, lk, q in self.session.connection().execute(stmt)})
        return out

    def add_to_balances(
        self, tenant_id: int, deltas: Mapping[BalanceKey, Delta], now: datetime
    ) -> dict[BalanceKey, Decimal]:
        """Add the deltas to the balances atomically, rows in key order; each key's on_hand afterwards."""
        ordered = sorted(deltas)
        if not ordered:
            return {}
        rows = [
            {
                "tenant_id": tenant_id,
                "site_id": s,
                "item_id": i,
                "lot_id": lk or None,
                "lot_key": lk,
                "on_hand": d.on_hand,
                "reserved": d.reserved,
                "in_transit": d.in_transit,
                "on_order": d.on_order,
                "updated_at": now,
            }
            for (s, i, lk), d in ((k, deltas[k]) for k in ordered)
        ]
        ins = self._insert(BALANCE)
        b = BALANCE.c
        stmt = ins.on_conflict_do_update(
            index_elements=["tenant_id", "site_id", "item_id", "lot_key"],
            set_={
                "on_hand": b.on_hand + ins.excluded.on_hand,
                "reserved": b.reserved + ins.excluded.reserved,
                "in_transit": b.in_transit + ins.excluded.in_transit,
                "on_order": b.on_order + ins.excluded.on_order,
                "updated_at": ins.excluded.updated_at,
            },
        ).returning(b.site_id, b.item_id, b.lot_key, b.on_hand, sort_by_parameter_order=True)
        return {(s, i, lk): q for s, i, lk, q in self.session.connection().execute(stmt, rows)}


def store_for(session: Session) -> PortableStore:
    """The set-based store on PostgreSQL, the portable one elsewhere."""
    if session.get_bind().dialect.name == "postgresql":
        from boh.inventory.ledger.store_pg import PgStore

        return PgStore(session)
    return PortableStore(session)
