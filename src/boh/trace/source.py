"""The ledger as a genealogy ``Source`` (through boh.inventory.api, the inventory domain's one door)."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy.orm import Session

from boh.inventory import api as inventory
from boh.inventory.api import PostedMove
from boh.trace.genealogy import BatchRef


class LedgerSource:
    def __init__(self, session: Session, tenant_id: int) -> None:
        self.session = session
        self.tenant_id = tenant_id

    def lot_moves(self, lot_ids: Iterable[int]) -> list[PostedMove]:
        return inventory.lot_moves(self.session, self.tenant_id, lot_ids)

    def batch_moves(self, refs: Iterable[BatchRef]) -> list[PostedMove]:
        return inventory.batch_moves(self.session, self.tenant_id, refs)

    def closure(self, roots: Iterable[int], direction: str) -> dict[int, int]:
        return inventory.lot_closure(self.session, self.tenant_id, roots, direction)

    def neighbourhood(self, roots: Iterable[int], direction: str) -> tuple[list[PostedMove], ...]:
        return inventory.lot_neighbourhood(self.session, self.tenant_id, roots, direction)
