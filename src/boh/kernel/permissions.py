"""The permission vocabulary and the built-in roles.

One place lists every permission so that roles, API keys and the route-walking security test agree.
A domain adding routes adds its permissions here and grants them to roles.
"""

from __future__ import annotations

from typing import Final

ORG = [
    "org.tenant.read",
    "org.tenant.write",
    "org.region.read",
    "org.region.write",
    "org.site.read",
    "org.site.write",
    "org.user.read",
    "org.user.write",
    "org.apikey.read",
    "org.apikey.write",
]
CATALOG = [
    "catalog.item.read",
    "catalog.item.write",
    "catalog.supplier.read",
    "catalog.supplier.write",
    "catalog.assortment.read",
    "catalog.assortment.write",
]
INVENTORY = [
    "inventory.stock.read",
    "inventory.move.write",
    "inventory.events.write",
    "inventory.reservation.write",
    "inventory.incoming.write",
    "inventory.settings.write",
    "inventory.count.read",
    "inventory.count.write",
    "inventory.count.approve",
]
PLATFORM = ["audit.read", "jobs.read", "jobs.write"]

ALL_PERMISSIONS: Final[frozenset[str]] = frozenset(ORG + CATALOG + INVENTORY + PLATFORM)

_READ_MASTER = [
    "org.region.read",
    "org.site.read",
    "catalog.item.read",
    "catalog.supplier.read",
    "catalog.assortment.read",
]

ROLE_PERMISSIONS: Final[dict[str, frozenset[str]]] = {
    "hq_admin": ALL_PERMISSIONS,
    "regional_manager": frozenset(
        _READ_MASTER
        + [
            "org.user.read",
            "catalog.assortment.write",
            "audit.read",
            "inventory.stock.read",
            "inventory.count.read",
            "inventory.count.approve",
        ]
    ),
    "store_manager": frozenset(
        _READ_MASTER
        + [
            "org.user.read",
            "catalog.assortment.write",
            "inventory.stock.read",
            "inventory.move.write",
            "inventory.reservation.write",
            "inventory.incoming.write",
            "inventory.count.read",
            "inventory.count.write",
            "inventory.count.approve",
        ]
    ),
    "store_staff": frozenset(
        [
            "org.site.read",
            "catalog.item.read",
            "catalog.assortment.read",
            "inventory.stock.read",
            "inventory.move.write",
            "inventory.events.write",
            "inventory.count.read",
            "inventory.count.write",
        ]
    ),
    "inspector": frozenset(
        ["org.region.read", "org.site.read", "catalog.item.read", "inventory.stock.read", "inventory.count.read"]
    ),
    "buyer": frozenset(
        _READ_MASTER
        + [
            "catalog.item.write",
            "catalog.supplier.write",
            "catalog.assortment.write",
            "inventory.stock.read",
            "inventory.incoming.write",
        ]
    ),
    "accountant": frozenset(_READ_MASTER + ["audit.read", "inventory.stock.read"]),
    "supplier": frozenset(["catalog.supplier.read", "catalog.item.read"]),
    "device": frozenset(["org.site.read", "catalog.item.read", "inventory.move.write", "inventory.events.write"]),
}

ROLES: Final[tuple[str, ...]] = tuple(ROLE_PERMISSIONS)

# Roles whose grants are limited to the sites of their assignment (a site or a region).
SITE_SCOPED_ROLES: Final[frozenset[str]] = frozenset(
    {"regional_manager", "store_manager", "store_staff", "inspector", "device"}
)
