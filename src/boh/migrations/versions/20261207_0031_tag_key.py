"""ingestion: an RFID tag is keyed by its EPC, its (site, item) indexes split by status

Revision ID: 0111tagkey
Revises: 0110claimkey
Create Date: 2026-12-07 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from alembic.operations import BatchOperations

revision: str = "0111tagkey"
down_revision: str | None = "0110claimkey"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Every tag write (a read, a sale marking the tag sold) is a new row version with an entry in every index
# (the status is indexed, so it is never a HOT update). Two entries fewer per sold tag:
# - the tag is found by (tenant_id, epc) everywhere and nothing reads it by id: that key becomes the primary
#   key and the surrogate id goes (its index took one entry per write);
# - the (site, item, status, seen) index is split by status: present tags by when last seen (what a sale
#   marks, what a zone session expects), the others by status and sale time (the swap candidates of an exit
#   read). A sold tag's new version goes into the second only, where one index took both versions.
# One index build each on PostgreSQL; SQLite copies the table.
TABLE = "inventory_rfid_tag"
PK = "pk_inventory_rfid_tag"
UQ = "uq_inventory_rfid_tag_tenant_id_epc"
SEEN = "ix_inventory_rfid_tag_site_item_status_seen"
SEEN_COLS = ["tenant_id", "site_id", "item_id", "status", "last_seen_at", "epc"]
PRESENT = sa.text("status = 'present'")
GONE = sa.text("status <> 'present'")
BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _split_indexes(batch_op: BatchOperations) -> None:
    batch_op.drop_index(SEEN)
    batch_op.create_index(
        "ix_inventory_rfid_tag_present", ["tenant_id", "site_id", "item_id", "last_seen_at", "epc"], unique=False,
        postgresql_where=PRESENT, sqlite_where=PRESENT,
    )  # fmt: skip
    batch_op.create_index(
        "ix_inventory_rfid_tag_gone", ["tenant_id", "site_id", "item_id", "status", "sold_at"], unique=False,
        postgresql_where=GONE, sqlite_where=GONE,
    )  # fmt: skip


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"ALTER TABLE {TABLE} DROP CONSTRAINT {PK}")
        op.execute(f"ALTER TABLE {TABLE} DROP COLUMN id")
        op.execute(f"ALTER TABLE {TABLE} DROP CONSTRAINT {UQ}, ADD CONSTRAINT {PK} PRIMARY KEY (tenant_id, epc)")
        with op.batch_alter_table(TABLE, schema=None) as batch_op:
            _split_indexes(batch_op)
        return
    with op.batch_alter_table(TABLE, schema=None, recreate="always") as batch_op:
        batch_op.drop_constraint(UQ, type_="unique")
        batch_op.drop_column("id")
        batch_op.create_primary_key(PK, ["tenant_id", "epc"])
    with op.batch_alter_table(TABLE, schema=None) as batch_op:
        _split_indexes(batch_op)


def downgrade() -> None:
    with op.batch_alter_table(TABLE, schema=None) as batch_op:
        batch_op.drop_index("ix_inventory_rfid_tag_gone")
        batch_op.drop_index("ix_inventory_rfid_tag_present")
        batch_op.create_index(SEEN, SEEN_COLS, unique=False)
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"ALTER TABLE {TABLE} DROP CONSTRAINT {PK}")
        op.execute(f"ALTER TABLE {TABLE} ADD COLUMN id bigserial")
        op.execute(f"ALTER TABLE {TABLE} ADD CONSTRAINT {PK} PRIMARY KEY (id)")
        op.execute(f"ALTER TABLE {TABLE} ADD CONSTRAINT {UQ} UNIQUE (tenant_id, epc)")
        return
    with op.batch_alter_table(TABLE, schema=None, recreate="always") as batch_op:
        batch_op.add_column(sa.Column("id", BIG_ID, autoincrement=True, nullable=True))
    op.execute(f"UPDATE {TABLE} SET id = rowid")
    with op.batch_alter_table(TABLE, schema=None, recreate="always") as batch_op:
        batch_op.alter_column("id", existing_type=BIG_ID, nullable=False)
        batch_op.drop_constraint(PK, type_="primary")
        batch_op.create_primary_key(PK, ["id"])
        batch_op.create_unique_constraint(UQ, ["tenant_id", "epc"])
