"""Public functions of the inventory domain for the domains above it (orders, replenishment, production,
finance): small frozen DTOs, never ORM objects. The commands take the caller's unit of work (the caller
commits) and post through the ledger (boh.inventory.ledger), the one writer of stock:

- ``post_document(uow, lines)``: any stock document, all lines or none (``PostingLine``);
- ``reserve`` / ``release`` / ``fulfil``: hold available stock for an order line, give it back, ship it;
- ``expect`` / ``receive`` / ``cancel_incoming``: put a purchase or transfer line on order, receive it
  (with lot and expiry), take it off order;
- ``transfer`` / ``receive_transfer``, ``adjust``, ``record_waste``, ``revalue``;
- ``produce``: consume inputs (first expiring lots first) and make output lots costed from them;
- ``hold_lots`` / ``release_lot``: block lots (a recall, a quarantine: not available, pickable or sellable)
  and release them (``holds.py``).
Reads: ``stock_levels``, ``suggest_fefo``, ``daily_sales``."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy.orm import Session

from boh.inventory import balances, holds, lineage, queries, service
from boh.inventory.commitments import service as commitments
from boh.inventory.commitments.schemas import FulfilIn, IncomingIn, ReceiveIn, ReleaseIn, ReservationIn
from boh.inventory.holds import Hold
from boh.inventory.ledger.contract import Line as PostingLine
from boh.inventory.ledger.contract import PostedMove
from boh.inventory.ledger.documents import PostResult
from boh.inventory.lineage import LotFact
from boh.inventory.schemas import FefoSuggestion, RevaluationIn, TransferIn
from boh.inventory.service import ProductionInput, ProductionOutput, ProductionResult
from boh.kernel.tenancy import Scope
from boh.kernel.uow import UnitOfWork
from boh.org.api import get_site_ref

__all__ = [
    "FefoSuggestion",
    "FulfilIn",
    "Hold",
    "IncomingIn",
    "LotFact",
    "PostResult",
    "PostedMove",
    "PostingLine",
    "ProductionInput",
    "ProductionOutput",
    "ProductionResult",
    "ReceiveIn",
    "ReleaseIn",
    "ReservationIn",
    "RevaluationIn",
    "StockLevel",
    "TransferIn",
    "adjust",
    "batch_moves",
    "cancel_incoming",
    "expect",
    "fulfil",
    "hold_lots",
    "holds_of",
    "lot_closure",
    "lot_facts",
    "lot_ids_by_code",
    "lot_moves",
    "lots_of_code",
    "lots_with_prefix",
    "moves_between",
    "post_document",
    "produce",
    "receive",
    "receive_transfer",
    "received_lots",
    "record_waste",
    "release",
    "release_lot",
    "reserve",
    "revalue",
    "stock_levels",
    "suggest_fefo",
    "supplier_lots",
    "transfer",
]  # fmt: skip

ZERO = Decimal(0)


@dataclass(frozen=True)
class StockLevel:
    item_id: int
    on_hand: Decimal
    reserved: Decimal
    in_transit: Decimal
    on_order: Decimal
    available: Decimal  # on_hand - reserved of usable stock (no expired or quarantined lots)

    @property
    def projected(self) -> Decimal:
        """What there will be once what is in transit and on order has arrived."""
        return self.available + self.in_transit + self.on_order


def stock_levels(session: Session, scope: Scope, site_id: int, item_ids: Iterable[int]) -> dict[int, StockLevel]:
    """Stock of these items at one site, summed over lots (the one balance read model); items without a
    balance are absent."""
    wanted = tuple(sorted(set(item_ids)))
    if not wanted:
        get_site_ref(session, scope, site_id)
        return {}
    rows, _ = balances.read(session, scope, balances.BalanceQuery(site_id=site_id, item_ids=wanted), 1_000_000, 0)
    sums: dict[int, list[Decimal]] = {}
    for r in rows:
        s = sums.setdefault(r.item_id, [ZERO] * 5)
        for i, v in enumerate((r.on_hand, r.reserved, r.in_transit, r.on_order, r.available)):
            s[i] += v
    return {i: StockLevel(i, *v) for i, v in sums.items()}


def suggest_fefo(session: Session, scope: Scope, site_id: int, item_id: int, quantity: Decimal) -> FefoSuggestion:
    """Lots to pick ``quantity`` from, first expiring first; expired and quarantined lots are skipped."""
    return queries.suggest_fefo(session, scope, site_id, item_id, quantity)


# --- commands (the caller's unit of work; the caller commits) ---------------------------------------------


def post_document(uow: UnitOfWork, lines: list[PostingLine], *, permission: str = service.WRITE) -> PostResult:
    """Post a stock document's lines through the ledger: every line or none, every invalid line reported at
    once (ValidationFailed, by index), a retried line (same idempotency key) returned as first posted."""
    from boh.inventory.ledger.documents import post_document as _post

    return _post(uow, uow.principal.scope(permission), lines, internal=False)


reserve = commitments.reserve
release = commitments.release
fulfil = commitments.fulfil
expect = commitments.expect
receive = commitments.receive
cancel_incoming = commitments.cancel
transfer = service.transfer
receive_transfer = service.receive_transfer
adjust = service.adjust
record_waste = service.record_waste
revalue = service.revalue
produce = service.produce
hold_lots = holds.hold_lots
release_lot = holds.release_lot
holds_of = holds.holds_of

# --- lineage reads (lot genealogy: boh.trace) --------------------------------------------------------------
lot_moves = lineage.lot_moves
batch_moves = lineage.batch_moves
lot_facts = lineage.lot_facts
lot_ids_by_code = lineage.lot_ids_by_code
lots_of_code = lineage.lots_of_code
received_lots = lineage.received_lots
moves_between = lineage.moves_between
supplier_lots = lineage.supplier_lots
lots_with_prefix = lineage.lots_with_prefix
lot_closure = lineage.lot_closure
