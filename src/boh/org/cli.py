"""CLI helpers of the org domain (mounted by boh.cli.main)."""

from __future__ import annotations

from typing import Protocol

from sqlalchemy import select

from boh.kernel.errors import NotFound
from boh.kernel.uow import UnitOfWork
from boh.org import service
from boh.org.models import Tenant
from boh.org.schemas import RoleGrant, UserCreate


class _Runtime(Protocol):
    def system_uow(self, tenant_id: int, request_id: str | None = None) -> UnitOfWork: ...


def parse_role(spec: str) -> RoleGrant:
    """ "store_manager@S001" (a site), "regional_manager@region:EAST" (a region), "buyer" (tenant-wide)."""
    role, _, where = spec.partition("@")
    if where.startswith("region:"):
        return RoleGrant(role=role, region_code=where.removeprefix("region:"))
    return RoleGrant(role=role, site_code=where or None)


def tenant_id_by_code(uow: UnitOfWork, code: str) -> int:
    tid = uow.session.scalars(select(Tenant.id).where(Tenant.code == code)).first()
    if tid is None:
        raise NotFound(f"tenant '{code}' not found")
    return tid


def create_user(
    rt: _Runtime, tenant: str, username: str, display_name: str, password: str, roles: list[str], locale: str
) -> int:
    with rt.system_uow(0) as probe:
        tid = tenant_id_by_code(probe, tenant)
    with rt.system_uow(tid) as uow:
        user = service.create_user(
            uow,
            UserCreate(
                username=username,
                display_name=display_name,
                password=password,
                locale=locale,
                roles=[parse_role(r) for r in roles],
            ),
        )  # type: ignore[arg-type]
        uow.commit()
        return user.id
