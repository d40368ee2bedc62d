"""A visit that really happened: geofenced check-in, answers saved as entered (idempotent), the food-safety
alert at once, photos checked by decoding, the server-side score, the lock, the actions of failed items."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from boh.bootstrap import Runtime
from boh.inspections import models
from boh.kernel.clock import clock
from boh.kernel.outbox import OutboxRecord
from boh.notify.models import Notification
from tests.inspections.helpers import Shop, jpeg, shop

API = "/api/v1/inspections"
AT_STORE = {"latitude": "31.230900", "longitude": "121.473700", "accuracy_m": "12"}  # ~56 m north
FAR = {"latitude": "31.250000", "longitude": "121.473700", "accuracy_m": "10"}  # ~2.2 km


def _visit(client: TestClient, s: Shop, key: str = "v1", **extra: Any) -> dict[str, Any]:
    body = {"site_id": s.site, "template_id": s.template["id"], "idempotency_key": key, **extra}
    r = client.post(f"{API}/visits", json=body, headers=s.inspector)
    assert r.status_code == 201, r.text
    return r.json()


def _count(rt: Runtime, model: Any, *where: Any) -> int:
    with rt.session_factory() as session:
        return int(session.scalar(select(func.count()).select_from(model).where(*where)) or 0)


def _answers(client: TestClient, s: Shop, vid: int, entries: list[tuple[str, Any]], prefix: str = "a") -> Any:
    body = {"answers": [{"item_key": k, "value": v, "client_id": f"{prefix}-{k}"} for k, v in entries]}
    return client.post(f"{API}/visits/{vid}/answers", json=body, headers=s.inspector)


def test_checkin_refused_outside_the_geofence_then_inside_pins_the_version(
    runtime: Runtime, client: TestClient
) -> None:
    s = shop(runtime, client)
    client.put(f"{API}/settings", json={"checkin_policy": "refuse", "geofence_m": 150}, headers=s.admin)
    v = _visit(client, s)
    assert _visit(client, s)["id"] == v["id"]  # the same idempotency key: the same visit
    r = client.post(f"{API}/visits/{v['id']}/checkin", json=FAR, headers=s.inspector)
    assert r.status_code == 422 and r.json()["code"] == "inspections.outside_geofence"
    assert r.json()["distance_m"] == 2179 and r.json()["radius_m"] == 150
    assert _count(runtime, models.Visit, models.Visit.checkin_at.is_not(None)) == 0
    with clock.frozen(datetime(2026, 3, 2, 1, 0, tzinfo=UTC)):
        r = client.post(f"{API}/visits/{v['id']}/checkin", json=AT_STORE, headers=s.inspector)
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["verdict"], body["distance_m"], body["visit"]["status"]) == ("inside", 56, "in_progress")
    assert body["visit"]["checkin_at"] == "2026-03-02T01:00:00Z" and body["visit"]["version"] == 1
    # a new version published later does not change the visit's
    d = s.template["draft"]
    d["pass_score"] = "60"
    client.patch(f"{API}/templates/{s.template['id']}", json={"definition": d}, headers=s.admin)
    client.post(f"{API}/templates/{s.template['id']}/publish", headers=s.admin)
    detail = client.get(f"{API}/visits/{v['id']}", headers=s.inspector).json()
    assert detail["visit"]["version"] == 1 and detail["definition"]["pass_score"] == "80"


def test_outside_with_the_flag_policy_is_let_through_flagged(runtime: Runtime, client: TestClient) -> None:
    s = shop(runtime, client)
    v = _visit(client, s)
    r = client.post(f"{API}/visits/{v['id']}/checkin", json=FAR, headers=s.inspector)
    assert r.status_code == 200 and r.json()["verdict"] == "flagged" and r.json()["visit"]["checkin_flagged"]


def test_answers_are_idempotent_and_every_bad_answer_is_reported(runtime: Runtime, client: TestClient) -> None:
    s = shop(runtime, client)
    vid = _visit(client, s)["id"]
    r = _answers(client, s, vid, [("clean", "yes")])
    assert r.status_code == 409 and r.json()["code"] == "inspections.not_checked_in"
    client.post(f"{API}/visits/{vid}/checkin", json=AT_STORE, headers=s.inspector)
    r = _answers(client, s, vid, [("clean", "yes"), ("display", "4")])
    assert r.json()["saved"] == 2 and r.json()["unchanged"] == 0
    r = _answers(client, s, vid, [("clean", "yes"), ("display", "4")])  # the phone resends its queue
    assert r.json()["saved"] == 0 and r.json()["unchanged"] == 2
    newer = {"item_key": "clean", "value": "no", "client_id": "b-clean", "answered_at": "2030-01-01T00:00:00Z"}
    older = {"item_key": "clean", "value": "yes", "client_id": "c-clean", "answered_at": "2020-01-01T00:00:00Z"}
    r = client.post(f"{API}/visits/{vid}/answers", json={"answers": [newer, older]}, headers=s.inspector)
    assert (r.json()["saved"], r.json()["unchanged"]) == (1, 1)
    bad = _answers(client, s, vid, [("display", "9"), ("nope", "yes"), ("clean", "maybe"), ("remarks", "ok")], "d")
    assert bad.status_code == 422
    assert [tuple(e["loc"]) for e in bad.json()["errors"]] == [
        ("answers", 0, "value"), ("answers", 1, "item_key"), ("answers", 2, "value")
    ]  # fmt: skip
    assert _count(runtime, models.Answer, models.Answer.item_key == "remarks") == 0  # nothing of the batch saved
    values = {
        a["item_key"]: a["value"] for a in client.get(f"{API}/visits/{vid}", headers=s.inspector).json()["answers"]
    }
    assert values == {"clean": "no", "display": "4"}


def test_a_chiller_above_its_limit_raises_the_alert_at_once(runtime: Runtime, client: TestClient) -> None:
    s = shop(runtime, client)
    vid = _visit(client, s)["id"]
    client.post(f"{API}/visits/{vid}/checkin", json=AT_STORE, headers=s.inspector)
    r = _answers(client, s, vid, [("chiller", "7.5")])
    assert r.status_code == 200 and len(r.json()["alerts"]) == 1
    assert r.json()["progress"]["score"] == "0.00" and "chiller_fix" in r.json()["progress"]["missing"]
    assert _answers(client, s, vid, [("chiller", "8")], "again").json()["alerts"] == []  # once per visit and item
    with runtime.session_factory() as session:
        topics = session.scalars(select(OutboxRecord.topic)).all()
        told = session.scalars(select(Notification).where(Notification.kind == "food_safety_alert")).all()
    assert topics.count("inspections.food_safety_alert_raised") == 1
    assert s.manager_id in {n.user_id for n in told}
    assert {n.params["reading"] for n in told} == {"7.5"}  # once per visit and item, however many are told


def test_photos_are_decoded_hashed_dated_and_limited(runtime: Runtime, client: TestClient) -> None:
    s = shop(runtime, client)
    vid = _visit(client, s)["id"]
    client.post(f"{API}/visits/{vid}/checkin", json=AT_STORE, headers=s.inspector)
    data = jpeg()
    files = {"file": ("shelf.jpg", data, "image/jpeg")}
    form = {"item_key": "shelf_photo", "client_id": "p-1"}
    r = client.post(f"{API}/visits/{vid}/photos", files=files, data=form, headers=s.inspector)
    assert r.status_code == 201, r.text
    p = r.json()
    import hashlib

    assert p["sha256"] == hashlib.sha256(data).hexdigest() and (p["width"], p["height"]) == (640, 480)
    assert p["captured_at"] == "2026-03-02T01:15:00Z"  # 09:15 at +08:00
    again = client.post(f"{API}/visits/{vid}/photos", files=files, data=form, headers=s.inspector).json()
    assert again["id"] == p["id"] and _count(runtime, models.Photo) == 1
    img = client.get(p["url"], headers=s.inspector)
    assert img.status_code == 200 and img.content == data and img.headers["content-type"] == "image/jpeg"
    thumb = client.get(p["thumb_url"], headers=s.inspector)
    from io import BytesIO

    from PIL import Image

    assert Image.open(BytesIO(thumb.content)).size == (320, 240)
    # no EXIF: no capture time
    plain = client.post(f"{API}/visits/{vid}/photos", files={"file": ("a.jpg", jpeg(None), "image/jpeg")},
                        data={"item_key": "shelf_photo", "client_id": "p-2"}, headers=s.inspector)  # fmt: skip
    assert plain.status_code == 201 and plain.json()["captured_at"] is None
    # a text file named like a photo, a broken JPEG, and one beyond the tenant's limit
    fake = client.post(f"{API}/visits/{vid}/photos", files={"file": ("x.jpg", b"not an image", "image/jpeg")},
                       data={"item_key": "shelf_photo", "client_id": "p-3"}, headers=s.inspector)  # fmt: skip
    assert fake.status_code == 422 and fake.json()["code"] == "inspections.bad_photo"
    broken = client.post(f"{API}/visits/{vid}/photos", files={"file": ("x.jpg", data[: len(data) // 2], "image/jpeg")},
                         data={"item_key": "shelf_photo", "client_id": "p-4"}, headers=s.inspector)  # fmt: skip
    assert broken.status_code == 422 and broken.json()["code"] == "inspections.bad_photo"
    client.put(f"{API}/settings", json={"max_photo_mb": 1}, headers=s.admin)
    big = jpeg(size=(3000, 3000), color="blue")
    noisy = big + b"\0" * (1024 * 1024)  # over 1 MB
    r = client.post(f"{API}/visits/{vid}/photos", files={"file": ("big.jpg", noisy, "image/jpeg")},
                    data={"item_key": "shelf_photo", "client_id": "p-5"}, headers=s.inspector)  # fmt: skip
    assert r.status_code == 413 and r.json()["code"] == "inspections.photo_too_large"
    assert _count(runtime, models.Photo) == 2


def _complete(client: TestClient, s: Shop, vid: int, chiller: str = "3") -> None:
    entries = [("chiller", chiller), ("clean", "no"), ("display", "4"), ("price_tags", "0"), ("floor_state", "good"),
               ("signature", "data:image/png;base64,AAAA")]  # fmt: skip
    if chiller != "3":
        entries.append(("chiller_fix", "technician called"))
    assert _answers(client, s, vid, entries, "full").status_code == 200
    r = client.post(f"{API}/visits/{vid}/photos", files={"file": ("s.jpg", jpeg(), "image/jpeg")},
                    data={"item_key": "shelf_photo", "client_id": f"shelf-{vid}"}, headers=s.inspector)  # fmt: skip
    assert r.status_code == 201


def test_submit_scores_on_the_server_locks_and_opens_actions(runtime: Runtime, client: TestClient) -> None:
    s = shop(runtime, client)
    vid = _visit(client, s)["id"]
    client.post(f"{API}/visits/{vid}/checkin", json=AT_STORE, headers=s.inspector)
    _answers(client, s, vid, [("clean", "yes")])
    r = client.post(f"{API}/visits/{vid}/submit", json={}, headers=s.inspector)
    assert r.status_code == 422 and r.json()["code"] == "inspections.incomplete"
    assert {e["loc"][1] for e in r.json()["errors"]} == {"chiller", "display", "price_tags", "floor_state",
                                                         "shelf_photo", "signature"}  # fmt: skip
    _complete(client, s, vid)
    with clock.frozen(datetime(2026, 3, 2, 3, 0, tzinfo=UTC)):
        r = client.post(f"{API}/visits/{vid}/submit", json={}, headers=s.inspector)
    assert r.status_code == 200, r.text
    v = r.json()
    # clean failed (0 of 2), display 4/5 of 2: 7.6 of 10
    assert (v["status"], v["percent"], v["score"], v["passed"]) == ("submitted", "76.00", "76.00", False)
    assert v["failed_items"] == ["clean"]
    assert client.post(f"{API}/visits/{vid}/submit", json={}, headers=s.inspector).json()["score"] == "76.00"
    locked = _answers(client, s, vid, [("clean", "yes")], "late")
    assert locked.status_code == 409 and locked.json()["code"] == "inspections.visit_locked"
    acts = client.get(f"{API}/actions?visit_id={vid}", headers=s.manager).json()["items"]
    assert [(a["item_key"], a["severity"], a["due_date"], a["owner_id"], a["evidence_required"]) for a in acts] == [
        ("clean", "low", "2026-03-16", s.manager_id, ["note"])
    ]  # fmt: skip
    with runtime.session_factory() as session:
        assert session.scalars(select(OutboxRecord.topic)).all().count("inspections.inspection_submitted") == 1


def test_a_critical_failure_zeroes_the_score_and_its_action_is_critical(runtime: Runtime, client: TestClient) -> None:
    s = shop(runtime, client)
    vid = _visit(client, s)["id"]
    client.post(f"{API}/visits/{vid}/checkin", json=AT_STORE, headers=s.inspector)
    _complete(client, s, vid, chiller="9")
    with clock.frozen(datetime(2026, 3, 2, 3, 0, tzinfo=UTC)):
        v = client.post(f"{API}/visits/{vid}/submit", json={}, headers=s.inspector).json()
    assert (v["score"], v["passed"], v["critical_failed"]) == ("0.00", False, ["chiller"])
    acts = {a["item_key"]: a for a in client.get(f"{API}/actions", headers=s.admin).json()["items"]}
    assert acts["chiller"]["severity"] == "critical" and acts["chiller"]["due_date"] == "2026-03-03"
    assert acts["chiller"]["evidence_required"] == ["photo", "note"]


def test_the_store_does_not_see_an_unannounced_visit_coming(runtime: Runtime, client: TestClient) -> None:
    s = shop(runtime, client)
    v = _visit(client, s, unannounced=True)
    assert client.get(f"{API}/visits", headers=s.manager).json()["total"] == 0
    assert client.get(f"{API}/visits/{v['id']}", headers=s.manager).status_code == 404
    assert client.get(f"{API}/visits", headers=s.inspector).json()["total"] == 1
    client.post(f"{API}/visits/{v['id']}/checkin", json=AT_STORE, headers=s.inspector)
    assert client.get(f"{API}/visits/{v['id']}", headers=s.manager).status_code == 200  # once it has started
