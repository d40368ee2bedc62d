"""The route walk's objects of the purchasing domain (tenant A, marked 'alpha'): a confirmed purchase order of
tenant A's item from its supplier, for site 1, and its line."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tests.security.world import World

API = "/api/v1/purchasing"


def _order(w: World) -> int:
    w.get("supplier_item_id")  # the supplier sells the item
    line = {"site_id": w.site1, "item_id": w.get("item_id"), "quantity": "2", "source": "supplier",
            "supplier_id": w.get("supplier_id"), "note": "alpha order"}  # fmt: skip
    placed = w.api("POST", f"{API}/orders", {"lines": [line], "confirm": True, "idempotency_key": "alpha-po"})
    oid: int = placed[0]["order_id"]
    return oid


def _order_line(w: World) -> int:
    oid = w.get("order_id")
    line: int = w.client.get(f"{API}/orders/{oid}", headers=w.admin_a).json()["line_items"][0]["id"]
    return line


def _asn(w: World) -> int:
    oid, line = w.get("order_id"), w.get("order_line_id")
    body = {"number": "ALPHA-DN-1", "idempotency_key": "alpha-asn", "lines": [{"line_id": line, "quantity": "1"}]}
    aid: int = w.api("POST", f"{API}/orders/{oid}/asns", body)["id"]
    return aid


CREATORS: dict[str, Callable[[World], Any]] = {"order_id": _order, "order_line_id": _order_line, "asn_id": _asn}
_BODIES = ("/orders/{order_id}/responses", "/orders/{order_id}/asns", "/orders/{order_id}/receipts")
ALIASES: dict[str | tuple[str, str], str] = {(f"{API}{p}", "line_id"): "order_line_id" for p in _BODIES}
