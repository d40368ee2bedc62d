"""Purchasing: purchase orders (from suppliers) and transfer orders (from a DC or central kitchen), as
documents (draft -> confirmed -> partially received -> received / closed, or cancelled; amendments after
confirmation are new versions), supplier responses and advance shipping notices, goods receipts with their
discrepancies, supplier scorecards.

Owns the ``purchasing_*`` tables. Stock changes only through boh.inventory.api: confirming puts lines on order
(``expect``) and reserves a transfer at its source (``reserve``), dispatch ships the reservation
(``fulfil`` transfer_out), receipts post through ``receive`` / ``receive_transfer``. What an order puts on
order or reserves is marked as purchasing's (``owner``, with the order's receiving page): inventory's own
receiving refuses it (409 inventory.received_by_owner) or hands it off here, so every delivery of an order is
received through purchasing, and inventory's API and pages refuse to cancel, release or ship it (409
inventory.owned_elsewhere): every such inventory call here passes ``owner=OWNER`` (see the replenishment
README, "Receiving"). A shipping notice is compared with everything received against it, recomputed after each
receipt and final once nothing more can arrive against it (``service.notices``); the scorecard counts each
notice once, on that final comparison.

Public api (``api.py``): ``place_orders`` (used by replenishment), ``open_order_lines`` (drafts and open
lines still to arrive), ``observed_lead_times`` (per supplier x item, for safety stock), ``scorecard``.
The receipt's supplier-certificate check is one seam, ``service.receiving._certificate_check``.
The purchase order document (``documents.py``, boh.http.pdf): buyer, supplier, ship-to, dates, lines with the
supplier's codes, order-unit quantities, prices, totals and terms, in the supplier's language (else the
tenant's); ``GET /api/v1/purchasing/orders/{id}/pdf`` and ``/purchasing/orders/{id}/pdf``. ``mail.py`` e-mails
it to the supplier's order address through notify's mail outbox: once when the order is sent, and again only
by the buyer's explicit, audited resend (``POST .../orders/{id}/resend``, keyed).
Publishes (``events.py``): OrderConfirmed, OrderCancelled, GoodsReceived. Consumes its own OrderConfirmed
(``handlers.py``: the e-mail to the supplier, after the commit).
"""
