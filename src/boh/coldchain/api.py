"""Public functions of the cold chain for the domains above it (and the inspections' risk signals later):
small frozen DTOs, never ORM objects."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from boh.coldchain.models import Excursion

__all__ = ["ExcursionCount", "excursion_counts"]


@dataclass(frozen=True)
class ExcursionCount:
    site_id: int
    excursions: int  # temperature excursions that alarmed
    dropouts: int


def excursion_counts(
    session: Session, tenant_id: int, site_ids: Iterable[int], since: datetime
) -> list[ExcursionCount]:
    """Per site, the excursions and dropouts that began since ``since`` (sites without any are absent)."""
    wanted = sorted(set(site_ids))
    if not wanted:
        return []
    rows = session.execute(
        select(Excursion.site_id, Excursion.kind, func.count())
        .where(Excursion.tenant_id == tenant_id, Excursion.site_id.in_(wanted), Excursion.started_at >= since)
        .group_by(Excursion.site_id, Excursion.kind)
    ).all()
    out: dict[int, list[int]] = {}
    for site_id, kind, n in rows:
        out.setdefault(site_id, [0, 0])[0 if kind == "temperature" else 1] += int(n)
    return [ExcursionCount(s, *v) for s, v in sorted(out.items())]
