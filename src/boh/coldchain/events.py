"""Facts the cold chain publishes for the domains that react to them (through the outbox)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from boh.kernel.events import Event


@dataclass(frozen=True)
class SiteColdChainRisk(Event):
    """A site had repeated excursions: ``excursions`` temperature or humidity excursions alarmed at its units
    within the last ``window_days`` days, the latest being ``excursion_id`` (published with each excursion
    from the second one on, so inspections can schedule or bring forward a visit)."""

    topic = "coldchain.site_risk_raised"
    site_id: int
    excursions: int
    window_days: int
    excursion_id: int
    unit_ids: tuple[int, ...]
    occurred_at: datetime
