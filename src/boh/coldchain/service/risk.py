"""Repeated excursions at a site are a risk other domains act on: from the second temperature or humidity
excursion alarmed at a site within a week, each new one publishes ``SiteColdChainRisk`` (inspections takes
it as a cold-chain signal of the site's risk score, which brings its next visit forward)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from boh.coldchain.events import SiteColdChainRisk
from boh.coldchain.models import Excursion
from boh.kernel.uow import UnitOfWork

WINDOW_DAYS = 7
REPEATED = 2  # this many excursions at a site within the window is a risk


def site_risk(uow: UnitOfWork, exc: Excursion) -> SiteColdChainRisk | None:
    """Publish the site's risk when ``exc`` (new, just alarmed) makes its excursions repeated; the event."""
    at = exc.alarmed_at or exc.started_at
    rows = uow.session.execute(
        select(Excursion.id, Excursion.unit_id).where(
            Excursion.tenant_id == exc.tenant_id, Excursion.site_id == exc.site_id,
            Excursion.kind.in_(("temperature", "humidity")), Excursion.alarmed_at.is_not(None),
            Excursion.alarmed_at > at - timedelta(days=WINDOW_DAYS), Excursion.alarmed_at <= at,
        )
    ).all()  # fmt: skip
    ids = {i for i, _u in rows} | {exc.id}
    if len(ids) < REPEATED:
        return None
    event = SiteColdChainRisk(
        tenant_id=exc.tenant_id, site_id=exc.site_id, excursions=len(ids), window_days=WINDOW_DAYS,
        excursion_id=exc.id, unit_ids=tuple(sorted({u for _i, u in rows} | {exc.unit_id})), occurred_at=at,
    )  # fmt: skip
    uow.publish(event)
    return event
