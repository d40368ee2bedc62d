"""Findings to closure: evidence by severity, accept or reopen, escalation up the hierarchy (once per level)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from fastapi.testclient import TestClient
from sqlalchemy import select

from boh.bootstrap import Runtime
from boh.inspections import tasks
from boh.kernel.clock import clock
from boh.notify.models import Notification
from tests.factories import login, make_region, make_user
from tests.inspections.helpers import jpeg, shop
from tests.inspections.test_visits import API, AT_STORE, _answers, _complete, _visit


def _failed_visit(runtime: Runtime, client: TestClient, chiller: str = "9"):  # type: ignore[no-untyped-def]
    s = shop(runtime, client)
    vid = _visit(client, s)["id"]
    client.post(f"{API}/visits/{vid}/checkin", json=AT_STORE, headers=s.inspector)
    _complete(client, s, vid, chiller=chiller)
    with clock.frozen(datetime(2026, 3, 2, 3, 0, tzinfo=UTC)):
        assert client.post(f"{API}/visits/{vid}/submit", json={}, headers=s.inspector).status_code == 200
    acts = {a["item_key"]: a for a in client.get(f"{API}/actions", headers=s.admin).json()["items"]}
    return s, acts


def test_evidence_review_reopen_and_accept(runtime: Runtime, client: TestClient) -> None:
    s, acts = _failed_visit(runtime, client)
    aid = acts["chiller"]["id"]  # critical: a photo and a note
    r = client.post(f"{API}/actions/{aid}/evidence", json={"note": "repaired"}, headers=s.manager)
    assert (
        r.status_code == 422 and r.json()["code"] == "inspections.evidence_missing" and r.json()["missing"] == ["photo"]
    )
    r = client.post(f"{API}/actions/{aid}/photos", files={"file": ("fix.jpg", jpeg(color="green"), "image/jpeg")},
                    data={"client_id": "fix-1"}, headers=s.manager)  # fmt: skip
    assert r.status_code == 201, r.text
    r = client.post(f"{API}/actions/{aid}/evidence", json={"note": "repaired"}, headers=s.manager)
    assert r.status_code == 200 and r.json()["status"] == "submitted" and len(r.json()["photos"]) == 1
    assert client.post(f"{API}/actions/{aid}/accept", json={}, headers=s.manager).status_code == 403  # not a reviewer
    r = client.post(f"{API}/actions/{aid}/reopen", json={"note": "still 7 degrees"}, headers=s.inspector)
    assert (r.json()["status"], r.json()["reopened"]) == ("open", 1)
    client.post(f"{API}/actions/{aid}/evidence", json={"note": "compressor replaced"}, headers=s.manager)
    r = client.post(f"{API}/actions/{aid}/accept", json={}, headers=s.inspector)
    assert r.json()["status"] == "accepted" and r.json()["closed_at"] is not None
    assert client.post(f"{API}/actions/{aid}/accept", json={}, headers=s.inspector).status_code == 200  # a retry
    r = client.post(f"{API}/actions/{aid}/reopen", json={}, headers=s.inspector)
    assert r.status_code == 409 and r.json()["code"] == "inspections.wrong_status"


def test_overdue_actions_escalate_up_the_hierarchy_once_per_level(runtime: Runtime, client: TestClient) -> None:
    s, acts = _failed_visit(runtime, client)
    region = make_region(runtime, s.tenant, "EAST")
    client.patch(f"/api/v1/org/sites/{s.site}", json={"region_code": "EAST"}, headers=s.admin)
    rm = make_user(runtime, s.tenant, "regional1", [("regional_manager", None)])
    assert region and rm
    chiller = acts["chiller"]  # due 2026-03-03
    assert chiller["due_date"] == "2026-03-03"

    def run(day: date) -> int:
        with clock.frozen(datetime(day.year, day.month, day.day, 2, 0, tzinfo=UTC)):
            return tasks.escalate(runtime)

    assert run(date(2026, 3, 3)) == 0  # due today: not overdue
    assert run(date(2026, 3, 4)) == 1  # one day overdue: the regional manager
    assert run(date(2026, 3, 4)) == 0  # idempotent
    assert run(date(2026, 3, 6)) == 1  # two days further: HQ
    with runtime.session_factory() as session:
        overdue = session.scalars(
            select(Notification.user_id).where(Notification.kind == "inspection_overdue").order_by(Notification.id)
        ).all()
    assert list(overdue) == [rm, client.get("/api/v1/auth/me", headers=s.admin).json()["id"]]
    a = client.get(f"{API}/actions/{chiller['id']}", headers=login(client, "regional1")).json()
    assert a["escalation_level"] == 2 and a["overdue"]
    assert _answers  # re-exported helper used by other modules
