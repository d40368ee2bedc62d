"""Sales without a lot code come off the item's lots first expiring first (FEFO), then off its stock
without a lot.

A till rarely knows the lot of what it sells. When a store holds an item in dated lots, a sale without a
lot code is split over the lots that are usable on the sale's local date (available status, not past
expiry: ``inventory.domain.fefo``), in event-time order across the batch; what the lots do not cover comes
off the no-lot balance (where the site's negative-stock policy applies as usual). Each part is its own
move (idempotency key ``evt:<source>:<event_id>#<part>`` for parts after the first), all parts of a sale
share its event claim, so a retried event changes nothing. Returns and sales that name a lot are left as
they are. Call with the (site, item) cost rows locked: the lot balances read here are stable until commit.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from decimal import Decimal

from sqlalchemy import select, text, tuple_
from sqlalchemy.orm import Session

from boh.inventory import domain as ledger
from boh.inventory.ingest.prepare import Prepared
from boh.inventory.models import Balance, Lot
from boh.inventory.queries import local_date

Key = tuple[int, int]
CHUNK = 1000
_COLS = (Balance.site_id, Balance.item_id, Lot.id, Lot.lot_code, Lot.expiry_date, Lot.status, Balance.on_hand)


def lot_stock(session: Session, tenant_id: int, keys: Iterable[Key]) -> dict[Key, list[ledger.LotStock]]:
    """Lots with stock on hand per (site, item), for these keys."""
    wanted = sorted(set(keys))
    out: dict[Key, list[ledger.LotStock]] = {}
    if not wanted:
        return out
    if session.get_bind().dialect.name == "postgresql":
        rows = list(
            session.execute(
                text(
                    "SELECT b.site_id, b.item_id, l.id, l.lot_code, l.expiry_date, l.status, b.on_hand "
                    "FROM inventory_balance b JOIN inventory_lot l ON l.id = b.lot_id "
                    "JOIN unnest(CAST(:s AS bigint[]), CAST(:i AS bigint[])) AS k(s, i) "
                    "ON b.site_id = k.s AND b.item_id = k.i "
                    "WHERE b.tenant_id = :t AND b.lot_key <> 0 AND b.on_hand > 0"
                ),
                {"t": tenant_id, "s": [k[0] for k in wanted], "i": [k[1] for k in wanted]},
            )
        )
    else:
        rows = []
        for start in range(0, len(wanted), CHUNK):
            stmt = (
                select(
                    Balance.site_id, Balance.item_id, Lot.id, Lot.lot_code, Lot.expiry_date, Lot.status, Balance.on_hand
                )
                .join(Lot, Lot.id == Balance.lot_id)
                .where(
                    Balance.tenant_id == tenant_id,
                    Balance.lot_key != 0,
                    Balance.on_hand > 0,
                    tuple_(Balance.site_id, Balance.item_id).in_(wanted[start : start + CHUNK]),
                )
            )
            rows.extend(session.execute(stmt))
    for site_id, item_id, lot_id, code, expiry, status, on_hand in rows:
        out.setdefault((site_id, item_id), []).append(ledger.LotStock(lot_id, code, expiry, status, on_hand))
    return out


def allocate(
    session: Session, tenant_id: int, moves: Sequence[Prepared], refused_of: Callable[[list[Prepared]], set[int]]
) -> tuple[list[Prepared], set[int]]:
    """The moves (in event-time order) with each lot-less sale split into its FEFO parts, and the indexes
    of the events refused whole. ``refused_of(parts)`` names the events a site refuses (negative stock);
    a refused sale must not hold lot stock that a later sale could take, so the split is made again
    without it until nothing more is refused (each round refuses at least one more event, or stops)."""
    open_sales = [p for p in moves if p.kind == "sale" and p.lot_id is None]
    lots = lot_stock(session, tenant_id, {(p.site.id, p.item.item_id) for p in open_sales}) if open_sales else {}
    refused: set[int] = set()
    while True:
        parts, split = _split([p for p in moves if p.index not in refused], lots)
        more = refused_of(parts) - refused
        if not more:
            return parts, refused
        order = {p.index: n for n, p in reversed(list(enumerate(parts)))}
        holding = [i for i in more if i in split]
        # a refused sale that took lot stock may be why later sales fell short: refuse the events up to the
        # first such sale (earlier refusals do not depend on later events), then split again
        upto = min((order[i] for i in holding), default=len(parts))
        refused |= {i for i in more if order[i] <= upto}


def _split(moves: Sequence[Prepared], stock: dict[Key, list[ledger.LotStock]]) -> tuple[list[Prepared], set[int]]:
    """The parts, and the indexes of the events that took lot stock."""
    lots = dict(stock)  # this round's running availability (the lists are replaced, never changed)
    out: list[Prepared] = []
    took_lots: set[int] = set()
    for p in moves:
        key = (p.site.id, p.item.item_id)
        if p.kind != "sale" or p.lot_id is not None or key not in lots:
            out.append(p)
            continue
        day = local_date(p.site.settings.timezone, p.event.occurred_at)
        taken, rest = ledger.fefo(lots[key], -p.quantity, day)
        took = {a.lot.lot_id: a.take for a in taken}
        lots[key] = [replace(lot, available=lot.available - took.get(lot.lot_id, Decimal(0))) for lot in lots[key]]
        parts = [replace(p, lot_id=a.lot.lot_id, quantity=-a.take) for a in taken]
        if parts:
            took_lots.add(p.index)
        if rest > 0 or not parts:
            parts.append(replace(p, lot_id=None, quantity=-rest))
        out.extend(replace(part, part=n) for n, part in enumerate(parts))
    return out, took_lots
