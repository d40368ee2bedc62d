"""Release: approved lines become orders through purchasing.

The seam the lead wires at merge: ``boh.purchasing.api.place_orders(uow, requests, confirm=False,
idempotency_key=...)`` with one ``OrderRequest`` per line (site, item, base-unit quantity, source supplier or
site, supplier / from-site, needed by, unit price, currency, origin "suggestion" + line id, note). Until the
purchasing branch is merged, ``release_lines`` leaves approved lines approved (status ``approved``: the
release queue) and places nothing; ``release_run`` refuses with ReleaseUnavailable.
"""

from __future__ import annotations

from collections.abc import Sequence

from boh.kernel.uow import UnitOfWork
from boh.replenishment import models as m
from boh.replenishment.errors import ReleaseUnavailable

AVAILABLE = False  # True once boh.purchasing.api.place_orders is wired in (merge of branch purchasing)


def release_lines(uow: UnitOfWork, lines: Sequence[m.Line], *, key: str) -> int:
    """Place orders for these approved lines (idempotent by ``key``); returns the lines placed."""
    if not lines or not AVAILABLE:
        return 0
    raise ReleaseUnavailable("placing orders needs boh.purchasing.api.place_orders")


def require_available() -> None:
    if not AVAILABLE:
        raise ReleaseUnavailable("placing orders needs boh.purchasing (not merged yet): approved lines wait")
