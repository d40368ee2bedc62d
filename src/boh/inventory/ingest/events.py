"""Facts published by floor-event ingestion (through the outbox, in the ingesting transaction).

Other domains may only import ``boh.inventory.events``: the lead may re-export these from there."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from boh.kernel.events import Event


@dataclass(frozen=True)
class ShrinkSuspected(Event):
    """An RFID tag left through the exit gate without a matching sale; ``alert_id`` is the open alert."""

    topic = "inventory.shrink_suspected"
    alert_id: int
    site_id: int
    item_id: int
    epc: str
    occurred_at: datetime


@dataclass(frozen=True)
class CycleCountReported(Event):
    """An RFID zone session was closed: its expected vs seen tags."""

    topic = "inventory.rfid_cycle_count_reported"
    site_id: int
    session_id: str
    zone: str
    missing: int
    unexpected: int
