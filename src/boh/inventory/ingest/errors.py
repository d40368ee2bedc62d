"""Errors of floor-event ingestion, with stable codes. Per-event problems are not exceptions: they are
reported by index in ``IngestResult.rejected`` with these codes:

inventory.malformed_event, inventory.missing_field, inventory.unknown_kind, inventory.unknown_site,
inventory.site_not_allowed, inventory.future_event, inventory.unknown_sku, inventory.unknown_gtin,
inventory.unknown_epc, inventory.bad_quantity, inventory.unsupported_weight_item, inventory.lot_not_found,
inventory.insufficient_stock, inventory.invalid_text (a NUL, another control character or an unpaired
surrogate in a text), inventory.unstorable_value (a value the database refused; the event was isolated
from its batch), and, before ingestion, for the envelope (envelope.py): inventory.malformed_payload,
inventory.batch_too_large, inventory.site_mismatch, inventory.kind_mismatch. Rejected events are kept as
dead letters (deadletters.py).
"""

from __future__ import annotations

from boh.kernel.errors import NotFound


class AlertNotFound(NotFound):
    code = "inventory.alert_not_found"
    title = "Alert not found"


class SessionNotFound(NotFound):
    code = "inventory.rfid_session_not_found"
    title = "RFID session not found"


class DeadLetterNotFound(NotFound):
    code = "inventory.dead_letter_not_found"
    title = "Dead letter not found"
