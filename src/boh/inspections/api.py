"""Public surface of inspections for domains above it and for the entrypoints: each store's risk and latest
score (small frozen DTOs), the checklist definition model, and the photo store (the BlobStore adapter)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy.orm import Session

from boh.inspections import facts
from boh.inspections.adapters import BlobStore, open_photo_store
from boh.inspections.definition import Definition, Item


@dataclass(frozen=True)
class StoreRisk:
    site_id: int
    score: Decimal  # 0..100
    reasons: tuple[tuple[str, Decimal, str | None], ...]  # (code, points, value)
    last_score: Decimal | None  # the last submitted inspection's score; None: never inspected


def store_risks(session: Session, tenant_id: int, site_ids: list[int], today: date) -> dict[int, StoreRisk]:
    """Each store's risk score with its reasons, and its last inspection score."""
    known = facts.risk_facts(session, tenant_id, today)
    risks = facts.risks(session, tenant_id, site_ids, today)
    return {
        s: StoreRisk(s, r.score, tuple((x.code, x.points, x.value) for x in r.reasons),
                     known[s].last_score if s in known else None)
        for s, r in risks.items()
    }  # fmt: skip


__all__ = ["BlobStore", "Definition", "Item", "StoreRisk", "open_photo_store", "store_risks"]
