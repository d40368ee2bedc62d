"""Walk every state-changing API route as a browser that carries the console's session cookie by itself
(a cross-site form, a script on a sibling subdomain): each is refused with a 403 problem before its body is
read, and nothing is written. The allowed case (the console's own script: same origin and the session's
token) is in tests/web/test_csrf.py."""

from __future__ import annotations

from boh.http import csrf
from tests.security.checks import expect, nothing_written, report, send
from tests.security.spec import Examples, Operation
from tests.security.world import World

UNSAFE = ("post", "put", "patch", "delete")


def test_the_session_cookie_alone_changes_nothing(world: World, ex: Examples, ops: list[Operation]) -> None:
    session = world.admin_a["Authorization"].removeprefix("Bearer ")
    key = csrf.app_key(world.client.app)
    # a pair an attacker can get for itself by opening the sign-in page: valid, but for no session
    anonymous = csrf.binding_cookie(key, "attacker", None, None), csrf.token_for(key, "attacker")
    cookie = f"boh_session={session}"
    attempts = {
        "cross-origin, no token": ({"Cookie": cookie, "Origin": "https://evil.example"}, "auth.cross_origin"),
        "sibling subdomain": (
            {"Cookie": cookie, "Origin": "https://evil.testserver", "Sec-Fetch-Site": "same-site"},
            "auth.cross_origin",
        ),
        "no Origin, no token": ({"Cookie": cookie}, "auth.cross_origin"),
        "same origin, no token": ({"Cookie": cookie, "Origin": "http://testserver"}, "auth.csrf"),
        "same origin, planted pair": (
            {
                "Cookie": f"{cookie}; boh_csrf={anonymous[0]}",
                "Origin": "http://testserver",
                "X-CSRF-Token": anonymous[1],
            },
            "auth.csrf",
        ),
    }
    walked = [op for op in ops if not op.public and op.method in UNSAFE and op.path.startswith("/api/")]
    assert len(walked) > 50
    failures: list[str] = []
    with nothing_written(world, failures, "the cookie walk"):
        for op in walked:
            for who, (headers, code) in attempts.items():
                expect(failures, op.id, who, send(world, ex, op, headers), 403, code)
            if op.body_media == "application/json":  # the report's text/plain "simple request"
                r = send(world, ex, op, {**attempts["cross-origin, no token"][0], "content-type": "text/plain"})
                expect(failures, op.id, "cross-origin text/plain", r, 403, "auth.cross_origin")
    report("cookie", failures)
