"""every move carries its value; cost source and in-transit value per site x item

Revision ID: 0006values
Revises: 0005settings
Create Date: 2026-12-06

Backfill (existing ledgers): each move's value is its quantity x unit cost (half up, 6 places). Where a
site x item's recorded stock value differs from the sum of its moves' values (the old rule dropped the
difference when a receipt met zero or negative stock, and rounding residue at zero), one ``revaluation``
move (reason ``migration_true_up``) books the difference, so that value = sum of move values from here on.
The cost source is ``actual`` where a costed inflow exists, ``provisional`` where stock moved without one.
The in-transit value of a site is the value of its transfers out not yet received.
"""
from collections.abc import Sequence
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal

import sqlalchemy as sa
from alembic import op

import boh.kernel.types

revision: str = '0006values'
down_revision: str | None = '0005settings'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

Q = Decimal("0.000001")
money = boh.kernel.types.MoneyAmount
qty = boh.kernel.types.Qty

_move = sa.table(
    "inventory_move", sa.column("id", sa.BigInteger), sa.column("tenant_id", sa.BigInteger),
    sa.column("site_id", sa.BigInteger), sa.column("item_id", sa.BigInteger), sa.column("lot_id", sa.BigInteger),
    sa.column("move_type", sa.String), sa.column("reason_code", sa.String), sa.column("quantity", qty()),
    sa.column("unit_cost", money()), sa.column("value", money()), sa.column("provisional", sa.Boolean),
    sa.column("currency", sa.String), sa.column("counter_site_id", sa.BigInteger),
    sa.column("source_type", sa.String), sa.column("source_id", sa.String), sa.column("idempotency_key", sa.String),
    sa.column("negative", sa.Boolean), sa.column("event_at", boh.kernel.types.UTCDateTime()),
    sa.column("recorded_at", boh.kernel.types.UTCDateTime()), sa.column("actor", sa.String),
)
_cost = sa.table(
    "inventory_item_cost", sa.column("id", sa.BigInteger), sa.column("tenant_id", sa.BigInteger),
    sa.column("site_id", sa.BigInteger), sa.column("item_id", sa.BigInteger), sa.column("currency", sa.String),
    sa.column("quantity", qty()), sa.column("total_value", money()), sa.column("cost_source", sa.String),
    sa.column("transit_value", money()),
)


def _backfill(conn: sa.Connection) -> None:
    sums: dict[tuple[int, int, int], Decimal] = {}
    costed: set[tuple[int, int, int]] = set()
    transit: dict[tuple[int, int, int], Decimal] = {}
    received = {
        k for (k,) in conn.execute(sa.select(_move.c.idempotency_key).where(_move.c.move_type == "transfer_in"))
    }
    rows = conn.execute(
        sa.select(_move.c.id, _move.c.tenant_id, _move.c.site_id, _move.c.item_id, _move.c.move_type,
                  _move.c.quantity, _move.c.unit_cost).order_by(_move.c.id)
    ).all()
    updates = []
    for mid, t, s, i, kind, q, c in rows:
        value = (q * (c or 0)).quantize(Q, rounding=ROUND_HALF_UP)
        key = (t, s, i)
        sums[key] = sums.get(key, Decimal(0)) + value
        if c is not None and q > 0 and kind in ("receipt", "transfer_in", "production_output"):
            costed.add(key)
        if kind == "transfer_out" and f"transfer-in:{mid}" not in received:
            transit[key] = transit.get(key, Decimal(0)) - value
        if value:
            updates.append({"b_id": mid, "b_value": value})
    for start in range(0, len(updates), 1000):
        conn.execute(
            _move.update().where(_move.c.id == sa.bindparam("b_id")).values(value=sa.bindparam("b_value")),
            updates[start : start + 1000],
        )
    now = datetime.now(UTC)
    costs = conn.execute(
        sa.select(_cost.c.id, _cost.c.tenant_id, _cost.c.site_id, _cost.c.item_id, _cost.c.currency,
                  _cost.c.quantity, _cost.c.total_value)
    ).all()
    for cid, t, s, i, currency, q, v in costs:
        key = (t, s, i)
        gap = v - sums.get(key, Decimal(0))
        if gap:
            conn.execute(_move.insert().values(
                tenant_id=t, site_id=s, item_id=i, lot_id=None, move_type="revaluation",
                reason_code="migration_true_up", quantity=Decimal(0), unit_cost=None, value=gap, provisional=False,
                currency=currency, counter_site_id=None, source_type="migration", source_id="0006values",
                idempotency_key=f"migration:true-up:{s}:{i}", negative=False, event_at=now, recorded_at=now,
                actor="system:migration",
            ))
        source = "actual" if key in costed else ("provisional" if q else "none")
        conn.execute(
            _cost.update().where(_cost.c.id == cid).values(
                cost_source=source, transit_value=transit.get(key, Decimal(0))
            )
        )


def upgrade() -> None:
    with op.batch_alter_table('inventory_move') as batch:
        batch.add_column(sa.Column('value', money(), server_default='0', nullable=False))
        batch.add_column(sa.Column('provisional', sa.Boolean(), server_default=sa.false(), nullable=False))
    with op.batch_alter_table('inventory_item_cost') as batch:
        batch.add_column(sa.Column('cost_source', sa.String(length=12), server_default='none', nullable=False))
        batch.add_column(sa.Column('transit_value', money(), server_default='0', nullable=False))
    _backfill(op.get_bind())


def downgrade() -> None:
    op.execute("DELETE FROM inventory_move WHERE move_type = 'revaluation' AND reason_code = 'migration_true_up'")
    with op.batch_alter_table('inventory_item_cost') as batch:
        batch.drop_column('transit_value')
        batch.drop_column('cost_source')
    with op.batch_alter_table('inventory_move') as batch:
        batch.drop_column('provisional')
        batch.drop_column('value')
