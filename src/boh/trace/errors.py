"""Errors of the trace domain, with stable codes."""

from __future__ import annotations

from boh.kernel.errors import Conflict, NotFound


class RecallNotFound(NotFound):
    code = "trace.recall_not_found"
    title = "Recall not found"


class LotNotFound(NotFound):
    code = "trace.lot_not_found"
    title = "Lot not found"


class RecallClosed(Conflict):
    code = "trace.recall_closed"
    title = "The recall is closed"


class NothingToRecall(Conflict):
    code = "trace.nothing_to_recall"
    title = "No lot matches the recall"


class BadEpcisDocument(Conflict):
    status = 422
    code = "trace.bad_epcis_document"
    title = "Not a valid EPCIS 2.0 document"
