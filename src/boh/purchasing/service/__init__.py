"""Use cases of purchasing, by area: placing orders, the document's life, supplier responses and shipping
notices, transfers, goods receipts."""

from boh.purchasing.service._common import APPROVE, READ, RECEIVE, RESPOND, SCORECARD, WRITE
from boh.purchasing.service.lifecycle import amend_line, cancel, close, confirm, edit_draft_line
from boh.purchasing.service.placing import OrderRequest, PlacedOrder, place_orders
from boh.purchasing.service.receiving import ReceiptLineIn, receive_goods
from boh.purchasing.service.supplier import AsnLineIn, LineResponse, decide, respond, send_asn
from boh.purchasing.service.transfers import allocate_transfers, dispatch

__all__ = [
    "APPROVE",
    "READ",
    "RECEIVE",
    "RESPOND",
    "SCORECARD",
    "WRITE",
    "AsnLineIn",
    "LineResponse",
    "OrderRequest",
    "PlacedOrder",
    "ReceiptLineIn",
    "allocate_transfers",
    "amend_line",
    "cancel",
    "close",
    "confirm",
    "decide",
    "dispatch",
    "edit_draft_line",
    "place_orders",
    "receive_goods",
    "respond",
    "send_asn",
]
