"""The route walk's objects of the inspections domain (tenant A, marked 'alpha'): a published template, a rule,
an inspector profile, a plan, a submitted inspection with a failed item (so an action), a photo."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tests.security.world import World

API = "/api/v1/inspections"
DEFINITION = {
    "sections": [{"key": "alpha", "title": "Alpha checks", "items": [
        {"key": "clean", "kind": "yes_no", "text": "Alpha floor clean"},
        {"key": "chiller", "kind": "temperature", "text": "Alpha chiller", "max": "5", "food_safety": True},
    ]}],
}  # fmt: skip


def _jpeg() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (32, 32), "red").save(out, "JPEG")
    return out.getvalue()


def _template(w: World) -> int:
    tid: int = w.api("POST", f"{API}/templates", {"code": "ALPHA-TPL", "name": "Alpha food safety",
                                                 "definition": DEFINITION})["id"]  # fmt: skip
    w.api("POST", f"{API}/templates/{tid}/publish", {})
    return tid


def _rule(w: World) -> int:
    body = {"name": "Alpha monthly", "kind": "every_n_days", "template_id": w.get("template_id"), "every_days": 30}
    rid: int = w.api("POST", f"{API}/rules", body)["id"]
    w.api("PUT", f"{API}/inspectors/{w.get('user_id')}", {"daily_capacity": 3})  # a profile for the lists
    return rid


def _plan(w: World) -> int:
    w.get("rule_id")
    pid: int = w.api("POST", f"{API}/plans", {"name": "Alpha plan", "start": "2030-01-07", "end": "2030-01-31",
                                              "seconds": "1"})["id"]  # fmt: skip
    return pid


def _started_visit(w: World, key: str) -> int:
    body = {"site_id": w.site1, "template_id": w.get("template_id"), "idempotency_key": key}
    vid: int = w.api("POST", f"{API}/visits", body)["id"]
    w.api("POST", f"{API}/visits/{vid}/checkin", {"latitude": "31.2", "longitude": "121.4"})
    return vid


def _visit(w: World) -> int:
    vid = _started_visit(w, "alpha-visit-1")
    answers = [{"item_key": "clean", "value": "no", "client_id": "alpha-a1"},
               {"item_key": "chiller", "value": "3", "client_id": "alpha-a2"}]  # fmt: skip
    w.api("POST", f"{API}/visits/{vid}/answers", {"answers": answers})
    w.api("POST", f"{API}/visits/{vid}/submit", {})
    return vid


def _action(w: World) -> int:
    vid = w.get("visit_id")
    items = w.client.get(f"{API}/actions", params={"visit_id": vid}, headers=w.admin_a).json()["items"]
    aid: int = items[0]["id"]
    return aid


def _photo(w: World) -> int:
    vid = _started_visit(w, "alpha-visit-2")
    r = w.client.post(f"{API}/visits/{vid}/photos", files={"file": ("alpha.jpg", _jpeg(), "image/jpeg")},
                      data={"item_key": "clean", "client_id": "alpha-photo-1"}, headers=w.admin_a)  # fmt: skip
    assert r.status_code == 201, r.text
    pid: int = r.json()["id"]
    return pid


CREATORS: dict[str, Callable[[World], Any]] = {
    "template_id": _template,
    "rule_id": _rule,
    "plan_id": _plan,
    "visit_id": _visit,
    "action_id": _action,
    "photo_id": _photo,
}
ALIASES: dict[str | tuple[str, str], str] = {"inspector_id": "user_id"}
