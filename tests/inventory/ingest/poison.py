"""Poisoned floor events for the hardening tests (HTTP and MQTT): every field of every event kind carrying a
NUL, an unpaired surrogate, 10,000 characters, or a number out of range."""

from __future__ import annotations

import json
from typing import Any

from tests.inventory.ingest.helpers import T0, epc_for, gtin_for

NUMBERS = {
    "qty": ["1e400", "-1", "123456789012345678901234567890"],
    "unit_price": ["1e400", "-5"],
    "line": ["123456789012345678901234567890", "-1"],
    "weight_g": ["1e400", "-1", "1234567890123456789012345.5"],
    "rssi": ["1e999", "-1e999"],
}
TEXTS = {"nul": "ab\u0000cd", "surrogate": "ab\ud800cd", "long": "x" * 10_000}


def templates() -> dict[str, dict[str, Any]]:
    """A valid event of each kind and feed, with every optional field present."""
    sale = {
        "event_id": "t", "source": "pos:SH01:1", "site": "SH01", "kind": "sale", "sku": "MILK", "qty": "1",
        "uom": "each", "unit_price": "2.5", "receipt_id": "R1", "line": 1, "occurred_at": T0,
    }  # fmt: skip
    return {
        "sale": sale,
        "return": {**sale, "kind": "return"},
        "sale_lot": {**sale, "lot": "L1"},
        "sale_gtin": {k: v for k, v in sale.items() if k != "sku"} | {"gtin": gtin_for(1)},
        "rfid_read": {
            "event_id": "t",
            "source": "rfid:SH01:g",
            "site": "SH01",
            "kind": "rfid_read",
            "epc": epc_for(gtin_for(1), 7),
            "reader": "g1",
            "zone": "floor",
            "session_id": "S1",
            "rssi": -40.5,
            "occurred_at": T0,
        },
        "weight": {
            "event_id": "t",
            "source": "scale:SH01:1",
            "site": "SH01",
            "kind": "weight",
            "gtin": gtin_for(2),
            "shelf": "12",
            "weight_g": "1250",
            "occurred_at": T0,
        },
    }


def feed_of(event: dict[str, Any]) -> str:
    return {"sale": "pos", "return": "pos", "rfid_read": "rfid", "weight": "sensor"}[event["kind"]]


def poisoned(base: dict[str, dict[str, Any]] | None = None) -> list[tuple[str, str, str, str]]:
    """(feed, label, event as JSON text, event_id as sent) for every poison of every field of every kind.
    JSON text because a NUL or an unpaired surrogate must reach the server as the device sent it."""
    out: list[tuple[str, str, str, str]] = []
    for name, tpl in (base or templates()).items():
        for field, value in tpl.items():
            poisons: list[tuple[str, str]] = []
            if isinstance(value, str) and field != "occurred_at":
                poisons = [(label, json.dumps(text)) for label, text in TEXTS.items()]
            elif field == "occurred_at":
                poisons = [("nul", json.dumps(T0 + "\u0000")), ("year", '"99999-01-01T00:00:00Z"')]
            if field in NUMBERS:
                poisons += [(f"number{n}", raw) for n, raw in enumerate(NUMBERS[field])]
            for label, raw in poisons:
                eid = f"{name}-{field}-{label}"
                body = {k: v for k, v in tpl.items() if k != field} | {"event_id": eid}
                text = json.dumps(body)[:-1] + f', "{field}": {raw}' + "}"
                out.append((feed_of(tpl), f"{name}.{field}.{label}", text, eid if field != "event_id" else ""))
    return out


def good(n: int, site: str = "SH01") -> str:
    return json.dumps(
        {
            "event_id": f"good-{n}",
            "source": "pos:SH01:1",
            "site": site,
            "kind": "sale",
            "sku": "MILK",
            "qty": "1",
            "occurred_at": T0,
        }
    )
