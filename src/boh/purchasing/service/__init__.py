"""Use cases of purchasing, by area: placing orders, the document's life, supplier responses and shipping
notices, transfers, goods receipts."""

from boh.purchasing.service._common import APPROVE, READ, RECEIVE, RESPOND, SCORECARD, WRITE
from boh.purchasing.service.lifecycle import amend_line, cancel, close, confirm, edit_draft_line
from boh.purchasing.service.placing import OrderRequest, PlacedOrder, place_orders

__all__ = [
    "APPROVE",
    "READ",
    "RECEIVE",
    "RESPOND",
    "SCORECARD",
    "WRITE",
    "OrderRequest",
    "PlacedOrder",
    "amend_line",
    "cancel",
    "close",
    "confirm",
    "edit_draft_line",
    "place_orders",
]
