"""Public functions of the org domain for the domains above it: small frozen DTOs, never ORM objects."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from boh.kernel import cache as kernel_cache
from boh.kernel.tenancy import Scope
from boh.org.errors import SiteNotFound
from boh.org.models import Region, Site, Tenant, User


@dataclass(frozen=True)
class SiteRef:
    id: int
    code: str
    tenant_id: int
    timezone: str
    currency: str


SITE_REF_TTL = 30.0  # seconds a cached SiteRef may be old (``get_site_ref(..., cached=True)``)


def get_site_ref(session: Session, scope: Scope, site_id: int, *, cached: bool = False) -> SiteRef:
    """The site if it belongs to the scope's tenant and is one of its sites; SiteNotFound otherwise.
    ``cached``: the site's row may be up to SITE_REF_TTL seconds old (hot reads: a site's id, tenant and code
    never change, its timezone and currency seldom); the scope is checked on every call all the same."""

    def load() -> SiteRef:
        site = session.scalars(select(Site).where(Site.id == site_id, Site.tenant_id == scope.tenant_id)).one_or_none()
        if site is None:
            raise SiteNotFound(f"site {site_id} not found")  # raised, so a miss is never cached
        return SiteRef(
            id=site.id, code=site.code, tenant_id=site.tenant_id, timezone=site.timezone, currency=site.currency
        )

    key = (scope.tenant_id, site_id)
    ref = kernel_cache.cached(session, "org.site_ref", key, SITE_REF_TTL, load) if cached else load()
    if not scope.allows_site(ref.id):
        raise SiteNotFound(f"site {site_id} not found")
    return ref


def site_ids_by_code(session: Session, tenant_id: int, codes: Iterable[str]) -> dict[str, int]:
    """Ids of the tenant's sites with these codes, in one query; unknown codes are simply absent."""
    wanted = sorted(set(codes))
    if not wanted:
        return {}
    rows = session.execute(select(Site.code, Site.id).where(Site.tenant_id == tenant_id, Site.code.in_(wanted)))
    return {code: sid for code, sid in rows}


def site_codes_by_id(session: Session, tenant_id: int, ids: Iterable[int]) -> dict[int, str]:
    """Codes of the tenant's sites with these ids, in one query (exports)."""
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    rows = session.execute(select(Site.id, Site.code).where(Site.tenant_id == tenant_id, Site.id.in_(wanted)))
    return {sid: code for sid, code in rows}


@dataclass(frozen=True)
class SitePoint:
    """A site as planners and analytics see it: where it is, its region and format (coordinates may be None)."""

    id: int
    code: str
    name: str
    name_zh: str | None
    kind: str
    format: str | None
    region_id: int | None
    latitude: Decimal | None
    longitude: Decimal | None
    timezone: str
    active: bool


def site_points(session: Session, scope: Scope, *, kind: str | None = None) -> list[SitePoint]:
    """The scope's sites (of one kind when given), ordered by code, in one query."""
    stmt = select(Site).where(Site.tenant_id == scope.tenant_id).order_by(Site.code)
    if kind is not None:
        stmt = stmt.where(Site.kind == kind)
    if scope.site_ids is not None:
        stmt = stmt.where(Site.id.in_(sorted(scope.site_ids)))
    return [
        SitePoint(s.id, s.code, s.name, s.name_zh, s.kind, s.format, s.region_id, s.latitude, s.longitude,
                  s.timezone, s.active)
        for s in session.scalars(stmt)
    ]  # fmt: skip


@dataclass(frozen=True)
class RegionRef:
    id: int
    code: str
    name: str
    name_zh: str | None
    parent_id: int | None


def region_refs(session: Session, tenant_id: int) -> list[RegionRef]:
    """The tenant's regions, ordered by code."""
    rows = session.scalars(select(Region).where(Region.tenant_id == tenant_id).order_by(Region.code))
    return [RegionRef(r.id, r.code, r.name, r.name_zh, r.parent_id) for r in rows]


def user_names(session: Session, tenant_id: int, ids: Iterable[int]) -> dict[int, str]:
    """Display names of the tenant's users with these ids, in one query; unknown ids are absent."""
    from boh.org.models import User

    wanted = sorted(set(ids))
    if not wanted:
        return {}
    rows = session.execute(select(User.id, User.display_name).where(User.tenant_id == tenant_id, User.id.in_(wanted)))
    return {uid: name for uid, name in rows}


@dataclass(frozen=True)
class SiteStockSettings:
    """What the inventory domain needs of a site: its timezone (business dates), currency (valuation)
    and negative-stock policy ("flag" allows and marks, "refuse" rejects)."""

    id: int
    timezone: str
    currency: str
    negative_stock: str


def site_stock_settings(session: Session, tenant_id: int, ids: Iterable[int]) -> dict[int, SiteStockSettings]:
    """Stock settings of the tenant's sites with these ids, in one query; unknown ids are simply absent."""
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    rows = session.execute(
        select(Site.id, Site.timezone, Site.currency, Site.negative_stock).where(
            Site.tenant_id == tenant_id, Site.id.in_(wanted)
        )
    )
    return {sid: SiteStockSettings(sid, tz, cur, neg) for sid, tz, cur, neg in rows}


def site_stock_settings_by_code(session: Session, tenant_id: int, codes: Iterable[str]) -> dict[str, SiteStockSettings]:
    """Stock settings of the tenant's sites with these codes, by code, in one query (what
    ``site_ids_by_code`` then ``site_stock_settings`` give in two); unknown codes are simply absent."""
    wanted = sorted(set(codes))
    if not wanted:
        return {}
    rows = session.execute(
        select(Site.code, Site.id, Site.timezone, Site.currency, Site.negative_stock).where(
            Site.tenant_id == tenant_id, Site.code.in_(wanted)
        )
    )
    return {code: SiteStockSettings(sid, tz, cur, neg) for code, sid, tz, cur, neg in rows}


def receiving_days(session: Session, tenant_id: int, ids: Iterable[int]) -> dict[int, tuple[str, ...]]:
    """The weekdays ("mon" .. "sun") each site takes deliveries; empty: every day."""
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    rows = session.execute(select(Site.id, Site.receiving_days).where(Site.tenant_id == tenant_id, Site.id.in_(wanted)))
    return {sid: tuple(days or ()) for sid, days in rows}


@dataclass(frozen=True)
class TenantRef:
    id: int
    code: str
    name: str
    name_zh: str | None
    default_locale: str
    base_currency: str


def tenant_ref(session: Session, tenant_id: int) -> TenantRef:
    """The tenant's name and defaults (documents sent on its behalf: the buyer on a purchase order)."""
    t = session.get(Tenant, tenant_id)
    if t is None:
        raise LookupError(f"tenant {tenant_id} not found")
    return TenantRef(t.id, t.code, t.name, t.name_zh, t.default_locale, t.base_currency)


@dataclass(frozen=True)
class ShipTo:
    id: int
    code: str
    name: str
    name_zh: str | None
    address: str | None
    city: str | None
    country: str


def ship_to(session: Session, tenant_id: int, site_id: int) -> ShipTo | None:
    """A site's delivery address (for documents that name where goods go)."""
    s = session.scalars(select(Site).where(Site.tenant_id == tenant_id, Site.id == site_id)).one_or_none()
    return None if s is None else ShipTo(s.id, s.code, s.name, s.name_zh, s.address, s.city, s.country)


def tenant_id_by_code(session: Session, code: str) -> int | None:
    """The id of the tenant with this code (CLI commands name tenants by code), or None."""
    tid: int | None = session.scalars(select(Tenant.id).where(Tenant.code == code)).first()
    return tid


def tenant_ids(session: Session) -> list[int]:
    """The ids of the active tenants (jobs that run for every tenant)."""
    return list(session.scalars(select(Tenant.id).where(Tenant.active.is_(True)).order_by(Tenant.id)))


# --- read-only views of org's tables, for the read models (queries.py) of the domains above ---------------
# An alias can be selected from and joined, never written: org stays the only writer of its tables.


def site_view() -> Any:
    """``org_site`` as a read-only alias (id, tenant_id, code, name, name_zh, kind, region_id, ...)."""
    return Site.__table__.alias("org_site_view")


def user_view() -> Any:
    """``org_user`` as a read-only alias (id, tenant_id, username, display_name, locale, active)."""
    return User.__table__.alias("org_user_view")


# --- people: who to tell, and names for actors ----------------------------------------------------------


@dataclass(frozen=True)
class UserContact:
    id: int
    display_name: str
    email: str | None
    locale: str


def _holders(session: Session, tenant_id: int, roles: set[str], site_id: int | None) -> set[int]:
    """Users holding one of ``roles`` where it covers ``site_id`` (every holder when it is None)."""
    from boh.org.models import RoleAssignment
    from boh.org.repository import sites_by_region

    rows = session.execute(
        select(RoleAssignment.user_id, RoleAssignment.region_id, RoleAssignment.site_id).where(
            RoleAssignment.tenant_id == tenant_id, RoleAssignment.role.in_(sorted(roles))
        )
    ).all()
    regions = sites_by_region(session, tenant_id) if any(r[1] is not None for r in rows) else {}
    out: set[int] = set()
    for uid, region_id, sid in rows:
        tenant_wide = sid is None and region_id is None
        in_region = sid is None and region_id is not None and site_id in regions.get(region_id, frozenset())
        if site_id is None or tenant_wide or sid == site_id or in_region:
            out.add(uid)
    return out


def users_for(
    session: Session,
    tenant_id: int,
    *,
    roles: Iterable[str] = (),
    user_ids: Iterable[int] = (),
    site_id: int | None = None,
) -> list[UserContact]:
    """Active users of the tenant named by id, or holding one of ``roles`` where it covers ``site_id``
    (held for that site, for a region containing it, or tenant-wide; a site-less question matches every
    holder). Sorted by id, each once."""
    from boh.org.models import User

    wanted = set(user_ids)
    role_set = set(roles)
    if role_set:
        wanted |= _holders(session, tenant_id, role_set, site_id)
    if not wanted:
        return []
    users = session.scalars(
        select(User).where(User.tenant_id == tenant_id, User.id.in_(sorted(wanted)), User.active.is_(True))
    ).all()
    return sorted((UserContact(u.id, u.display_name, u.email, u.locale) for u in users), key=lambda u: u.id)


def actor_names(session: Session, tenant_id: int, actors: Iterable[str]) -> dict[str, str]:
    """Readable names of principals' actor strings ('user:3' -> the user's display name, 'api_key:2' -> the
    key's name); unknown ones are absent (the caller shows them as it likes)."""
    from boh.org.models import ApiKey, User

    ids: dict[str, set[int]] = {"user": set(), "api_key": set()}
    for actor in set(actors):
        kind, _, raw = actor.partition(":")
        if kind in ids and raw.isdigit():
            ids[kind].add(int(raw))
    out: dict[str, str] = {}
    if ids["user"]:
        users = select(User.id, User.display_name).where(User.tenant_id == tenant_id, User.id.in_(sorted(ids["user"])))
        out |= {f"user:{uid}": name for uid, name in session.execute(users)}
    if ids["api_key"]:
        keys = select(ApiKey.id, ApiKey.name).where(
            ApiKey.tenant_id == tenant_id, ApiKey.id.in_(sorted(ids["api_key"]))
        )
        out |= {f"api_key:{kid}": name for kid, name in session.execute(keys)}
    return out
