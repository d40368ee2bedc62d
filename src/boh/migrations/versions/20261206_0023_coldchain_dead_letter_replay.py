"""coldchain: dead letters can be replayed (status, attempts, who and when)

Revision ID: 0107deadletters
Revises: 0107humidity
Create Date: 2026-12-06 21:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import boh.kernel.types

revision: str = "0107deadletters"
down_revision: str | None = "0107humidity"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("coldchain_dead_letter") as batch_op:
        batch_op.add_column(sa.Column("status", sa.String(length=10), server_default="open", nullable=False))
        batch_op.add_column(sa.Column("attempts", sa.Integer(), server_default="0", nullable=False))
        batch_op.add_column(sa.Column("replayed_at", boh.kernel.types.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("replayed_by", sa.String(length=120), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("coldchain_dead_letter") as batch_op:
        batch_op.drop_column("replayed_by")
        batch_op.drop_column("replayed_at")
        batch_op.drop_column("attempts")
        batch_op.drop_column("status")
