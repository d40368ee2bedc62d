"""Facts the inspections domain publishes (through the outbox, in the transaction of the change)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from boh.kernel.events import Event


@dataclass(frozen=True)
class InspectionSubmitted(Event):
    topic = "inspections.inspection_submitted"
    visit_id: int
    site_id: int
    template_id: int
    version: int
    score: Decimal | None
    passed: bool
    failed_items: tuple[str, ...]


@dataclass(frozen=True)
class FoodSafetyAlertRaised(Event):
    """A food-safety item failed (a chiller above its limit): raised the moment the reading is saved."""

    topic = "inspections.food_safety_alert_raised"
    alert_id: int
    visit_id: int
    site_id: int
    item_key: str
    reading: str | None


@dataclass(frozen=True)
class ActionEscalated(Event):
    topic = "inspections.action_escalated"
    action_id: int
    site_id: int
    level: int


@dataclass(frozen=True)
class ActionClosed(Event):
    topic = "inspections.action_closed"
    action_id: int
    site_id: int
    days_to_close: int
