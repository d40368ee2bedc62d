"""Public functions of the org domain for the domains above it: small frozen DTOs, never ORM objects."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from boh.kernel.tenancy import Scope
from boh.org.errors import SiteNotFound
from boh.org.models import Site, Tenant


@dataclass(frozen=True)
class SiteRef:
    id: int
    code: str
    tenant_id: int
    timezone: str
    currency: str


def get_site_ref(session: Session, scope: Scope, site_id: int) -> SiteRef:
    """The site if it belongs to the scope's tenant and is one of its sites; SiteNotFound otherwise."""
    site = session.scalars(select(Site).where(Site.id == site_id, Site.tenant_id == scope.tenant_id)).one_or_none()
    if site is None or not scope.allows_site(site.id):
        raise SiteNotFound(f"site {site_id} not found")
    return SiteRef(id=site.id, code=site.code, tenant_id=site.tenant_id, timezone=site.timezone, currency=site.currency)


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


def tenant_id_by_code(session: Session, code: str) -> int | None:
    """The id of the tenant with this code (CLI commands name tenants by code), or None."""
    tid: int | None = session.scalars(select(Tenant.id).where(Tenant.code == code)).first()
    return tid
