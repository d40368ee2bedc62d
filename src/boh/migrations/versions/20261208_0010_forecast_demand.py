"""forecasting: the demand forecast beside the sales forecast (the days store ordering reads: the daily-ordering
model's forecast of demand with stockouts recovered, and its quantiles)

Revision ID: 0113fcdemand
Revises: 0112movesrc
Create Date: 2026-12-08 01:15:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import boh.kernel.types

revision: str = "0113fcdemand"
down_revision: str | None = "0112movesrc"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = ("demand", "demand_q10", "demand_q50", "demand_q80", "demand_q90", "demand_q95", "demand_q99")


def upgrade() -> None:
    with op.batch_alter_table("forecasting_forecast", schema=None) as batch_op:
        for col in COLUMNS:
            batch_op.add_column(sa.Column(col, boh.kernel.types.ExactDecimal(precision=18, scale=6), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("forecasting_forecast", schema=None) as batch_op:
        for col in reversed(COLUMNS):
            batch_op.drop_column(col)
