"""The org domain's manifest (see boh.kernel.manifest)."""

from __future__ import annotations

from boh.kernel.manifest import CliGroup, Manifest

_READ = ("org.region.read", "org.site.read")

MANIFEST = Manifest(
    name="org",
    summary="Tenants, regions, sites, users, roles, API keys and authentication.",
    rank=10,
    permissions=(
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
    ),
    grants={
        "regional_manager": (*_READ, "org.user.read"),
        "store_manager": (*_READ, "org.user.read"),
        "store_staff": ("org.site.read",),
        "inspector": _READ,
        "buyer": _READ,
        "accountant": _READ,
        "device": ("org.site.read",),
    },
    models=("boh.org.models",),
    api_routers=("boh.org.routes:router", "boh.org.platform_routes:router"),
    page_routers=("boh.org.pages:router",),
    nav="boh.org.pages:NAV",
    tiles="boh.org.pages:tiles",
    cli=(
        CliGroup("tenant", "Tenants (companies): create, list, disable, enable.", "boh.org.cli:register_tenant"),
        CliGroup("platform", "Platform operators' keys.", "boh.org.cli:register_platform"),
    ),
)
