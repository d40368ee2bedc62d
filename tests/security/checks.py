"""Sending the walk's requests and judging the answers."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest

from tests.security.spec import Examples, Operation
from tests.security.world import CREATORS, World, write_mark, writes_since

PROBLEM = "application/problem+json"

# Findings in code outside the foundation, reported to its owners. Each entry is (check, "METHOD /path").
# A gap that is fixed makes its check fail until the entry is removed, so this list cannot go stale.
KNOWN_GAPS: dict[tuple[str, str], str] = {}


def require_creators(uses: Iterable[str]) -> None:
    """``uses`` are "{name} in <route>" strings; fail for every name CREATORS cannot build."""
    unknown = sorted({u for u in uses if re.sub(r"^\{(\w+)\}.*", r"\1", u) not in CREATORS})
    if unknown:
        pytest.fail(
            "the route walk cannot build these path parameters: "
            + "; ".join(unknown)
            + ". Add a creator for each name to CREATORS in tests/security/world.py (it must create an object "
            "of tenant A whose name or code contains 'alpha' and return its id)."
        )


def send(
    w: World,
    ex: Examples,
    op: Operation,
    headers: dict[str, str],
    *,
    path: dict[str, Any] | None = None,
    all_refs: bool = False,
    raw_body: bytes | None = None,
) -> httpx.Response:
    """Call ``op`` as whoever ``headers`` name, on tenant A's objects, with a minimal valid body."""
    values = {p: (path or {}).get(p, w.get(p)) for p in op.path_params}
    params: dict[str, Any] = {}
    for p in op.params("query"):
        name = p["name"]
        if p.get("required"):
            params[name] = w.get(name) if name in CREATORS else ex.value(p.get("schema", {}), op.path, name)
        elif all_refs and name.endswith("_id") and name in CREATORS:
            params[name] = w.get(name)
    kw: dict[str, Any] = {"params": params, "headers": dict(headers)}
    media = op.body_media
    if media is not None and raw_body is not None:
        kw["content"] = raw_body
        kw["headers"]["content-type"] = media + ("; boundary=zzz" if media.startswith("multipart/") else "")
    elif media == "application/json":
        kw["json"] = ex.body(op, all_refs=all_refs)
    elif media == "application/x-www-form-urlencoded":
        kw["data"] = ex.body(op)
    elif media == "multipart/form-data":
        kw["files"], kw["data"] = _multipart(ex, op)
    elif media is not None:
        pytest.fail(f"{op.id}: the route walk does not know how to send {media}; teach send() in {__file__}")
    w.client.cookies.clear()  # only the headers given here may identify the caller
    url = op.path.format(**values)
    if _streams(op):  # an endless text/event-stream: read its status and headers, then hang up
        with w.client.stream(op.method.upper(), url, follow_redirects=False, **kw) as s:
            body = s.read() if s.status_code >= 300 else b""
            return httpx.Response(s.status_code, headers=s.headers, content=body, request=s.request)
    r: httpx.Response = w.client.request(op.method.upper(), url, follow_redirects=False, **kw)
    return r


def _streams(op: Operation) -> bool:
    ok = (op.spec.get("responses") or {}).get("200") or {}
    return "text/event-stream" in (ok.get("content") or {})


def _multipart(ex: Examples, op: Operation) -> tuple[dict[str, Any], dict[str, Any]]:
    schema = ex.resolve(op.body_schema())
    files, data = {}, {}
    for name in schema.get("required", []):
        prop = ex.resolve(schema["properties"][name])
        if prop.get("format") == "binary" or "contentMediaType" in prop:
            files[name] = ("upload.csv", b"code,name\nALPHA-X,Alpha X\n", "text/csv")
        else:
            data[name] = ex.value(prop, op.path, name)
    return files, data


def expect(failures: list[str], op_id: str, who: str, r: httpx.Response, status: int, code: str = "") -> None:
    """An API answer must be exactly ``status`` as problem+json (with ``code`` when given)."""
    body = r.json() if r.headers.get("content-type", "").startswith(PROBLEM) else None
    if r.status_code != status or body is None or (code and body.get("code") != code):
        failures.append(f"{op_id} as {who}: expected a {status} {code} problem, got {r.status_code} {r.text[:160]}")


@contextmanager
def nothing_written(w: World, failures: list[str], what: str) -> Iterator[None]:
    mark = write_mark(w.rt)
    yield
    changed = writes_since(w.rt, mark)
    if changed:
        failures.append(f"{what}: refused requests still changed {changed}")


def report(check: str, failures: list[str]) -> None:
    """Fail with every finding at once; findings listed in KNOWN_GAPS are expected (and must persist)."""
    gaps = {op_id for (c, op_id) in KNOWN_GAPS if c == check}
    real = [f for f in failures if not any(f.startswith(g + " ") for g in gaps)]
    fixed = sorted(g for g in gaps if not any(f.startswith(g + " ") for f in failures))
    assert not real, f"{len(real)} security failures ({check}):\n" + "\n".join(real)
    assert not fixed, f"these known gaps are fixed now; remove them from KNOWN_GAPS in {__file__}: {fixed}"
