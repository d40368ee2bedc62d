"""Use cases of the org domain: tenants, regions, sites and users. Callers own the transaction."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from boh.kernel.errors import FieldError, ValidationFailed
from boh.kernel.uow import UnitOfWork
from boh.org import grants, sessions
from boh.org import repository as repo
from boh.org.domain import Assignment
from boh.org.errors import DuplicateCode
from boh.org.events import SiteCreated, SiteUpdated, TenantCreated, UserCreated
from boh.org.models import Region, RoleAssignment, Site, Tenant, User
from boh.org.passwords import hash_password
from boh.org.schemas import RegionCreate, SiteCreate, SiteUpdate, UserCreate, UserUpdate

SITE_AUDIT_FIELDS = (
    "code",
    "name",
    "name_zh",
    "region_id",
    "kind",
    "format",
    "size_class",
    "timezone",
    "currency",
    "address",
    "city",
    "country",
    "latitude",
    "longitude",
    "opening_hours",
    "receiving_days",
    "area_m2",
    "negative_stock",
    "active",
)


def _snapshot(obj: Any, fields: tuple[str, ...]) -> dict[str, Any]:
    return {f: getattr(obj, f) for f in fields}


def create_tenant(
    uow: UnitOfWork,
    *,
    code: str,
    name: str,
    name_zh: str | None = None,
    base_currency: str = "CNY",
    default_locale: str = "zh_CN",
) -> Tenant:
    """Platform operation (CLI / demo): a new company with its own audit chain."""
    if uow.session.scalars(select(Tenant).where(Tenant.code == code)).first() is not None:
        raise DuplicateCode(f"tenant code '{code}' is already used")
    tenant = Tenant(code=code, name=name, name_zh=name_zh, base_currency=base_currency, default_locale=default_locale)
    uow.session.add(tenant)
    uow.flush()
    uow.audit("org.tenant.create", "tenant", tenant.id, after={"code": code, "name": name}, chain_id=tenant.id)
    uow.publish(TenantCreated(tenant_id=tenant.id, code=code))
    return tenant


def create_region(uow: UnitOfWork, data: RegionCreate) -> Region:
    scope = uow.principal.scope("org.region.write")
    existing = uow.session.scalars(
        select(Region).where(Region.tenant_id == scope.tenant_id, Region.code == data.code)
    ).first()
    if existing is not None:
        raise DuplicateCode(f"region code '{data.code}' is already used")
    if data.parent_id is not None:
        repo.get_region(uow.session, scope.tenant_id, data.parent_id)
    region = Region(tenant_id=scope.tenant_id, **data.model_dump())
    uow.session.add(region)
    uow.flush()
    uow.audit("org.region.create", "region", region.id, after=data.model_dump())
    return region


def _region_id(uow: UnitOfWork, code: str | None) -> int | None:
    if not code:
        return None
    return repo.region_by_code(uow.session, uow.tenant_id, code).id


def create_site(uow: UnitOfWork, data: SiteCreate) -> Site:
    scope = uow.principal.scope("org.site.write")
    if not scope.all_sites:
        raise ValidationFailed([FieldError(("code",), "only tenant-wide administrators can create sites")])
    if repo.site_by_code(uow.session, scope.tenant_id, data.code) is not None:
        raise DuplicateCode(f"site code '{data.code}' is already used", field="code")
    values = data.model_dump(exclude={"region_code"})
    site = Site(tenant_id=scope.tenant_id, region_id=_region_id(uow, data.region_code), **values)
    uow.session.add(site)
    uow.flush()
    uow.audit("org.site.create", "site", site.id, after=_snapshot(site, SITE_AUDIT_FIELDS))
    uow.publish(SiteCreated(tenant_id=scope.tenant_id, site_id=site.id, code=site.code, kind=site.kind))
    return site


def update_site(uow: UnitOfWork, site_id: int, data: SiteUpdate) -> Site:
    scope = uow.principal.scope("org.site.write")
    site = repo.get_site(uow.session, scope, site_id, for_update=True)
    before = _snapshot(site, SITE_AUDIT_FIELDS)
    changes = data.model_dump(exclude_unset=True)
    if "region_code" in changes:
        site.region_id = _region_id(uow, changes.pop("region_code"))
    for key, value in changes.items():
        setattr(site, key, value)
    uow.flush()
    after = _snapshot(site, SITE_AUDIT_FIELDS)
    changed = tuple(k for k in SITE_AUDIT_FIELDS if before[k] != after[k])
    if changed:
        uow.audit(
            "org.site.update",
            "site",
            site.id,
            before={k: before[k] for k in changed},
            after={k: after[k] for k in changed},
        )
        uow.publish(SiteUpdated(tenant_id=scope.tenant_id, site_id=site.id, changed=changed))
    return site


def _rows(uow: UnitOfWork, user: User, assignments: list[Assignment]) -> list[RoleAssignment]:
    return [
        RoleAssignment(tenant_id=uow.tenant_id, user_id=user.id, role=a.role, region_id=a.region_id, site_id=a.site_id)
        for a in assignments
    ]


def username_taken(uow: UnitOfWork, username: str) -> bool:
    """Whether this tenant has the username (usernames are unique per tenant: other tenants never count)."""
    stmt = select(User.id).where(User.tenant_id == uow.tenant_id, User.username == username)
    return uow.session.scalars(stmt).first() is not None


def create_user(uow: UnitOfWork, data: UserCreate) -> User:
    """Every check (permission, roles, scope, username) comes before the first write."""
    uow.principal.scope("org.user.write")
    assignments = grants.resolve(uow, data.roles)
    grants.check_can_grant(uow, assignments)
    if username_taken(uow, data.username):
        raise DuplicateCode(f"username '{data.username}' is already taken", field="username")
    user = User(
        tenant_id=uow.tenant_id,
        username=data.username,
        display_name=data.display_name,
        email=data.email,
        password_hash=hash_password(data.password),
        locale=data.locale,
        supplier_id=data.supplier_id,
        active=True,
        failed_logins=0,
    )
    try:
        with uow.session.begin_nested():  # the database checks the supplier belongs to this tenant
            uow.session.add(user)
            uow.flush()
    except IntegrityError as exc:
        raise ValidationFailed(
            [FieldError(("supplier_id",), f"supplier {data.supplier_id} does not exist", "unknown_reference")]
        ) from exc
    uow.session.add_all(_rows(uow, user, assignments))
    uow.flush()
    uow.audit(
        "org.user.create",
        "user",
        user.id,
        after={"username": user.username, "roles": [g.model_dump() for g in data.roles]},
    )
    uow.publish(UserCreated(tenant_id=uow.tenant_id, user_id=user.id, username=user.username))
    return user


def update_user(uow: UnitOfWork, user_id: int, data: UserUpdate) -> User:
    """Every check comes before the first write. A new password, a deactivation or a role taken away ends
    every login session of the user at once (their access tokens stop working on the next request)."""
    uow.principal.scope("org.user.write")
    user = repo.get_user(uow.session, uow.tenant_id, user_id)
    held = grants.check_can_manage(uow, user.id)
    new = None if data.roles is None else grants.resolve(uow, data.roles)
    if new is not None:
        grants.check_can_grant(uow, new)
    changes = data.model_dump(exclude_unset=True, exclude={"password", "roles"})
    before = {k: getattr(user, k) for k in changes}
    for key, value in changes.items():
        setattr(user, key, value)
    audit_after: dict[str, Any] = dict(changes)
    if data.password is not None:
        user.password_hash = hash_password(data.password)
        sessions.end_all(uow.session, user.id, "password_changed")  # signed out everywhere
        audit_after["password"] = "changed"  # never the password or its hash
    if changes.get("active") is False:
        sessions.end_all(uow.session, user.id, "deactivated")
    if new is not None:
        uow.session.execute(delete(RoleAssignment).where(RoleAssignment.user_id == user.id))
        uow.session.add_all(_rows(uow, user, new))
        if set(held) - set(new):
            sessions.end_all(uow.session, user.id, "roles_removed")
        audit_after["roles"] = [g.model_dump() for g in data.roles or []]
    uow.flush()
    uow.audit("org.user.update", "user", user.id, before=before, after=audit_after)
    return user
