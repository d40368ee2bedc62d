"""CLI helpers of the org domain (mounted by boh.cli.main)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Protocol

import typer
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from boh.kernel.errors import BohError, NotFound
from boh.kernel.tenancy import Principal
from boh.kernel.uow import UnitOfWork
from boh.org import platform, service
from boh.org.access import PLATFORM_PERMISSIONS, create_platform_key, revoke_platform_key
from boh.org.models import Tenant
from boh.org.platform import TenantCreate
from boh.org.schemas import RoleGrant, UserCreate
from boh.settings import Settings


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


# --- boh tenant / boh platform (platform operators) -------------------------------------------------


class _PlatformRuntime(Protocol):
    @property
    def settings(self) -> Settings: ...

    @property
    def session_factory(self) -> sessionmaker[Session]: ...


CLI_OPERATOR = Principal(
    kind="platform", id=0, tenant_id=0, name="cli", roles=frozenset({"platform_admin"}),
    grants=dict.fromkeys(PLATFORM_PERMISSIONS),
)  # fmt: skip


def register_tenant(app: typer.Typer, get_runtime: Callable[[], _PlatformRuntime]) -> None:
    tenant_app = typer.Typer(help="Tenants (companies): create, list, disable, enable.", no_args_is_help=True)
    app.add_typer(tenant_app, name="tenant")

    def uow() -> UnitOfWork:
        return UnitOfWork(get_runtime().session_factory, CLI_OPERATOR)

    @tenant_app.command("create")
    def tenant_create(
        code: Annotated[str, typer.Option(help="Short unique code, e.g. ACME")],
        name: Annotated[str, typer.Option()],
        admin: Annotated[str, typer.Option(help="Username of the tenant's first admin (hq_admin)")],
        name_zh: Annotated[str | None, typer.Option()] = None,
        currency: Annotated[str, typer.Option()] = "CNY",
        locale: Annotated[str, typer.Option()] = "zh_CN",
        ask_password: Annotated[bool, typer.Option(help="Type the admin's password instead of generating one")] = False,
    ) -> None:
        """Create a tenant with its first admin and its own audit chain (checkpointed at once)."""
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True) if ask_password else None
        try:
            data = TenantCreate(
                code=code, name=name, name_zh=name_zh, base_currency=currency, default_locale=locale,
                admin_username=admin, admin_password=password,
            )  # type: ignore[arg-type]  # fmt: skip
        except ValidationError as exc:
            for err in exc.errors():
                typer.echo(f"{'.'.join(map(str, err['loc']))}: {err['msg']}", err=True)
            raise typer.Exit(2) from None
        rt = get_runtime()
        with uow() as u:
            try:
                created = platform.create_tenant(u, data)
            except BohError as exc:
                typer.echo(f"not created: {exc.detail}", err=True)
                raise typer.Exit(1) from None
            u.commit()
            try:
                platform.checkpoint_chain(rt.settings, u.session, created.id)
            except BohError as exc:
                typer.echo(f"warning: the new chain was not checkpointed yet ({exc.detail})", err=True)
        typer.echo(f"tenant {created.code} created (id {created.id}); admin {created.admin_username}")
        if created.admin_password is not None:
            typer.echo(f"admin password (shown once, change it after the first login): {created.admin_password}")

    @tenant_app.command("list")
    def tenant_list() -> None:
        """Every tenant, with its state."""
        with uow() as u:
            for t in platform.list_tenants(u):
                typer.echo(f"{t.id:>6}  {t.code:<20} {'active' if t.active else 'DISABLED':<9} {t.name}")

    def _set(code: str, active: bool) -> None:
        with uow() as u:
            t = platform.set_active(u, platform.tenant_by_code(u.session, code).id, active)
            u.commit()
        typer.echo(f"tenant {t.code} {'enabled' if t.active else 'disabled'}")

    @tenant_app.command("disable")
    def tenant_disable(code: Annotated[str, typer.Argument()]) -> None:
        """Disable a tenant: its tokens, console sessions and API keys stop working at once."""
        _set(code, False)

    @tenant_app.command("enable")
    def tenant_enable(code: Annotated[str, typer.Argument()]) -> None:
        """Enable a disabled tenant again."""
        _set(code, True)


def register_platform(app: typer.Typer, get_runtime: Callable[[], _PlatformRuntime]) -> None:
    platform_app = typer.Typer(help="Platform operators' keys (the tenant API).", no_args_is_help=True)
    key_app = typer.Typer(help="Platform keys.", no_args_is_help=True)
    platform_app.add_typer(key_app, name="key")
    app.add_typer(platform_app, name="platform")

    @key_app.command("create")
    def key_create(name: Annotated[str, typer.Option(help="Who or what uses the key")]) -> None:
        """Create a platform key (shown once): send it as X-API-Key to /api/v1/platform/..."""
        with get_runtime().session_factory() as session:
            key, raw = create_platform_key(session, name)
            session.commit()
            typer.echo(f"platform key {key.prefix} created for {name}; it is shown once:\n{raw}")

    @key_app.command("revoke")
    def key_revoke(prefix: Annotated[str, typer.Argument(help="The key's prefix (after bohp_)")]) -> None:
        """Revoke a platform key at once."""
        with get_runtime().session_factory() as session:
            if not revoke_platform_key(session, prefix):
                typer.echo(f"no platform key {prefix}", err=True)
                raise typer.Exit(1)
            session.commit()
        typer.echo(f"platform key {prefix} revoked")
