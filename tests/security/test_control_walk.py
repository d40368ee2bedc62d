"""The control group of the route walk, in a module of its own because it writes: tenant A's admin reaches
every object the walk refers to, so the refusals the other walks see are not vacuous."""

from __future__ import annotations

from tests.security.checks import report, send
from tests.security.spec import Examples, Operation
from tests.security.world import World


def test_tenant_a_reaches_every_object(world: World, ex: Examples, secured: list[Operation]) -> None:
    """The control group: the ids the walk uses are real, so the 404s above are not vacuous."""
    failures: list[str] = []
    for op in [op for op in secured if op.method == "get"]:
        r = send(world, ex, op, world.admin_a)
        if r.status_code != 200:
            failures.append(f"{op.id} as tenant A's admin: {r.status_code} {r.text[:200]}")
    writes = [op for op in secured if op.method != "get" and op.path_params]
    for op in sorted(writes, key=lambda op: op.method == "delete"):  # deletes last: later paths use the object
        r = send(world, ex, op, world.admin_a)
        if r.status_code in (401, 403, 404, 405) or r.status_code >= 500:
            failures.append(f"{op.id} as tenant A's admin: {r.status_code} {r.text[:200]}")
    report("control", failures)
