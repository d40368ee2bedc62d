"""ingestion: one index entry fewer per floor-sale move and per RFID tag write

Revision ID: 0109ingestidx
Revises: 0108podocs
Create Date: 2026-12-07 03:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0109ingestidx"
down_revision: str | None = "0108podocs"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# - inventory_move: the lot index (lot genealogy) holds only the moves of a lot. Floor sales have none and
#   each paid for an entry; every reader compares lot_id (a strict comparison proves the predicate).
# - inventory_rfid_tag: the (site, zone, status) index goes. Every tag write (a read, a sale marking it
#   sold) paid for an entry; its only reader, the close of a zone session, reads the site's present tags
#   through ix_inventory_rfid_tag_site_item_status_seen.
LOT_ONLY = sa.text("lot_id IS NOT NULL")


def upgrade() -> None:
    with op.batch_alter_table("inventory_move", schema=None) as batch_op:
        batch_op.drop_index("ix_inventory_move_lot")
        batch_op.create_index(
            "ix_inventory_move_lot", ["tenant_id", "lot_id"], unique=False,
            postgresql_where=LOT_ONLY, sqlite_where=LOT_ONLY,
        )  # fmt: skip
    with op.batch_alter_table("inventory_rfid_tag", schema=None) as batch_op:
        batch_op.drop_index("ix_inventory_rfid_tag_site_zone_status")


def downgrade() -> None:
    with op.batch_alter_table("inventory_rfid_tag", schema=None) as batch_op:
        batch_op.create_index(
            "ix_inventory_rfid_tag_site_zone_status", ["tenant_id", "site_id", "last_zone", "status"], unique=False
        )
    with op.batch_alter_table("inventory_move", schema=None) as batch_op:
        batch_op.drop_index("ix_inventory_move_lot")
        batch_op.create_index("ix_inventory_move_lot", ["tenant_id", "lot_id"], unique=False)
