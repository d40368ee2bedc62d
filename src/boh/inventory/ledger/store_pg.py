"""The ledger's statements on PostgreSQL, set-based: each is one short statement whose rows come from
``unnest`` of array parameters, and moves are COPY'd. A multi-row ``VALUES`` list of thousands of bound
values is compiled by SQLAlchemy and re-parsed by the driver on every call, which cost more than the
database work. Semantics are those of ``store.PortableStore`` (same conflict targets, the same atomic
upsert, rows in key order); the property tests hold the two to identical results."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from functools import lru_cache
from typing import Any

from psycopg.rows import namedtuple_row, tuple_row
from sqlalchemy import text

from boh.inventory.ledger.contract import BalanceKey, CostKey, PostedMove
from boh.inventory.ledger.rules import LotStock
from boh.inventory.ledger.store import MOVE_COLUMNS, CostRow, Delta, PortableStore, posted_move
from boh.inventory.ledger.valuation import CostState
from boh.inventory.pgcopy import copy_rows
from boh.kernel.db import serial_ids
from boh.kernel.text import joined


def _a(name: str, sql_type: str) -> str:
    """An array parameter sent as one text (kernel.text.joined) and split in the database."""
    return f"string_to_array(:{name}, chr(31))::{sql_type}[]"


# Each key probes the unique index and locks its row, in the order of the keys (sorted by the caller: the ledger's
# lock order): a LATERAL subquery that locks is never flattened, so the keys drive a nested loop whatever the
# statistics say. A semi-join then a sort before the lock cost about a quarter more (hashing the keys, sorting
# the rows); a plain join let the planner hash the whole cost table.
_LOCK = text(
    "SELECT c.id, c.site_id, c.item_id, c.quantity, c.avg_unit_cost, c.total_value, c.cost_source, "
    f"c.transit_value FROM unnest({_a('s', 'bigint')}, {_a('i', 'bigint')}) AS u(s, i) CROSS JOIN LATERAL "
    "(SELECT * FROM inventory_item_cost c WHERE c.tenant_id = :t AND c.site_id = u.s AND c.item_id = u.i "
    "FOR UPDATE) c"
)
_CREATE_COSTS = text(
    "INSERT INTO inventory_item_cost (tenant_id, site_id, item_id, currency, quantity, avg_unit_cost, total_value, "
    "cost_source, transit_value, updated_at) SELECT :t, u.s, u.i, u.c, 0, 0, 0, 'none', 0, :now "
    f"FROM unnest({_a('s', 'bigint')}, {_a('i', 'bigint')}, {_a('c', 'varchar')}) AS u(s, i, c) "
    "ORDER BY u.s, u.i ON CONFLICT (tenant_id, site_id, item_id) DO NOTHING"
)
_SAVEPOINT = text("SAVEPOINT boh_lock_costs")
_ROLLBACK_TO = text("ROLLBACK TO SAVEPOINT boh_lock_costs")
_RELEASE = text("RELEASE SAVEPOINT boh_lock_costs")
_SAVE_COSTS = text(
    "UPDATE inventory_item_cost c SET quantity = u.q, avg_unit_cost = u.a, total_value = u.v, cost_source = u.src, "
    f"transit_value = u.tr, updated_at = :now FROM unnest({_a('id', 'bigint')}, {_a('q', 'numeric')}, "
    f"{_a('a', 'numeric')}, {_a('v', 'numeric')}, {_a('src', 'varchar')}, {_a('tr', 'numeric')}) "
    "AS u(id, q, a, v, src, tr) WHERE c.id = u.id "
    # the same ids as a semi-join: the rows are found by the primary key (joined alone, the planner hashed
    # every cost row of the table)
    f"AND c.id IN (SELECT unnest({_a('id', 'bigint')}))"
)
_BY_KEY = text(
    f"SELECT m.* FROM unnest({_a('k', 'varchar')}) AS u(k) CROSS JOIN LATERAL "
    "(SELECT * FROM inventory_move m WHERE m.tenant_id = :t AND m.idempotency_key = u.k) m"
)
_ON_HAND = text(
    "SELECT b.site_id, b.item_id, b.lot_key, b.on_hand FROM inventory_balance b "
    f"JOIN unnest({_a('s', 'bigint')}, {_a('i', 'bigint')}, {_a('l', 'bigint')}) AS u(s, i, l) "
    "ON b.site_id = u.s AND b.item_id = u.i AND b.lot_key = u.l WHERE b.tenant_id = :t"
)
_LATER = text(
    "SELECT m.site_id, m.item_id, COALESCE(m.lot_id, 0), m.event_at, m.quantity "
    f"FROM unnest({_a('s', 'bigint')}, {_a('i', 'bigint')}) AS u(s, i) CROSS JOIN LATERAL "
    "(SELECT * FROM inventory_move m WHERE m.tenant_id = :t AND m.item_id = u.i AND m.site_id = u.s "
    "AND m.event_at > :since AND m.quantity <> 0) m"
)
_LOT_STOCK = text(
    "SELECT b.site_id, b.item_id, l.id, l.lot_code, l.expiry_date, l.status, b.on_hand, l.on_hold "
    "FROM inventory_balance b JOIN inventory_lot l ON l.id = b.lot_id "
    f"JOIN unnest({_a('s', 'bigint')}, {_a('i', 'bigint')}) AS k(s, i) ON b.site_id = k.s AND b.item_id = k.i "
    "WHERE b.tenant_id = :t AND b.lot_key <> 0 AND b.on_hand > 0"
)
# whether any of these items has a lot at all (index probes): most items have none, and the lot stock read
# then scans the tenant's balances for nothing
_ANY_LOT = text(
    "SELECT EXISTS (SELECT 1 FROM inventory_lot l WHERE l.tenant_id = :t AND l.item_id IN "
    f"(SELECT unnest({_a('i', 'bigint')})))"
)
_COMMITTED = (("r", "reserved"), ("tr", "in_transit"), ("o", "on_order"))  # balance columns besides on hand


def _upsert(committed: bool) -> Any:
    """Add deltas to the balances (inserting the missing ones), in the given key order. ``committed=False``: the
    variant for deltas that only move on hand (floor sales, receipts, counts: nearly every batch), whose other
    three columns are neither sent nor computed (three values a row less to write in Python and to parse)."""
    cols = _COMMITTED if committed else ()
    values = ", ".join(f"u.{a}" for a, _ in cols) if committed else "0, 0, 0"
    arrays = "".join(f", {_a(a, 'numeric')}" for a, _ in cols)
    names = "".join(f", {a}" for a, _ in cols)
    adds = "".join(f"{c} = inventory_balance.{c} + excluded.{c}, " for _, c in cols)
    return text(
        "INSERT INTO inventory_balance (tenant_id, site_id, item_id, lot_id, lot_key, on_hand, reserved, in_transit, "
        f"on_order, updated_at) SELECT :t, u.s, u.i, NULLIF(u.l, 0), u.l, u.q, {values}, :now "
        f"FROM unnest({_a('s', 'bigint')}, {_a('i', 'bigint')}, {_a('l', 'bigint')}, {_a('q', 'numeric')}{arrays}) "
        f"WITH ORDINALITY AS u(s, i, l, q{names}, n) ORDER BY u.n "
        "ON CONFLICT (tenant_id, site_id, item_id, lot_key) DO UPDATE SET "
        f"on_hand = inventory_balance.on_hand + excluded.on_hand, {adds}updated_at = excluded.updated_at "
        "RETURNING site_id, item_id, lot_key, on_hand"
    )


_UPSERT, _UPSERT_ON_HAND = _upsert(True), _upsert(False)
# the PostgreSQL type of each COPY'd move column: id, then MOVE_COLUMNS (binary COPY, see pgcopy.copy_rows)
_MOVE_TYPES = ("int8", "int8", "int8", "int8", "int8", "varchar", "varchar", "numeric", "numeric", "numeric",
               "bool", "varchar", "int8", "varchar", "varchar", "varchar", "bool", "timestamptz", "timestamptz",
               "varchar")  # fmt: skip
assert len(_MOVE_TYPES) == 1 + len(MOVE_COLUMNS)


class PgStore(PortableStore):
    def lot_stock(self, tenant_id: int, keys: Iterable[CostKey]) -> dict[CostKey, list[LotStock]]:
        wanted = sorted(set(keys))
        out: dict[CostKey, list[LotStock]] = {}
        if not wanted:
            return out
        if not self._run(_ANY_LOT, {"t": tenant_id, "i": joined(sorted({k[1] for k in wanted}))})[0][0]:
            return out
        rows = self._run(
            _LOT_STOCK, {"t": tenant_id, "s": joined([k[0] for k in wanted]), "i": joined([k[1] for k in wanted])}
        )
        for s, i, lot_id, code, expiry, status, on_hand, held in rows:
            out.setdefault((s, i), []).append(LotStock(lot_id, code, expiry, status, on_hand, bool(held)))
        return out

    def lock_costs(self, tenant_id: int, keys: Mapping[CostKey, str], now: datetime) -> dict[CostKey, CostRow]:
        ordered = sorted(keys)
        if not ordered:
            return {}
        sites, items = joined([k[0] for k in ordered]), joined([k[1] for k in ordered])
        # Nearly always every row exists: lock them straight away. When some are missing, the locks just
        # taken are released (rolled back to the savepoint) and the rows are created first, then locked, as
        # if they had been missing all along: a writer never waits on another's insert of a cost row while
        # it holds cost rows of its own.
        self._run(_SAVEPOINT, {})
        rows = self._run(_LOCK, {"t": tenant_id, "s": sites, "i": items})
        if len(rows) < len(ordered):
            self._run(_ROLLBACK_TO, {})
            self._run(
                _CREATE_COSTS,
                {"t": tenant_id, "s": sites, "i": items, "c": joined([keys[k] for k in ordered]), "now": now},
            )
            rows = self._run(_LOCK, {"t": tenant_id, "s": sites, "i": items})
        self._run(_RELEASE, {})
        return {
            (s, i): CostRow(cid, CostState(q, avg, value, source), transit)
            for cid, s, i, q, avg, value, source, transit in rows
        }

    def save_costs(self, rows: Sequence[tuple[int, CostState, Decimal]], now: datetime) -> None:
        if not rows:
            return
        ordered = sorted(rows, key=lambda r: r[0])
        self._run(
            _SAVE_COSTS,
            {
                "id": joined([r[0] for r in ordered]),
                "q": joined([r[1].quantity for r in ordered]),
                "a": joined([r[1].avg_unit_cost for r in ordered]),
                "v": joined([r[1].total_value for r in ordered]),
                "src": joined([r[1].source for r in ordered]),
                "tr": joined([r[2] for r in ordered]),
                "now": now,
            },
        )

    def moves_by_key(self, tenant_id: int, keys: Iterable[str]) -> dict[str, PostedMove]:
        wanted = sorted(set(keys))
        if not wanted:
            return {}
        rows = self._run(_BY_KEY, {"t": tenant_id, "k": joined(wanted)}, named=True)
        return {r.idempotency_key: posted_move(r) for r in rows}

    def later_moves(
        self, tenant_id: int, keys: Iterable[BalanceKey], since: datetime
    ) -> dict[BalanceKey, list[tuple[datetime, Decimal]]]:
        wanted = sorted(set(keys))
        pairs = sorted({(k[0], k[1]) for k in wanted})
        out: dict[BalanceKey, list[tuple[datetime, Decimal]]] = {}
        if not pairs:
            return out
        rows = self._run(
            _LATER,
            {"t": tenant_id, "s": joined([p[0] for p in pairs]), "i": joined([p[1] for p in pairs]), "since": since},
        )
        keep = set(wanted)
        for s, i, lk, at, q in rows:
            if (s, i, lk) in keep:
                out.setdefault((s, i, lk), []).append((at, q))
        return out

    def insert_moves(self, rows: Sequence[Sequence[Any]]) -> list[int]:
        """COPY the move rows (ids drawn from the sequence first)."""
        if not rows:
            return []
        ids = serial_ids(self.session.connection(), "inventory_move", len(rows))
        copy_rows(
            self.session.connection(),
            "inventory_move",
            ("id", *MOVE_COLUMNS),
            ((move_id, *r) for move_id, r in zip(ids, rows, strict=True)),
            _MOVE_TYPES,
        )
        return ids

    def on_hand(self, tenant_id: int, keys: Iterable[BalanceKey]) -> dict[BalanceKey, Decimal]:
        wanted = sorted(set(keys))
        if not wanted:
            return {}
        rows = self._run(
            _ON_HAND,
            {
                "t": tenant_id,
                "s": joined([k[0] for k in wanted]),
                "i": joined([k[1] for k in wanted]),
                "l": joined([k[2] for k in wanted]),
            },
        )
        return {(s, i, lk): q for s, i, lk, q in rows}

    def add_to_balances(
        self, tenant_id: int, deltas: Mapping[BalanceKey, Delta], now: datetime
    ) -> dict[BalanceKey, Decimal]:
        ordered = sorted(deltas)
        if not ordered:
            return {}
        params = {
            "t": tenant_id,
            "now": now,
            "s": joined([k[0] for k in ordered]),
            "i": joined([k[1] for k in ordered]),
            "l": joined([k[2] for k in ordered]),
            "q": joined([deltas[k].on_hand for k in ordered]),
        }
        if all(not (d.reserved or d.in_transit or d.on_order) for d in deltas.values()):
            rows = self._run(_UPSERT_ON_HAND, params)
        else:
            for param, column in _COMMITTED:
                params[param] = joined([getattr(deltas[k], column) for k in ordered])
            rows = self._run(_UPSERT, params)
        return {(s, i, lk): q for s, i, lk, q in rows}

    def _run(self, stmt: Any, params: dict[str, Any], *, named: bool = False) -> list[Any]:
        """Run one statement on the session's connection through the driver's own cursor: its rows are built
        in C (SQLAlchemy's result processing cost more per row than the statements here)."""
        raw = self.session.connection().connection.driver_connection
        assert raw is not None
        with raw.cursor(row_factory=namedtuple_row if named else tuple_row) as cur:
            cur.execute(_driver_sql(stmt), params)
            return cur.fetchall() if cur.description is not None else []


@lru_cache(maxsize=64)
def _driver_sql(stmt: Any) -> str:
    """A ``text()`` statement in the driver's parameter style (``:name`` -> ``%(name)s``)."""
    return re.sub(r"(?<![:\w]):(\w+)", r"%(\1)s", str(stmt.text))
