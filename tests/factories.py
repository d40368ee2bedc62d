"""Plain, deterministic factories for tests."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi.testclient import TestClient

from boh.bootstrap import Runtime
from boh.org import service
from boh.org.schemas import RegionCreate, RoleGrant, SiteCreate, UserCreate

PASSWORD = "correct-horse-battery"


@dataclass
class TenantRef:
    id: int
    code: str


def make_tenant(rt: Runtime, code: str = "ACME", name: str = "Acme Foods") -> TenantRef:
    with rt.system_uow(0) as uow:
        t = service.create_tenant(uow, code=code, name=name, name_zh="阿克米食品")
        uow.commit()
        return TenantRef(t.id, code)


def make_region(rt: Runtime, tenant: TenantRef, code: str = "EAST", name: str = "East") -> int:
    with rt.system_uow(tenant.id) as uow:
        r = service.create_region(uow, RegionCreate(code=code, name=name, name_zh="华东"))
        uow.commit()
        return r.id


def make_site(
    rt: Runtime,
    tenant: TenantRef,
    code: str = "S001",
    *,
    kind: str = "store",
    region_code: str | None = None,
    **extra: Any,
) -> int:
    with rt.system_uow(tenant.id) as uow:
        s = service.create_site(
            uow,
            SiteCreate(
                code=code,
                name=f"Store {code}",
                name_zh=f"门店{code}",
                kind=kind,  # type: ignore[arg-type]
                region_code=region_code,
                **extra,
            ),
        )
        uow.commit()
        return s.id


def make_user(rt: Runtime, tenant: TenantRef, username: str, roles: list[tuple[str, str | None]], **extra: Any) -> int:
    """roles: (role, site_code) pairs; site_code None = tenant-wide."""
    grants = [RoleGrant(role=r, site_code=s) for r, s in roles]
    with rt.system_uow(tenant.id) as uow:
        u = service.create_user(
            uow, UserCreate(username=username, display_name=username.title(), password=PASSWORD, roles=grants, **extra)
        )
        uow.commit()
        return u.id


def tenant_of(client: TestClient, username: str) -> str | None:
    """The code of the one tenant that has ``username`` (usernames are unique per tenant), or None."""
    from sqlalchemy import select

    from boh.org.models import Tenant, User

    with client.app.state.session_factory() as session:  # type: ignore[attr-defined]
        codes = session.scalars(
            select(Tenant.code).join(User, User.tenant_id == Tenant.id).where(User.username == username)
        ).all()
    return codes[0] if len(codes) == 1 else None


def login(client: TestClient, username: str, password: str = PASSWORD, tenant: str | None = None) -> dict[str, str]:
    """Sign in through the API; the tenant is found from the username when only one tenant has it."""
    data = {"username": username, "password": password, "tenant": tenant or tenant_of(client, username) or ""}
    r = client.post("/api/v1/auth/token", data=data)
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['access_token']}"}
