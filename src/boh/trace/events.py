"""Facts the trace domain publishes."""

from __future__ import annotations

from dataclasses import dataclass

from boh.kernel.events import Event


@dataclass(frozen=True)
class RecallStarted(Event):
    topic = "trace.recall_started"
    recall_id: int
    number: str
    mock: bool
    lot_ids: tuple[int, ...]
    site_ids: tuple[int, ...]


@dataclass(frozen=True)
class RecallClosed(Event):
    topic = "trace.recall_closed"
    recall_id: int
    number: str
    mock: bool
