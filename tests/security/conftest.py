"""Fixtures of the route walk: the OpenAPI document, its operations, and the world they run in."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from boh.bootstrap import Runtime
from boh.kernel.permissions import PLATFORM_OPERATOR
from tests.security.checks import require_creators
from tests.security.spec import Examples, Operation, operations
from tests.security.world import CREATORS, World, build, ref_value


@pytest.fixture
def doc(client: TestClient) -> dict[str, Any]:
    data: dict[str, Any] = client.get("/openapi.json").json()
    return data


@pytest.fixture
def ops(doc: dict[str, Any]) -> list[Operation]:
    return operations(doc)


@pytest.fixture
def secured(ops: list[Operation]) -> list[Operation]:
    """The operations of tenants' principals (the platform API is walked by test_platform_walk.py)."""
    return [op for op in ops if not op.public and op.permission not in PLATFORM_OPERATOR]


@pytest.fixture
def platform_ops(ops: list[Operation]) -> list[Operation]:
    return [op for op in ops if op.permission in PLATFORM_OPERATOR]


@pytest.fixture
def world(runtime: Runtime, client: TestClient, ops: list[Operation]) -> World:
    require_creators(f"{{{p}}} in {op.id}" for op in ops for p in op.path_params)
    w = build(runtime, client)
    for op in ops:  # every object exists before any check, so "nothing changed" is measurable
        for name in op.path_params:
            w.get(name)
    return w


@pytest.fixture
def ex(doc: dict[str, Any], world: World, ops: list[Operation]) -> Examples:
    examples = Examples(doc, lambda path, name: ref_value(world, path, name))
    for op in ops:  # objects that bodies and queries refer to also exist before any check
        for p in op.params("query"):
            if p.get("required") and p["name"] in CREATORS:
                world.get(p["name"])
        if op.body_media == "application/json":
            examples.body(op, all_refs=True)
    return examples
