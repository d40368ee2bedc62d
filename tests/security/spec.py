"""Reading the OpenAPI document: operations, their parameters, and a minimal valid example body.

The route-walking security test builds every request from here, so a new route is walked the moment
it appears in the document. Values the schema cannot describe well enough (unit codes, passwords, ids
of other objects) come from ``FIELD_VALUES`` or from the world's object table.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

HTTP_METHODS = ("get", "post", "put", "patch", "delete")

# Field values by property name, for fields whose schema alone cannot produce a valid value.
FIELD_VALUES: dict[str, Any] = {
    "password": "a-Long-passw0rd",
    "uom": "kg",
    "base_uom": "kg",
    "purchase_uom": "kg",
    "timezone": "Asia/Shanghai",
    "currency": "CNY",
    "email": "someone@example.com",
    "permissions": ["org.site.read"],
}

# Strings tried, in order, against a schema ``pattern`` when no FIELD_VALUES entry applies.
PATTERN_CANDIDATES = ("A1", "ABC", "abc", "1", "123", "CNY", "CN", "08:00-20:00", "+86 21 1234", "a@b.co", "x")


class ExampleError(Exception):
    """The schema asks for something the generator cannot make; the message says what to add."""


@dataclass(frozen=True)
class Operation:
    method: str
    path: str
    spec: dict[str, Any]

    @property
    def id(self) -> str:
        return f"{self.method.upper()} {self.path}"

    @property
    def permission(self) -> str | None:
        value = self.spec.get("x-permission")
        return value if isinstance(value, str) else None

    @property
    def public(self) -> bool:
        return self.spec.get("x-public") is True

    def params(self, where: str) -> list[dict[str, Any]]:
        return [p for p in self.spec.get("parameters", []) if p.get("in") == where]

    @property
    def path_params(self) -> list[str]:
        return [p["name"] for p in self.params("path")]

    @property
    def body_media(self) -> str | None:
        content = (self.spec.get("requestBody") or {}).get("content") or {}
        return next(iter(content), None)

    def body_schema(self) -> dict[str, Any]:
        media = self.body_media
        assert media is not None
        schema: dict[str, Any] = self.spec["requestBody"]["content"][media]["schema"]
        return schema


def operations(doc: dict[str, Any]) -> list[Operation]:
    ops = []
    for path, item in sorted(doc["paths"].items()):
        for method in HTTP_METHODS:
            if method in item:
                ops.append(Operation(method, path, item[method]))
    return ops


class Examples:
    """Minimal valid instances of OpenAPI schemas (only required properties are filled)."""

    def __init__(self, doc: dict[str, Any], ref_value: Callable[[str, str], Any | None]) -> None:
        self.doc = doc
        self.ref_value = ref_value  # (operation path, field name) -> value for id/code fields, or None

    def resolve(self, schema: dict[str, Any]) -> dict[str, Any]:
        while "$ref" in schema:
            node: Any = self.doc
            for part in schema["$ref"].removeprefix("#/").split("/"):
                node = node[part]
            schema = node
        return schema

    def body(self, op: Operation, *, all_refs: bool = False) -> Any:
        """A body for ``op``; with ``all_refs`` optional fields that refer to objects are filled too."""
        return self.value(op.body_schema(), op.path, "body", all_refs)

    def value(self, schema: dict[str, Any], path: str, name: str, all_refs: bool = False) -> Any:
        schema = self.resolve(schema)
        ref = self.ref_value(path, name)
        if ref is not None:
            return ref
        if self.is_id(schema, name):
            raise ExampleError(
                f"{path}: the id field '{name}' refers to an object the route walk cannot make; add a creator "
                "(CREATORS) or an alias (ALIASES) in tests/security/world.py"
            )
        if name in FIELD_VALUES:
            return FIELD_VALUES[name]
        if "const" in schema:
            return schema["const"]
        if schema.get("enum"):
            return schema["enum"][0]
        for key in ("anyOf", "oneOf", "allOf"):
            if key in schema:
                options = [o for o in schema[key] if self.resolve(o).get("type") != "null"]
                return self.value(options[0], path, name, all_refs)
        kind = schema.get("type")
        if kind == "object" or "properties" in schema:
            return self._object(schema, path, all_refs)
        if kind == "array":
            items = schema.get("items", {})
            return [self.value(items, path, name, all_refs) for _ in range(schema.get("minItems", 0))]
        if kind == "string":
            return self._string(schema, path, name)
        if kind in ("integer", "number"):
            return self._number(schema)
        if kind == "boolean":
            return True
        raise ExampleError(f"{path}: cannot make an example for '{name}' ({schema}); add it to FIELD_VALUES")

    def is_id(self, schema: dict[str, Any], name: str) -> bool:
        """An integer field named ``*_id``: a reference to another object."""
        schema = self.resolve(schema)
        options = [self.resolve(o) for o in schema.get("anyOf", [schema])]
        return name.endswith("_id") and any(o.get("type") == "integer" for o in options)

    def _object(self, schema: dict[str, Any], path: str, all_refs: bool) -> dict[str, Any]:
        props: dict[str, Any] = schema.get("properties", {})
        required = schema.get("required", [])
        out = {k: self.value(props[k], path, k, all_refs) for k in required if k in props}
        if all_refs:  # optional references too, so that every reference a body can carry is exercised
            out |= {k: self.value(v, path, k) for k, v in props.items() if k not in out and self.is_id(v, k)}
        return out

    @staticmethod
    def _number(schema: dict[str, Any]) -> int:
        low = schema.get("minimum")
        if low is None and "exclusiveMinimum" in schema:
            low = schema["exclusiveMinimum"] + 1
        value = max(int(low) if low is not None else 1, 1)
        high = schema.get("maximum")
        return min(value, int(high)) if high is not None else value

    def _string(self, schema: dict[str, Any], path: str, name: str) -> str:
        fmt = schema.get("format")
        if fmt == "date-time":
            return "2030-01-01T00:00:00Z"
        if fmt == "date":
            return "2030-01-01"
        if fmt == "email":
            return "someone@example.com"
        if fmt == "binary":
            return "file"
        low, high = schema.get("minLength", 1), schema.get("maxLength", 10_000)
        pattern = schema.get("pattern")
        for cand in PATTERN_CANDIDATES:
            if low <= len(cand) <= high and (pattern is None or re.search(pattern, cand)):
                return str(cand)
        if pattern is None:
            return "x" * int(low)
        raise ExampleError(f"{path}: no example matches the pattern of '{name}' ({pattern}); add it to FIELD_VALUES")
