"""forecasting: a forecast run asked for through the API is a background job (status, progress, error,
idempotency key, the request); the 10% quantile of forecasts (the lower bound of the chart's band)

Revision ID: 0106forecast2
Revises: 0107deadletters
Create Date: 2026-12-06 21:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import boh.kernel.types

revision: str = "0106forecast2"
down_revision: str | None = "0107deadletters"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("forecasting_run", schema=None) as batch_op:
        batch_op.add_column(sa.Column("status", sa.String(length=12), server_default="done", nullable=False))
        batch_op.add_column(sa.Column("progress", boh.kernel.types.ExactDecimal(precision=12, scale=4),
                                      server_default="0", nullable=False))  # fmt: skip
        batch_op.add_column(sa.Column("finished_at", boh.kernel.types.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("error", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("idempotency_key", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("request", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("requested_by", sa.String(length=64), nullable=True))
        batch_op.create_index("ix_forecasting_run_status", ["status", "id"], unique=False)
        batch_op.create_index("uq_forecasting_run_tenant_key", ["tenant_id", "idempotency_key"], unique=True)
    with op.batch_alter_table("forecasting_forecast", schema=None) as batch_op:
        batch_op.add_column(sa.Column("q10", boh.kernel.types.ExactDecimal(precision=18, scale=6), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("forecasting_forecast", schema=None) as batch_op:
        batch_op.drop_column("q10")
    with op.batch_alter_table("forecasting_run", schema=None) as batch_op:
        batch_op.drop_index("uq_forecasting_run_tenant_key")
        batch_op.drop_index("ix_forecasting_run_status")
        for col in ("requested_by", "request", "idempotency_key", "error", "finished_at", "progress", "status"):
            batch_op.drop_column(col)
