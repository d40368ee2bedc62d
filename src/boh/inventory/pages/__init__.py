"""Console pages of the inventory domain under /inventory: stock by site (filters, live updates over the
balance stream), an item's move history, adjustment and waste entry with reason codes, transfers (ship,
receive), open reservations and expected receipts (release, cancel), floor alerts and stocktakes (counts:
list, counting by scan on a phone, variance review)."""

from __future__ import annotations

from boh.inventory.dashboard import pages as dashboard
from boh.inventory.pages import _common, commitments, count_tools, counts, deadletters, forms, stock
from boh.inventory.pages._common import router
from boh.inventory.receiving import pages as receiving
from boh.inventory.transfers import pages as transfer_docs

NAV = [*_common.NAV, *receiving.NAV, *counts.NAV]

__all__ = [
    "NAV",
    "commitments",
    "count_tools",
    "counts",
    "dashboard",
    "deadletters",
    "forms",
    "receiving",
    "router",
    "stock",
    "transfer_docs",
]
