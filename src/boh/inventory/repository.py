"""Read-side lookups of the inventory domain's write paths (a move, a lot, the tenant's ledger rules) and
the lot status, the one lot attribute that changes. Moves, balances, costs and commitments are written by
the ledger (boh.inventory.ledger) alone."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select, tuple_
from sqlalchemy.orm import Session

from boh.inventory.models import InventorySettings, Lot, Move


def lots_by_id(session: Session, tenant_id: int, ids: Iterable[int]) -> dict[int, Lot]:
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    return {lot.id: lot for lot in session.scalars(select(Lot).where(Lot.tenant_id == tenant_id, Lot.id.in_(wanted)))}


def get_lot(session: Session, tenant_id: int, lot_id: int, *, for_update: bool = False) -> Lot | None:
    stmt = select(Lot).where(Lot.tenant_id == tenant_id, Lot.id == lot_id)
    if for_update:
        stmt = stmt.with_for_update()
    return session.scalars(stmt).one_or_none()


def get_move(session: Session, tenant_id: int, move_id: int) -> Move | None:
    return session.scalars(select(Move).where(Move.tenant_id == tenant_id, Move.id == move_id)).one_or_none()


def get_settings(session: Session, tenant_id: int) -> InventorySettings | None:
    return session.get(InventorySettings, tenant_id)


def lots_by_code(session: Session, tenant_id: int, pairs: Iterable[tuple[int, str]]) -> dict[tuple[int, str], Lot]:
    """Lots by (item_id, lot_code); unknown pairs are absent."""
    wanted = sorted(set(pairs))
    out: dict[tuple[int, str], Lot] = {}
    for start in range(0, len(wanted), 1000):
        chunk = wanted[start : start + 1000]
        stmt = select(Lot).where(Lot.tenant_id == tenant_id, tuple_(Lot.item_id, Lot.lot_code).in_(chunk))
        out.update({(lot.item_id, lot.lot_code): lot for lot in session.scalars(stmt)})
    return out


def move_by_key(session: Session, tenant_id: int, key: str) -> Move | None:
    stmt = select(Move).where(Move.tenant_id == tenant_id, Move.idempotency_key == key)
    return session.scalars(stmt).one_or_none()
