"""The platform walk's control group, in a module of its own because it writes (tenants made, disabled and
enabled): a platform key reaches every platform operation."""

from __future__ import annotations

from boh.org.access import create_platform_key
from tests.security.checks import report, send
from tests.security.spec import Examples, Operation
from tests.security.world import World


def _platform_key(world: World) -> dict[str, str]:
    with world.rt.session_factory() as session:
        _, raw = create_platform_key(session, "walk")
        session.commit()
    return {"X-API-Key": raw}


def test_a_platform_key_reaches_every_platform_operation(
    world: World, ex: Examples, platform_ops: list[Operation]
) -> None:
    key = _platform_key(world)
    failures: list[str] = []
    for op in platform_ops:
        r = send(world, ex, op, key)
        if r.status_code in (401, 403, 404, 405) or r.status_code >= 500:
            failures.append(f"{op.id} with a platform key: {r.status_code} {r.text[:200]}")
    report("platform-control", failures)
