"""login sessions (access tokens end with their session) and usernames unique per tenant

Revision ID: 0101authsessions
Revises: 0200kitchen
Create Date: 2026-12-06 18:00:00
"""
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

import boh.kernel.types


revision: str = '0101authsessions'
down_revision: str | None = '0200kitchen'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _rebuild_org_user(old: list[str], new: list[str]) -> None:
    """Swap org_user's unique constraint. SQLite rebuilds the table to do it, and dropping the old table with
    foreign keys on would cascade-delete every role assignment and refresh token: they are switched off
    around the rebuild (a pragma that works only outside a transaction, hence the commit around it)."""
    bind = op.get_bind()
    sqlite = bind.dialect.name == "sqlite"
    if sqlite:
        bind.exec_driver_sql("COMMIT")
        bind.exec_driver_sql("PRAGMA foreign_keys=OFF")
        bind.exec_driver_sql("BEGIN IMMEDIATE")
    with op.batch_alter_table('org_user') as batch:
        batch.drop_constraint('uq_org_user_' + '_'.join(old), type_='unique')
        batch.create_unique_constraint('uq_org_user_' + '_'.join(new), new)
    if sqlite:
        bind.exec_driver_sql("COMMIT")
        bind.exec_driver_sql("PRAGMA foreign_keys=ON")
        bind.exec_driver_sql("BEGIN IMMEDIATE")


def upgrade() -> None:
    _rebuild_org_user(['username'], ['tenant_id', 'username'])
    session = op.create_table('org_login_session',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('tenant_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('user_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('created_at', boh.kernel.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('ended_at', boh.kernel.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('ended_reason', sa.String(length=40), nullable=True),
    sa.ForeignKeyConstraint(['tenant_id'], ['org_tenant.id'], name=op.f('fk_org_login_session_tenant_id_org_tenant')),
    sa.ForeignKeyConstraint(['user_id'], ['org_user.id'], name=op.f('fk_org_login_session_user_id_org_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_org_login_session'))
    )
    with op.batch_alter_table('org_login_session', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_org_login_session_tenant_id'), ['tenant_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_org_login_session_user_id'), ['user_id'], unique=False)
    # a session for every refresh-token family still alive, so signed-in consoles and clients keep their
    # sessions (their next access token, which names the session, comes from the refresh)
    bind = op.get_bind()
    live = bind.execute(sa.text(
        "SELECT rt.family, MIN(u.tenant_id), MIN(rt.user_id) FROM org_refresh_token rt "
        "JOIN org_user u ON u.id = rt.user_id WHERE rt.revoked = :no GROUP BY rt.family"
    ), {"no": False}).all()
    now = datetime.now(UTC)
    rows = [{"id": f, "tenant_id": t, "user_id": u, "created_at": now} for f, t, u in live if _is_uuid(f)]
    if rows:
        op.bulk_insert(session, rows)


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def downgrade() -> None:
    with op.batch_alter_table('org_login_session', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_org_login_session_user_id'))
        batch_op.drop_index(batch_op.f('ix_org_login_session_tenant_id'))
    op.drop_table('org_login_session')
    _rebuild_org_user(['tenant_id', 'username'], ['username'])
