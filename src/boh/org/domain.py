"""Pure rules of the org domain: turning role assignments into permission grants."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from boh.kernel.permissions import ROLE_PERMISSIONS, SITE_SCOPED_ROLES


@dataclass(frozen=True)
class Assignment:
    role: str
    region_id: int | None
    site_id: int | None


def resolve_grants(
    assignments: Iterable[Assignment], sites_by_region: Mapping[int, frozenset[int]]
) -> dict[str, frozenset[int] | None]:
    """Per permission: None (every site of the tenant) or the set of sites it applies to.

    A site-scoped role held for a site grants that site; held for a region, the region's sites;
    held tenant-wide, every site. Other roles (buyer, accountant, supplier...) are tenant-wide.
    """
    grants: dict[str, frozenset[int] | None] = {}
    for a in assignments:
        perms = ROLE_PERMISSIONS.get(a.role, frozenset())
        if a.role not in SITE_SCOPED_ROLES or (a.site_id is None and a.region_id is None):
            sites: frozenset[int] | None = None
        elif a.site_id is not None:
            sites = frozenset({a.site_id})
        else:
            assert a.region_id is not None
            sites = sites_by_region.get(a.region_id, frozenset())
        for perm in perms:
            if perm in grants:
                prev = grants[perm]
                grants[perm] = None if prev is None or sites is None else prev | sites
            else:
                grants[perm] = sites
    return grants


def api_key_grants(permissions: Iterable[str], site_id: int | None) -> dict[str, frozenset[int] | None]:
    sites = None if site_id is None else frozenset({site_id})
    return dict.fromkeys(permissions, sites)


USER_WRITE = "org.user.write"


def grant_refusal(
    held: Mapping[str, frozenset[int] | None], role: str, sites: frozenset[int] | None
) -> tuple[str, str] | None:
    """Why a principal holding ``held`` may not grant ``role`` over ``sites`` (None: the whole tenant), as
    (permission, reason), or None when it may. Nobody hands out more than they hold: every permission of
    the role, and the right to manage users, must be held over every site the grant reaches."""
    for perm in sorted(ROLE_PERMISSIONS.get(role, frozenset()) | {USER_WRITE}):
        if perm not in held:
            return perm, f"you cannot grant {role}: you do not hold {perm}"
        scope = held[perm]
        if scope is not None and (sites is None or not sites <= scope):
            return perm, f"you hold {perm} only at some sites: you can grant {role} only at one of them"
    return None


def grant_sites(a: Assignment) -> frozenset[int] | None:
    """The sites an assignment reaches, for the grant check: one site, or None (the whole tenant). A region
    counts as the whole tenant here, since sites added to the region later join the grant."""
    if a.role in SITE_SCOPED_ROLES and a.site_id is not None:
        return frozenset({a.site_id})
    return None
