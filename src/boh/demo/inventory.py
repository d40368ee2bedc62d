"""Demo opening stock: every store's and the DC's assortment rows get a receipt between their reorder
point and their max (deterministic from the seed), valued at the primary supplier's price per base unit
where the item is bought; the DC's perishable items arrive as dated lots. Posted through the inventory
ledger's own service, one batch per site, with idempotency keys ``demo:open:<site>:<sku>`` so that
posting again is a no-op."""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import timedelta
from decimal import Decimal

from boh.demo.catalog_gen import LevelSpec
from boh.demo.refs import CatalogRefs, OrgRefs
from boh.inventory.schemas import MoveIn
from boh.inventory.service import post_moves
from boh.kernel.clock import utcnow
from boh.kernel.uow import UnitOfWork

SOURCE = "demo_opening"


def opening_qty(level: LevelSpec, rng: random.Random) -> Decimal:
    """A whole quantity between the reorder point and the max (both included)."""
    low, high = int(level.reorder_point), int(level.max_qty)
    return Decimal(rng.randint(low, max(low, high)))


def _move(site_id: int, item_id: int, qty: Decimal, cost: Decimal | None, key: str) -> MoveIn:
    return MoveIn(
        site_id=site_id,
        item_id=item_id,
        move_type="receipt",
        quantity=qty,
        unit_cost=cost,
        source_type=SOURCE,
        idempotency_key=key,
    )


def _lot_moves(base: MoveIn, sku: str, shelf_life: int, rng: random.Random) -> list[MoveIn]:
    """The DC's stock of a perishable item as two receipts of dated lots (an older and a fresher one)."""
    today = utcnow().date()
    older = max(1, shelf_life // 3)
    first = (base.quantity / 2).to_integral_value() or base.quantity
    parts = [(first, older, "A"), (base.quantity - first, shelf_life, "B")]
    moves = []
    for qty, days, tag in parts:
        if qty <= 0:
            continue
        moves.append(
            base.model_copy(
                update={
                    "quantity": qty,
                    "lot_code": f"D{sku}-{tag}{rng.randint(100, 999)}",
                    "expiry_date": today + timedelta(days=days),
                    "idempotency_key": f"{base.idempotency_key}:{tag}",
                }
            )
        )
    return moves


def opening_moves(seed: int, org: OrgRefs, catalog: CatalogRefs) -> dict[str, list[MoveIn]]:
    """Site code -> its opening receipts, for the stores and the DC. Pure given the refs."""
    wanted = set(org.store_codes) | {org.dc_code}
    by_site: dict[str, list[LevelSpec]] = defaultdict(list)
    for level in catalog.levels:
        if level.site in wanted:
            by_site[level.site].append(level)
    out: dict[str, list[MoveIn]] = {}
    for code in sorted(by_site):
        rng = random.Random(f"demo-stock-{seed}-{code}")
        moves: list[MoveIn] = []
        for level in by_site[code]:
            qty = opening_qty(level, rng)
            if qty <= 0:
                continue
            key = f"demo:open:{code}:{level.sku}"
            move = _move(org.site_ids[code], catalog.item_ids[level.sku], qty, catalog.unit_costs.get(level.sku), key)
            shelf = catalog.shelf_life.get(level.sku)
            moves += _lot_moves(move, level.sku, shelf, rng) if code == org.dc_code and shelf else [move]
        out[code] = moves
    return out


def load_inventory(uow: UnitOfWork, seed: int, org: OrgRefs, catalog: CatalogRefs) -> int:
    """Post the opening stock, one batch per site; returns how many moves were new."""
    posted = 0
    for moves in opening_moves(seed, org, catalog).values():
        if moves:
            result = post_moves(uow, moves)
            posted += len(moves) - result.replayed
    return posted
