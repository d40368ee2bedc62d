"""Weight shelves: keep each shelf's latest reading and record drops as "shelf_drop" observations.

A drop (grams gone since the shelf's previous, older reading) is stored for reconciliation against the
POS sales of the item; it is not a stock move (sales are). A reading older than the shelf's latest one is
ignored (out of order). The shelf rows are stable while the batch holds the (site, item) cost rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import insert, select, tuple_, update
from sqlalchemy.orm import Session

from boh.inventory.ingest import domain
from boh.inventory.ingest.models import ShelfObservation, WeightShelf
from boh.inventory.ingest.prepare import Prepared
from boh.inventory.ingest.schemas import WeightEvent

QTY_Q = Decimal("0.000001")
CHUNK = 1000


@dataclass
class _Shelf:
    id: int | None
    item_id: int
    weight_g: Decimal
    quantity: Decimal
    read_at: datetime
    dirty: bool = False


def _load(session: Session, tenant_id: int, keys: list[tuple[int, str]]) -> dict[tuple[int, str], _Shelf]:
    out: dict[tuple[int, str], _Shelf] = {}
    for start in range(0, len(keys), CHUNK):
        stmt = select(WeightShelf).where(
            WeightShelf.tenant_id == tenant_id,
            tuple_(WeightShelf.site_id, WeightShelf.shelf).in_(keys[start : start + CHUNK]),
        )
        for s in session.scalars(stmt):
            out[(s.site_id, s.shelf)] = _Shelf(s.id, s.item_id, s.weight_g, s.quantity, s.read_at)
    return out


def apply(session: Session, tenant_id: int, events: Sequence[Prepared]) -> int:
    """Apply the weight readings; the number of shelf drops recorded."""
    readings = [(p, p.event) for p in events if isinstance(p.event, WeightEvent)]
    if not readings:
        return 0
    readings.sort(key=lambda r: (r[1].occurred_at, r[0].index))
    state = _load(session, tenant_id, sorted({(p.site.id, ev.shelf) for p, ev in readings}))
    drops: list[dict[str, object]] = []
    for p, ev in readings:
        key = (p.site.id, ev.shelf)
        prev = state.get(key)
        if prev is not None and ev.occurred_at <= prev.read_at:
            continue  # older than what the shelf already reported
        dropped = domain.shelf_drop(
            prev.weight_g if prev else None, prev.read_at if prev else None, ev.weight_g, ev.occurred_at
        )
        if dropped > 0:
            qty = domain.weight_to_base(p.item.base_uom, dropped) or Decimal(0)
            drops.append(
                {
                    "tenant_id": tenant_id,
                    "site_id": p.site.id,
                    "shelf": ev.shelf,
                    "item_id": p.item.item_id,
                    "kind": "shelf_drop",
                    "quantity": qty.quantize(QTY_Q, rounding=ROUND_HALF_UP),
                    "weight_g": dropped,
                    "observed_at": ev.occurred_at,
                    "reconciled": False,
                }
            )
        state[key] = _Shelf(prev.id if prev else None, p.item.item_id, ev.weight_g, p.quantity, ev.occurred_at, True)
    _save(session, tenant_id, state)
    if drops:
        session.execute(insert(ShelfObservation), drops)
    return len(drops)


def _save(session: Session, tenant_id: int, state: dict[tuple[int, str], _Shelf]) -> None:
    new: list[dict[str, object]] = []
    changed: list[dict[str, object]] = []
    for (site_id, shelf), row in sorted(state.items()):
        if not row.dirty:
            continue
        values = {
            "site_id": site_id,
            "shelf": shelf,
            "item_id": row.item_id,
            "weight_g": row.weight_g,
            "quantity": row.quantity,
            "read_at": row.read_at,
        }
        if row.id is None:
            new.append({"tenant_id": tenant_id, **values})
        else:
            changed.append({"id": row.id, **values})
    if new:
        session.execute(insert(WeightShelf), new)
    if changed:
        session.execute(update(WeightShelf), changed)
