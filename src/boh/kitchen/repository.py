"""Write-side helpers of the kitchen domain: atomic upserts of the sales tallies (never check-then-act)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from boh.kitchen.models import MenuSale, UnmappedSale


def _insert(session: Session, model: Any) -> Any:
    dialect = session.get_bind().dialect.name
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(model)


def add_menu_sales(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    """Add to the (site, day, item, version) tallies, in key order (rows locked in a fixed order)."""
    if not rows:
        return
    ins = _insert(session, MenuSale)
    stmt = ins.on_conflict_do_update(
        index_elements=["tenant_id", "site_id", "day", "item_id", "version_id"],
        set_={"quantity": MenuSale.quantity + ins.excluded.quantity},
    )
    ordered = sorted(rows, key=lambda r: (r["site_id"], r["day"], r["item_id"], r["version_id"]))
    session.execute(stmt, ordered)


def add_unmapped(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    if not rows:
        return
    ins = _insert(session, UnmappedSale)
    stmt = ins.on_conflict_do_update(
        index_elements=["tenant_id", "site_id", "day", "item_id", "role"],
        set_={
            "quantity": UnmappedSale.quantity + ins.excluded.quantity,
            "events": UnmappedSale.events + ins.excluded.events,
            "last_event_id": ins.excluded.last_event_id,
        },
    )
    ordered = sorted(rows, key=lambda r: (r["site_id"], r["day"], r["item_id"], r["role"]))
    session.execute(stmt, ordered)
