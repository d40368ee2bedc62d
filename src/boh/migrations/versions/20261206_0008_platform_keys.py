"""platform keys (the operators' keys that manage tenants)

Revision ID: 0008platformkeys
Revises: 0007deadletters
Create Date: 2026-12-06 15:00:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import boh.kernel.types


revision: str = '0008platformkeys'
down_revision: str | None = '0007deadletters'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('org_platform_key',
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('prefix', sa.String(length=16), nullable=False),
    sa.Column('key_hash', sa.String(length=64), nullable=False),
    sa.Column('revoked_at', boh.kernel.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('created_at', boh.kernel.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', boh.kernel.types.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_org_platform_key')),
    sa.UniqueConstraint('prefix', name=op.f('uq_org_platform_key_prefix'))
    )


def downgrade() -> None:
    op.drop_table('org_platform_key')
