"""Peers' own average-cost cases (peer_cases.py: Odoo's and ERPNext's tests, their numbers) replayed through
BOH's ledger on both databases. Every expected quantity must match; every expected value and average
must match to the peer's cent, except where BOH chooses differently on purpose: those cases are listed in
``DIFFERENT`` with the reason (docs/inventory-valuation.md explains each rule), and the test holds the list
honest both ways (a listed case must really differ, an unlisted one must really match). In every case the
stock value equals the sum of the moves' values, and the rebuild from the moves agrees."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pytest
from sqlalchemy import func, select

from boh.bootstrap import Runtime
from boh.inventory import service
from boh.inventory.models import Balance, ItemCost, Move
from boh.inventory.rebuild import rebuild_check
from boh.inventory.schemas import RevaluationIn, TransferIn
from boh.kernel.clock import clock
from boh.kernel.errors import BohError
from tests.factories import make_site, make_tenant
from tests.inventory.factories import make_item, mv
from tests.inventory.ledger.peer_cases import CASES, LEAK_CASES, Case, Op

NOW = datetime(2026, 12, 1, 12, tzinfo=UTC)
CENT = Decimal("0.01")

# Where BOH's figure differs from the peer's on purpose, and why (the rule is in docs/inventory-valuation.md).
REPOSTING = (
    "backdated: the peer reposts every later entry (and a later reconciliation overrides an earlier one); BOH "
    "values a move when it is recorded and never rewrites the moves after it (no reposting)"
)
LANDED = (
    "landed cost: the peer splits it between the units of that receipt still in stock and those already "
    "sold (expensed); a BOH revaluation changes the value of the stock on hand by the amount given, and "
    "needs stock on hand: the purchasing document computes the in-stock share, finance books the rest"
)
PRECISION = "precision: the peer rounds a typed cost to 2 decimals (0.022 -> 0.02); BOH keeps costs to 6 decimals"
DIFFERENT: dict[str, str] = {
    **{f"erpnext_2013_reco_moving_average_row_{n}": REPOSTING for n in (1, 3, 4, 5, 6, 7, 8, 10, 11, 12)},
    "erpnext_backdated_entries_between_others": REPOSTING,
    "erpnext_item_cost_reposting_transfer": REPOSTING,
    "erpnext_purchase_return_reposting": REPOSTING,
    "erpnext_sales_return_reposting": REPOSTING,
    "erpnext_backdated_reconciliation_reposts_later_one": REPOSTING,
    "erpnext_reconciliation_stops_backdated_repost": REPOSTING,
    "odoo_landed_cost_avco_alreadyout_1": LANDED,
    "odoo_landed_cost_avco_alreadyout_2": LANDED,
    "odoo_landed_cost_avco_negative_1": LANDED,
    "odoo_revaluation_avco_rounding_2_digits": PRECISION,
}
# The leak cases whose identification is certain: BOH must give the peer's figure. The fourth ("6,000 vs
# 6,500") could not be identified for certain; its candidate is a backdated reconciliation (REPOSTING).
CONFIRMED_LEAKS = ("400 vs 550", "75 vs 125", "100 vs 175")


@dataclass
class _World:
    tenant: Any
    sites: dict[str, int]
    item: int


def _world(rt: Runtime) -> _World:
    t = make_tenant(rt, code="PEER")
    return _World(t, {"A": make_site(rt, t, "A"), "B": make_site(rt, t, "B")}, make_item(rt, t, "P"))


def _on_hand(rt: Runtime, w: _World, site: str, at: datetime | None) -> Decimal:
    """The quantity at the site as of ``at`` (now when None): what a stocktake dated then counts against."""
    with rt.session_factory() as s:
        if at is None:
            q = s.scalar(
                select(func.coalesce(func.sum(Balance.on_hand), 0)).where(
                    Balance.site_id == w.sites[site], Balance.item_id == w.item
                )
            )
        else:
            q = s.scalar(
                select(func.coalesce(func.sum(Move.quantity), 0)).where(
                    Move.site_id == w.sites[site], Move.item_id == w.item, Move.event_at <= at
                )
            )
    return Decimal(q or 0)


def _state(rt: Runtime, w: _World, site: str) -> tuple[Decimal, Decimal, Decimal | None, Decimal]:
    """(quantity, value, average, sum of the moves' values) of the item at the site."""
    with rt.session_factory() as s:
        cost = s.scalars(
            select(ItemCost).where(ItemCost.site_id == w.sites[site], ItemCost.item_id == w.item)
        ).one_or_none()
        moved = s.scalar(
            select(func.coalesce(func.sum(Move.value), 0)).where(Move.site_id == w.sites[site], Move.item_id == w.item)
        )
    if cost is None:
        return Decimal(0), Decimal(0), None, Decimal(moved or 0)
    return cost.quantity, cost.total_value, cost.avg_unit_cost, Decimal(moved or 0)


def _post(rt: Runtime, w: _World, n: int, op: Op) -> str | None:
    """Post one op; the error code when BOH refuses it."""
    try:
        _post_op(rt, w, n, op)
    except BohError as exc:
        return exc.code
    return None


def _post_op(rt: Runtime, w: _World, n: int, op: Op) -> None:
    s = w.sites[op.site]
    at = NOW - timedelta(days=op.days_ago) + timedelta(seconds=n) if op.days_ago else None
    key = f"peer-{n}"
    with rt.system_uow(w.tenant.id) as uow:
        if op.kind == "receipt":
            service.post_moves(uow, [mv(s, w.item, "receipt", str(op.qty), key, unit_cost=op.unit_cost, event_at=at)])
        elif op.kind == "issue":
            service.post_moves(uow, [mv(s, w.item, "sale", str(-op.qty), key, event_at=at)])
        elif op.kind == "return_in":
            service.post_moves(uow, [mv(s, w.item, "return", str(op.qty), key, unit_cost=op.unit_cost, event_at=at)])
        elif op.kind == "return_out":
            service.post_moves(uow, [mv(s, w.item, "return", str(-op.qty), key, event_at=at)])
        elif op.kind == "adjust":
            cost = op.unit_cost if op.qty > 0 else None
            service.post_moves(
                uow, [mv(s, w.item, "adjustment", str(op.qty), key, unit_cost=cost, reason_code="PEER", event_at=at)]
            )
        elif op.kind == "count":
            _count(uow, rt, w, op, key, at)
        elif op.kind == "revalue":
            data = (
                {"value_change": op.value} if op.value is not None else {"new_unit_cost": op.unit_cost}
            )  # fmt: skip
            service.revalue(
                uow,
                RevaluationIn(site_id=s, item_id=w.item, reason_code="PEER", idempotency_key=key, event_at=at, **data),
            )
        elif op.kind == "transfer":
            assert op.to_site is not None
            out = service.transfer(
                uow,
                TransferIn(
                    from_site_id=s,
                    to_site_id=w.sites[op.to_site],
                    item_id=w.item,
                    quantity=op.qty,
                    idempotency_key=key,
                    event_at=at,
                ),
            )
            service.receive_transfer(uow, out.id, event_at=at)
        else:  # pragma: no cover - the data test checks the kinds
            raise AssertionError(op.kind)
        uow.commit()


def _count(uow: Any, rt: Runtime, w: _World, op: Op, key: str, at: datetime | None) -> None:
    """A stock reconciliation, as a BOH stocktake dated then books it: the variance to the quantity the
    ledger held at the count's time (moves dated later stay on top), then, when the count states a rate, the
    stock revalued to that rate."""
    s = w.sites[op.site]
    variance = op.qty - _on_hand(rt, w, op.site, at)
    if variance:
        cost = op.unit_cost if variance > 0 else None
        service.post_moves(uow, [mv(s, w.item, "count_variance", str(variance), key, unit_cost=cost, event_at=at)])
    if op.unit_cost is not None and op.qty > 0:
        service.revalue(
            uow,
            RevaluationIn(
                site_id=s,
                item_id=w.item,
                new_unit_cost=op.unit_cost,
                reason_code="COUNT_RATE",
                idempotency_key=f"{key}-rate",
                event_at=at,
            ),
        )


def _cents(v: Decimal) -> Decimal:
    return v.quantize(CENT, rounding=ROUND_HALF_UP)


def _replay(rt: Runtime, case: Case) -> list[str]:
    """Every difference between BOH's figures and the peer's (empty: BOH agrees to the cent)."""
    w = _world(rt)
    diffs: list[str] = []
    for n, op in enumerate(case.ops):
        refused = _post(rt, w, n, op)
        if refused is not None:
            diffs.append(f"op {n} ({op.kind}) refused: {refused}")
        for e in (e for e in case.expect if e.after_op == n):
            qty, value, avg, moved = _state(rt, w, e.site)
            if qty != e.qty:
                diffs.append(f"after op {n} at {e.site}: quantity {qty}, the peer says {e.qty}")
            assert value == moved, f"{case.name}: stock value {value} is not the sum of the moves' values {moved}"
            if e.value is not None and _cents(value) != _cents(e.value):
                diffs.append(f"after op {n} at {e.site}: value {_cents(value)}, the peer says {e.value}")
            if e.avg is not None and avg is not None and qty > 0 and _cents(avg) != _cents(e.avg):
                diffs.append(f"after op {n} at {e.site}: average {_cents(avg)}, the peer says {e.avg}")
    with rt.session_factory() as s:
        assert rebuild_check(s, w.tenant.id) == []
    return diffs


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_peer_case(runtime: Runtime, case: Case) -> None:
    clock.freeze(NOW)
    diffs = _replay(runtime, case)
    if case.name in DIFFERENT:
        assert diffs, f"{case.name} is listed as different ({DIFFERENT[case.name]}) but BOH now agrees: unlist it"
    else:
        assert diffs == [], f"{case.name} ({case.source}): " + "; ".join(diffs)


def test_the_leak_cases_are_all_replayed_and_none_is_excused() -> None:
    names = {c.name for c in CASES}
    for label, name in LEAK_CASES.items():
        assert name in names, label
        if label in CONFIRMED_LEAKS:
            assert name not in DIFFERENT, f"{label}: the value leak must be fixed, not excused"
