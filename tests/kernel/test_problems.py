"""Errors reach API clients as RFC 9457 problem+json with a stable code, never as a stack trace."""

from __future__ import annotations

import logging
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from boh.bootstrap import Runtime
from boh.http.routing import SecureRouter
from boh.kernel.errors import Conflict
from tests.factories import login, make_tenant, make_user

PROBLEM = "application/problem+json"
SECRET = "postgresql://boh:hunter2@db.internal/boh"


def _assert_problem(r: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith(PROBLEM)
    body = r.json()
    assert body["status"] == status and body["code"] == code
    assert body["type"] == "https://boh.dev/problems/" + code.replace(".", "/")
    assert body["title"] and body["detail"]
    assert body["request_id"] and r.headers["x-request-id"] == body["request_id"]
    return dict(body)


@pytest.fixture
def failing_app(app: FastAPI) -> FastAPI:
    router = SecureRouter(prefix="/api/v1/test")

    @router.get("/crash", public=True)
    def crash() -> None:
        raise RuntimeError(f"could not connect to {SECRET}")

    @router.get("/conflict", public=True)
    def conflict() -> None:
        raise Conflict("the count was posted meanwhile", code="test.already_posted", count_id=7)

    @router.get("/clash", public=True)
    def clash() -> None:  # extra members named like standard ones (a count's "status") must not break the answer
        raise Conflict("count 3 is counting", code="test.wrong_status", status="counting", instance="x", count_id=3)

    app.include_router(router)
    return app


def test_unknown_route_is_404_problem(client: TestClient) -> None:
    body = _assert_problem(client.get("/api/v1/no/such/thing"), 404, "http.not_found")
    assert body["instance"] == "/api/v1/no/such/thing"


def test_wrong_method_is_405_problem(client: TestClient) -> None:
    _assert_problem(client.delete("/api/v1/auth/me"), 405, "http.method_not_allowed")


def test_unexpected_exception_is_500_without_internals(
    failing_app: FastAPI, client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR, logger="boh.http"):
        r = client.get("/api/v1/test/crash", headers={"X-Request-ID": "trace-me-123"})
    body = _assert_problem(r, 500, "boh.internal_error")
    assert body["request_id"] == "trace-me-123"
    assert set(body) == {"type", "title", "status", "detail", "code", "instance", "request_id"}
    for leak in ("hunter2", "RuntimeError", "Traceback", "could not connect", "crash()", ".py"):
        assert leak not in r.text
    # ...but the server log keeps the whole story for the operator
    [rec] = [rec for rec in caplog.records if rec.name == "boh.http"]
    assert rec.exc_info is not None and "hunter2" in str(rec.exc_info[1])


def test_typed_error_keeps_its_code_and_extra_members(failing_app: FastAPI, client: TestClient) -> None:
    body = _assert_problem(client.get("/api/v1/test/conflict"), 409, "test.already_posted")
    assert body["detail"] == "the count was posted meanwhile"
    assert body["count_id"] == 7


def test_missing_credentials_is_401_with_challenge(client: TestClient) -> None:
    r = client.get("/api/v1/org/sites")
    _assert_problem(r, 401, "auth.authentication_required")
    assert r.headers["www-authenticate"] == "Bearer"


def test_validation_error_lists_every_field_and_reason(runtime: Runtime, client: TestClient) -> None:
    t = make_tenant(runtime)
    make_user(runtime, t, "boss", [("hq_admin", None)])
    h = login(client, "boss")
    r = client.post(
        "/api/v1/org/sites",
        headers=h,
        json={"code": "bad code!", "kind": "moon", "latitude": "91", "unexpected": 1},
    )
    body = _assert_problem(r, 422, "boh.validation_failed")
    errors = {tuple(e["loc"]): e for e in body["errors"]}
    assert set(errors) == {
        ("body", "code"),
        ("body", "name"),
        ("body", "kind"),
        ("body", "latitude"),
        ("body", "unexpected"),
    }
    assert errors[("body", "name")]["code"] == "missing"
    assert errors[("body", "kind")]["code"] == "literal_error"
    assert "store" in errors[("body", "kind")]["message"]  # the reason names what is allowed
    assert errors[("body", "unexpected")]["code"] == "extra_forbidden"
    assert all(e["message"] for e in body["errors"])
    assert client.get("/api/v1/org/sites", headers=h).json()["total"] == 0  # nothing written


def test_query_validation_error_names_the_parameter(runtime: Runtime, client: TestClient) -> None:
    t = make_tenant(runtime)
    make_user(runtime, t, "boss", [("hq_admin", None)])
    r = client.get("/api/v1/org/sites?limit=0&kind=moon", headers=login(client, "boss"))
    body = _assert_problem(r, 422, "boh.validation_failed")
    assert {tuple(e["loc"]) for e in body["errors"]} == {("query", "limit"), ("query", "kind")}


def test_not_found_error_of_a_domain_keeps_its_code(runtime: Runtime, client: TestClient) -> None:
    t = make_tenant(runtime)
    make_user(runtime, t, "boss", [("hq_admin", None)])
    _assert_problem(client.get("/api/v1/org/sites/987654", headers=login(client, "boss")), 404, "org.site_not_found")


def test_extra_members_never_replace_standard_ones(failing_app: FastAPI, client: TestClient) -> None:
    body = _assert_problem(client.get("/api/v1/test/clash"), 409, "test.wrong_status")
    assert body["instance"] == "/api/v1/test/clash"
    assert body["count_id"] == 3


# ---- values past validation that the database cannot store: a client error, never a 500, nothing written
INT65 = 2**64 + 5


def test_null_for_a_required_field_is_refused_field_by_field(runtime: Runtime, client: TestClient) -> None:
    t = make_tenant(runtime)
    make_user(runtime, t, "boss", [("hq_admin", None)])
    h = login(client, "boss")
    new = {"code": "S1", "name": "One", "kind": "store", "name_zh": "一号店", "city": "Chengdu"}
    site = client.post("/api/v1/org/sites", headers=h, json=new).json()
    r = client.patch(
        f"/api/v1/org/sites/{site['id']}", headers=h, json={"timezone": None, "active": None, "city": "Xi'an"}
    )
    body = _assert_problem(r, 422, "boh.validation_failed")
    assert {tuple(e["loc"]) for e in body["errors"]} == {("body", "timezone"), ("body", "active")}
    assert all(e["code"] == "not_nullable" for e in body["errors"])
    unchanged = client.get(f"/api/v1/org/sites/{site['id']}", headers=h).json()
    assert (unchanged["city"], unchanged["timezone"], unchanged["active"]) == ("Chengdu", site["timezone"], True)
    # null clears a field the site may be without; a field left out keeps its value
    r = client.patch(f"/api/v1/org/sites/{site['id']}", headers=h, json={"name_zh": None})
    assert r.status_code == 200, r.text
    assert (r.json()["name_zh"], r.json()["city"]) == (None, "Chengdu")
    user_id = client.get("/api/v1/auth/me", headers=h).json()["id"]
    r = client.patch(f"/api/v1/org/users/{user_id}", headers=h, json={"locale": None, "display_name": None})
    body = _assert_problem(r, 422, "boh.validation_failed")
    assert {tuple(e["loc"]) for e in body["errors"]} == {("body", "locale"), ("body", "display_name")}


def test_openapi_says_which_patch_fields_take_null(client: TestClient) -> None:
    schemas = client.get("/openapi.json").json()["components"]["schemas"]
    site = schemas["SiteUpdate"]["properties"]
    assert site["timezone"]["type"] == "string" and "anyOf" not in site["timezone"]
    assert {"type": "null"} in site["name_zh"]["anyOf"]


def test_a_number_too_large_to_store_is_a_client_error(runtime: Runtime, app: FastAPI) -> None:
    t = make_tenant(runtime)
    make_user(runtime, t, "boss", [("hq_admin", None)])
    # raise_server_exceptions: the error is answered like a typed one, not re-raised to the server as a crash
    client = TestClient(app, raise_server_exceptions=True)
    h = login(client, "boss")
    site = client.post("/api/v1/org/sites", headers=h, json={"code": "S1", "name": "One", "kind": "store"}).json()
    for url in (
        f"/api/v1/org/sites/{INT65}",
        f"/api/v1/inventory/balances?site_id={INT65}",
        f"/api/v1/catalog/items?category_id={INT65}",
    ):
        r = client.get(url, headers=h)
        # neither SQLite nor PostgreSQL can bind such an id to a 64-bit column: told as the client's error
        body = _assert_problem(r, 422, "request.unstorable_value")
        assert body["detail"].startswith(("a number is too large", "a value cannot be stored"))
    r = client.patch(f"/api/v1/org/sites/{site['id']}", headers=h, json={"area_m2": "123456789012.5"})
    assert r.status_code == 422
    assert client.get(f"/api/v1/org/sites/{site['id']}", headers=h).json()["area_m2"] is None


def test_unstorable_value_knows_the_database_errors() -> None:
    from sqlalchemy.exc import DataError, IntegrityError, StatementError

    from boh.kernel.db import unstorable_value
    from boh.kernel.types import ScaleError

    class PgRange(Exception):
        sqlstate = "22003"

    assert unstorable_value(OverflowError("Python int too large to convert to SQLite INTEGER"))
    wrapped = StatementError("bind", "INSERT", {}, ScaleError("1E+20 has more than 12 digits before the point"))
    assert "1E+20" in (unstorable_value(wrapped) or "")
    assert unstorable_value(DataError("INSERT", {}, PgRange("bigint out of range")))
    try:
        try:
            raise PgRange("numeric field overflow")
        except PgRange as inner:
            raise RuntimeError("while posting") from inner
    except RuntimeError as outer:
        assert unstorable_value(outer)
    assert unstorable_value(IntegrityError("INSERT", {}, Exception("unique"))) is None
    assert unstorable_value(RuntimeError("boom")) is None


def test_database_errors_are_logged_and_stored_without_their_values(runtime: Runtime) -> None:
    import io

    from pythonjsonlogger.json import JsonFormatter
    from sqlalchemy import text
    from sqlalchemy.exc import DBAPIError

    from boh.http.observability import SafeTracebackFilter
    from boh.kernel.db import error_text

    secret = "s3cret-personal-value"
    with pytest.raises(DBAPIError) as caught, runtime.engine.begin() as conn:
        conn.execute(text("INSERT INTO org_tenant (code) VALUES (:secret)"), {"secret": secret})
    # the statement's parameters are hidden, but PostgreSQL's own detail quotes the failing row: what BOH logs
    # or stores never does
    stored = error_text(caught.value)
    assert secret not in stored
    assert stored.startswith("IntegrityError: ") and "INSERT INTO org_tenant" in stored
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.setFormatter(JsonFormatter("%(levelname)s %(message)s"))
    handler.addFilter(SafeTracebackFilter())
    logger = logging.getLogger("boh.test.safe")
    logger.addHandler(handler)
    try:
        try:
            raise RuntimeError("posting failed") from caught.value
        except RuntimeError:
            logger.exception("job crashed")
    finally:
        logger.removeHandler(handler)
    logged = out.getvalue()
    assert secret not in logged
    assert "Traceback (most recent call last)" in logged and "RuntimeError: posting failed" in logged
    assert "org_tenant" in logged  # where it failed is still told
