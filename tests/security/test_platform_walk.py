"""The platform API (tenants) walked like the tenants' API: every tenant principal, hq_admin included, is
refused (deny by default), bad credentials are 401, and a platform key reaches every operation."""

from __future__ import annotations

from tests.security.checks import expect, nothing_written, report, send
from tests.security.spec import Examples, Operation
from tests.security.world import World


def test_the_walk_finds_the_platform_api(platform_ops: list[Operation]) -> None:
    assert {op.id for op in platform_ops} >= {
        "GET /api/v1/platform/tenants",
        "POST /api/v1/platform/tenants",
        "POST /api/v1/platform/tenants/{tenant_id}/disable",
        "POST /api/v1/platform/tenants/{tenant_id}/enable",
    }


def test_no_tenant_principal_reaches_the_platform_api(
    world: World, ex: Examples, platform_ops: list[Operation]
) -> None:
    created = world.api("POST", "/api/v1/org/api-keys", {"name": "alpha key", "permissions": ["org.site.read"]})
    tenants = {"tenant A's hq_admin": world.admin_a, "tenant B's hq_admin": world.admin_b}
    tenants |= {f"role '{role or 'none'}'": h for role, h in world.by_role.items()}
    tenants["tenant A's API key"] = {"X-API-Key": created["key"]}
    failures: list[str] = []
    for op in platform_ops:
        with nothing_written(world, failures, op.id):
            for who, headers in tenants.items():
                expect(failures, op.id, who, send(world, ex, op, headers), 403, "auth.permission_denied")
            for who, headers in {"anonymous": {}, "bad platform key": {"X-API-Key": "bohp_0_nope"}}.items():
                expect(failures, op.id, who, send(world, ex, op, headers), 401)
    report("platform-403", failures)
