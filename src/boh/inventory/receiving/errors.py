from __future__ import annotations

from boh.kernel.errors import Conflict, NotFound


class ReceiptNotFound(NotFound):
    code = "inventory.receipt_not_found"


class ReceiptNotDraft(Conflict):
    code = "inventory.receipt_not_draft"


class NothingToReceive(Conflict):
    code = "inventory.nothing_to_receive"
