"""ingestion: room for HOT updates in the balance and cost rows every sale rewrites

Revision ID: 0102ingestperf
Revises: 0102trace
Create Date: 2026-12-06 18:50:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0102ingestperf"
down_revision: str | None = "0102trace"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Every sale rewrites its (site, item) balance and cost rows. In full pages the new row version goes to
# another page and every index gets an entry; with 20% of each page free it stays in its page as a
# heap-only tuple (no index writes). Pages written from now on keep the room (a VACUUM FULL applies it to
# the old ones). A storage parameter of PostgreSQL: nothing to do on SQLite.
TABLES = ("inventory_balance", "inventory_item_cost")


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in TABLES:
            op.execute(f"ALTER TABLE {table} SET (fillfactor = 80)")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in TABLES:
            op.execute(f"ALTER TABLE {table} RESET (fillfactor)")
