"""Public functions of the trace domain for the layers above it (demo, other entrypoints):

- ``trace(session, tenant_id, roots, direction, depth=None)``: lot genealogy from the ledger;
- ``start_recall(uow, Origin(...), reason=, mock=)`` / ``confirm_recall`` / ``close_recall``;
- ``assign_tlc(session, tenant_id, site_code, sku, day)``: a traceability lot code for a lot the kitchen
  makes (FSMA 204)."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy.orm import Session

from boh.trace import fsma, recall
from boh.trace.genealogy import Direction, Trace
from boh.trace.genealogy import trace as _trace
from boh.trace.recall import Origin
from boh.trace.source import LedgerSource

__all__ = ["Direction", "Origin", "Trace", "assign_tlc", "close_recall", "confirm_recall", "start_recall", "trace"]


def trace(
    session: Session, tenant_id: int, roots: Iterable[int], direction: Direction, depth: int | None = None
) -> Trace:
    return _trace(LedgerSource(session, tenant_id), roots, direction, depth)


start_recall = recall.start
confirm_recall = recall.confirm
close_recall = recall.close
assign_tlc = fsma.assign_tlc
