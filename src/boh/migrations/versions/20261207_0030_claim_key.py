"""ingestion: the event claim's key is its identity (no surrogate id)

Revision ID: 0110claimkey
Revises: 0109ingestidx
Create Date: 2026-12-07 06:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0110claimkey"
down_revision: str | None = "0109ingestidx"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# inventory_ingested_event is claimed on (tenant_id, source, event_id) and nothing reads it by id: the id cost
# every claim a sequence call and an entry in a second index. The key becomes the primary key (one index
# build on PostgreSQL; SQLite copies the table).
TABLE = "inventory_ingested_event"
PK = "pk_inventory_ingested_event"
UQ = "uq_inventory_ingested_event_tenant_id_source_event_id"
KEY = ["tenant_id", "source", "event_id"]
BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"ALTER TABLE {TABLE} DROP CONSTRAINT {PK}")
        op.execute(f"ALTER TABLE {TABLE} DROP COLUMN id")
        op.execute(f"ALTER TABLE {TABLE} DROP CONSTRAINT {UQ}, ADD CONSTRAINT {PK} PRIMARY KEY ({', '.join(KEY)})")
        return
    with op.batch_alter_table(TABLE, schema=None, recreate="always") as batch_op:
        batch_op.drop_constraint(UQ, type_="unique")
        batch_op.drop_column("id")
        batch_op.create_primary_key(PK, KEY)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"ALTER TABLE {TABLE} DROP CONSTRAINT {PK}")
        op.execute(f"ALTER TABLE {TABLE} ADD COLUMN id bigserial")
        op.execute(f"ALTER TABLE {TABLE} ADD CONSTRAINT {PK} PRIMARY KEY (id)")
        op.execute(f"ALTER TABLE {TABLE} ADD CONSTRAINT {UQ} UNIQUE ({', '.join(KEY)})")
        return
    with op.batch_alter_table(TABLE, schema=None, recreate="always") as batch_op:
        batch_op.add_column(sa.Column("id", BIG_ID, autoincrement=True, nullable=True))
    op.execute(f"UPDATE {TABLE} SET id = rowid")
    with op.batch_alter_table(TABLE, schema=None, recreate="always") as batch_op:
        batch_op.alter_column("id", existing_type=BIG_ID, nullable=False)
        batch_op.drop_constraint(PK, type_="primary")
        batch_op.create_primary_key(PK, ["id"])
        batch_op.create_unique_constraint(UQ, KEY)
