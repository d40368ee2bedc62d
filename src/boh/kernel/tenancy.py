"""Who is acting and what they may see: the Principal and the Scope a repository applies.

Permissions are plain strings ("catalog.item.write"). A principal holds, per permission, either every
site of its tenant (``ALL_SITES``) or an explicit set of site ids. Repositories take a ``Scope`` and
filter by ``tenant_id`` and, for site-owned rows, by ``site_ids``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from boh.kernel.errors import PermissionDenied


@dataclass(frozen=True)
class Scope:
    tenant_id: int
    site_ids: frozenset[int] | None = None  # None: every site of the tenant
    supplier_id: int | None = None  # set for supplier users: only their own supplier's data

    def allows_site(self, site_id: int | None) -> bool:
        if site_id is None:
            return self.site_ids is None
        return self.site_ids is None or site_id in self.site_ids

    @property
    def all_sites(self) -> bool:
        return self.site_ids is None


@dataclass(frozen=True)
class Principal:
    kind: Literal["user", "api_key", "system", "platform"]
    id: int
    tenant_id: int
    name: str
    roles: frozenset[str] = frozenset()
    grants: dict[str, frozenset[int] | None] = field(default_factory=dict)
    supplier_id: int | None = None
    locale: str = "en"

    def can(self, permission: str) -> bool:
        return permission in self.grants

    def scope(self, permission: str) -> Scope:
        """The scope in which this principal may use ``permission``; PermissionDenied if none."""
        if permission not in self.grants:
            raise PermissionDenied(f"missing permission {permission}")
        return Scope(self.tenant_id, self.grants[permission], self.supplier_id)

    @property
    def actor(self) -> str:
        return f"{self.kind}:{self.id}"


def system_principal(tenant_id: int, permissions: list[str] | None = None) -> Principal:
    """The principal of jobs, the CLI and the demo loader: every permission, every site."""
    from boh.kernel.permissions import ALL_PERMISSIONS

    perms = permissions if permissions is not None else sorted(ALL_PERMISSIONS)
    return Principal(
        kind="system",
        id=0,
        tenant_id=tenant_id,
        name="system",
        roles=frozenset({"system"}),
        grants=dict.fromkeys(perms),
    )
