"""Who may give which role to whom: the checks of user management, made before anything is written.

A granter hands out only roles whose every permission it holds over every site the role reaches (and
``org.user.write`` there too): a manager of one site grants site-scoped roles at that site only, never a
tenant-wide role. Tenant-wide roles (buyer, accountant, supplier, hq_admin) take no site or region. A
granter limited to some sites manages only users all of whose roles it could have granted.
"""

from __future__ import annotations

from sqlalchemy import select

from boh.kernel.errors import FieldError, PermissionDenied, ValidationFailed
from boh.kernel.permissions import SITE_SCOPED_ROLES
from boh.kernel.uow import UnitOfWork
from boh.org import repository as repo
from boh.org.domain import USER_WRITE, Assignment, grant_refusal, grant_sites
from boh.org.errors import UserNotFound
from boh.org.models import RoleAssignment
from boh.org.schemas import RoleGrant


def resolve(uow: UnitOfWork, grants: list[RoleGrant]) -> list[Assignment]:
    """The assignments ``grants`` name; ValidationFailed (422) listing every bad field."""
    out: list[Assignment] = []
    errors: list[FieldError] = []
    for i, g in enumerate(grants):
        if g.role not in SITE_SCOPED_ROLES and (g.site_code or g.region_code):
            field = "site_code" if g.site_code else "region_code"
            msg = f"role '{g.role}' applies to the whole tenant: it cannot be limited to a site or region"
            errors.append(FieldError(("roles", i, field), msg, "org.role_not_site_scoped"))
            continue
        if g.site_code and g.region_code:
            errors.append(FieldError(("roles", i, "region_code"), "give a site or a region, not both"))
            continue
        site_id = region_id = None
        if g.site_code:
            site = repo.site_by_code(uow.session, uow.tenant_id, g.site_code)
            if site is None:
                errors.append(FieldError(("roles", i, "site_code"), f"unknown site '{g.site_code}'"))
                continue
            site_id = site.id
        if g.region_code:
            region = repo.find_region(uow.session, uow.tenant_id, g.region_code)
            if region is None:
                errors.append(FieldError(("roles", i, "region_code"), f"unknown region '{g.region_code}'"))
                continue
            region_id = region.id
        out.append(Assignment(g.role, region_id, site_id))
    if errors:
        raise ValidationFailed(errors)
    return out


def check_can_grant(uow: UnitOfWork, assignments: list[Assignment]) -> None:
    """PermissionDenied (403) unless the caller may give every one of ``assignments``."""
    held = uow.principal.grants
    for a in assignments:
        refusal = grant_refusal(held, a.role, grant_sites(a))
        if refusal is not None:
            raise PermissionDenied(refusal[1])
    if uow.principal.scope(USER_WRITE).site_ids is not None and not assignments:
        raise ValidationFailed(
            [FieldError(("roles",), "give the user a role at one of your sites", "org.role_required")]
        )


def current(uow: UnitOfWork, user_id: int) -> list[Assignment]:
    rows = uow.session.scalars(select(RoleAssignment).where(RoleAssignment.user_id == user_id)).all()
    return [Assignment(r.role, r.region_id, r.site_id) for r in rows]


def check_can_manage(uow: UnitOfWork, user_id: int) -> list[Assignment]:
    """The user's assignments, if the caller may change the user at all: a caller limited to some sites sees
    only users with a role at one of them (else 404) and changes only users whose every role it could
    have granted (else 403: no new password for a tenant-wide administrator)."""
    scope = uow.principal.scope(USER_WRITE)
    assignments = current(uow, user_id)
    if scope.site_ids is not None and not any(a.site_id in scope.site_ids for a in assignments):
        raise UserNotFound(f"user {user_id} not found")
    for a in assignments:
        refusal = grant_refusal(uow.principal.grants, a.role, grant_sites(a))
        if refusal is not None:
            raise PermissionDenied(f"this user holds roles you cannot grant ({a.role}): {refusal[1]}")
    return assignments
