"""Tables of supplier certificates and of the tenant's certificate requirements."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Boolean, Date, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from boh.kernel.db import Base, IdMixin, TimestampMixin


class SupplierCertificate(IdMixin, TimestampMixin, Base):
    """A certificate a supplier holds: valid from ``valid_from`` to ``valid_to`` inclusive. A revoked one
    (withdrawn by the issuer or entered by mistake) no longer counts, but stays on record."""

    __tablename__ = "catalog_supplier_certificate"
    __table_args__ = (
        UniqueConstraint("supplier_id", "cert_type", "number"),
        Index("ix_catalog_supplier_certificate_tenant_valid_to", "tenant_id", "valid_to"),
    )

    tenant_id: Mapped[int] = mapped_column(ForeignKey("org_tenant.id"))
    supplier_id: Mapped[int] = mapped_column(ForeignKey("catalog_supplier.id"), index=True)
    # food_safety | organic | halal | business_licence | food_licence | other
    cert_type: Mapped[str] = mapped_column(String(30))
    number: Mapped[str] = mapped_column(String(80))
    issuer: Mapped[str] = mapped_column(String(200))
    valid_from: Mapped[date] = mapped_column(Date)
    valid_to: Mapped[date] = mapped_column(Date)
    scope_note: Mapped[str | None] = mapped_column(String(500))
    document_key: Mapped[str | None] = mapped_column(String(512))
    document_name: Mapped[str | None] = mapped_column(String(200))
    document_type: Mapped[str | None] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(10), default="active")  # active | revoked


class CertificateRequirement(IdMixin, TimestampMixin, Base):
    """A certificate type the tenant requires: of every supplier (no supplier, no category), of one supplier,
    or of whoever delivers items of a category (and its sub-categories). ``action`` is what a receipt gets
    when the required certificate is expired or missing on the delivery date: block or quarantine."""

    __tablename__ = "catalog_certificate_requirement"
    __table_args__ = (Index("ix_catalog_certificate_requirement_tenant", "tenant_id", "active"),)

    tenant_id: Mapped[int] = mapped_column(ForeignKey("org_tenant.id"))
    cert_type: Mapped[str] = mapped_column(String(30))
    supplier_id: Mapped[int | None] = mapped_column(ForeignKey("catalog_supplier.id"))
    category_id: Mapped[int | None] = mapped_column(ForeignKey("catalog_category.id"))
    action: Mapped[str] = mapped_column(String(10))  # block | quarantine
    note: Mapped[str | None] = mapped_column(String(300))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
