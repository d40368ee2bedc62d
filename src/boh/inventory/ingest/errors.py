"""Errors of floor-event ingestion, with stable codes. Per-event problems are not exceptions: they are
reported by index in ``IngestResult.rejected`` with these codes:

inventory.malformed_event, inventory.missing_field, inventory.unknown_kind, inventory.unknown_site,
inventory.site_not_allowed, inventory.future_event, inventory.unknown_sku, inventory.unknown_gtin,
inventory.unknown_epc, inventory.bad_quantity, inventory.unsupported_weight_item, inventory.lot_not_found,
inventory.insufficient_stock.
"""

from __future__ import annotations

from boh.kernel.errors import NotFound


class AlertNotFound(NotFound):
    code = "inventory.alert_not_found"
    title = "Alert not found"


class SessionNotFound(NotFound):
    code = "inventory.rfid_session_not_found"
    title = "RFID session not found"
