"""Public functions of the inventory domain for the domains above it (orders, replenishment, production,
finance): small frozen DTOs, never ORM objects. The commands take the caller's unit of work (the caller
commits) and post through the ledger (boh.inventory.ledger), the one writer of stock:

- ``post_document(uow, lines)``: any stock document, all lines or none (``PostingLine``);
- ``reserve`` / ``release`` / ``fulfil``: hold available stock for an order line, give it back, ship it;
- ``expect`` / ``receive`` / ``cancel_incoming``: put a purchase or transfer line on order, receive it
  (with lot and expiry), take it off order. ``reserve`` / ``expect`` with ``owner=`` mark the commitment as
  the caller's document's: every later command on it then passes the same ``owner`` (else 409
  inventory.received_by_owner for receiving, inventory.owned_elsewhere for the others) and the worker never
  expires it;
- ``transfer`` / ``receive_transfer``, ``adjust``, ``record_waste``, ``revalue``;
- ``produce``: consume inputs (first expiring lots first) and make output lots costed from them;
- ``hold_lots`` / ``release_lot``: block lots (a recall, a quarantine: not available, pickable or sellable)
  and release them (``holds.py``).
Reads: ``stock_levels``, ``suggest_fefo``, ``daily_sales``, ``unit_costs`` (moving averages),
``movements`` (opening, inflows, outflows by type and closing per item over a period).

Extension point: ``register_depletion_rule`` (``DepletionRule``): the domain that knows recipes turns a POS
sale into its components' moves in the ingestion's own transaction (ingest/depletion.py).

Lineage reads (lot genealogy, for boh.trace): ``lot_moves``, ``batch_moves``, ``lot_facts``, ``lot_closure``...;
``traceability_lot_code``: the next free FSMA 204 lot code SITE-SKU-YYMMDD-NN for a lot a site makes."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from boh.inventory import balances, holds, lineage, queries, service
from boh.inventory.commitments import service as commitments
from boh.inventory.commitments.schemas import FulfilIn, IncomingIn, ReceiveIn, ReleaseIn, ReservationIn
from boh.inventory.holds import Hold
from boh.inventory.ingest import depletion as _depletion
from boh.inventory.ingest.depletion import BatchDepletion, Depletion, DepletionRule, SoldLine
from boh.inventory.ledger.contract import Line as PostingLine
from boh.inventory.ledger.contract import PostedMove
from boh.inventory.ledger.documents import PostResult
from boh.inventory.ledger.rules import INFLOW
from boh.inventory.lineage import LotFact
from boh.inventory.models import ItemCost, Move
from boh.inventory.queries import DailySales
from boh.inventory.schemas import FefoSuggestion, RevaluationIn, TransferIn
from boh.inventory.service import ProductionInput, ProductionOutput, ProductionResult, ProductionWaste
from boh.kernel.tenancy import Scope
from boh.kernel.uow import UnitOfWork
from boh.org.api import get_site_ref

__all__ = [
    "BatchDepletion",
    "DailySales",
    "Depletion",
    "DepletionRule",
    "FefoSuggestion",
    "FulfilIn",
    "Hold",
    "IncomingIn",
    "ItemMovements",
    "LotFact",
    "PostResult",
    "PostedMove",
    "PostingLine",
    "ProductionInput",
    "ProductionOutput",
    "ProductionResult",
    "ProductionWaste",
    "ReceiveIn",
    "ReleaseIn",
    "ReservationIn",
    "RevaluationIn",
    "SoldLine",
    "StockLevel",
    "TransferIn",
    "adjust",
    "batch_moves",
    "cancel_incoming",
    "daily_sales",
    "expect",
    "fulfil",
    "hold_lots",
    "holds_of",
    "lot_closure",
    "lot_facts",
    "lot_ids_by_code",
    "lot_moves",
    "lot_neighbourhood",
    "lots_of_code",
    "lots_with_prefix",
    "movements",
    "moves_between",
    "post_document",
    "produce",
    "receive",
    "receive_transfer",
    "received_lots",
    "record_waste",
    "register_depletion_rule",
    "release",
    "release_lot",
    "reserve",
    "revalue",
    "stock_levels",
    "suggest_fefo",
    "supplier_lots",
    "traceability_lot_code",
    "transfer",
    "unit_costs",
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


def daily_sales(
    session: Session, scope: Scope, start: date, end: date, *, site_ids: Iterable[int] | None = None,
    item_ids: Iterable[int] | None = None,
) -> list[DailySales]:  # fmt: skip
    """Units sold per (site, item, day) from the sale moves, each day marked ``stockout`` when on hand was at
    or below zero during it (censored demand): the demand history of forecasting."""
    return queries.daily_sales(session, scope, start, end, site_ids, item_ids)


def suggest_fefo(session: Session, scope: Scope, site_id: int, item_id: int, quantity: Decimal) -> FefoSuggestion:
    """Lots to pick ``quantity`` from, first expiring first; expired and quarantined lots are skipped."""
    return queries.suggest_fefo(session, scope, site_id, item_id, quantity)


def unit_costs(session: Session, scope: Scope, site_id: int, item_ids: Iterable[int]) -> dict[int, Decimal]:
    """The current moving-average unit cost (per base unit, the site's currency) of these items at a site;
    items never costed there are absent."""
    wanted = sorted(set(item_ids))
    get_site_ref(session, scope, site_id)
    if not wanted:
        return {}
    rows = session.execute(
        select(ItemCost.item_id, ItemCost.avg_unit_cost).where(
            ItemCost.tenant_id == scope.tenant_id, ItemCost.site_id == site_id, ItemCost.item_id.in_(wanted),
            ItemCost.cost_source != "none",
        )
    )  # fmt: skip
    return {i: c for i, c in rows}


@dataclass(frozen=True)
class ItemMovements:
    """One item at one site over [start, end): stock at the start, what came in (receipts, transfers in,
    production, customer returns), what went out by move type (negative), and the stock at the end."""

    item_id: int
    opening: Decimal
    inflow: Decimal
    outflow: dict[str, Decimal]
    closing: Decimal

    @property
    def usage(self) -> Decimal:
        """Actual usage: opening + inflow - closing."""
        return self.opening + self.inflow - self.closing


def movements(
    session: Session, scope: Scope, site_id: int, item_ids: Iterable[int], start: datetime, end: datetime
) -> dict[int, ItemMovements]:
    """Per item, its movements at a site over [start, end) by event time (counts' variances included, so the
    closing stock after a count is the counted stock)."""
    wanted = sorted(set(item_ids))
    get_site_ref(session, scope, site_id)
    if not wanted:
        return {}
    before = case((Move.event_at < start, Move.quantity), else_=0)
    within = (Move.event_at >= start) & (Move.event_at < end)
    rows = session.execute(
        select(Move.item_id, Move.move_type, func.sum(before), func.sum(case((within, Move.quantity), else_=0)))
        .where(Move.tenant_id == scope.tenant_id, Move.site_id == site_id, Move.item_id.in_(wanted),
               Move.event_at < end)
        .group_by(Move.item_id, Move.move_type)
    )  # fmt: skip
    acc: dict[int, list[Any]] = {}
    for item_id, move_type, opening, qty in rows:
        a = acc.setdefault(item_id, [ZERO, ZERO, {}])
        a[0] += Decimal(opening or 0)
        qty = Decimal(qty or 0)
        if move_type in INFLOW or (move_type == "return" and qty > 0):
            a[1] += qty
        elif qty:
            a[2][move_type] = a[2].get(move_type, ZERO) + qty
    return {i: ItemMovements(i, a[0], a[1], a[2], a[0] + a[1] + sum(a[2].values(), ZERO)) for i, a in acc.items()}


def register_depletion_rule(rule: DepletionRule | None) -> None:
    """Set the rule that turns POS sales into their components' moves (see ingest/depletion.py)."""
    _depletion.register(rule)


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


@dataclass(frozen=True)
class LotOnHand:
    lot_id: int
    item_id: int
    sku: str
    name_en: str
    name_zh: str | None
    base_uom: str
    lot_code: str
    expiry_date: date | None
    status: str | None
    on_hand: Decimal


def lots_on_hand(
    session: Session, tenant_id: int, site_id: int, lot_ids: Iterable[int] | None = None
) -> list[LotOnHand]:
    """The lots with stock on hand at a site (the one balance read model), optionally only these lots."""
    wanted = None if lot_ids is None else set(lot_ids)
    rows, _ = balances.read(session, Scope(tenant_id), balances.BalanceQuery(site_id=site_id), 1_000_000, 0)
    return [
        LotOnHand(
            r.lot_id,
            r.item_id,
            r.sku,
            r.name_en,
            r.name_zh,
            r.base_uom,
            r.lot_code or "",
            r.expiry_date,
            r.lot_status,
            r.on_hand,
        )
        for r in rows
        if r.lot_id is not None and r.on_hand > 0 and (wanted is None or r.lot_id in wanted)
    ]


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
lot_neighbourhood = lineage.lot_neighbourhood
traceability_lot_code = lineage.traceability_lot_code
