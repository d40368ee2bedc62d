"""receiving: the owner of an expected receipt / reservation (one receiving path), shipping-notice discrepancies

Revision ID: 0108receiving
Revises: 0104replenish
Create Date: 2026-12-06 23:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0108receiving"
down_revision: str | None = "0104replenish"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("inventory_commitment", schema=None) as batch_op:
        batch_op.add_column(sa.Column("owner", sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column("owner_link", sa.String(length=200), nullable=True))
    with op.batch_alter_table("purchasing_discrepancy", schema=None) as batch_op:
        batch_op.add_column(sa.Column("asn_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True))
        batch_op.add_column(sa.Column("expected_ref", sa.String(length=60), nullable=True))
        batch_op.add_column(sa.Column("actual_ref", sa.String(length=60), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_purchasing_discrepancy_asn_id_purchasing_asn"), "purchasing_asn", ["asn_id"], ["id"]
        )
    # what purchasing already has on order or reserved belongs to it (its commitments' keys start "purchasing:")
    op.execute(
        "UPDATE inventory_commitment SET owner = 'purchasing', owner_link = '/purchasing/receiving' "
        "WHERE idempotency_key LIKE 'purchasing:%'"
    )


def downgrade() -> None:
    with op.batch_alter_table("purchasing_discrepancy", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_purchasing_discrepancy_asn_id_purchasing_asn"), type_="foreignkey")
        batch_op.drop_column("actual_ref")
        batch_op.drop_column("expected_ref")
        batch_op.drop_column("asn_id")
    with op.batch_alter_table("inventory_commitment", schema=None) as batch_op:
        batch_op.drop_column("owner_link")
        batch_op.drop_column("owner")
