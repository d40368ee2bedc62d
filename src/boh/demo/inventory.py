"""Demo opening stock: every store's and the DC's assortment rows get a receipt between their reorder
point and their max (deterministic from the seed), valued at the primary supplier's price per base unit
where the item is bought; the DC's perishable items arrive as dated lots. Posted through the inventory
ledger's own service, one batch per site, with idempotency keys ``demo:open:<site>:<sku>`` so that
posting again is a no-op. Then a few open commitments (``load_commitments``): customer pre-orders holding
store stock and the DC's purchase orders on order."""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import timedelta
from decimal import Decimal

from boh.demo.catalog_gen import LevelSpec
from boh.demo.refs import CatalogRefs, OrgRefs
from boh.inventory.commitments import service as commitments
from boh.inventory.commitments.schemas import IncomingIn, ReservationIn
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


def load_commitments(uow: UnitOfWork, seed: int, org: OrgRefs, catalog: CatalogRefs) -> int:
    """Open commitments so the stock pages show reserved and on-order stock: at every store a few customer
    pre-orders (catering trays, party orders) hold part of the opening stock, and open purchase orders of
    the DC are on order with their primary supplier, due in the coming days. Returns how many were made."""
    made = 0
    today = utcnow().date()
    opening = opening_moves(seed, org, catalog)
    for code in sorted(opening):
        rng = random.Random(f"demo-commit-{seed}-{code}")
        plain = [m for m in opening[code] if m.lot_code is None and m.quantity >= 4]
        if code != org.dc_code:
            for n, move in enumerate(rng.sample(plain, min(3, len(plain)))):
                data = ReservationIn(
                    site_id=move.site_id, item_id=move.item_id, quantity=(move.quantity / 4).to_integral_value(),
                    document_type="customer_preorder", document_id=f"PRE-{code}-{n + 1:03d}",
                    idempotency_key=f"demo:reserve:{code}:{n}",
                )  # fmt: skip
                commitments.reserve(uow, data)
                made += 1
            continue
        bought = [m for m in opening[code] if catalog.primary_supplier.get(_sku(m))]
        for n, move in enumerate(rng.sample(bought, min(12, len(bought)))):
            supplier = catalog.primary_supplier[_sku(move)]
            incoming = IncomingIn(
                site_id=move.site_id, item_id=move.item_id, quantity=move.quantity.to_integral_value() or Decimal(1),
                document_type="purchase_order", document_id=f"PO-{supplier}-{n // 4 + 1:03d}",
                document_line=str(n % 4 + 1), expected_date=today + timedelta(days=1 + n // 4),
                idempotency_key=f"demo:po:{code}:{n}",
            )  # fmt: skip
            commitments.expect(uow, incoming)
            made += 1
    return made


def _sku(move: MoveIn) -> str:
    return move.idempotency_key.split(":")[3]
