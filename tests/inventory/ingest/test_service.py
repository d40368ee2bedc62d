"""Ingestion through the service on a real database (SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal as D
from typing import Any

import pytest
from sqlalchemy import func, select, text

from boh.bootstrap import Runtime
from boh.inventory.ingest import depletion, service
from boh.inventory.ingest.depletion import Depletion, SoldLine
from boh.inventory.ingest.models import IngestedEvent, ShelfObservation, WeightShelf
from boh.inventory.ledger.store import PortableStore
from boh.inventory.ledger.store_pg import PgStore
from boh.inventory.models import Move
from boh.inventory.rebuild import rebuild_check
from boh.kernel.outbox import OutboxRecord
from tests.inventory.ingest.helpers import (
    T0,
    Floor,
    epc_for,
    gtin_for,
    ingest,
    make_floor,
    move_count,
    on_hand,
    read,
    receive,
    sale,
)


@pytest.fixture
def f(runtime: Runtime) -> Floor:
    return make_floor(runtime)


def _claims(rt: Runtime) -> int:
    with rt.session_factory() as s:
        return s.scalar(select(func.count()).select_from(IngestedEvent)) or 0


def test_bad_events_are_reported_by_index_and_the_rest_applied(runtime: Runtime, f: Floor) -> None:
    receive(runtime, f, f.sh01, f.milk, "10")
    weight = {
        "event_id": "w1",
        "source": "scale:1",
        "site": "SH01",
        "kind": "weight",
        "shelf": "s1",
        "sku": "SOAP",
        "weight_g": "500",
        "occurred_at": T0,
    }
    events = [
        sale("ok-1", qty="2"),
        sale("bad-sku", sku="NOPE"),
        sale("bad-qty", qty="-1"),
        {"event_id": "no-site", "source": "pos", "kind": "sale", "sku": "MILK", "qty": 1, "occurred_at": T0},
        sale("bad-kind", kind="teleport"),
        sale("bad-site", site="XX99"),
        "not an object",
        sale("bad-gtin", sku=None, gtin=gtin_for(99)),
        read("bad-epc", "3035A537C800063FC000004D", "floor"),
        weight,
        sale("ok-2", sku=None, gtin=gtin_for(1), qty=3),
        sale("bad-time", occurred_at="2026-11-25 09:00"),
    ]
    result = ingest(runtime, f, events)
    codes = [(r.index, r.event_id, r.code) for r in result.rejected]
    assert codes == [
        (1, "bad-sku", "inventory.unknown_sku"),
        (2, "bad-qty", "inventory.malformed_event"),
        (3, "no-site", "inventory.missing_field"),
        (4, "bad-kind", "inventory.unknown_kind"),
        (5, "bad-site", "inventory.unknown_site"),
        (6, None, "inventory.malformed_event"),
        (7, "bad-gtin", "inventory.unknown_gtin"),
        (8, "bad-epc", "inventory.unknown_epc"),
        (9, "w1", "inventory.unsupported_weight_item"),
        (11, "bad-time", "inventory.malformed_event"),
    ]
    assert (result.accepted, result.duplicates) == (2, 0)
    assert on_hand(runtime, f.sh01, f.milk) == D(5)
    assert move_count(runtime) == 3  # the receipt and two sales
    assert _claims(runtime) == 2


def test_a_retried_batch_is_all_duplicates_and_changes_nothing(runtime: Runtime, f: Floor) -> None:
    receive(runtime, f, f.sh01, f.milk, "10")
    batch = [sale("e1", qty="1.5"), sale("e2", qty=2), sale("r1", kind="return", qty="0.5")]
    first = ingest(runtime, f, batch)
    assert (first.accepted, first.duplicates, first.rejected) == (3, 0, [])
    assert on_hand(runtime, f.sh01, f.milk) == D("7.0")
    again = ingest(runtime, f, batch)
    assert (again.accepted, again.duplicates, again.rejected) == (0, 3, [])
    assert on_hand(runtime, f.sh01, f.milk) == D("7.0")
    assert move_count(runtime) == 4
    with runtime.session_factory() as s:
        assert rebuild_check(s, f.tenant.id) == []
        sales = s.scalars(select(Move).where(Move.move_type == "sale").order_by(Move.id)).all()
    assert [m.unit_cost for m in sales] == [D("2.00"), D("2.00")]  # valued at the moving average


def test_a_batch_partly_ingested_before_applies_only_its_new_events(runtime: Runtime, f: Floor) -> None:
    # claims are taken in key order: e1 and e2 are claimed before e3 turns out to be a duplicate (on
    # PostgreSQL the claims' COPY fails there and they are claimed again one by one)
    receive(runtime, f, f.sh01, f.milk, "10")
    assert ingest(runtime, f, [sale("e3", qty=3)]).accepted == 1
    result = ingest(runtime, f, [sale("e4", qty=4), sale("e3", qty=3), sale("e2", qty=2), sale("e1")])
    assert (result.accepted, result.duplicates, result.rejected) == (3, 1, [])
    assert on_hand(runtime, f.sh01, f.milk) == D(0)
    assert move_count(runtime) == 5
    assert _claims(runtime) == 4


def test_duplicates_within_one_batch_apply_once(runtime: Runtime, f: Floor) -> None:
    receive(runtime, f, f.sh01, f.milk, "10")
    result = ingest(runtime, f, [sale("e1"), sale("e1"), sale("e2"), sale("e1")])
    assert (result.accepted, result.duplicates) == (2, 2)
    assert on_hand(runtime, f.sh01, f.milk) == D(8)


def test_out_of_order_events_are_accepted_in_event_time_order(runtime: Runtime, f: Floor) -> None:
    # at a site that refuses negative stock, the return (earlier) makes the sale (later) possible
    late_sale = sale("s1", site="SH09", qty=1, occurred_at="2026-11-25T10:00:00+08:00")
    early_return = sale("r1", site="SH09", kind="return", qty=1, occurred_at="2026-11-24T18:00:00+08:00")
    result = ingest(runtime, f, [late_sale, early_return])
    assert (result.accepted, result.rejected) == (2, [])
    assert on_hand(runtime, f.sh09, f.milk) == D(0)
    with runtime.session_factory() as s:
        times = {m.move_type: m.event_at.isoformat() for m in s.scalars(select(Move))}
    assert times == {"sale": "2026-11-25T02:00:00+00:00", "return": "2026-11-24T10:00:00+00:00"}


def test_refusing_site_rejects_only_the_sale_that_goes_short(runtime: Runtime, f: Floor) -> None:
    receive(runtime, f, f.sh09, f.milk, "2")
    events = [sale("a", site="SH09", qty=1), sale("b", site="SH09", qty=2), sale("c", site="SH09", qty=1)]
    result = ingest(runtime, f, events)
    assert [(r.index, r.code) for r in result.rejected] == [(1, "inventory.insufficient_stock")]
    assert result.accepted == 2
    assert on_hand(runtime, f.sh09, f.milk) == D(0)
    assert _claims(runtime) == 2  # the refused event can be retried once stock arrives
    receive(runtime, f, f.sh09, f.milk, "5")
    retry = ingest(runtime, f, events)
    assert (retry.accepted, retry.duplicates, retry.rejected) == (1, 2, [])
    assert on_hand(runtime, f.sh09, f.milk) == D(3)


def test_flagging_site_applies_and_flags_negative_stock(runtime: Runtime, f: Floor) -> None:
    result = ingest(runtime, f, [sale("a", qty=2)])
    assert result.accepted == 1
    assert on_hand(runtime, f.sh01, f.milk) == D(-2)
    with runtime.session_factory() as s:
        assert s.scalars(select(Move.negative)).all() == [True]
        topics = set(s.scalars(select(OutboxRecord.topic)))
    assert {"inventory.stock_moved", "inventory.negative_stock"} <= topics
    ingest(runtime, f, [sale("b", qty=1), sale("c", qty=1, site="SH01")])  # stays below zero
    receive(runtime, f, f.sh01, f.milk, "5")  # back to 1
    ingest(runtime, f, [sale("d", qty=3)])  # below zero again: a second crossing
    with runtime.session_factory() as s:
        flagged = s.scalars(select(Move.negative).where(Move.move_type == "sale").order_by(Move.id)).all()
        crossings = s.scalars(select(OutboxRecord.payload).where(OutboxRecord.topic == "inventory.negative_stock"))
        assert flagged == [True, True, True, True] and len(list(crossings)) == 2


def test_weight_readings_give_quantities_and_drops(runtime: Runtime, f: Floor) -> None:
    def w(eid: str, grams: str, at: str) -> dict[str, object]:
        return {
            "event_id": eid,
            "source": "scale:SH01:12",
            "site": "SH01",
            "kind": "weight",
            "shelf": "12",
            "gtin": gtin_for(2),
            "weight_g": grams,
            "occurred_at": at,
        }

    result = ingest(runtime, f, [w("w2", "1750", "2026-11-25T09:05:00+08:00"), w("w1", "2500", T0)])
    assert (result.accepted, result.rejected) == (2, [])
    late = ingest(runtime, f, [w("w0", "9999", "2026-11-25T08:00:00+08:00")])  # older than the shelf's last
    assert late.accepted == 1
    with runtime.session_factory() as s:
        shelf = s.scalars(select(WeightShelf)).one()
        drops = s.scalars(select(ShelfObservation)).all()
    assert (shelf.weight_g, shelf.quantity) == (D("1750"), D("1.75"))
    assert [(d.kind, d.weight_g, d.quantity) for d in drops] == [("shelf_drop", D(750), D("0.75"))]
    assert move_count(runtime) == 0  # observations, not stock moves


def test_batch_of_5000_applies_and_balances_equal_moves(runtime: Runtime, f: Floor) -> None:
    import time

    receive(runtime, f, f.sh01, f.milk, "100000")
    epcs = [epc_for(gtin_for(3), n) for n in range(1000)]
    events = [sale(f"s{i}", qty="1.25" if i % 3 else 1) for i in range(2500)]
    events += [sale(f"r{i}", kind="return", site="SH02", qty=1) for i in range(1500)]
    events += [read(f"t{i}", epcs[i], "floor") for i in range(1000)]
    start = time.perf_counter()
    result = ingest(runtime, f, events)
    elapsed = time.perf_counter() - start
    print(f"\n5000-event batch on {runtime.engine.dialect.name}: {elapsed:.2f}s = {5000 / elapsed:,.0f} events/s")
    assert (result.accepted, result.rejected) == (5000, [])  # how fast: bench/ingest_inproc.py
    assert on_hand(runtime, f.sh02, f.milk) == D(1500)
    with runtime.session_factory() as s:
        assert rebuild_check(s, f.tenant.id) == []
        total = s.scalar(select(func.sum(Move.quantity)).where(Move.site_id == f.sh01))
    assert total == on_hand(runtime, f.sh01, f.milk)
    again = ingest(runtime, f, events)
    assert (again.accepted, again.duplicates) == (0, 5000)


def test_case_gtins_units_and_lots(runtime: Runtime, f: Floor) -> None:
    from boh.catalog.models import ItemBarcode, ItemUom
    from tests.inventory.factories import make_lot

    with runtime.system_uow(f.tenant.id) as uow:
        uow.session.add(ItemUom(tenant_id=f.tenant.id, item_id=f.milk, uom="case", factor=D(12)))
        uow.session.add(ItemBarcode(tenant_id=f.tenant.id, item_id=f.milk, gtin=gtin_for(4), uom="case"))
        uow.commit()
    make_lot(runtime, f.tenant, f.milk, "L1", None)
    receive(runtime, f, f.sh01, f.milk, "100")
    events = [
        sale("case-gtin", sku=None, gtin=gtin_for(4), qty=1),
        sale("case-uom", uom="case", qty=2),
        sale("bad-uom", uom="pallet", qty=1),
        sale("lot-ok", kind="return", lot="L1", qty=3),
        sale("lot-bad", lot="L9", qty=1),
    ]
    result = ingest(runtime, f, events)
    assert [(r.index, r.code) for r in result.rejected] == [
        (2, "inventory.bad_quantity"),
        (4, "inventory.lot_not_found"),
    ]
    assert result.accepted == 3
    assert on_hand(runtime, f.sh01, f.milk) == D(100 - 12 - 24 + 3)
    with runtime.session_factory() as s:
        assert rebuild_check(s, f.tenant.id) == []


def test_codes_of_another_tenant_are_unknown(runtime: Runtime, f: Floor) -> None:
    from tests.factories import make_site, make_tenant

    other = make_tenant(runtime, code="OTHER", name="Other")
    make_site(runtime, other, "ZZ01")
    result = ingest(runtime, f, [sale("a", site="ZZ01")])
    assert [r.code for r in result.rejected] == ["inventory.unknown_site"]
    with runtime.system_uow(other.id) as uow:
        theirs = service.ingest(uow, [sale("a", site="ZZ01"), sale("b", site="SH01")])
        uow.commit()
    assert [(r.index, r.code) for r in theirs.rejected] == [(0, "inventory.unknown_sku"), (1, "inventory.unknown_site")]
    assert move_count(runtime) == 0


def test_a_retry_writes_no_audit_record_and_no_event(runtime: Runtime, f: Floor) -> None:
    from boh.kernel.audit import AuditRecord

    receive(runtime, f, f.sh01, f.milk, "10")
    ingest(runtime, f, [sale("e1")])

    def counts() -> tuple[int, int]:
        with runtime.session_factory() as s:
            audits = s.scalar(select(func.count()).select_from(AuditRecord)) or 0
            return audits, s.scalar(select(func.count()).select_from(OutboxRecord)) or 0

    before = counts()
    assert ingest(runtime, f, [sale("e1")]).duplicates == 1
    assert counts() == before


class _NamingRule:
    """A depletion rule that names one item and records what it is given (a sale of that item takes one
    unit of ``into`` instead)."""

    def __init__(self, item: int, into: int) -> None:
        self.items, self.into = frozenset({item}), into
        self.given: list[tuple[str, str]] = []
        self.begun = 0

    def begin(self, uow: object) -> _NamingRule:
        self.begun += 1
        return self

    def deplete(self, sold: Sequence[SoldLine]) -> dict[int, Depletion]:
        self.given += [("deplete", s.event_id) for s in sold]
        return {s.index: Depletion(((self.into, s.quantity),)) for s in sold if s.item_id in self.items}

    def record(self, uow: object, sold: Sequence[SoldLine]) -> None:
        self.given += [("record", s.event_id) for s in sold]


def test_the_depletion_rule_is_given_the_sales_of_its_items_and_those_with_modifiers(
    runtime: Runtime, f: Floor, monkeypatch: pytest.MonkeyPatch
) -> None:
    rule = _NamingRule(f.milk, f.soap)
    monkeypatch.setattr(depletion, "_rule", rule)
    result = ingest(
        runtime,
        f,
        [
            sale("m1", sku="MILK", qty="2"),
            sale("c1", sku="CHEESE"),
            sale("c2", sku="CHEESE", modifiers=[{"sku": "SOAP"}]),
            sale("m2", sku="MILK", kind="return"),
            read("r1", epc_for(gtin_for(1), 7), "floor"),
        ],
    )
    assert (result.accepted, result.rejected) == (5, [])
    assert sorted(rule.given) == [
        ("deplete", "c2"), ("deplete", "m1"), ("deplete", "m2"), ("record", "c2"), ("record", "m1"), ("record", "m2")
    ]  # fmt: skip
    assert (on_hand(runtime, f.sh01, f.milk), on_hand(runtime, f.sh01, f.soap)) == (D(0), D(-1))
    reads = ingest(runtime, f, [read("r2", epc_for(gtin_for(1), 8), "floor")])  # no sale: the rule is not asked
    assert (reads.accepted, rule.begun, len(rule.given)) == (1, 1, 6)


def test_two_events_whose_source_and_id_join_alike_both_post(runtime: Runtime, f: Floor) -> None:
    """Sources hold ':' ("pos:SH01:1"), so the pair (source, event id) must not be joined ambiguously into the
    move's idempotency key: ("pos:SH01:1", "7") and ("pos:SH01", "1:7") are two events, two sales."""
    receive(runtime, f, f.sh01, f.milk, "10")
    first = sale("7", qty=2)
    second = sale("1:7", qty=3) | {"source": "pos:SH01"}
    result = ingest(runtime, f, [first, second])
    assert (result.accepted, result.duplicates, result.rejected) == (2, 0, [])
    assert on_hand(runtime, f.sh01, f.milk) == D(5)
    again = ingest(runtime, f, [second])  # and a retry of either is still a duplicate
    assert (again.accepted, again.duplicates) == (0, 1)
    assert on_hand(runtime, f.sh01, f.milk) == D(5)


def test_ingestion_does_not_look_up_posted_keys_of_events_it_just_claimed(
    runtime: Runtime, f: Floor, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A claimed event's move key is new (its claim commits with its moves, its key is made from the claim's):
    the ledger's lookup of posted keys is skipped, and a retried batch is still stopped by its claims."""
    receive(runtime, f, f.sh01, f.milk, "10")
    looked_up: list[str] = []
    for cls in (PortableStore, PgStore):  # the lookup itself still runs; the spy notes what it was asked
        real = cls.moves_by_key

        def spy(self: Any, tenant_id: int, keys: Any, real: Any = real) -> Any:
            keys = list(keys)
            looked_up.extend(keys)
            return real(self, tenant_id, keys)

        monkeypatch.setattr(cls, "moves_by_key", spy)
    result = ingest(runtime, f, [sale("k1", qty=2), sale("k2", qty=3), sale("k1", qty=2)])
    assert (result.accepted, result.duplicates) == (2, 1)
    assert looked_up == []
    assert ingest(runtime, f, [sale("k1", qty=2), sale("k2", qty=3)]).duplicates == 2
    assert on_hand(runtime, f.sh01, f.milk) == D(5)
    assert move_count(runtime) == 3


def test_ingestion_plans_its_statements_generically_for_its_own_transaction_only(runtime: Runtime, f: Floor) -> None:
    """On PostgreSQL a batch's statements are planned once for any values (``kernel.db.hot_statements``): the
    setting holds in ingestion's transaction and is gone after it, for the next user of the connection."""
    if runtime.engine.dialect.name != "postgresql":
        pytest.skip("plan_cache_mode is PostgreSQL's; SQLite has no plan cache to set")
    receive(runtime, f, f.sh01, f.milk, "10")
    with runtime.system_uow(f.tenant.id) as uow:
        before = uow.session.scalar(text("SHOW plan_cache_mode"))
        service.ingest(uow, [sale("g1", qty=1)])
        during = uow.session.scalar(text("SHOW plan_cache_mode"))
        uow.commit()
        after = uow.session.scalar(text("SHOW plan_cache_mode"))
    assert (before, during, after) == ("auto", "force_generic_plan", "auto")
    assert on_hand(runtime, f.sh01, f.milk) == D(9)
