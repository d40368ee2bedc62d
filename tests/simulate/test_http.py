"""The simulator over HTTP against the real app: a device key reads the catalog through the API, the paced
run posts accepted events, and a retry after a lost response (same event ids) changes nothing twice."""

from __future__ import annotations

import random
from typing import Any

import httpx
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from boh.bootstrap import Runtime
from boh.inventory.ingest.models import IngestedEvent
from boh.inventory.models import Move
from boh.kernel.permissions import ROLE_PERMISSIONS
from boh.org.auth import create_api_key
from boh.org.schemas import ApiKeyCreate
from boh.simulate.generator import FloorGenerator
from boh.simulate.runner import run_floor
from boh.simulate.sinks import HttpSink
from boh.simulate.snapshot import snapshot_from_api
from tests.simulate.support import FloorWorld, make_floor_world


def device_key(rt: Runtime, w: FloorWorld, site: str | None = None) -> str:
    with rt.system_uow(w.tenant.id) as uow:
        data = ApiKeyCreate(
            name="till", site_id=w.site_ids[site] if site else None, permissions=sorted(ROLE_PERMISSIONS["device"])
        )
        key = create_api_key(uow, data).key
        uow.commit()
    return key


def counts(rt: Runtime) -> tuple[int, int]:
    with rt.session_factory() as s:
        return (
            s.scalar(select(func.count()).select_from(IngestedEvent)) or 0,
            s.scalar(select(func.count()).select_from(Move)) or 0,
        )


def test_catalog_through_the_api_with_a_device_key(runtime: Runtime, client: TestClient) -> None:
    w = make_floor_world(runtime)
    client.headers["X-API-Key"] = device_key(runtime, w)
    snap = snapshot_from_api(client, w.tenant.code, ["SH01", "SH02"])
    expected = sorted((i.sku, i.gtin, i.base_uom) for i in w.snapshot.sites[0].items)
    for site in snap.sites:
        assert site.site_id == w.site_ids[site.code]
        assert sorted((i.sku, i.gtin, i.base_uom) for i in site.items) == expected


def test_paced_run_posts_events_that_are_accepted(runtime: Runtime, client: TestClient) -> None:
    w = make_floor_world(runtime)
    client.headers["X-API-Key"] = device_key(runtime, w)
    gen = FloorGenerator(random.Random(3), w.snapshot)
    stats = run_floor(gen, HttpSink(client), rate=400, duration=1.0, tick=0.1, senders=1)
    # pacing caps the rate (never more than rate x duration plus one tick); on a loaded machine it may fall behind
    assert 0 < stats.sent.events <= 450
    assert (stats.sent.accepted, stats.sent.rejected, stats.failed_batches) == (stats.sent.events, 0, 0)
    assert counts(runtime)[0] == stats.sent.events


class LosesFirstResponse(httpx.BaseTransport):
    """Delivers the request, then pretends the response timed out (once): the classic retry case."""

    def __init__(self, inner: httpx.BaseTransport) -> None:
        self.inner, self.calls = inner, 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.calls += 1
        response = self.inner.handle_request(request)
        if self.calls == 1:
            response.read()
            raise httpx.ReadTimeout("response lost", request=request)
        return response


def test_a_retry_after_a_lost_response_changes_nothing_twice(runtime: Runtime, client: TestClient) -> None:
    w = make_floor_world(runtime)
    flaky = LosesFirstResponse(client._transport)
    http = httpx.Client(transport=flaky, base_url=str(client.base_url), headers={"X-API-Key": device_key(runtime, w)})
    events: list[dict[str, Any]] = FloorGenerator(random.Random(8), w.snapshot, mix={"pos": 1.0}).next_events(60)
    got = HttpSink(http, backoff=0.01).send(events)
    assert (flaky.calls, got.retries, got.accepted, got.duplicates) == (2, 1, 0, 60)
    assert counts(runtime) == (60, 60)


def test_a_site_bound_key_cannot_book_another_site(runtime: Runtime, client: TestClient) -> None:
    w = make_floor_world(runtime)
    client.headers["X-API-Key"] = device_key(runtime, w, "SH01")
    events = FloorGenerator(random.Random(4), w.snapshot, mix={"pos": 1.0}).next_events(40)
    got = HttpSink(client).send(events)
    other = sum(1 for e in events if e["site"] == "SH02")
    assert 0 < other < 40
    assert (got.accepted, got.rejected) == (40 - other, other)
    assert counts(runtime)[0] == 40 - other
