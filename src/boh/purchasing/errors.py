"""Errors of purchasing, with stable codes."""

from __future__ import annotations

from boh.kernel.errors import Conflict, NotFound


class OrderNotFound(NotFound):
    code = "purchasing.order_not_found"


class LineNotFound(NotFound):
    code = "purchasing.line_not_found"


class WrongStatus(Conflict):
    """The document is not in a status that allows this (e.g. editing a confirmed order)."""

    code = "purchasing.wrong_status"


class IdempotencyKeyReused(Conflict):
    code = "purchasing.idempotency_key_reused"


class ResponsePending(Conflict):
    """A supplier's change waits for the buyer's decision."""

    code = "purchasing.response_pending"


class ReceiptBlocked(Conflict):
    """The receipt is refused (e.g. a required supplier certificate has expired)."""

    code = "purchasing.receipt_blocked"


class NotEnoughAtSource(Conflict):
    code = "purchasing.not_enough_at_source"
