"""Check-then-write on every write route, in a module of its own because it writes (served requests and the
API keys it makes)."""

from __future__ import annotations

from tests.security.checks import report, send
from tests.security.spec import Examples, Operation
from tests.security.world import World, write_mark, writes_since


def test_no_refusal_follows_a_write(world: World, ex: Examples, secured: list[Operation]) -> None:
    """Check-then-write, on every write route: an API key holding exactly the route's permission (for the
    whole tenant, then for site 1 only) is served or refused, and a refusal leaves nothing written. Issue 11
    finding 3: POST /org/users saved the user, then answered 403 because its read-back wanted org.user.read."""
    failures: list[str] = []
    writes = [op for op in secured if op.method != "get" and op.permission != "authenticated"]
    assert writes
    for site, label in ((None, "tenant-wide"), (world.site1, "site-1")):
        keys: dict[str, dict[str, str]] = {}
        for perm in sorted({str(op.permission) for op in writes}):  # every key exists before any check
            body = {"name": f"only {perm}", "site_id": site, "permissions": [perm]}
            keys[perm] = {"X-API-Key": world.api("POST", "/api/v1/org/api-keys", body)["key"]}
        for op in writes:
            mark = write_mark(world.rt)
            r = send(world, ex, op, keys[str(op.permission)])
            if r.status_code >= 500:
                failures.append(f"{op.id} as a {label} key holding only {op.permission}: {r.status_code}")
            elif r.status_code >= 400:
                changed = writes_since(world.rt, mark)
                if changed:
                    failures.append(f"{op.id} as a {label} key holding only {op.permission}: {r.status_code} "
                                    f"{r.text[:120]} but it changed {changed}")  # fmt: skip
    report("check-then-write", failures)
