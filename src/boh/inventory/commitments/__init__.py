"""Stock commitments (inventory sub-area): reservations, which hold on-hand stock for a document (an order
line, a production plan, a transfer request) and lower ``available``, and expected receipts, which record
what is on order for a site (a purchase order line, an inbound transfer plan) as ``on_order``.

Owns ``inventory_commitment`` (one per request: its document, the quantity asked for and what is still
open) and ``inventory_commitment_entry``, the append-only ledger of every change to a commitment's open
quantity per lot (reserve, release, fulfil, expire; expect, receive, cancel). The balance columns
``reserved`` and ``on_order`` are projections of that ledger, changed in the same transaction, and
``boh inventory rebuild --check`` proves them against it (boh.inventory.rebuild).

Rules (boh.inventory.commitments.domain):
- a reservation never takes more than is available (on hand minus reserved, of usable stock: no expired or
  quarantined lot), whatever the site's negative-stock policy; ``allow_partial`` reserves what there is;
- without a lot, a reservation is allocated first-expiry-first-out over the usable lots, then the stock
  without a lot; fulfilling it issues from its lots in the same order, one move per lot, through the ledger
  (boh.inventory.ledger), and lowers ``reserved`` in the same transaction;
- an expected receipt is on order until received (a receipt move, over-receipt allowed) or cancelled;
- every command carries an idempotency key: a retry returns the commitment as it is and changes nothing;
- a commitment opened with an ``owner`` (an upper domain's document: a purchase or transfer order) is
  received, cancelled, released and shipped by that owner only (``check_owner``: 409
  inventory.received_by_owner for receiving, inventory.owned_elsewhere for the others, nothing written), and
  an owned reservation never expires by itself (the worker skips it; ``reserve(owner=)`` refuses
  ``expires_at``): its owner's document releases it when it is cancelled or closed.

Lock order (see boh.inventory.ledger): the commitment row first, then what posting locks (cost rows,
balances, the audit chain head). Publishes ``boh.inventory.events.StockCommitted``.
"""
