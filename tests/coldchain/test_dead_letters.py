"""Dead letters: listed with their reason, replayed once their cause is fixed (the sensor registered, the
reading corrected): the readings go in exactly once, a second replay does nothing, a reading still refused
keeps its letter open with the new reason; through the service, the API and the CLI."""

from __future__ import annotations

import json

import typer
from sqlalchemy import func, select
from typer.testing import CliRunner

from boh.bootstrap import Runtime
from boh.coldchain import service
from boh.coldchain.cli import register
from boh.coldchain.models import DeadLetter, Excursion, Reading
from boh.coldchain.schemas import SensorCreate
from boh.kernel.audit import AuditRecord
from tests.coldchain.helpers import ingest, make_world, readings
from tests.coldchain.test_service import WARM
from tests.factories import login, make_user

API = "/api/v1/coldchain/dead-letters"


def _count(rt: Runtime, model: type, *where: object) -> int:
    with rt.session_factory() as s:
        return int(s.scalar(select(func.count()).select_from(model).where(*where)) or 0)  # type: ignore[arg-type]


def _letters(rt: Runtime) -> list[DeadLetter]:
    with rt.session_factory() as s:
        return list(s.scalars(select(DeadLetter).order_by(DeadLetter.id)))


def _new_sensor_world(rt: Runtime):  # type: ignore[no-untyped-def]
    """A fridge whose second temperature probe sent a warm spell before it was registered."""
    w = make_world(rt)
    result = ingest(rt, w.tenant, readings(WARM, sensor="T-F1B"))
    assert result.accepted == 0 and {r.code for r in result.rejected} == {"coldchain.unknown_sensor"}
    with rt.system_uow(w.tenant.id) as uow:
        service.add_sensor(uow, w.fridge, SensorCreate(code="T-F1B", kind="temperature"))
        uow.commit()
    return w


def test_replay_after_the_sensor_is_registered_ingests_once(runtime: Runtime) -> None:
    w = _new_sensor_world(runtime)
    letters = _letters(runtime)
    assert len(letters) == 50 and {x.status for x in letters} == {"open"}
    with runtime.system_uow(w.tenant.id) as uow:
        done = service.replay_many(uow, service.open_ids(uow))
        uow.commit()
    assert [(r.status, r.accepted) for r in done] == [("replayed", 1)] * 50
    assert _count(runtime, Reading) == 50
    assert _count(runtime, Excursion, Excursion.kind == "temperature") == 1  # the warm spell, found once
    with runtime.system_uow(w.tenant.id) as uow:
        again = service.replay_many(uow, [x.id for x in letters])
        uow.commit()
    assert {(r.already, r.accepted) for r in again} == {(True, 0)}
    assert _count(runtime, Reading) == 50
    assert _count(runtime, AuditRecord, AuditRecord.action == "coldchain.dead_letter.replay") == 50


def test_a_reading_still_refused_stays_open_and_a_corrected_one_goes_in(runtime: Runtime, client) -> None:
    w = make_world(runtime)
    bad = {"reading_id": "late-1", "sensor": "T-F1", "at": "2026-12-01T00:00:00", "value": 3}  # no UTC offset
    ingest(runtime, w.tenant, [bad])
    [letter] = _letters(runtime)
    assert letter.code == "coldchain.bad_time"
    make_user(runtime, w.tenant, "boss", [("hq_admin", None)])
    h = login(client, "boss")
    listed = client.get(f"{API}?status=open", headers=h).json()
    assert listed["total"] == 1 and listed["items"][0]["payload"] == bad
    r = client.post(f"{API}/{letter.id}/replay", headers=h)
    assert r.status_code == 200, r.text
    assert (r.json()["status"], r.json()["accepted"], [x["code"] for x in r.json()["rejected"]]) == (
        "open", 0, ["coldchain.bad_time"])  # fmt: skip
    fixed = {**bad, "at": "2026-12-01T00:00:00+00:00"}
    r = client.post(f"{API}/{letter.id}/replay", headers=h, json={"corrected": fixed})
    assert (r.json()["status"], r.json()["accepted"]) == ("replayed", 1)
    r = client.post(f"{API}/{letter.id}/replay", headers=h, json={"corrected": fixed})
    assert (r.json()["already"], r.json()["accepted"]) == (True, 0)
    assert _count(runtime, Reading) == 1
    [letter] = _letters(runtime)
    assert (letter.status, letter.attempts, json.loads(letter.payload)) == ("replayed", 2, fixed)
    assert client.get(f"{API}?status=replayed", headers=h).json()["total"] == 1


def test_replay_is_for_tenant_wide_users_only(runtime: Runtime, client) -> None:
    w = _new_sensor_world(runtime)
    make_user(runtime, w.tenant, "mgr", [("store_manager", "S001")])
    h = login(client, "mgr")
    letter = _letters(runtime)[0]
    assert client.get(API, headers=h).json()["total"] == 0
    r = client.post(f"{API}/{letter.id}/replay", headers=h)
    assert r.status_code == 404 and r.json()["code"] == "coldchain.dead_letter_not_found"
    make_user(runtime, w.tenant, "staff", [("store_staff", None)])
    assert client.post(f"{API}/replay", headers=login(client, "staff"), json={}).status_code == 403
    assert _count(runtime, Reading) == 0 and {x.status for x in _letters(runtime)} == {"open"}


def test_replay_many_through_the_api_and_the_cli(runtime: Runtime, client) -> None:
    w = _new_sensor_world(runtime)
    make_user(runtime, w.tenant, "boss", [("hq_admin", None)])
    h = login(client, "boss")
    first = _letters(runtime)[:10]
    r = client.post(f"{API}/replay", headers=h, json={"ids": [x.id for x in first]})
    assert r.status_code == 200 and [x["status"] for x in r.json()] == ["replayed"] * 10
    app = typer.Typer()
    register(app, lambda: runtime)
    out = CliRunner().invoke(app, ["coldchain", "dead-letters", "--tenant", w.tenant.code])
    assert out.exit_code == 0, out.output
    assert out.output.splitlines()[-1] == "40 dead letter(s)"
    out = CliRunner().invoke(app, ["coldchain", "replay", "--tenant", w.tenant.code, "--all"])
    assert out.exit_code == 0, out.output
    assert out.output.splitlines()[-1] == "40 replayed, 0 still refused"
    out = CliRunner().invoke(app, ["coldchain", "replay", "--tenant", w.tenant.code, "--all"])
    assert out.output.splitlines()[-1] == "0 replayed, 0 still refused"
    assert _count(runtime, Reading) == 50


def test_the_rejected_readings_page_lists_and_replays(runtime: Runtime, client) -> None:  # type: ignore[no-untyped-def]
    from tests.web.helpers import page_login, post_form

    w = _new_sensor_world(runtime)
    make_user(runtime, w.tenant, "boss", [("hq_admin", None)], locale="en")
    page_login(client, "boss")
    assert 'data-testid="dead-letters-link"' in client.get("/coldchain/").text
    html = client.get("/coldchain/dead-letters").text
    assert html.count('data-testid="dead-letter"') == 25 and "coldchain.unknown_sensor" in html  # a page of 25
    letter = _letters(runtime)[0]
    r = post_form(client, f"/coldchain/dead-letters/{letter.id}/replay")
    assert r.status_code == 303
    assert _count(runtime, Reading) == 1 and _letters(runtime)[0].status == "replayed"
    assert client.get("/coldchain/dead-letters?status=replayed").text.count('data-testid="dead-letter"') == 1


def test_a_store_manager_sees_no_rejected_readings(runtime: Runtime, client) -> None:  # type: ignore[no-untyped-def]
    from tests.web.helpers import page_login

    w = _new_sensor_world(runtime)
    make_user(runtime, w.tenant, "mgr", [("store_manager", "S001")], locale="en")
    page_login(client, "mgr")
    assert 'data-testid="dead-letters-link"' not in client.get("/coldchain/").text
    html = client.get("/coldchain/dead-letters").text
    assert 'data-testid="not-tenant-wide"' in html and 'data-testid="dead-letter"' not in html
