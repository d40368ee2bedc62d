"""The permission vocabulary and the built-in roles.

Every domain declares its permissions and what each built-in role holds of them in its manifest
(``boh/<domain>/manifest.py``); this module gathers them (with the platform's own) so that roles, API keys
and the route-walking security test agree. hq_admin holds every permission.
"""

from __future__ import annotations

from typing import Final

from boh.domains import DOMAINS

PLATFORM = ("audit.read", "jobs.read", "jobs.write")
_PLATFORM_GRANTS = {"regional_manager": ("audit.read",), "accountant": ("audit.read",)}
BUILT_IN_ROLES = (
    "hq_admin", "regional_manager", "store_manager", "store_staff", "inspector", "buyer", "accountant", "supplier",
    "device",
)  # fmt: skip


def _vocabulary() -> tuple[frozenset[str], dict[str, frozenset[str]]]:
    perms: list[str] = list(PLATFORM)
    grants: dict[str, set[str]] = {role: set(_PLATFORM_GRANTS.get(role, ())) for role in BUILT_IN_ROLES}
    for m in DOMAINS:
        perms.extend(m.permissions)
        for role, granted in m.grants.items():
            unknown = set(granted) - set(m.permissions)
            if role not in grants or unknown:
                raise ValueError(f"manifest {m.name}: bad grant {role} -> {sorted(unknown) or role}")
            grants[role] |= set(granted)
    everything = frozenset(perms)
    if len(everything) != len(perms):
        raise ValueError("a permission is declared twice")
    return everything, {"hq_admin": everything} | {r: frozenset(g) for r, g in grants.items() if r != "hq_admin"}


_VOCABULARY = _vocabulary()
ALL_PERMISSIONS: Final[frozenset[str]] = _VOCABULARY[0]
ROLE_PERMISSIONS: Final[dict[str, frozenset[str]]] = _VOCABULARY[1]

ROLES: Final[tuple[str, ...]] = tuple(ROLE_PERMISSIONS)

# The platform operators' permissions (tenants: create, list, disable). Deliberately outside the tenants'
# vocabulary: no role holds them, not even hq_admin; only a platform key does (boh.org.access).
PLATFORM_OPERATOR: Final[tuple[str, ...]] = ("platform.tenant.read", "platform.tenant.write")

# Roles whose grants are limited to the sites of their assignment (a site or a region).
SITE_SCOPED_ROLES: Final[frozenset[str]] = frozenset(
    {"regional_manager", "store_manager", "store_staff", "inspector", "device"}
)
