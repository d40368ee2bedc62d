"""Finding 8: whatever a correctly signed access token carries, a malformed claim is a 401 problem, never a
500. Hypothesis mutates one claim of a valid token at a time (wrong type, out of range, missing) and signs
it with the server's own secret, so only the claim checks stand between it and the database."""

from __future__ import annotations

import re
import time
from typing import Any

import jwt
import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from boh.bootstrap import Runtime
from boh.org.auth import TokenService
from boh.org.errors import InvalidToken
from boh.settings import AuthSettings
from tests.factories import login, make_tenant, make_user

SECRET = "s" * 48
FAR = 4_102_444_800  # 2100-01-01
MISSING = object()

junk = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=40),
    st.sampled_from(["9" * 30, "-1", "0", "1.0", " 1", "1e3", "١", "0x1", "+1", "", "\x00"]),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
    st.just(MISSING),
)


def _valid(user_id: int, tenant_id: int, sid: str) -> dict[str, Any]:
    return {"sub": str(user_id), "tid": tenant_id, "sid": sid, "typ": "access", "exp": FAR, "iat": 0}


def _still_valid(name: str, value: object, claims: dict[str, Any]) -> bool:
    """Mutations that leave a well-formed token (a later expiry, an extra claim): not what this tests."""
    if value is MISSING:
        return name == "iat"
    if name == "exp":
        return isinstance(value, int) and not isinstance(value, bool) and value > time.time()
    return name in ("iat", "jti") or value == claims[name]


def _well_formed(name: str, value: object) -> bool:
    """Another id or session of the right form: decoding accepts it, the database lookup then refuses it
    (the HTTP test below covers those)."""
    if name == "sid":
        return isinstance(value, str) and re.fullmatch(r"[0-9a-f-]{1,36}", value) is not None
    if name == "sub":
        ok = isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 19
        return ok and 0 < int(str(value)) < 2**63
    if name == "tid":
        return isinstance(value, int) and not isinstance(value, bool) and 0 < value < 2**63
    return False


def _mutated(claims: dict[str, Any], name: str, value: object) -> dict[str, Any]:
    out = dict(claims)
    if value is MISSING:
        out.pop(name, None)
    else:
        out[name] = value
    return out


@given(name=st.sampled_from(["sub", "tid", "sid", "typ", "exp", "iat"]), value=junk)
@example(name="sub", value="9" * 30)
@example(name="sub", value=2**80)
@example(name="tid", value="1")
@example(name="exp", value=MISSING)
@example(name="sid", value="\x00")
@settings(max_examples=300, deadline=None)
def test_decode_refuses_every_malformed_claim(name: str, value: object) -> None:
    tokens = TokenService(SECRET, AuthSettings())
    claims = _valid(1, 1, "a" * 36)
    if _still_valid(name, value, claims) or _well_formed(name, value):
        return
    token = jwt.encode(_mutated(claims, name, value), SECRET, algorithm="HS256")
    with pytest.raises(InvalidToken):
        tokens.decode(token)


def test_decode_accepts_the_tokens_it_issues() -> None:
    tokens = TokenService(SECRET, AuthSettings())
    claims = tokens.decode(jwt.encode(_valid(7, 3, "0f1e"), SECRET, algorithm="HS256"))
    assert (claims.user_id, claims.tenant_id, claims.session_id) == (7, 3, "0f1e")


@pytest.fixture
def signed(runtime: Runtime, client: TestClient) -> tuple[TestClient, dict[str, Any]]:
    t = make_tenant(runtime)
    uid = make_user(runtime, t, "boss", [("hq_admin", None)])
    bearer = login(client, "boss")
    issued = jwt.decode(bearer["Authorization"].removeprefix("Bearer "), options={"verify_signature": False})
    sid = issued.get("sid", "0")
    return client, _valid(uid, t.id, sid)


@given(name=st.sampled_from(["sub", "tid", "sid", "typ", "exp"]), value=junk)
@example(name="sub", value="9" * 30)  # beyond BIGINT: was a 500 on PostgreSQL
@example(name="sub", value="abc")  # was a 500 (int() outside the token check)
@example(name="tid", value=2**70)
@example(name="sid", value="\x00")  # a NUL would be a database error on PostgreSQL
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_api_and_console_answer_401_for_malformed_claims(
    signed: tuple[TestClient, dict[str, Any]], name: str, value: object
) -> None:
    client, claims = signed
    if _still_valid(name, value, claims):
        return
    secret = client.app.state.tokens.secret  # type: ignore[attr-defined]
    token = jwt.encode(_mutated(claims, name, value), secret, algorithm="HS256")
    r = client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 401 and r.headers["content-type"].startswith("application/problem+json"), r.text
    client.cookies.clear()
    page = client.get("/", headers={"Cookie": f"boh_session={token}"}, follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"].startswith("/login"), page.status_code


def test_the_valid_token_is_accepted(signed: tuple[TestClient, dict[str, Any]]) -> None:
    """The control: the unmutated claims, signed the same way, authenticate."""
    client, claims = signed
    token = jwt.encode(claims, client.app.state.tokens.secret, algorithm="HS256")  # type: ignore[attr-defined]
    assert client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"}).status_code == 200
