"""The platform level: operators who manage tenants (companies), above and outside every tenant.

A platform principal authenticates with a platform key (``X-API-Key: bohp_<prefix>_<secret>``), created
with ``boh platform key create`` and shown once; only its SHA-256 is stored. Its permissions
(``platform.tenant.read`` / ``.write``) are not in the tenants' vocabulary, so no tenant role, not even
hq_admin, holds them, and a platform key holds nothing inside a tenant: deny by default both ways.

A tenant is created with its first admin (hq_admin) and its own audit chain, whose first record is the
tenant's creation; the caller checkpoints that chain after commit. A disabled tenant's tokens, console
sessions and API keys stop working at once (``ensure_tenant_active``, called by the authenticator).
"""

from __future__ import annotations

import secrets
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, SecretStr
from sqlalchemy import select
from sqlalchemy.orm import Session

from boh.kernel import cache as kernel_cache
from boh.kernel.audit_checkpoints import load_keys, write_checkpoints
from boh.kernel.blobs import open_blob_store
from boh.kernel.permissions import ALL_PERMISSIONS
from boh.kernel.tenancy import Principal
from boh.kernel.uow import UnitOfWork
from boh.org import service
from boh.org.access import API_KEYS_CACHE, PLATFORM_READ, PLATFORM_WRITE
from boh.org.errors import TenantNotFound
from boh.org.models import Tenant
from boh.org.schemas import RoleGrant, UserCreate
from boh.settings import Settings

# --- tenants ------------------------------------------------------------------------------------------

Code = Annotated[str, Field(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")]


class TenantCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: Code
    name: str = Field(min_length=1, max_length=200)
    name_zh: str | None = Field(default=None, max_length=200)
    base_currency: str = Field(default="CNY", pattern=r"^[A-Z]{3}$")
    default_locale: str = Field(default="zh_CN", pattern=r"^(zh_CN|en)$")
    admin_username: str = Field(min_length=3, max_length=120, pattern=r"^[A-Za-z0-9_.@-]+$")
    admin_display_name: str | None = Field(default=None, max_length=200)
    admin_password: SecretStr | None = Field(
        default=None, min_length=10, max_length=200, description="Omit to have one generated and shown once"
    )


class TenantRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    code: str
    name: str
    name_zh: str | None
    base_currency: str
    default_locale: str
    active: bool


class TenantCreated(TenantRead):
    admin_user_id: int
    admin_username: str
    admin_password: str | None = Field(description="The generated password, shown once (null if you set one)")


def _operator_inside(uow: UnitOfWork, tenant_id: int) -> Principal:
    """The operator, acting inside a tenant it sets up (audited as itself, on that tenant's chain)."""
    op = uow.principal
    return Principal(kind=op.kind, id=op.id, tenant_id=tenant_id, name=op.name, grants=dict.fromkeys(ALL_PERMISSIONS))


def create_tenant(uow: UnitOfWork, data: TenantCreate) -> TenantCreated:
    uow.principal.scope(PLATFORM_WRITE)
    tenant = service.create_tenant(
        uow,
        code=data.code,
        name=data.name,
        name_zh=data.name_zh,
        base_currency=data.base_currency,
        default_locale=data.default_locale,
    )
    generated = None if data.admin_password is not None else secrets.token_urlsafe(12)
    password = data.admin_password.get_secret_value() if data.admin_password is not None else str(generated)
    with uow.acting_as(_operator_inside(uow, tenant.id)):
        user = service.create_user(
            uow,
            UserCreate(
                username=data.admin_username,
                display_name=data.admin_display_name or data.admin_username,
                password=password,
                locale=data.default_locale,
                roles=[RoleGrant(role="hq_admin")],
            ),  # type: ignore[arg-type]
        )
    read = TenantRead.model_validate(tenant)
    return TenantCreated(
        **read.model_dump(), admin_user_id=user.id, admin_username=user.username, admin_password=generated
    )


def list_tenants(uow: UnitOfWork) -> list[TenantRead]:
    uow.principal.scope(PLATFORM_READ)
    return [TenantRead.model_validate(t) for t in uow.session.scalars(select(Tenant).order_by(Tenant.code))]


def tenant_by_code(session: Session, code: str) -> Tenant:
    tenant = session.scalars(select(Tenant).where(Tenant.code == code)).one_or_none()
    if tenant is None:
        raise TenantNotFound(f"tenant '{code}' not found")
    return tenant


def set_active(uow: UnitOfWork, tenant_id: int, active: bool) -> TenantRead:
    uow.principal.scope(PLATFORM_WRITE)
    tenant = uow.session.get(Tenant, tenant_id, with_for_update=True)
    if tenant is None:
        raise TenantNotFound(f"tenant {tenant_id} not found")
    if tenant.active != active:
        tenant.active = active
        action = "org.tenant.enable" if active else "org.tenant.disable"
        before, after = {"active": not active}, {"active": active}
        uow.audit(action, "tenant", tenant.id, before=before, after=after, chain_id=tenant.id)
    session = uow.session  # this process serves no cached API key of it, before or after the commit
    kernel_cache.forget(session, API_KEYS_CACHE)
    uow.after_commit(lambda: kernel_cache.forget(session, API_KEYS_CACHE))
    return TenantRead.model_validate(tenant)


def checkpoint_chain(settings: Settings, session: Session, tenant_id: int) -> None:
    """Sign the new tenant's chain from its first record on (after commit; the scheduled job retries)."""
    write_checkpoints(session, open_blob_store(settings), load_keys(settings), [tenant_id])
