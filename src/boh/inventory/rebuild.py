"""Balances recomputed from the ledger with set-based SQL (GROUP BY), compared with the projection.

``on_hand`` is the sum of the moves of a (site, item, lot); ``in_transit`` at a site is what was sent to
it (transfer_out moves whose counter site it is) minus what it received (its transfer_in moves).
``reserved`` and ``on_order`` are the sums of the open quantities of the reservations and the expected
receipts (the ``inventory_commitment_entry`` ledger, boh.inventory.commitments) of the balance; each
commitment's ``open_quantity`` must equal the sum of its entries too.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from sqlalchemy import column, func, select, table, update
from sqlalchemy.orm import Session

from boh.inventory import domain
from boh.inventory import repository as repo
from boh.inventory.commitments.models import Commitment, CommitmentEntry
from boh.inventory.ingest.models import IngestedEvent
from boh.inventory.models import Balance, ItemCost, Lot, Move
from boh.inventory.schemas import BalanceDifference
from boh.kernel.clock import utcnow

ZERO = Decimal(0)
Key = repo.BalanceKey


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
    diffs.extend(_cost_differences(session, tenant_id, moves))
    return diffs


def _cost_differences(
    session: Session, tenant_id: int, moves: dict[Key, tuple[Decimal, Decimal]]
) -> list[BalanceDifference]:
    """The quantity each (site, item) cost row spreads its value over must be the item's on hand there."""
    expected: dict[tuple[int, int], Decimal] = defaultdict(lambda: ZERO)
    for (s, i, _lk), (on_hand, _t) in moves.items():
        expected[(s, i)] += on_hand
    recorded = {
        (s, i): q
        for s, i, q in session.execute(
            select(ItemCost.site_id, ItemCost.item_id, ItemCost.quantity).where(ItemCost.tenant_id == tenant_id)
        )
    }
    return [
        BalanceDifference(
            site_id=k[0], item_id=k[1], lot_id=None, field="cost_quantity", recorded=recorded.get(k, ZERO),
            expected=expected.get(k, ZERO),
        )
        for k in sorted(expected.keys() | recorded.keys())
        if recorded.get(k, ZERO) != expected.get(k, ZERO)
    ]  # fmt: skip


FIELDS = ("on_hand", "in_transit", "reserved", "on_order")
_sites = table("org_site", column("id"), column("tenant_id"))
_items = table("catalog_item", column("id"), column("tenant_id"))


def dangling_references(session: Session, tenant_id: int) -> list[str]:
    """Moves and event claims whose site, item or lot is not one of the tenant's (those fact tables carry
    no foreign keys, see models.Move): one line per broken reference, empty when all hold."""
    out: list[str] = []
    checks = (
        ("move", Move.id, Move.site_id, _sites, Move.tenant_id),
        ("move", Move.id, Move.counter_site_id, _sites, Move.tenant_id),
        ("move", Move.id, Move.item_id, _items, Move.tenant_id),
        ("move", Move.id, Move.lot_id, Lot.__table__, Move.tenant_id),
        ("event claim", IngestedEvent.id, IngestedEvent.site_id, _sites, IngestedEvent.tenant_id),
    )
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
    for d in diffs:
        if d.field == "cost_quantity":  # the value follows the quantity at the average cost
            session.execute(
                update(ItemCost)
                .where(ItemCost.tenant_id == tenant_id, ItemCost.site_id == d.site_id, ItemCost.item_id == d.item_id)
                .values(quantity=d.expected, updated_at=now)
            )
            cost = session.scalars(
                select(ItemCost)
                .where(ItemCost.tenant_id == tenant_id, ItemCost.site_id == d.site_id, ItemCost.item_id == d.item_id)
                .execution_options(populate_existing=True)
            ).one()
            cost.total_value = domain.stock_value(cost.quantity, cost.avg_unit_cost)
    for key in sorted({(d.site_id, d.item_id, d.lot_id or 0) for d in diffs if d.field != "cost_quantity"}):
        on_hand, in_transit = expected.get(key, (ZERO, ZERO))
        reserved, on_order = committed.get(key, (ZERO, ZERO))
        repo.apply_balance_deltas(session, tenant_id, {key: repo.BalanceDelta()})  # make sure the row exists
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
