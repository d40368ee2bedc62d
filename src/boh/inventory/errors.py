"""Errors of the inventory domain, with stable codes."""

from __future__ import annotations

from boh.kernel.errors import Conflict, NotFound


class InsufficientStock(Conflict):
    """A move would take a balance below zero at a site whose policy is ``refuse``; nothing was written.
    ``shortages`` lists, per refused move, its index in the batch and the balance it would have left."""

    code = "inventory.insufficient_stock"
    title = "Insufficient stock"


class LotNotFound(NotFound):
    code = "inventory.lot_not_found"
    title = "Lot not found"


class LotOnHold(Conflict):
    """A lot on hold (a recall, a quarantine) may not be sold or used."""

    code = "inventory.lot_on_hold"
    title = "Lot on hold"


class MoveNotFound(NotFound):
    code = "inventory.move_not_found"
    title = "Move not found"


class DuplicateLot(Conflict):
    code = "inventory.duplicate_lot"
    title = "Lot code already used for this item"


class IdempotencyKeyReused(Conflict):
    """An idempotency key already names a different move: a retry must resend the same move."""

    code = "inventory.idempotency_key_reused"
    title = "Idempotency key already used for another move"


class NothingToRevalue(Conflict):
    """A revaluation by an amount at a site where the item has no stock on hand."""

    code = "inventory.nothing_to_revalue"
    title = "Nothing on hand to revalue"
