"""Receiving: the receipt document a person fills while a delivery is unloaded.

Owns ``inventory_receipt`` (one per delivery: the site, what it receives — a purchase order's expected
receipts, the transfers shipped to the site by one sender, or an unannounced delivery —, its number, a
photo of the delivery note, who received it) and ``inventory_receipt_line`` (expected, received and
damaged quantities, lot and expiry, a reason for a difference).

Stock is posted only through the ledger's existing service functions when the receipt is posted:
commitments.service.receive / cancel for expected receipts, service.receive_transfer for transfers (a
short or damaged transfer line then posts an adjustment out with the reason), service.post_moves for an
unannounced delivery. Discrepancies notify the buyers (and a transfer's sender) through boh.notify.api.
Publishes nothing of its own (the ledger publishes StockMoved / StockCommitted).
"""
