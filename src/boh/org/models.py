"""Tables owned by the org domain."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from boh.kernel.db import Base, BigId, IdMixin, TimestampMixin
from boh.kernel.types import ExactDecimal, UTCDateTime


class Tenant(IdMixin, TimestampMixin, Base):
    __tablename__ = "org_tenant"

    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    name_zh: Mapped[str | None] = mapped_column(String(200))
    base_currency: Mapped[str] = mapped_column(String(3), default="CNY")
    default_locale: Mapped[str] = mapped_column(String(10), default="zh_CN")
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Region(IdMixin, TimestampMixin, Base):
    __tablename__ = "org_region"
    __table_args__ = (UniqueConstraint("tenant_id", "code"),)

    tenant_id: Mapped[int] = mapped_column(ForeignKey("org_tenant.id"), index=True)
    code: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(200))
    name_zh: Mapped[str | None] = mapped_column(String(200))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("org_region.id"))


class Site(IdMixin, TimestampMixin, Base):
    __tablename__ = "org_site"
    __table_args__ = (
        UniqueConstraint("tenant_id", "code"),
        Index("ix_org_site_tenant_region", "tenant_id", "region_id"),
    )

    tenant_id: Mapped[int] = mapped_column(ForeignKey("org_tenant.id"), index=True)
    region_id: Mapped[int | None] = mapped_column(ForeignKey("org_region.id"))
    code: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(200))
    name_zh: Mapped[str | None] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))  # store | dc | kitchen | office
    format: Mapped[str | None] = mapped_column(String(40))  # hypermarket, supermarket, convenience, restaurant...
    size_class: Mapped[str | None] = mapped_column(String(10))  # S M L XL
    timezone: Mapped[str] = mapped_column(String(64), default="Asia/Shanghai")
    currency: Mapped[str] = mapped_column(String(3), default="CNY")
    address: Mapped[str | None] = mapped_column(String(400))
    city: Mapped[str | None] = mapped_column(String(100))
    country: Mapped[str] = mapped_column(String(2), default="CN")
    latitude: Mapped[Decimal | None] = mapped_column(ExactDecimal(10, 6))
    longitude: Mapped[Decimal | None] = mapped_column(ExactDecimal(10, 6))
    opening_hours: Mapped[dict[str, list[str]]] = mapped_column(JSON, default=dict)  # {"mon": ["08:00-22:00"]}
    receiving_days: Mapped[list[str]] = mapped_column(JSON, default=list)  # ["mon", "thu"]; empty: every day
    area_m2: Mapped[Decimal | None] = mapped_column(ExactDecimal(12, 2))
    negative_stock: Mapped[str] = mapped_column(String(10), default="flag")  # flag | refuse
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class User(IdMixin, TimestampMixin, Base):
    __tablename__ = "org_user"
    __table_args__ = (
        UniqueConstraint("tenant_id", "username"),
        # a supplier user acts for a supplier of their own tenant: enforced by the database
        ForeignKeyConstraint(["supplier_id", "tenant_id"], ["catalog_supplier.id", "catalog_supplier.tenant_id"]),
    )

    tenant_id: Mapped[int] = mapped_column(ForeignKey("org_tenant.id"), index=True)
    username: Mapped[str] = mapped_column(String(120))  # unique within its tenant (login names the tenant)
    display_name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(254))
    password_hash: Mapped[str] = mapped_column(String(200))
    locale: Mapped[str] = mapped_column(String(10), default="zh_CN")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    supplier_id: Mapped[int | None] = mapped_column(BigInteger)  # supplier users: the supplier they act for
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class RoleAssignment(IdMixin, Base):
    """A role held in a scope: the whole tenant, one region (and its sites) or one site."""

    __tablename__ = "org_role_assignment"
    __table_args__ = (UniqueConstraint("user_id", "role", "region_id", "site_id"),)

    tenant_id: Mapped[int] = mapped_column(ForeignKey("org_tenant.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("org_user.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(40))
    region_id: Mapped[int | None] = mapped_column(ForeignKey("org_region.id"))
    site_id: Mapped[int | None] = mapped_column(ForeignKey("org_site.id"))


class RefreshToken(IdMixin, Base):
    __tablename__ = "org_refresh_token"

    user_id: Mapped[int] = mapped_column(ForeignKey("org_user.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    family: Mapped[str] = mapped_column(String(36), index=True)  # rotation family: reuse revokes it all
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)


class LoginSession(Base):
    """One sign-in. Its id is the family of its rotating refresh tokens and the ``sid`` claim of every access
    token issued from them; the authenticator looks it up on every request, so ending it (logout, a new
    password, a role taken away, deactivation, a reused refresh token) ends all of them at once."""

    __tablename__ = "org_login_session"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("org_tenant.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("org_user.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    ended_reason: Mapped[str | None] = mapped_column(String(40))


class ApiKey(IdMixin, TimestampMixin, Base):
    """A key for a device or an integration: scoped to a tenant, optionally one site, and a set of
    permissions. Only a SHA-256 hash of the secret is stored; the key is shown once."""

    __tablename__ = "org_api_key"

    tenant_id: Mapped[int] = mapped_column(ForeignKey("org_tenant.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    prefix: Mapped[str] = mapped_column(String(16), unique=True)
    key_hash: Mapped[str] = mapped_column(String(64))
    site_id: Mapped[int | None] = mapped_column(ForeignKey("org_site.id"))
    permissions: Mapped[list[str]] = mapped_column(JSON, default=list)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_by: Mapped[int | None] = mapped_column(BigId)


class PlatformKey(IdMixin, TimestampMixin, Base):
    """A key of the platform's operators (``boh platform key create``): it manages tenants and nothing
    inside them. No tenant principal, not even hq_admin, holds its permissions. Only a hash is stored."""

    __tablename__ = "org_platform_key"

    name: Mapped[str] = mapped_column(String(120))
    prefix: Mapped[str] = mapped_column(String(16), unique=True)
    key_hash: Mapped[str] = mapped_column(String(64))
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class LoginAttempt(IdMixin, Base):
    """Failed logins per client address, for throttling guessing across many usernames."""

    __tablename__ = "org_login_attempt"
    __table_args__ = (Index("ix_org_login_attempt_addr_at", "client", "at"),)

    client: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UTCDateTime())
