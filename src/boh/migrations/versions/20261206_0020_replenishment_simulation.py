"""replenishment simulation: stored policy-simulation runs and the operating point chosen per category

Revision ID: 0105replsim
Revises: 0102ingestperf
Create Date: 2026-12-06 20:40:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import boh.kernel.types


revision: str = '0105replsim'
down_revision: str | None = '0102ingestperf'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')


def upgrade() -> None:
    op.create_table('replenishment_sim_run',
    sa.Column('tenant_id', ID, nullable=False),
    sa.Column('started_at', boh.kernel.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('label', sa.String(length=120), nullable=False),
    sa.Column('source', sa.String(length=200), nullable=False),
    sa.Column('series', sa.Integer(), nullable=False),
    sa.Column('seconds', boh.kernel.types.ExactDecimal(precision=12, scale=4), nullable=False),
    sa.Column('created_by', sa.String(length=120), nullable=False),
    sa.Column('params', sa.JSON(), nullable=False),
    sa.Column('summary', sa.JSON(), nullable=False),
    sa.Column('curves', sa.JSON(), nullable=False),
    sa.Column('traces', sa.JSON(), nullable=False),
    sa.Column('id', ID, autoincrement=True, nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['org_tenant.id'], name=op.f('fk_replenishment_sim_run_tenant_id_org_tenant')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_replenishment_sim_run'))
    )
    with op.batch_alter_table('replenishment_sim_run', schema=None) as batch_op:
        batch_op.create_index('ix_replenishment_sim_run_tenant_started', ['tenant_id', 'started_at'], unique=False)

    op.create_table('replenishment_sim_choice',
    sa.Column('tenant_id', ID, nullable=False),
    sa.Column('run_id', ID, nullable=False),
    sa.Column('category', sa.String(length=40), nullable=False),
    sa.Column('policy', sa.String(length=20), nullable=False),
    sa.Column('param', boh.kernel.types.ExactDecimal(precision=12, scale=4), nullable=False),
    sa.Column('chosen_by', sa.String(length=120), nullable=False),
    sa.Column('chosen_at', boh.kernel.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('id', ID, autoincrement=True, nullable=False),
    sa.ForeignKeyConstraint(['run_id'], ['replenishment_sim_run.id'], name=op.f('fk_replenishment_sim_choice_run_id_replenishment_sim_run'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['org_tenant.id'], name=op.f('fk_replenishment_sim_choice_tenant_id_org_tenant')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_replenishment_sim_choice')),
    sa.UniqueConstraint('run_id', 'category', name=op.f('uq_replenishment_sim_choice_run_id_category'))
    )


def downgrade() -> None:
    op.drop_table('replenishment_sim_choice')
    with op.batch_alter_table('replenishment_sim_run', schema=None) as batch_op:
        batch_op.drop_index('ix_replenishment_sim_run_tenant_started')
    op.drop_table('replenishment_sim_run')
