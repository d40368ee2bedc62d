"""The route walk's objects of the cold-chain domain (tenant A, marked 'alpha'): a fridge with a temperature
sensor at site 1, a lot placed in it, an excursion (so an exposure of the lot)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tests.security.world import World

API = "/api/v1/coldchain"


def _unit(w: World) -> int:
    uid: int = w.api("POST", f"{API}/units", {"site_id": w.site1, "code": "ALPHA-F1", "name": "Alpha fridge",
                                              "kind": "fridge"})["id"]  # fmt: skip
    w.api("POST", f"{API}/units/{uid}/sensors", {"code": "ALPHA-T1", "kind": "temperature"})
    bad = {"reading_id": "alpha-bad", "sensor": "ALPHA-NONE", "at": "2020-01-01T00:00:00+00:00", "value": 1}
    w.api("POST", f"{API}/readings", {"readings": [bad]})  # a dead letter
    return uid


def _excursion(w: World) -> int:
    uid = w.get("unit_id")
    w.get("transfer_id")  # the lot has stock at site 1
    w.client.post(f"{API}/placements", json={"site_id": w.site1, "lot_id": w.get("lot_id"), "unit_id": uid},
                  headers=w.admin_a)  # fmt: skip
    t0 = datetime(2030, 1, 1, tzinfo=UTC) - timedelta(days=3650)
    values = [3] * 5 + [9] * 30 + [3] * 5
    readings = [{"reading_id": f"alpha-r{i}", "sensor": "ALPHA-T1", "at": (t0 + timedelta(minutes=i)).isoformat(),
                 "value": v} for i, v in enumerate(values)]  # fmt: skip
    w.api("POST", f"{API}/readings", {"readings": readings})
    items = w.client.get(f"{API}/excursions", params={"kind": "temperature"}, headers=w.admin_a).json()["items"]
    eid: int = items[0]["id"]
    return eid


def _exposure(w: World) -> int:
    exc = w.client.get(f"{API}/excursions/{w.get('excursion_id')}", headers=w.admin_a).json()
    xid: int = exc["exposures"][0]["id"]
    return xid


CREATORS: dict[str, Callable[[World], Any]] = {
    "unit_id": _unit,
    "excursion_id": _excursion,
    "exposure_id": _exposure,
}
