"""Platform API under /api/v1/platform: tenants (companies), for platform keys only (see boh.org.platform)."""

from __future__ import annotations

from fastapi import Request

from boh.http.deps import UowDep
from boh.http.routing import SecureRouter
from boh.org import platform
from boh.org.access import PLATFORM_READ, PLATFORM_WRITE

router = SecureRouter(prefix="/api/v1/platform")
TAGS = ["platform"]


@router.get("/tenants", perm=PLATFORM_READ, tags=TAGS, response_model=list[platform.TenantRead])
def list_tenants(uow: UowDep) -> list[platform.TenantRead]:
    return platform.list_tenants(uow)


@router.post(
    "/tenants",
    perm=PLATFORM_WRITE,
    tags=TAGS,
    status_code=201,
    response_model=platform.TenantCreated,
    summary="Create a tenant with its first admin (a generated password is shown once) and its own audit chain",
)
def create_tenant(request: Request, uow: UowDep, body: platform.TenantCreate) -> platform.TenantCreated:
    created = platform.create_tenant(uow, body)
    settings, session = request.app.state.settings, uow.session
    uow.after_commit(lambda: platform.checkpoint_chain(settings, session, created.id))
    uow.commit()
    return created


@router.post("/tenants/{tenant_id}/disable", perm=PLATFORM_WRITE, tags=TAGS, response_model=platform.TenantRead)
def disable_tenant(uow: UowDep, tenant_id: int) -> platform.TenantRead:
    """Every token, console session and API key of the tenant stops working at once (403 auth.tenant_disabled)."""
    tenant = platform.set_active(uow, tenant_id, False)
    uow.commit()
    return tenant


@router.post("/tenants/{tenant_id}/enable", perm=PLATFORM_WRITE, tags=TAGS, response_model=platform.TenantRead)
def enable_tenant(uow: UowDep, tenant_id: int) -> platform.TenantRead:
    tenant = platform.set_active(uow, tenant_id, True)
    uow.commit()
    return tenant
