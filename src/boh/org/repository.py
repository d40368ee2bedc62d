"""Write-side queries of the org domain; every lookup is scoped to a tenant."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import select
from sqlalchemy.orm import Session

from boh.kernel.tenancy import Scope
from boh.org.errors import RegionNotFound, SiteNotFound, UserNotFound
from boh.org.models import Region, Site, User


def get_site(session: Session, scope: Scope, site_id: int, *, for_update: bool = False) -> Site:
    stmt = select(Site).where(Site.id == site_id, Site.tenant_id == scope.tenant_id)
    if for_update:
        stmt = stmt.with_for_update()
    site = session.scalars(stmt).one_or_none()
    if site is None or not scope.allows_site(site.id):
        raise SiteNotFound(f"site {site_id} not found")
    return site


def site_by_code(session: Session, tenant_id: int, code: str) -> Site | None:
    return session.scalars(select(Site).where(Site.tenant_id == tenant_id, Site.code == code)).one_or_none()


def find_region(session: Session, tenant_id: int, code: str) -> Region | None:
    return session.scalars(select(Region).where(Region.tenant_id == tenant_id, Region.code == code)).one_or_none()


def region_by_code(session: Session, tenant_id: int, code: str) -> Region:
    region = find_region(session, tenant_id, code)
    if region is None:
        raise RegionNotFound(f"region '{code}' not found")
    return region


def get_region(session: Session, tenant_id: int, region_id: int) -> Region:
    region = session.scalars(select(Region).where(Region.tenant_id == tenant_id, Region.id == region_id)).one_or_none()
    if region is None:
        raise RegionNotFound(f"region {region_id} not found")
    return region


def get_user(session: Session, tenant_id: int, user_id: int) -> User:
    user = session.scalars(select(User).where(User.tenant_id == tenant_id, User.id == user_id)).one_or_none()
    if user is None:
        raise UserNotFound(f"user {user_id} not found")
    return user


def sites_by_region(session: Session, tenant_id: int) -> dict[int, frozenset[int]]:
    """Sites of each region, including those of its sub-regions."""
    parents = dict(session.execute(select(Region.id, Region.parent_id).where(Region.tenant_id == tenant_id)).all())
    direct: dict[int, set[int]] = defaultdict(set)
    for sid, rid in session.execute(
        select(Site.id, Site.region_id).where(Site.tenant_id == tenant_id, Site.region_id.is_not(None))
    ).all():
        assert rid is not None
        seen: set[int] = set()
        cur: int | None = rid
        while cur is not None and cur not in seen:
            direct[cur].add(sid)
            seen.add(cur)
            cur = parents.get(cur)
    return {rid: frozenset(s) for rid, s in direct.items()}
