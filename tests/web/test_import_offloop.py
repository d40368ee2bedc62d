"""Spreadsheet imports never parse on the event loop (every import route and page of every domain), so the
server keeps answering while one runs; a hostile file is one 422 naming the limit it broke."""

from __future__ import annotations

import asyncio
import csv
import threading
import types
from collections.abc import Iterator
from typing import Any, Union, get_args, get_origin

import httpx
import pytest
from fastapi import FastAPI, UploadFile
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from boh.kernel import tabular
from tests.factories import login, make_site, make_tenant, make_user
from tests.web.helpers import csrf, page_login
from tests.xlsx_bombs import declared_dimension_bomb, shared_strings_bomb


def _routes(app: FastAPI) -> Iterator[tuple[str, APIRoute]]:
    try:
        from fastapi.routing import iter_route_contexts
    except ImportError:  # older FastAPI flattens included routers into app.routes
        yield from ((r.path, r) for r in app.routes if isinstance(r, APIRoute))
        return
    for c in iter_route_contexts(app.routes):
        if isinstance(c.original_route, APIRoute):
            yield c.path, c.original_route


def _is_upload(tp: Any) -> bool:
    if tp is UploadFile:
        return True
    if get_origin(tp) in (Union, types.UnionType):
        return any(_is_upload(a) for a in get_args(tp))
    return False


def upload_routes(app: FastAPI) -> list[str]:
    """Every POST route that takes an uploaded file: the API's imports and the console's import pages."""
    return sorted(
        path
        for path, route in _routes(app)
        if "POST" in (route.methods or ())
        and any(_is_upload(f.field_info.annotation) for f in route.dependant.body_params)
    )


def _spreadsheet(path: str) -> bool:
    """Upload routes that take a table (CSV/XLSX); the others take photos or a JSON template export."""
    return not path.endswith("/photos") and path != "/inspections/templates/import"


class Recorder:
    """Stands in for the csv module inside kernel.tabular and notes where each parse ran."""

    def __init__(self) -> None:
        self.on_loop: list[bool] = []
        self.Error = csv.Error
        self.writer = csv.writer

    def reader(self, *a: Any, **kw: Any) -> Any:
        try:
            asyncio.get_running_loop()
            self.on_loop.append(True)
        except RuntimeError:
            self.on_loop.append(False)
        return csv.reader(*a, **kw)


def test_no_import_parses_on_the_event_loop(runtime, app: FastAPI, client: TestClient, monkeypatch) -> None:
    t = make_tenant(runtime)
    make_site(runtime, t, "S001")
    make_user(runtime, t, "boss", [("hq_admin", None)])
    api = login(client, "boss")
    page_login(client, "boss")
    rec = Recorder()
    monkeypatch.setattr(tabular, "csv", rec)
    paths = upload_routes(app)
    assert {"/api/v1/catalog/items/import", "/api/v1/catalog/assortment/import", "/api/v1/org/sites/import"} <= set(
        paths
    )
    assert {"/catalog/items/import", "/org/sites/import"} <= set(paths)  # pages too
    failures = []
    for path in paths:
        if not _spreadsheet(path):  # photos are stored, not parsed; a template export is JSON
            r = client.post(path, headers=api, files={"file": ("f.csv", b"code\nX\n")}) if path.startswith("/api/") \
                else client.post(path, data={"csrf_token": csrf(client)}, files={"file": ("f.csv", b"code\nX\n")},
                                 follow_redirects=False)  # fmt: skip
            if r.status_code >= 500:
                failures.append(f"{path}: {r.status_code}")
            continue
        before = len(rec.on_loop)
        files = {"file": ("f.csv", b"code\nX\n")}
        if path.startswith("/api/"):
            r = client.post(path, headers=api, files=files)
        else:
            r = client.post(path, data={"csrf_token": csrf(client)}, files=files, follow_redirects=False)
        ran = rec.on_loop[before:]
        if r.status_code >= 500 or not ran or any(ran):
            failures.append(f"{path}: {r.status_code}, parsed {len(ran)} time(s), on the event loop: {any(ran)}")
    assert not failures, "\n".join(failures)


def test_health_answers_while_an_import_is_parsing(runtime, app: FastAPI, client: TestClient, monkeypatch) -> None:
    t = make_tenant(runtime)
    make_user(runtime, t, "boss", [("hq_admin", None)])
    headers = login(client, "boss")
    inside, release = threading.Event(), threading.Event()
    parsing = [False]

    class Slow(Recorder):
        def reader(self, *a: Any, **kw: Any) -> Any:
            parsing[0] = True
            inside.set()
            release.wait(timeout=30)  # a parser stuck on the event loop would hold the server this long
            parsing[0] = False
            return csv.reader(*a, **kw)

    monkeypatch.setattr(tabular, "csv", Slow())

    async def scenario() -> tuple[int, bool, int]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://boh.test") as c:
            upload = asyncio.create_task(
                c.post("/api/v1/catalog/items/import", headers=headers, files={"file": ("f.csv", b"sku\nA1\n")})
            )
            for _ in range(3000):  # a generous deadline for the import to reach the parser
                if inside.is_set():
                    break
                await asyncio.sleep(0.01)
            health = await c.get("/healthz")
            during = parsing[0]  # still parsing when health answered
            release.set()
            r = await upload
            return health.status_code, during, r.status_code

    out: list[tuple[int, bool, int]] = []
    runner = threading.Thread(target=lambda: out.append(asyncio.run(scenario())))  # its own thread: no loop there
    runner.start()
    runner.join(120)
    health, during, imported = out[0]
    assert inside.is_set()
    assert health == 200 and during, "health only answered once the import had finished parsing"
    assert imported == 422  # the file itself is invalid (no name_en column): the import did run to its end


def test_store_manager_bomb_on_assortment_import_is_one_422_naming_the_limit(runtime, client: TestClient) -> None:
    t = make_tenant(runtime)
    make_site(runtime, t, "S001")
    make_user(runtime, t, "mgr", [("store_manager", "S001")])
    mgr = login(client, "mgr")
    for bomb, limit in ((declared_dimension_bomb(), "columns"), (shared_strings_bomb(), "shared_strings")):
        r = client.post("/api/v1/catalog/assortment/import", headers=mgr, files={"file": ("a.xlsx", bomb)})
        assert r.status_code == 422, r.text
        body = r.json()
        assert body["code"] == "import.file_limit" and body["limit"] == limit
        assert len(body["errors"]) == 1 and body["errors"][0]["code"] == f"limit.{limit}"
        assert f"({limit})" in body["detail"]


def test_console_import_page_shows_the_limit(runtime, client: TestClient) -> None:
    t = make_tenant(runtime)
    make_user(runtime, t, "boss", [("hq_admin", None)])
    page_login(client, "boss")
    r = client.post(
        "/catalog/items/import",
        data={"csrf_token": csrf(client)},
        files={"file": ("bomb.xlsx", declared_dimension_bomb())},
        follow_redirects=False,
    )
    assert r.status_code == 422
    assert "the limit is 200 (columns)" in r.text


@pytest.fixture(autouse=True)
def _no_leak() -> Iterator[None]:
    yield
    assert tabular.csv is csv  # monkeypatch restored the module
