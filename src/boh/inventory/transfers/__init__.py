"""Transfer documents: one shipment of many lines from a site to another.

Owns ``inventory_transfer_doc`` (number, sender, receiver, status draft | shipped) and
``inventory_transfer_doc_line`` (item, lot, quantity, the transfer_out move that shipped it). Shipping posts
each line through the ledger's ``service.transfer`` (one transfer_out per line, idempotent per line); the
receiver receives the document through receiving (a receipt of source "transfer" naming the document),
part of it if that is what arrived, with the difference reported. Publishes nothing of its own.
"""
