"""The two stores of the ledger give identical results: random sequences of receipts, sales, returns,
transfers, adjustments, counts, waste, production, revaluations, backdated moves, negative stock (flagged
and refused), lots and floor events are posted through the portable store (on SQLite) and through the
set-based PostgreSQL store, and every move, balance, cost and value must be the same, and agree with the
rebuild from the moves."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal as D
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from boh.bootstrap import Runtime, build_runtime, upgrade_database
from boh.inventory import service
from boh.inventory.ingest import service as ingest_service
from boh.inventory.ledger.store import PortableStore, store_for
from boh.inventory.ledger.store_pg import PgStore
from boh.inventory.models import Balance, ItemCost, Lot, Move
from boh.inventory.rebuild import rebuild_check
from boh.inventory.schemas import RevaluationIn, TransferIn
from boh.kernel.clock import clock
from boh.kernel.errors import BohError
from boh.settings import Settings, WorkerSettings
from tests.conftest import REQUIRE_PG, _create_pg_database, _drop_pg_database, _pg_reachable, _truncate
from tests.factories import make_site, make_tenant
from tests.inventory.factories import make_item, mv

NOW = datetime(2026, 12, 1, 12, tzinfo=UTC)
SITES = ("A", "B", "C")  # A and B flag negative stock, C refuses it
ITEMS = ("X", "Y")
LOTS = ("L1", "L2", None)


def _runtime(url: str, data: Path) -> Runtime:
    upgrade_database(url)
    return build_runtime(
        Settings(
            database_url=url, data_dir=data, secret_key="k" * 40, log_json=False, worker=WorkerSettings(embedded=False)
        )  # type: ignore[arg-type]
    )


@pytest.fixture(scope="module")
def stores(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Runtime, Runtime]]:
    if not _pg_reachable():
        if REQUIRE_PG:
            pytest.fail("PostgreSQL is required (BOH_REQUIRE_POSTGRES=1)")
        pytest.skip("PostgreSQL not reachable: the two-store comparison needs both databases (CI runs it)")
    lite = _runtime(f"sqlite:///{tmp_path_factory.mktemp('lite') / 'boh.sqlite3'}", tmp_path_factory.mktemp("d1"))
    name, url = _create_pg_database()
    pg = _runtime(url, tmp_path_factory.mktemp("d2"))
    try:
        yield lite, pg
    finally:
        lite.engine.dispose()
        pg.engine.dispose()
        _drop_pg_database(name)


@dataclass
class World:
    tenant: Any
    sites: dict[str, int]
    items: dict[str, int]


def _world(rt: Runtime) -> World:
    t = make_tenant(rt, code="ACME")
    sites = {
        "A": make_site(rt, t, "A"),
        "B": make_site(rt, t, "B"),
        "C": make_site(rt, t, "C", negative_stock="refuse"),
    }
    items = {code: make_item(rt, t, code) for code in ITEMS}
    return World(t, sites, items)


QTY = st.integers(1, 9).map(D)
COST = st.sampled_from([D("1.25"), D("2"), D("3.333333"), D("0.1")])
SITE = st.sampled_from(SITES)
ITEM = st.sampled_from(ITEMS)
LOT = st.sampled_from(LOTS)
AGO = st.sampled_from([0, 0, 0, 3, 30])  # hours back: most moves are dated now

OP = st.one_of(
    st.tuples(st.just("receipt"), SITE, ITEM, QTY, COST, LOT, AGO),
    st.tuples(st.just("sale"), SITE, ITEM, QTY, st.none(), LOT, AGO),
    st.tuples(st.just("return"), SITE, ITEM, QTY, st.none(), st.none(), AGO),
    st.tuples(st.just("adjustment"), SITE, ITEM, st.integers(-5, 5).filter(bool).map(D), st.none(), LOT, AGO),
    st.tuples(st.just("count_variance"), SITE, ITEM, st.integers(-5, 5).filter(bool).map(D), st.none(), st.none(), AGO),
    st.tuples(st.just("waste"), SITE, ITEM, QTY, st.none(), LOT, AGO),
    st.tuples(st.just("transfer"), SITE, ITEM, QTY, st.none(), st.none(), st.just(0)),
    st.tuples(st.just("produce"), SITE, ITEM, QTY, st.none(), st.none(), st.just(0)),
    st.tuples(st.just("revalue"), SITE, ITEM, st.just(D(0)), COST, st.none(), st.just(0)),
    st.tuples(st.just("floor"), SITE, ITEM, QTY, st.none(), st.none(), st.sampled_from([0, 1, 30])),
)


def _apply(rt: Runtime, w: World, n: int, op: tuple[Any, ...]) -> str:
    """Run one operation; its outcome ("ok", or the error code)."""
    kind, site, item, qty, cost, lot, ago = op
    s, i = w.sites[site], w.items[item]
    at = NOW - timedelta(hours=ago) if ago else None
    key = f"op{n}"
    lot_extra: dict[str, Any] = {"lot_code": lot} if lot else {}
    try:
        with rt.system_uow(w.tenant.id) as uow:
            if kind == "receipt":
                expiry = {"expiry_date": date(2026, 12, 1 + LOTS.index(lot) * 5)} if lot else {}
                service.post_moves(
                    uow, [mv(s, i, "receipt", str(qty), key, unit_cost=cost, event_at=at, **lot_extra, **expiry)]
                )
            elif kind in ("sale", "waste"):
                extra = {"reason_code": "DAMAGED"} if kind == "waste" else {}
                service.post_moves(uow, [mv(s, i, kind, str(-qty), key, event_at=at, **lot_extra, **extra)])
            elif kind in ("return", "count_variance", "adjustment"):
                extra = {"reason_code": "FOUND"} if kind == "adjustment" else {}
                service.post_moves(uow, [mv(s, i, kind, str(qty), key, event_at=at, **lot_extra, **extra)])
            elif kind == "transfer":
                to = w.sites["B" if site != "B" else "A"]
                out = service.transfer(
                    uow, TransferIn(from_site_id=s, to_site_id=to, item_id=i, quantity=qty, idempotency_key=key)
                )
                if n % 2 == 0:
                    service.receive_transfer(uow, out.id)
            elif kind == "produce":
                other = w.items["Y" if item == "X" else "X"]
                service.produce(
                    uow,
                    site_id=s,
                    inputs=[service.ProductionInput(other, qty)],
                    outputs=[service.ProductionOutput(i, qty * 2, lot_code=f"P{n}", expiry_date=date(2026, 12, 9))],
                    document_type="batch",
                    document_id=str(n),
                    idempotency_key=key,
                )
            elif kind == "revalue":
                service.revalue(
                    uow,
                    RevaluationIn(site_id=s, item_id=i, new_unit_cost=cost, reason_code="PRICE", idempotency_key=key),
                )
            elif kind == "floor":
                ev = {"event_id": key, "source": "pos:1", "site": site, "kind": "sale", "sku": item, "qty": str(qty),
                      "occurred_at": (NOW - timedelta(minutes=ago)).isoformat()}  # fmt: skip
                result = ingest_service.ingest(uow, [ev])
                if result.rejected:
                    uow.commit()
                    return result.rejected[0].code
            uow.commit()
    except BohError as exc:
        return exc.code
    return "ok"


def _snapshot(rt: Runtime, w: World) -> dict[str, Any]:
    sites = {v: k for k, v in w.sites.items()}
    items = {v: k for k, v in w.items.items()}
    with rt.session_factory() as s:
        lots: dict[int | None, str] = {None: "-", **{lot.id: lot.lot_code for lot in s.scalars(select(Lot))}}
        moves = [
            (
                m.idempotency_key,
                sites[m.site_id],
                items[m.item_id],
                lots[m.lot_id],
                m.move_type,
                m.quantity,
                m.unit_cost,
                m.value,
                m.negative,
                m.provisional,
                m.event_at,
            )
            for m in s.scalars(select(Move).order_by(Move.id))
        ]
        balances = sorted(
            (sites[b.site_id], items[b.item_id], lots[b.lot_id], b.on_hand, b.in_transit, b.reserved, b.on_order)
            for b in s.scalars(select(Balance))
        )
        costs = sorted(
            (
                sites[c.site_id],
                items[c.item_id],
                c.quantity,
                c.avg_unit_cost,
                c.total_value,
                c.cost_source,
                c.transit_value,
            )
            for c in s.scalars(select(ItemCost))
        )
        assert rebuild_check(s, w.tenant.id) == []
    return {"moves": moves, "balances": balances, "costs": costs}


def test_each_database_gets_its_own_store(stores: tuple[Runtime, Runtime]) -> None:
    lite, pg = stores
    with lite.session_factory() as s1, pg.session_factory() as s2:
        assert type(store_for(s1)) is PortableStore
        assert type(store_for(s2)) is PgStore


@settings(max_examples=int(os.environ.get("BOH_LEDGER_EXAMPLES", "25")), deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])  # fmt: skip
@given(ops=st.lists(OP, min_size=1, max_size=14))
# Found by CI: a production after a revaluation of nothing on hand left an average cost with one decimal
# place more than the column holds (the fallback of an average was not rounded to money).
@example(
    ops=[("transfer", "A", "X", D(2), None, None, 0), ("sale", "A", "X", D(9), None, "L1", 0),
         ("transfer", "A", "Y", D(8), None, None, 0), ("revalue", "B", "X", D("0"), D("3.333333"), None, 0),
         ("produce", "B", "Y", D(4), None, None, 0), ("transfer", "A", "X", D(9), None, None, 0),
         ("transfer", "C", "X", D(7), None, None, 0), ("floor", "B", "X", D(4), None, None, 30),
         ("adjustment", "A", "Y", D(1), None, "L1", 3), ("floor", "B", "X", D(4), None, None, 1),
         ("produce", "B", "X", D(4), None, None, 0)]
)  # fmt: skip
def test_both_stores_post_identical_moves_balances_costs_and_values(
    stores: tuple[Runtime, Runtime], ops: list[tuple[Any, ...]]
) -> None:
    results: list[tuple[list[str], dict[str, Any]]] = []
    for rt in stores:
        _truncate(rt)
        clock.freeze(NOW)
        try:
            w = _world(rt)
            outcomes = [_apply(rt, w, n, op) for n, op in enumerate(ops)]
            results.append((outcomes, _snapshot(rt, w)))
        finally:
            clock.unfreeze()
    (lite_out, lite_snap), (pg_out, pg_snap) = results
    assert lite_out == pg_out
    assert lite_snap["moves"] == pg_snap["moves"]
    assert lite_snap["balances"] == pg_snap["balances"]
    assert lite_snap["costs"] == pg_snap["costs"]


def test_lock_costs_creates_the_missing_rows_and_returns_every_one(stores: tuple[Runtime, Runtime]) -> None:
    """The PostgreSQL store locks existing rows without inserting and creates rows only when some are missing
    (then it starts over): both paths give every key's row, the created ones in the mapped currency."""
    for rt in stores:
        _truncate(rt)
        w = _world(rt)
        ax, by = (w.sites["A"], w.items["X"]), (w.sites["B"], w.items["Y"])
        with rt.session_factory() as s:
            store = store_for(s)
            first = store.lock_costs(w.tenant.id, {ax: "EUR"}, NOW)
            both = store.lock_costs(w.tenant.id, {ax: "EUR", by: "USD"}, NOW)  # one exists, one is created
            again = store.lock_costs(w.tenant.id, {by: "USD", ax: "EUR"}, NOW)  # both exist
            s.commit()
            currencies = {(c.site_id, c.item_id): c.currency for c in s.scalars(select(ItemCost))}
        assert set(first) == {ax} and set(both) == {ax, by}
        assert both[ax].id == first[ax].id
        assert again == both
        assert currencies == {ax: "EUR", by: "USD"}


def test_balances_add_on_hand_alone_or_every_column_alike(stores: tuple[Runtime, Runtime]) -> None:
    """The PostgreSQL store sends only on_hand when no delta reserves, ships or orders (a floor batch) and
    every column otherwise: both stores create and add to the same rows and answer the same on hand."""
    from boh.inventory.ledger.store import Delta

    snaps = []
    for rt in stores:
        _truncate(rt)
        w = _world(rt)
        a, b, x, y = w.sites["A"], w.sites["B"], w.items["X"], w.items["Y"]
        with rt.session_factory() as s:
            store = store_for(s)
            after = [
                store.add_to_balances(
                    w.tenant.id, {(a, x, 0): Delta(on_hand=D("5")), (b, y, 0): Delta(D("-1.5"))}, NOW
                ),
                store.add_to_balances(w.tenant.id, {(a, x, 0): Delta(D("-2"), reserved=D("1"))}, NOW),
                store.add_to_balances(
                    w.tenant.id, {(a, x, 0): Delta(D("1")), (b, y, 0): Delta(in_transit=D("4"))}, NOW
                ),
                store.add_to_balances(w.tenant.id, {(b, y, 0): Delta(D("2"), on_order=D("3"))}, NOW),
            ]
            s.commit()
            rows = sorted(
                (r.site_id == a, r.item_id == x, r.lot_key, r.on_hand, r.reserved, r.in_transit, r.on_order)
                for r in s.scalars(select(Balance))
            )
        snaps.append(([{(k[0] == a, k[1] == x, k[2]): v for k, v in m.items()} for m in after], rows))
    assert snaps[0] == snaps[1]
    assert snaps[1][1] == [(False, False, 0, D("0.5"), 0, 4, 3), (True, True, 0, D("4"), 1, 0, 0)]
