"""The ledger's neutral contract: posting lines in, posted moves out."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

BalanceKey = tuple[int, int, int]  # site_id, item_id, lot_key (0: stock without a lot)
CostKey = tuple[int, int]  # site_id, item_id

# Lines and moves are built once per move on the posting path (thousands per ingested batch) and never
# changed after (a changed line is a new one: ``dataclasses.replace``). They are plain slotted dataclasses,
# not ``frozen``: a frozen dataclass sets each field through ``object.__setattr__``, 3.4 us for a Line of 20
# fields against 0.6 (the same holds for valuation.CostState / Valued and rules.Flow).


@dataclass(slots=True)
class Line:
    """One move to post. ``index`` is its place in the caller's batch (errors name it).

    Cost rule: ``unit_cost`` given on an inflow re-averages (a receipt); on an outflow it is the reversal
    of a costed inflow; ``None`` values the move at the moving average; ``value`` (with quantity 0 and
    move type ``revaluation``) changes only the stock value. ``fefo``: a sale without a lot, to be taken
    from the usable lots first expiring first (floor events)."""

    index: int
    site_id: int
    item_id: int
    lot_id: int | None
    move_type: str
    quantity: Decimal
    idempotency_key: str
    unit_cost: Decimal | None = None
    value: Decimal | None = None
    currency: str | None = None
    reason_code: str | None = None
    source_type: str | None = None
    source_id: str | None = None
    event_at: datetime | None = None
    counter_site_id: int | None = None
    lot_code: str | None = None  # resolved to lot_id (inflows create the lot)
    expiry_date: date | None = None
    fefo: bool = False
    part: int = 0  # a line split over lots (FEFO): its parts share the line's index
    # a transfer_in: the value (in the sender's currency) it takes off the sender's in-transit value
    transit_release: Decimal | None = None

    @property
    def balance_key(self) -> BalanceKey:
        return (self.site_id, self.item_id, self.lot_id or 0)

    @property
    def cost_key(self) -> CostKey:
        return (self.site_id, self.item_id)


@dataclass(slots=True)
class PostedMove:
    """A move as posted (or, for a replay, as posted the first time). Attribute names are those of the
    ``inventory_move`` columns, so API models read it like a row."""

    id: int
    site_id: int
    item_id: int
    lot_id: int | None
    move_type: str
    reason_code: str | None
    quantity: Decimal
    unit_cost: Decimal | None
    value: Decimal
    provisional: bool
    currency: str
    counter_site_id: int | None
    source_type: str | None
    source_id: str | None
    idempotency_key: str
    negative: bool
    event_at: datetime
    recorded_at: datetime
    actor: str


@dataclass
class Posted:
    """What a posting did. ``moves``: one per line in the caller's order (a line split over lots: its first
    part; a replay: the original), ``parts``: every move written, ``true_ups``: the revaluation moves the
    ledger booked before costed inflows; ``refused``: indexes refused whole (event-by-event mode);
    ``replayed``: indexes whose idempotency key was already posted."""

    moves: dict[int, PostedMove]
    parts: list[PostedMove]
    true_ups: list[PostedMove]
    refused: dict[int, str]
    replayed: set[int]
    on_hand_after: dict[BalanceKey, Decimal]

    def in_order(self, indexes: list[int]) -> list[PostedMove]:
        return [self.moves[i] for i in indexes if i in self.moves]
