"""podocs: supplier order e-mail and language, pallet size of a supplier item, a site's receiving days, the
notify e-mail outbox (mails to outside addresses with an attachment)

Revision ID: 0108podocs
Revises: 0108receiving
Create Date: 2026-12-06 23:50:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import boh.kernel.types


revision: str = "0108podocs"
down_revision: str | None = "0108receiving"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    with op.batch_alter_table("catalog_supplier") as b:
        b.add_column(sa.Column("order_email", sa.String(length=254), nullable=True))
        b.add_column(sa.Column("language", sa.String(length=10), nullable=True))
    with op.batch_alter_table("catalog_supplier_item") as b:
        b.add_column(sa.Column("pallet_qty", boh.kernel.types.Qty(), nullable=True))
    with op.batch_alter_table("org_site") as b:
        b.add_column(sa.Column("receiving_days", sa.JSON(), nullable=False, server_default=sa.text("'[]'")))
    op.create_table(
        "notify_mail",
        sa.Column("tenant_id", ID, nullable=False),
        sa.Column("to_address", sa.String(length=254), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("attachment_name", sa.String(length=120), nullable=True),
        sa.Column("attachment_type", sa.String(length=80), nullable=True),
        sa.Column("attachment", sa.LargeBinary(), nullable=True),
        sa.Column("dedupe_key", sa.String(length=120), nullable=False),
        sa.Column("subject_type", sa.String(length=60), nullable=True),
        sa.Column("subject_id", sa.String(length=80), nullable=True),
        sa.Column("created_by", sa.String(length=120), nullable=False),
        sa.Column("created_at", boh.kernel.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("sent_at", boh.kernel.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.ForeignKeyConstraint(["tenant_id"], ["org_tenant.id"], name=op.f("fk_notify_mail_tenant_id_org_tenant")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notify_mail")),
        sa.UniqueConstraint("tenant_id", "dedupe_key", name=op.f("uq_notify_mail_tenant_id_dedupe_key")),
    )


def downgrade() -> None:
    op.drop_table("notify_mail")
    with op.batch_alter_table("org_site") as b:
        b.drop_column("receiving_days")
    with op.batch_alter_table("catalog_supplier_item") as b:
        b.drop_column("pallet_qty")
    with op.batch_alter_table("catalog_supplier") as b:
        b.drop_column("language")
        b.drop_column("order_email")
