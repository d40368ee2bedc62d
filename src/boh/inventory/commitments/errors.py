"""Errors of stock commitments, with stable codes."""

from __future__ import annotations

from boh.kernel.errors import Conflict, NotFound


class CommitmentNotFound(NotFound):
    code = "inventory.commitment_not_found"
    title = "Commitment not found"


class NotEnoughAvailable(Conflict):
    """A reservation asks for more than is available (on hand minus reserved, of usable stock); nothing was
    reserved. ``available`` is what could be reserved now."""

    code = "inventory.insufficient_available"
    title = "Not enough available stock to reserve"


class CommitmentClosed(Conflict):
    code = "inventory.commitment_closed"
    title = "The commitment is closed"


class ExceedsOpenQuantity(Conflict):
    code = "inventory.exceeds_open_quantity"
    title = "More than the commitment's open quantity"


class LotNotUsable(Conflict):
    """A reserved lot was quarantined or has expired since it was reserved: it is not shipped."""

    code = "inventory.lot_not_usable"
    title = "Reserved lot is quarantined or expired"


class OwnedElsewhere(Conflict):
    """An expected receipt (or a transfer shipped from a reservation) that a document of an upper domain owns
    is received there, not through inventory's own receiving: ``owner`` names the domain, ``receive_at`` the
    page where its users receive it."""

    code = "inventory.received_by_owner"
    title = "Received through the document that owns it"


class ManagedByOwner(Conflict):
    """A commitment that a document of an upper domain owns (an order's expected receipt or reservation) is
    cancelled, released or shipped only through that document, by its owner: anyone else is refused and
    nothing changes. ``owner`` names the domain, ``managed_at`` the page of the document."""

    code = "inventory.owned_elsewhere"
    title = "Managed through the document that owns it"
