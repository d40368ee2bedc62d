"""The route walk's objects of the trace domain (tenant A, marked 'alpha'): a mock recall of tenant A's lot
(a drill: nothing is blocked, so the other routes' objects stay usable)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tests.security.world import World


def _recall(w: World) -> int:
    w.get("transfer_id")  # the lot has moved: the recall reaches two sites
    body = {"reason": "alpha drill", "mock": True, "lot_ids": [w.get("lot_id")]}
    rid: int = w.api("POST", "/api/v1/trace/recalls", body)["id"]
    return rid


def _identifier(w: World) -> str:
    """An identifier named by an EPCIS event tenant A imported (GET /trace/epcis/events?identifier=)."""
    event = {
        "type": "ObjectEvent", "eventTime": "2030-01-01T08:00:00Z", "eventTimeZoneOffset": "+00:00",
        "action": "OBSERVE", "bizStep": "shipping", "epcList": ["urn:epc:id:sgtin:0614141.107346.alpha1"],
    }  # fmt: skip
    doc = {
        "@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"], "type": "EPCISDocument",
        "schemaVersion": "2.0", "creationDate": "2030-01-01T08:00:00Z", "epcisBody": {"eventList": [event]},
    }  # fmt: skip
    w.api("POST", "/api/v1/trace/epcis?name=alpha-supplier", doc)
    return "https://id.gs1.org/01/10614141073464/21/alpha1"


CREATORS: dict[str, Callable[[World], Any]] = {"recall_id": _recall, "identifier": _identifier}
