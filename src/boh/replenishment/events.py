"""Facts replenishment publishes (through the outbox)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from boh.kernel.events import Event


@dataclass(frozen=True)
class SuggestionRunCompleted(Event):
    """A suggestion run finished: its lines are ready for review (``to_review`` per site: lines proposed)."""

    topic = "replenishment.suggestion_run_completed"
    run_id: int
    order_day: date
    lines: int
    site_ids: tuple[int, ...]


@dataclass(frozen=True)
class SuggestionsAwaitingApproval(Event):
    """A suggestion line waits for an approval step (level 1: regional manager, 2: buyer / HQ)."""

    topic = "replenishment.suggestions_awaiting_approval"
    line_id: int
    site_id: int
    level: int
    qty: str
    value: str
