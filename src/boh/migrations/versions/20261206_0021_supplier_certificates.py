"""catalog: supplier certificates and the tenant's certificate requirements

Revision ID: 0107certs
Revises: 0105replsim
Create Date: 2026-12-06 20:45:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import boh.kernel.types

revision: str = "0107certs"
down_revision: str | None = "0105replsim"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _stamps() -> list[sa.Column]:  # type: ignore[type-arg]
    return [
        sa.Column("created_at", boh.kernel.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", boh.kernel.types.UTCDateTime(timezone=True), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "catalog_supplier_certificate",
        sa.Column("tenant_id", ID, nullable=False),
        sa.Column("supplier_id", ID, nullable=False),
        sa.Column("cert_type", sa.String(length=30), nullable=False),
        sa.Column("number", sa.String(length=80), nullable=False),
        sa.Column("issuer", sa.String(length=200), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_to", sa.Date(), nullable=False),
        sa.Column("scope_note", sa.String(length=500), nullable=True),
        sa.Column("document_key", sa.String(length=512), nullable=True),
        sa.Column("document_name", sa.String(length=200), nullable=True),
        sa.Column("document_type", sa.String(length=100), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("id", ID, autoincrement=True, nullable=False),
        *_stamps(),
        sa.ForeignKeyConstraint(
            ["supplier_id"], ["catalog_supplier.id"],
            name=op.f("fk_catalog_supplier_certificate_supplier_id_catalog_supplier"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["org_tenant.id"], name=op.f("fk_catalog_supplier_certificate_tenant_id_org_tenant")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_catalog_supplier_certificate")),
        sa.UniqueConstraint(
            "supplier_id", "cert_type", "number",
            name=op.f("uq_catalog_supplier_certificate_supplier_id_cert_type_number"),
        ),
    )  # fmt: skip
    with op.batch_alter_table("catalog_supplier_certificate") as batch_op:
        batch_op.create_index("ix_catalog_supplier_certificate_tenant_valid_to", ["tenant_id", "valid_to"])
        batch_op.create_index(batch_op.f("ix_catalog_supplier_certificate_supplier_id"), ["supplier_id"])
    op.create_table(
        "catalog_certificate_requirement",
        sa.Column("tenant_id", ID, nullable=False),
        sa.Column("cert_type", sa.String(length=30), nullable=False),
        sa.Column("supplier_id", ID, nullable=True),
        sa.Column("category_id", ID, nullable=True),
        sa.Column("action", sa.String(length=10), nullable=False),
        sa.Column("note", sa.String(length=300), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("id", ID, autoincrement=True, nullable=False),
        *_stamps(),
        sa.ForeignKeyConstraint(
            ["category_id"], ["catalog_category.id"],
            name=op.f("fk_catalog_certificate_requirement_category_id_catalog_category"),
        ),
        sa.ForeignKeyConstraint(
            ["supplier_id"], ["catalog_supplier.id"],
            name=op.f("fk_catalog_certificate_requirement_supplier_id_catalog_supplier"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["org_tenant.id"], name=op.f("fk_catalog_certificate_requirement_tenant_id_org_tenant")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_catalog_certificate_requirement")),
    )  # fmt: skip
    with op.batch_alter_table("catalog_certificate_requirement") as batch_op:
        batch_op.create_index("ix_catalog_certificate_requirement_tenant", ["tenant_id", "active"])


def downgrade() -> None:
    with op.batch_alter_table("catalog_certificate_requirement") as batch_op:
        batch_op.drop_index("ix_catalog_certificate_requirement_tenant")
    op.drop_table("catalog_certificate_requirement")
    with op.batch_alter_table("catalog_supplier_certificate") as batch_op:
        batch_op.drop_index(batch_op.f("ix_catalog_supplier_certificate_supplier_id"))
        batch_op.drop_index("ix_catalog_supplier_certificate_tenant_valid_to")
    op.drop_table("catalog_supplier_certificate")
