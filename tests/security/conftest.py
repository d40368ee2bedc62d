"""Fixtures of the route walk: the OpenAPI document, its operations, and the world they run in.

The walks only read (each one proves that its refused requests wrote nothing), so one world serves every test
of a module: the database, app, client and world here are module-scoped and override the per-test ones of
tests/conftest.py. A walk that writes (the control walk, check-then-write, the platform key) lives in a module
of its own, so what it changes cannot reach another walk.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from boh.bootstrap import Runtime
from boh.kernel.permissions import PLATFORM_OPERATOR
from boh.settings import AuthSettings
from tests.conftest import reset
from tests.security.checks import require_creators
from tests.security.spec import Examples, Operation, operations
from tests.security.world import CREATORS, World, build, install_write_log, ref_value, remove_write_log


@pytest.fixture(scope="module")
def runtime(runtime_session: Runtime) -> Iterator[Runtime]:
    """The session's database for one module; its access tokens outlive a slow module's walks."""
    auth = AuthSettings(access_token_minutes=240)
    rt = dataclasses.replace(runtime_session, settings=runtime_session.settings.model_copy(update={"auth": auth}))
    try:
        yield rt
    finally:
        reset(rt)


@pytest.fixture(scope="module")
def app(runtime: Runtime) -> FastAPI:
    from boh.web.app import create_app

    return create_app(runtime.settings, runtime)


@pytest.fixture(scope="module")
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


@pytest.fixture(scope="module")
def doc(client: TestClient) -> dict[str, Any]:
    data: dict[str, Any] = client.get("/openapi.json").json()
    return data


@pytest.fixture(scope="module")
def ops(doc: dict[str, Any]) -> list[Operation]:
    return operations(doc)


@pytest.fixture(scope="module")
def secured(ops: list[Operation]) -> list[Operation]:
    """The operations of tenants' principals (the platform API is walked by test_platform_walk.py)."""
    return [op for op in ops if not op.public and op.permission not in PLATFORM_OPERATOR]


@pytest.fixture(scope="module")
def platform_ops(ops: list[Operation]) -> list[Operation]:
    return [op for op in ops if op.permission in PLATFORM_OPERATOR]


@pytest.fixture(scope="module")
def world(runtime: Runtime, client: TestClient, ops: list[Operation]) -> Iterator[World]:
    require_creators(f"{{{p}}} in {op.id}" for op in ops for p in op.path_params)
    w = build(runtime, client)
    for op in ops:  # every object exists before any check
        for name in op.path_params:
            w.get(name)
    install_write_log(runtime)  # "nothing written" is then one query
    try:
        yield w
    finally:
        remove_write_log(runtime)


@pytest.fixture(scope="module")
def ex(doc: dict[str, Any], world: World, ops: list[Operation]) -> Examples:
    examples = Examples(doc, lambda path, name: ref_value(world, path, name))
    for op in ops:  # objects that bodies and queries refer to also exist before any check
        for p in op.params("query"):
            if p.get("required") and p["name"] in CREATORS:
                world.get(p["name"])
        if op.body_media == "application/json":
            examples.body(op, all_refs=True)
    return examples
