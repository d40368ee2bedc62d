"""Balances recomputed from the ledger with set-based SQL (GROUP BY), compared with the projection.

``on_hand`` is the sum of the moves of a (site, item, lot); ``in_transit`` at a site is what was sent to
it (transfer_out moves whose counter site it is) minus what it received (its transfer_in moves).
``reserved`` and ``on_order`` are the sums of the open quantities of the reservations and the expected
receipts (the ``inventory_commitment_entry`` ledger, boh.inventory.commitments) of the balance; each
commitment's ``open_quantity`` must equal the sum of its entries too. Per (site, item) the cost row's
quantity is the sum of the moves' quantities, its value the sum of the moves' values, and its in-transit
value the value of the site's transfers out not yet received (boh.inventory.ledger.valuation).
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from sqlalchemy import String, cast, func, literal, select, update
from sqlalchemy.orm import Session, aliased

from boh.catalog.api import item_view
from boh.inventory.commitments.models import Commitment, CommitmentEntry
from boh.inventory.ingest.models import IngestedEvent
from boh.inventory.ledger.contract import BalanceKey
from boh.inventory.ledger.store import Delta, store_for
from boh.inventory.models import Balance, ItemCost, Lot, Move
from boh.inventory.schemas import BalanceDifference
from boh.kernel.clock import utcnow
from boh.org.api import site_view

ZERO = Decimal(0)
Key = BalanceKey


def _snapshot(session: Session) -> None:
    """Read moves and balances from one snapshot, so posting at the same time cannot show up as a false
    difference (moves and balances commit together). On PostgreSQL that is REPEATABLE READ, which also makes
    a repair fail with a serialization error instead of overwriting a balance changed meanwhile; SQLite's
    BEGIN IMMEDIATE transaction is already a consistent snapshot. Only effective at the start of a transaction."""
    if session.get_bind().dialect.name == "postgresql" and not session.in_transaction():
        session.connection(execution_options={"isolation_level": "REPEATABLE READ"})


def expected_balances(session: Session, tenant_id: int) -> dict[Key, tuple[Decimal, Decimal]]:
    """(on_hand, in_transit) per balance key, from the moves alone."""
    lot_key = func.coalesce(Move.lot_id, 0).label("lot_key")
    out: dict[Key, list[Decimal]] = defaultdict(lambda: [ZERO, ZERO])
    on_hand = (
        select(Move.site_id, Move.item_id, lot_key, func.sum(Move.quantity))
        .where(Move.tenant_id == tenant_id)
        .group_by(Move.site_id, Move.item_id, lot_key)
    )
    for site_id, item_id, lk, qty in session.execute(on_hand):
        out[(site_id, item_id, lk)][0] += qty
    received = (
        select(Move.site_id, Move.item_id, lot_key, func.sum(Move.quantity))
        .where(Move.tenant_id == tenant_id, Move.move_type == "transfer_in")
        .group_by(Move.site_id, Move.item_id, lot_key)
    )
    for site_id, item_id, lk, qty in session.execute(received):
        out[(site_id, item_id, lk)][1] -= qty
    sent = (
        select(Move.counter_site_id, Move.item_id, lot_key, func.sum(Move.quantity))
        .where(Move.tenant_id == tenant_id, Move.move_type == "transfer_out", Move.counter_site_id.is_not(None))
        .group_by(Move.counter_site_id, Move.item_id, lot_key)
    )
    for counter_site_id, item_id, lk, qty in session.execute(sent):
        assert counter_site_id is not None
        out[(counter_site_id, item_id, lk)][1] -= qty  # transfer_out quantities are negative
    return {k: (v[0], v[1]) for k, v in out.items()}


def expected_commitments(session: Session, tenant_id: int) -> dict[Key, tuple[Decimal, Decimal]]:
    """(reserved, on_order) per balance key, from the commitment ledger alone."""
    e = CommitmentEntry
    rows = session.execute(
        select(e.site_id, e.item_id, e.lot_key, Commitment.kind, func.sum(e.quantity))
        .join(Commitment, Commitment.id == e.commitment_id)
        .where(e.tenant_id == tenant_id)
        .group_by(e.site_id, e.item_id, e.lot_key, Commitment.kind)
    )
    out: dict[Key, list[Decimal]] = defaultdict(lambda: [ZERO, ZERO])
    for site_id, item_id, lk, kind, qty in rows:
        out[(site_id, item_id, lk)][0 if kind == "reservation" else 1] += qty
    return {k: (v[0], v[1]) for k, v in out.items()}


def recorded_balances(session: Session, tenant_id: int) -> dict[Key, tuple[Decimal, Decimal, Decimal, Decimal]]:
    rows = session.execute(
        select(
            Balance.site_id, Balance.item_id, Balance.lot_key, Balance.on_hand, Balance.in_transit,
            Balance.reserved, Balance.on_order,
        ).where(Balance.tenant_id == tenant_id)
    )  # fmt: skip
    return {(s, i, lk): (oh, it, r, oo) for s, i, lk, oh, it, r, oo in rows}


def commitment_differences(session: Session, tenant_id: int) -> list[str]:
    """Commitments whose open_quantity (or status) disagrees with their entries: one line each."""
    e = CommitmentEntry
    sums = (
        select(e.commitment_id, func.sum(e.quantity).label("open"))
        .where(e.tenant_id == tenant_id)
        .group_by(e.commitment_id)
        .subquery()
    )
    rows = session.execute(
        select(Commitment.id, Commitment.open_quantity, Commitment.status, func.coalesce(sums.c.open, 0))
        .outerjoin(sums, sums.c.commitment_id == Commitment.id)
        .where(Commitment.tenant_id == tenant_id)
        .order_by(Commitment.id)
    )
    out = []
    for cid, open_qty, status, total in rows:
        if Decimal(total) != open_qty:
            out.append(f"commitment {cid}: open_quantity {open_qty} but its entries sum to {total}")
        elif (status == "open") != (open_qty > 0):
            out.append(f"commitment {cid}: status {status} with open_quantity {open_qty}")
    return out


def rebuild_check(session: Session, tenant_id: int) -> list[BalanceDifference]:
    """Every difference between the balances and the sums of the moves (empty when they agree)."""
    _snapshot(session)
    moves = expected_balances(session, tenant_id)
    commitments = expected_commitments(session, tenant_id)
    recorded = recorded_balances(session, tenant_id)
    diffs: list[BalanceDifference] = []
    for key in sorted(moves.keys() | commitments.keys() | recorded.keys()):
        exp = moves.get(key, (ZERO, ZERO)) + commitments.get(key, (ZERO, ZERO))
        rec = recorded.get(key, (ZERO, ZERO, ZERO, ZERO))
        for field, e, r in zip(FIELDS, exp, rec, strict=True):
            if e != r:
                diffs.append(
                    BalanceDifference(
                        site_id=key[0], item_id=key[1], lot_id=key[2] or None, field=field, recorded=r, expected=e
                    )
                )
    diffs.extend(_cost_differences(session, tenant_id))
    return diffs


def expected_costs(session: Session, tenant_id: int) -> dict[tuple[int, int], tuple[Decimal, Decimal, Decimal]]:
    """(quantity, value, in-transit value) per (site, item) from the moves alone: the quantity and the sum
    of the moves' values, and the value of the site's transfers out that have not been received."""
    out: dict[tuple[int, int], list[Decimal]] = defaultdict(lambda: [ZERO, ZERO, ZERO])
    rows = session.execute(
        select(Move.site_id, Move.item_id, func.sum(Move.quantity), func.sum(Move.value))
        .where(Move.tenant_id == tenant_id)
        .group_by(Move.site_id, Move.item_id)
    )
    for s, i, q, v in rows:
        out[(s, i)][0] += q
        out[(s, i)][1] += v
    received = aliased(Move)
    receipt_key = literal("transfer-in:") + cast(Move.id, String)
    open_out = (
        select(Move.site_id, Move.item_id, func.sum(Move.value))
        .where(Move.tenant_id == tenant_id, Move.move_type == "transfer_out")
        .where(
            ~select(received.id)
            .where(received.tenant_id == tenant_id, received.idempotency_key == receipt_key)
            .exists()
        )
        .group_by(Move.site_id, Move.item_id)
    )
    for s, i, v in session.execute(open_out):
        out[(s, i)][2] -= v
    return {k: (v[0], v[1], v[2]) for k, v in out.items()}


COST_FIELDS = ("cost_quantity", "cost_value", "transit_value")


def _cost_differences(session: Session, tenant_id: int) -> list[BalanceDifference]:
    """Each (site, item) cost row must spread the sum of its moves' values over the item's quantity there,
    and carry the value of its transfers out in transit."""
    expected = expected_costs(session, tenant_id)
    recorded = {
        (s, i): (q, v, t)
        for s, i, q, v, t in session.execute(
            select(
                ItemCost.site_id, ItemCost.item_id, ItemCost.quantity, ItemCost.total_value, ItemCost.transit_value
            ).where(ItemCost.tenant_id == tenant_id)
        )
    }
    out: list[BalanceDifference] = []
    for k in sorted(expected.keys() | recorded.keys()):
        for field, e, r in zip(COST_FIELDS, expected.get(k, (ZERO,) * 3), recorded.get(k, (ZERO,) * 3), strict=True):
            if e != r:
                out.append(
                    BalanceDifference(site_id=k[0], item_id=k[1], lot_id=None, field=field, recorded=r, expected=e)
                )
    return out


FIELDS = ("on_hand", "in_transit", "reserved", "on_order")
_sites = site_view()
_items = item_view()


def dangling_references(session: Session, tenant_id: int) -> list[str]:
    """Moves and event claims whose site, item or lot is not one of the tenant's (those fact tables carry
    no foreign keys, see models.Move): one line per broken reference, empty when all hold."""
    out: list[str] = []
    checks = (
        ("move", Move.id, Move.site_id, _sites, Move.tenant_id),
        ("move", Move.id, Move.counter_site_id, _sites, Move.tenant_id),
        ("move", Move.id, Move.item_id, _items, Move.tenant_id),
        ("move", Move.id, Move.lot_id, Lot.__table__, Move.tenant_id),
        ("event claim", IngestedEvent.source + ":" + IngestedEvent.event_id, IngestedEvent.site_id, _sites,
         IngestedEvent.tenant_id),
    )  # fmt: skip
    for what, id_col, ref, target, tenant_col in checks:
        tc = target.c  # type: ignore[attr-defined]
        found = (
            select(id_col, ref)
            .where(tenant_col == tenant_id, ref.is_not(None))
            .where(~select(tc.id).where(tc.id == ref, tc.tenant_id == tenant_id).exists())
            .order_by(id_col)
            .limit(100)
        )
        out.extend(f"{what} {row_id}: {ref.key} {value} does not exist" for row_id, value in session.execute(found))
    return out


def rebuild_apply(session: Session, tenant_id: int) -> list[BalanceDifference]:
    """Rewrite the balances that differ from the moves; returns the differences that were repaired.
    Safe beside writers: a balance changed after the snapshot makes the repair fail (run it again)."""
    diffs = rebuild_check(session, tenant_id)
    expected = expected_balances(session, tenant_id)
    committed = expected_commitments(session, tenant_id)
    now = utcnow()
    costs = expected_costs(session, tenant_id)
    for site_id, item_id in sorted({(d.site_id, d.item_id) for d in diffs if d.field in COST_FIELDS}):
        q, v, t = costs.get((site_id, item_id), (ZERO, ZERO, ZERO))
        session.execute(
            update(ItemCost)
            .where(ItemCost.tenant_id == tenant_id, ItemCost.site_id == site_id, ItemCost.item_id == item_id)
            .values(quantity=q, total_value=v, transit_value=t, updated_at=now)
        )
    for key in sorted({(d.site_id, d.item_id, d.lot_id or 0) for d in diffs if d.field not in COST_FIELDS}):
        on_hand, in_transit = expected.get(key, (ZERO, ZERO))
        reserved, on_order = committed.get(key, (ZERO, ZERO))
        store_for(session).add_to_balances(tenant_id, {key: Delta()}, now)  # make sure the row exists
        session.execute(
            update(Balance)
            .where(
                Balance.tenant_id == tenant_id,
                Balance.site_id == key[0],
                Balance.item_id == key[1],
                Balance.lot_key == key[2],
            )
            .values(on_hand=on_hand, in_transit=in_transit, reserved=reserved, on_order=on_order, updated_at=now)
        )
    return diffs
