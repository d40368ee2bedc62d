"""Read models of the org domain: lists for pages, the API and exports."""

from __future__ import annotations

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from boh.kernel.paging import page
from boh.kernel.tenancy import Scope
from boh.org import repository as repo
from boh.org.errors import UserNotFound
from boh.org.models import ApiKey, Region, RoleAssignment, Site, User
from boh.org.schemas import ApiKeyRead, RegionRead, RoleGrantRead, SiteFilter, SiteRead, UserRead


def _site_read(site: Site, region_codes: dict[int, str]) -> SiteRead:
    out = SiteRead.model_validate(site)
    out.region_code = region_codes.get(site.region_id) if site.region_id else None
    return out


def _region_codes(session: Session, tenant_id: int) -> dict[int, str]:
    return dict(session.execute(select(Region.id, Region.code).where(Region.tenant_id == tenant_id)).all())


def list_sites(session: Session, scope: Scope, f: SiteFilter, limit: int, offset: int) -> tuple[list[SiteRead], int]:
    stmt = select(Site).where(Site.tenant_id == scope.tenant_id)
    if scope.site_ids is not None:
        stmt = stmt.where(Site.id.in_(scope.site_ids))
    if f.q:
        like = f"%{f.q.lower()}%"
        stmt = stmt.where(
            or_(
                func.lower(Site.code).like(like),
                func.lower(Site.name).like(like),
                Site.name_zh.like(f"%{f.q}%"),
                func.lower(Site.city).like(like),
            )
        )
    if f.kind:
        stmt = stmt.where(Site.kind == f.kind)
    if f.region_id is not None:
        stmt = stmt.where(Site.region_id == f.region_id)
    if f.active is not None:
        stmt = stmt.where(Site.active == f.active)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = session.scalars(page(stmt.order_by(Site.code), limit, offset)).all()
    codes = _region_codes(session, scope.tenant_id)
    return [_site_read(s, codes) for s in rows], total


def get_site(session: Session, scope: Scope, site_id: int) -> SiteRead:
    site = repo.get_site(session, scope, site_id)
    return _site_read(site, _region_codes(session, scope.tenant_id))


def list_regions(session: Session, scope: Scope) -> list[RegionRead]:
    rows = session.scalars(select(Region).where(Region.tenant_id == scope.tenant_id).order_by(Region.code))
    return [RegionRead.model_validate(r) for r in rows]


def _user_read(user: User, grants: list[RoleAssignment]) -> UserRead:
    return UserRead(
        id=user.id,
        username=user.username,
        display_name=user.display_name,
        email=user.email,
        locale=user.locale,
        active=user.active,
        supplier_id=user.supplier_id,
        roles=[RoleGrantRead(role=g.role, region_id=g.region_id, site_id=g.site_id) for g in grants],
    )


def list_users(session: Session, scope: Scope, q: str | None, limit: int, offset: int) -> tuple[list[UserRead], int]:
    stmt = select(User).where(User.tenant_id == scope.tenant_id)
    if scope.site_ids is not None:  # a scoped manager sees the users assigned to their sites
        stmt = stmt.where(User.id.in_(select(RoleAssignment.user_id).where(RoleAssignment.site_id.in_(scope.site_ids))))
    if q:
        like = f"%{q.lower()}%"
        stmt = stmt.where(or_(func.lower(User.username).like(like), func.lower(User.display_name).like(like)))
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    users = session.scalars(page(stmt.order_by(User.username), limit, offset)).all()
    grants: dict[int, list[RoleAssignment]] = {u.id: [] for u in users}
    for g in session.scalars(select(RoleAssignment).where(RoleAssignment.user_id.in_(list(grants)))):
        grants[g.user_id].append(g)
    return [_user_read(u, grants[u.id]) for u in users], total


def get_user(session: Session, scope: Scope, user_id: int) -> UserRead:
    user = repo.get_user(session, scope.tenant_id, user_id)
    grants = list(session.scalars(select(RoleAssignment).where(RoleAssignment.user_id == user.id)))
    if scope.site_ids is not None and not any(g.site_id in scope.site_ids for g in grants):
        raise UserNotFound(f"user {user_id} not found")
    return _user_read(user, grants)


def list_api_keys(session: Session, scope: Scope) -> list[ApiKeyRead]:
    rows = session.scalars(select(ApiKey).where(ApiKey.tenant_id == scope.tenant_id).order_by(ApiKey.id))
    return [ApiKeyRead.model_validate(k) for k in rows]
