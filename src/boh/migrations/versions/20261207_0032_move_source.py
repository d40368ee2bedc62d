"""ledger: the move source index holds no sale or return (PostgreSQL)

Revision ID: 0112movesrc
Revises: 0111tagkey
Create Date: 2026-12-07 09:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0112movesrc"
down_revision: str | None = "0111tagkey"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# inventory_move (tenant_id, source_type, source_id) is read for the moves of a document of another kind: a
# transfer's receipts, a production batch's moves, a reservation's shipment. Nothing looks a sale or a return
# up by its source, and floor sales (most moves) each paid for an entry with a long text key. Every reader
# states its move type (a constant, or a constant list), which proves the condition. SQLite keeps the whole
# index: it uses a partial index only for a query that repeats the condition word for word.
INDEX = "ix_inventory_move_source"
COLS = ["tenant_id", "source_type", "source_id"]
NOT_SOLD = sa.text("move_type NOT IN ('sale', 'return')")


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.drop_index(INDEX, table_name="inventory_move")
    op.create_index(INDEX, "inventory_move", COLS, unique=False, postgresql_where=NOT_SOLD)


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.drop_index(INDEX, table_name="inventory_move")
    op.create_index(INDEX, "inventory_move", COLS, unique=False)
