"""Pure rules of stock commitments (no I/O): which lots a reservation takes and which lots a fulfilment
issues from."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from boh.inventory.ledger.rules import LotStock, fefo, lot_usable

ZERO = Decimal(0)
RESERVATION = "reservation"
INCOMING = "incoming"
OPENING = {"reserve", "expect"}


@dataclass(frozen=True)
class Stock:
    """Stock of one balance of an item at a site: lot_key 0 is the stock without a lot."""

    lot_key: int
    lot_code: str | None
    expiry_date: date | None
    status: str | None  # None: no lot
    on_hand: Decimal
    reserved: Decimal
    held: bool = False  # the lot is on hold

    @property
    def free(self) -> Decimal:
        return self.on_hand - self.reserved


def reservable(stock: Iterable[Stock], today: date) -> list[Stock]:
    """The balances a reservation may take from: usable (no expired or quarantined lot) with free stock."""
    return [s for s in stock if s.free > 0 and lot_usable(s.status, s.expiry_date, today, s.held)]


def allocate(stock: Iterable[Stock], quantity: Decimal, today: date) -> tuple[list[tuple[int, Decimal]], Decimal]:
    """Where to reserve ``quantity``: first expiring lot first (as boh.inventory.domain.fefo), then the
    stock without a lot. Returns (lot_key, quantity) pairs and the part that could not be covered."""
    usable = reservable(stock, today)
    lots = [
        LotStock(s.lot_key, s.lot_code or "", s.expiry_date, s.status or "", s.free, s.held)
        for s in usable
        if s.lot_key
    ]
    taken, rest = fefo(lots, quantity, today)
    out = [(a.lot.lot_id, a.take) for a in taken]
    plain = next((s for s in usable if s.lot_key == 0), None)
    if rest > 0 and plain is not None:
        take = min(rest, plain.free)
        out.append((0, take))
        rest -= take
    return out, rest


def draw(open_by_lot: list[tuple[int, Decimal]], quantity: Decimal) -> list[tuple[int, Decimal]]:
    """Take ``quantity`` from a commitment's open lots in the order given (the allocation order); the
    caller checks that the open total covers it."""
    rest = quantity
    out: list[tuple[int, Decimal]] = []
    for lot_key, open_qty in open_by_lot:
        if rest <= 0:
            break
        if open_qty <= 0:
            continue
        take = min(rest, open_qty)
        out.append((lot_key, take))
        rest -= take
    return out
