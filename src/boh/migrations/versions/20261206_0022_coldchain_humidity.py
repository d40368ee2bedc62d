"""coldchain: humidity limits per unit (minimum, maximum, hysteresis in % RH)

Revision ID: 0107humidity
Revises: 0107certs
Create Date: 2026-12-06 21:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import boh.kernel.types

revision: str = "0107humidity"
down_revision: str | None = "0107certs"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("coldchain_unit") as batch_op:
        batch_op.add_column(sa.Column("humidity_min_pct", boh.kernel.types.ExactDecimal(8, 2), nullable=True))
        batch_op.add_column(sa.Column("humidity_max_pct", boh.kernel.types.ExactDecimal(8, 2), nullable=True))
        batch_op.add_column(
            sa.Column("humidity_hysteresis_pct", boh.kernel.types.ExactDecimal(8, 2), server_default="2", nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("coldchain_unit") as batch_op:
        batch_op.drop_column("humidity_hysteresis_pct")
        batch_op.drop_column("humidity_max_pct")
        batch_op.drop_column("humidity_min_pct")
