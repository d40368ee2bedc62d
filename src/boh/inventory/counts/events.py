"""Facts published by stocktakes (through the outbox, in the transaction of the change)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from boh.kernel.events import Event


@dataclass(frozen=True)
class CountPosted(Event):
    """A count's variances were posted as count_variance moves."""

    topic = "inventory.count_posted"
    count_id: int
    site_id: int
    moves_posted: int
    total_abs_value: Decimal
    currency: str
