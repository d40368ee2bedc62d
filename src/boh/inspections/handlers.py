"""Reactions of inspections to other domains' facts (subscribed from the manifest's events hook)."""

from __future__ import annotations

from boh.kernel.outbox import EventBus


def subscribe(bus: EventBus) -> None:
    """The inspections domain's subscriptions."""
