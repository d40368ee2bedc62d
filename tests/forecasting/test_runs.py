"""Forecast runs asked for through the API are background jobs: 202 Accepted with a Location to poll, the worker's
``forecasting.queued`` job executes them (driven here through the job runner, as the worker does), progress while
they run, problem details when they fail, one run per idempotency key, permissions and tenant/site isolation."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from boh.bootstrap import Runtime
from boh.forecasting import models, tasks
from boh.kernel.errors import FieldError, ValidationFailed
from boh.worker.builtin import build_registry
from boh.worker.scheduler import execute
from tests.factories import login, make_tenant, make_user
from tests.forecasting.test_service import _sell, _world
from tests.web.helpers import page_login, post_form

RUNS = "/api/v1/forecasting/runs"


def _count(rt: Runtime, model: Any, **where: Any) -> int:
    with rt.session_factory() as session:
        stmt = select(func.count()).select_from(model)
        for k, v in where.items():
            stmt = stmt.where(getattr(model, k) == v)
        return int(session.scalar(stmt) or 0)


def _work(rt: Runtime) -> Any:
    """One pass of the worker's job over the queued runs (what the scheduler runs every 10 s)."""
    out = execute(rt, build_registry(rt.settings), "forecasting.queued")
    assert out.status == "ok", out.error
    return out.result


def test_a_run_is_accepted_queued_then_done_by_the_worker(runtime: Runtime, client: TestClient,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    t, sites, items = _world(runtime)
    _sell(runtime, t, sites, items)
    make_user(runtime, t, "hqadmin", [("hq_admin", None)])  # type: ignore[arg-type]
    h = login(client, "hqadmin")
    r = client.post(RUNS, headers=h, json={"horizon": 7, "idempotency_key": "nightly-2026-12-06"})
    assert r.status_code == 202, r.text
    run_id = r.json()["id"]
    assert r.headers["location"] == f"{RUNS}/{run_id}"
    assert (r.json()["status"], r.json()["progress"], r.json()["series"]) == ("queued", "0.0000", 0)
    assert _count(runtime, models.Forecast) == 0  # nothing computed in the request

    again = client.post(RUNS, headers=h, json={"horizon": 7, "idempotency_key": "nightly-2026-12-06"})
    assert again.status_code == 202 and again.json()["id"] == run_id  # a retry: the same run, not a second
    other = client.post(RUNS, headers=h, json={"horizon": 14, "idempotency_key": "nightly-2026-12-06"})
    assert other.status_code == 409 and other.json()["code"] == "forecasting.idempotency_conflict"
    assert _count(runtime, models.Run) == 1

    seen: list[tuple[str, str]] = []  # what a poller sees each time the worker reports progress
    original = tasks._set

    def spy(rt: Any, rid: int, **values: Any) -> None:
        original(rt, rid, **values)
        body = client.get(r.headers["location"], headers=h).json()
        seen.append((body["status"], body["progress"]))

    monkeypatch.setattr(tasks, "_set", spy)
    assert client.get(r.headers["location"], headers=h).json()["status"] == "queued"
    assert _work(runtime) == {"done": [run_id], "failed": []}
    assert seen == [("running", "0.9500")]  # one chunk of series: 95% computed, then stored
    body = client.get(r.headers["location"], headers=h).json()
    assert (body["status"], body["progress"], body["series"], body["error"]) == ("done", "1.0000", 4, None)
    assert body["finished_at"] is not None and body["config"]["horizon"] == 7
    assert _count(runtime, models.Forecast, run_id=run_id) == 4 * 7
    s = client.get(f"/api/v1/forecasting/series/{sites[0]}/{items[0]}", headers=h).json()
    assert s["run_id"] == run_id and len(s["forecast"]) == 7
    assert all(float(f["q10"]) <= float(f["q50"]) <= float(f["q90"]) for f in s["forecast"])
    assert _work(runtime) == {"done": [], "failed": []}  # nothing left: a done run is never run twice


def test_a_failed_run_reports_problem_details_and_stores_nothing(runtime: Runtime, client: TestClient,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    t, sites, items = _world(runtime)
    _sell(runtime, t, sites, items)
    make_user(runtime, t, "hqadmin", [("hq_admin", None)])  # type: ignore[arg-type]
    h = login(client, "hqadmin")
    first = client.post(RUNS, headers=h, json={"horizon": 7}).json()["id"]
    second = client.post(RUNS, headers=h, json={"horizon": 7}).json()["id"]  # no key: two runs
    calls = iter([RuntimeError("secret internals"), ValidationFailed([FieldError(("horizon",), "too far")])])

    def broken(*_a: Any, **_k: Any) -> Any:
        raise next(calls)

    monkeypatch.setattr(tasks.service, "compute", broken)
    assert _work(runtime) == {"done": [], "failed": [first, second]}
    a = client.get(f"{RUNS}/{first}", headers=h).json()
    assert a["status"] == "failed" and a["finished_at"] is not None
    assert {k: a["error"][k] for k in ("status", "code", "title")} == {
        "status": 500, "code": "forecasting.run_failed", "title": "Forecast run failed"}  # fmt: skip
    assert "secret" not in str(a["error"])  # an unexpected error says no more than the API's 500
    b = client.get(f"{RUNS}/{second}", headers=h).json()["error"]
    assert (b["status"], b["code"]) == (422, "boh.validation_failed")
    assert b["errors"] == [{"loc": ["horizon"], "message": "too far", "code": "invalid"}]
    assert _count(runtime, models.Forecast) == 0 and _count(runtime, models.SeriesMetric) == 0
    assert client.get(f"/api/v1/forecasting/series/{sites[0]}/{items[0]}", headers=h).status_code == 404


def test_asking_for_a_run_needs_the_permission_and_valid_input(runtime: Runtime, client: TestClient) -> None:
    t, sites, _items = _world(runtime)
    make_user(runtime, t, "clerk", [("store_staff", "S001")])  # type: ignore[arg-type]
    make_user(runtime, t, "hqadmin", [("hq_admin", None)])  # type: ignore[arg-type]
    r = client.post(RUNS, headers=login(client, "clerk"), json={"horizon": 7})
    assert r.status_code == 403
    assert client.post(RUNS, json={"horizon": 7}).status_code == 401
    bad = client.post(RUNS, headers=login(client, "hqadmin"), json={"site_ids": [sites[0], 999999],
                                                                    "item_ids": [888888], "horizon": 7})  # fmt: skip
    assert bad.status_code == 422
    assert sorted(e["message"] for e in bad.json()["errors"]) == ["site 999999 not found"]  # sites first
    assert client.post(RUNS, headers=login(client, "hqadmin"), json={"horizon": 0}).status_code == 422
    assert _count(runtime, models.Run) == 0


def test_runs_stay_in_their_tenant_and_the_askers_sites(runtime: Runtime, client: TestClient) -> None:
    t, sites, items = _world(runtime)
    _sell(runtime, t, sites, items)
    make_user(runtime, t, "north", [("regional_manager", "S001")])  # type: ignore[arg-type]
    other = make_tenant(runtime, "OTHER", "Other Foods")
    make_user(runtime, other, "intruder", [("hq_admin", None)])
    r = client.post(RUNS, headers=login(client, "north"), json={"horizon": 7})
    assert r.status_code == 202, r.text
    run_id = r.json()["id"]
    spy = login(client, "intruder")
    assert client.get(f"{RUNS}/{run_id}", headers=spy).status_code == 404  # another tenant's run: not found
    assert client.get(RUNS, headers=spy).json() == []
    assert _work(runtime) == {"done": [run_id], "failed": []}
    with runtime.session_factory() as session:
        got = set(session.execute(select(models.Forecast.site_id, models.Forecast.item_id)
                                  .where(models.Forecast.run_id == run_id)).tuples())  # fmt: skip
    assert got == {(sites[0], items[0]), (sites[0], items[1])}  # the regional manager's site only
    assert client.get(f"{RUNS}/{run_id}", headers=spy).status_code == 404


def test_the_console_button_queues_a_run_and_its_page_follows_it(runtime: Runtime, client: TestClient) -> None:
    t, sites, items = _world(runtime)
    _sell(runtime, t, sites, items)
    make_user(runtime, t, "hqadmin", [("hq_admin", None)])  # type: ignore[arg-type]
    page_login(client, "hqadmin")
    page = client.get("/forecasting/")
    assert 'data-testid="run-forecast"' in page.text
    key = re.search(r'name="key" value="([0-9a-f]+)"', page.text)
    assert key is not None
    r = post_form(client, "/forecasting/runs", {"key": key.group(1)})
    assert r.status_code == 303, r.text
    assert post_form(client, "/forecasting/runs", {"key": key.group(1)}).headers["location"] == r.headers["location"]
    assert _count(runtime, models.Run) == 1  # the form sent twice: one run
    h: dict[str, str] = {}
    status = client.get(r.headers["location"] + "/status", headers=h)
    assert 'data-status="queued"' in status.text and "every 2s" in status.text  # it keeps polling
    _work(runtime)
    status = client.get(r.headers["location"] + "/status", headers=h)
    assert 'data-status="done"' in status.text and "every 2s" not in status.text  # done: polling stops
    assert 'data-testid="run-result"' in status.text
    assert client.get(r.headers["location"], headers=h).status_code == 200


def test_the_console_button_without_its_form_key_queues_nothing(runtime: Runtime, client: TestClient) -> None:
    t, _sites, _items = _world(runtime)
    make_user(runtime, t, "hqadmin", [("hq_admin", None)])  # type: ignore[arg-type]
    page_login(client, "hqadmin")
    assert post_form(client, "/forecasting/runs", {}).status_code == 422
    assert post_form(client, "/forecasting/runs", {"key": "x" * 49}).status_code == 422
    assert _count(runtime, models.Run) == 0


def test_a_queued_run_keeps_the_first_days_setting_it_was_asked_with(runtime: Runtime, client: TestClient) -> None:
    """``short_horizon`` in the request: the worker runs with it (0: the 14-day model on every day, no ``short``
    days), a retry with the same key and setting is the same run, with another setting a conflict."""
    from boh.forecasting import engine, queries, service
    from boh.forecasting.schemas import RunIn

    assert RunIn().short_horizon == engine.Config.short_horizon  # the API's default is the engine's
    t, sites, items = _world(runtime)
    _sell(runtime, t, sites, items)
    make_user(runtime, t, "hqadmin", [("hq_admin", None)])  # type: ignore[arg-type]
    h = login(client, "hqadmin")
    off = client.post(RUNS, headers=h, json={"horizon": 7, "short_horizon": 0, "idempotency_key": "k-off"})
    assert off.status_code == 202, off.text
    assert client.post(RUNS, headers=h, json={"horizon": 7, "short_horizon": 0, "idempotency_key": "k-off"}).json()[
        "id"] == off.json()["id"]  # fmt: skip
    clash = client.post(RUNS, headers=h, json={"horizon": 7, "short_horizon": 3, "idempotency_key": "k-off"})
    assert clash.status_code == 409
    assert client.post(RUNS, headers=h, json={"horizon": 7, "short_horizon": 15}).status_code == 422
    assert _work(runtime) == {"done": [off.json()["id"]], "failed": []}
    body = client.get(f"{RUNS}/{off.json()['id']}", headers=h).json()
    assert body["config"]["short_horizon"] == 0
    with runtime.system_uow(t.id) as uow:  # type: ignore[attr-defined]
        s = queries.get_series(uow.session, uow.principal.scope(service.READ), sites[0], items[0])
    assert all(f.demand is None for f in s.forecast)
    on = client.post(RUNS, headers=h, json={"horizon": 7}).json()["id"]  # the default: the first 2 days
    assert _work(runtime) == {"done": [on], "failed": []}
    with runtime.system_uow(t.id) as uow:  # type: ignore[attr-defined]
        s = queries.get_series(uow.session, uow.principal.scope(service.READ), sites[0], items[0])
    assert s.run_id == on and [f.demand is not None for f in s.forecast] == [True, True] + [False] * 5
