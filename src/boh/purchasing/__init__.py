"""Purchasing: purchase orders (from suppliers) and transfer orders (from a DC or central kitchen), as
documents (draft -> confirmed -> partially received -> received / closed, or cancelled; amendments after
confirmation are new versions), supplier responses and advance shipping notices, goods receipts with their
discrepancies, supplier scorecards.

Owns the ``purchasing_*`` tables. Stock changes only through boh.inventory.api: confirming puts lines on order
(``expect``) and reserves a transfer at its source (``reserve``), dispatch ships the reservation
(``fulfil`` transfer_out), receipts post through ``receive`` / ``receive_transfer``. What an order puts on
order or reserves is marked as purchasing's (``owner``, with the order's receiving page): inventory's own
receiving refuses it (409 inventory.received_by_owner) or hands it off here, so every delivery of an order is
received through purchasing (see the replenishment README, "Receiving").

Public api (``api.py``): ``place_orders`` (used by replenishment), ``open_order_lines`` (drafts and open
lines still to arrive), ``observed_lead_times`` (per supplier x item, for safety stock), ``scorecard``.
The receipt's supplier-certificate check is one seam, ``service.receiving._certificate_check``.
Publishes (``events.py``): OrderConfirmed, OrderCancelled, GoodsReceived. Consumes nothing.
"""
