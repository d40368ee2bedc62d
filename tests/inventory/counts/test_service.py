"""Stocktakes on a real database (SQLite and PostgreSQL): freeze, entries, review, approval, posting."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from decimal import Decimal as D

import pytest
from sqlalchemy import select

from boh.bootstrap import Runtime
from boh.inventory.counts import queries, service
from boh.inventory.counts.errors import WrongCountStatus
from boh.inventory.counts.models import CountEntry, CountLine
from boh.inventory.counts.schemas import EntryIn, LinesUpdate, LineUpdate, RecountIn
from boh.inventory.models import Move
from boh.inventory.rebuild import rebuild_check
from boh.kernel.audit import AuditRecord
from boh.kernel.clock import utcnow
from boh.kernel.errors import ValidationFailed
from boh.kernel.outbox import OutboxRecord
from boh.kernel.tenancy import Principal, Scope
from tests.catalog.helpers import make_assortment, make_item
from tests.inventory.counts.helpers import (
    GTIN_A,
    Shop,
    create,
    enter,
    epc,
    lines,
    make_shop,
    n_entries,
    n_rows,
    n_variance_moves,
    on_hand,
    status,
    step,
)
from tests.inventory.factories import mv, post


@pytest.fixture
def shop(runtime: Runtime) -> Shop:
    return make_shop(runtime)


def test_full_count_flow_posts_variances_once(runtime: Runtime, shop: Shop) -> None:
    cid = create(runtime, shop)
    frozen = lines(runtime, cid)
    assert {i: ln.expected_qty for i, ln in frozen.items()} == {shop.a: D(10), shop.b: D(5), shop.c: D(3)}
    enter(
        runtime,
        shop,
        cid,
        {"code": GTIN_A, "qty": "1", "uom": "case", "method": "scan"},
        {"item_id": shop.a, "qty": "3"},
    )
    enter(runtime, shop, cid, {"sku": "B1", "qty": "5"}, {"item_id": shop.c, "qty": "3"})
    step(runtime, shop, service.submit, cid)
    ln = lines(runtime, cid)
    assert (ln[shop.a].counted_qty, ln[shop.a].variance, ln[shop.a].variance_value) == (D(9), D(-1), D("-2.000000"))
    assert ln[shop.a].recount_required is False  # 10% is not above 10%
    assert ln[shop.b].variance == 0 and ln[shop.c].variance == 0
    step(runtime, shop, service.approve, cid)
    count, warnings, replayed = step(runtime, shop, service.post, cid)
    assert (count.status, count.moves_posted, warnings, replayed) == ("posted", 1, [], False)
    assert on_hand(runtime, shop.site, shop.a) == D(9) and on_hand(runtime, shop.site, shop.b) == D(5)
    with runtime.session_factory() as s:
        move = s.scalars(select(Move).where(Move.move_type == "count_variance")).one()
        assert (move.quantity, move.unit_cost, move.source_type, move.source_id) == (
            D(-1),
            D("2.000000"),
            "inventory_count",
            str(cid),
        )
        assert rebuild_check(s, shop.tenant.id) == []
        event = s.scalars(select(OutboxRecord).where(OutboxRecord.topic == "inventory.count_posted")).one()
        assert json.loads(event.payload)["moves_posted"] == 1
        actions = set(s.scalars(select(AuditRecord.action).where(AuditRecord.entity_type == "count")))
        assert {"inventory.count.start", "inventory.count.approve", "inventory.count.post"} <= actions
    again = step(runtime, shop, service.post, cid)
    assert again[2] is True and n_variance_moves(runtime) == 1 and on_hand(runtime, shop.site, shop.a) == D(9)


def test_several_counters_add_up(runtime: Runtime, shop: Shop) -> None:
    cid = create(runtime, shop, blind=True)
    with runtime.system_uow(shop.tenant.id) as uow:
        service.add_entries(uow, cid, [EntryIn(item_id=shop.a, qty=D(4))])
        uow.commit()
    other = Principal(kind="user", id=77, tenant_id=shop.tenant.id, name="bob", grants={service.WRITE: None})
    with runtime.system_uow(shop.tenant.id) as uow:
        uow.principal = other
        service.add_entries(uow, cid, [EntryIn(item_id=shop.a, qty=D("6.5"))])
        uow.commit()
    assert lines(runtime, cid)[shop.a].counted_qty == D("10.5")
    with runtime.session_factory() as s:
        assert set(s.scalars(select(CountEntry.counter))) == {"system:0", "user:77"}


def test_bad_entries_are_all_reported_and_nothing_is_written(runtime: Runtime, shop: Shop) -> None:
    outsider = make_item(runtime, shop.tenant, "OUT1")
    cid = create(runtime, shop)
    with pytest.raises(ValidationFailed) as exc:
        enter(
            runtime, shop, cid,
            {"item_id": shop.a, "qty": "2"},  # good
            {"code": "4006381333931"},  # valid GTIN nobody has
            {"item_id": outsider, "qty": "1"},  # not in the count
            {"item_id": shop.b, "qty": "-1"},  # bad quantity
            {"item_id": shop.c, "qty": "1", "uom": "pallet"},  # unknown unit
            {"sku": "NOPE"},  # unknown sku
            {"epc": "not-an-epc"},  # unreadable tag
        )  # fmt: skip
    got = [(e.loc[1], e.code) for e in exc.value.errors]
    assert got == [
        (1, "catalog.item_not_found"),
        (2, "inventory.count_item_not_in_count"),
        (3, "inventory.count_bad_quantity"),
        (4, "catalog.unknown_unit"),
        (5, "catalog.item_not_found"),
        (6, "catalog.invalid_epc"),
    ]
    assert n_entries(runtime) == 0 and lines(runtime, cid)[shop.a].counted_qty is None


def test_moves_after_the_freeze_are_reported_and_kept(runtime: Runtime, shop: Shop) -> None:
    cid = create(runtime, shop)
    post(runtime, shop.tenant, mv(shop.site, shop.a, "sale", "-3", "sale-1"))
    enter(
        runtime,
        shop,
        cid,
        {"item_id": shop.a, "qty": "9"},
        {"item_id": shop.b, "qty": "5"},
        {"item_id": shop.c, "qty": "3"},
    )
    step(runtime, shop, service.submit, cid)
    with runtime.session_factory() as sess:
        review, _ = queries.list_lines(sess, Scope(shop.tenant.id), cid, 50, 0)
    assert {ln.sku: ln.moved_since_freeze for ln in review} == {"A1": D(-3), "B1": D(0), "C1": D(0)}
    assert {ln.sku: ln.variance for ln in review}["A1"] == D(-1)  # counted 9 against the 10 frozen
    step(runtime, shop, service.approve, cid)
    count, warnings, _ = step(runtime, shop, service.post, cid)
    assert [(w.item_id, w.moved_since_freeze) for w in warnings] == [(shop.a, D(-3))]
    assert count.moves_posted == 1
    assert on_hand(runtime, shop.site, shop.a) == D(6)  # counted 9 at the freeze, minus the 3 sold since


def test_uncounted_lines_need_zero_confirmation_and_big_variances_a_recount(runtime: Runtime, shop: Shop) -> None:
    cid = create(runtime, shop)
    enter(runtime, shop, cid, {"item_id": shop.a, "qty": "5"}, {"item_id": shop.b, "qty": "5"})
    step(runtime, shop, service.submit, cid)
    ln = lines(runtime, cid)
    assert ln[shop.a].recount_required and ln[shop.c].counted_qty is None
    with pytest.raises(ValidationFailed) as exc:
        step(runtime, shop, service.approve, cid)
    assert sorted(e.loc[1] for e in exc.value.errors) == sorted([ln[shop.a].id, ln[shop.c].id])
    assert status(runtime, cid) == "review"
    step(
        runtime,
        shop,
        service.update_lines,
        cid,
        LinesUpdate(lines=[LineUpdate(line_id=ln[shop.c].id, confirm_zero=True, reason_code="LOST")]),
    )
    step(runtime, shop, service.recount, cid, RecountIn())
    assert status(runtime, cid) == "counting"
    after = lines(runtime, cid)
    assert (after[shop.a].round, after[shop.a].counted_qty) == (1, None)
    assert after[shop.c].zero_confirmed and after[shop.c].counted_qty == 0
    enter(runtime, shop, cid, {"item_id": shop.a, "qty": "8"})
    step(runtime, shop, service.submit, cid)
    assert not lines(runtime, cid)[shop.a].recount_required  # a recounted line is what it is
    step(runtime, shop, service.approve, cid)
    step(runtime, shop, service.post, cid)
    assert on_hand(runtime, shop.site, shop.a) == D(8) and on_hand(runtime, shop.site, shop.c) == D(0)
    with runtime.session_factory() as s:
        reasons = {m.item_id: m.reason_code for m in s.scalars(select(Move).where(Move.move_type == "count_variance"))}
        assert reasons == {shop.a: None, shop.c: "LOST"}


def test_rfid_tags_count_once(runtime: Runtime, shop: Shop) -> None:
    cid = create(runtime, shop)
    with runtime.system_uow(shop.tenant.id) as uow:
        r = service.add_rfid(uow, cid, [epc(1), epc(2), epc(1), epc(3)], "gate-1")
        uow.commit()
    assert (r.accepted, r.duplicates) == (3, 1)
    with runtime.system_uow(shop.tenant.id) as uow:
        r2 = service.add_rfid(uow, cid, [epc(3), epc(4)], "gate-2")
        uow.commit()
    assert (r2.accepted, r2.duplicates) == (1, 1)
    assert lines(runtime, cid)[shop.a].counted_qty == D(4)


def test_cycle_count_by_abc_class_of_sales_value(runtime: Runtime, shop: Shop) -> None:
    past = utcnow() - timedelta(days=10)
    old = utcnow() - timedelta(days=120)
    post(
        runtime, shop.tenant,
        mv(shop.site, shop.a, "sale", "-5", "s-a", event_at=past),  # 5 x 2.00 = 10: the A item
        mv(shop.site, shop.c, "sale", "-1", "s-c", event_at=past),  # 1 x 1.00 = 1
        mv(shop.site, shop.b, "sale", "-4", "s-b", event_at=old),  # too old to count
    )  # fmt: skip
    cid = create(runtime, shop, kind="cycle", abc_classes=["A"])
    assert set(lines(runtime, cid)) == {shop.a}
    cid2 = create(runtime, shop, kind="cycle", abc_classes=["B", "C"])
    assert set(lines(runtime, cid2)) == {shop.b, shop.c}
    cid3 = create(runtime, shop, kind="cycle", item_ids=[shop.b])
    assert set(lines(runtime, cid3)) == {shop.b}


def test_entries_need_a_count_in_counting(runtime: Runtime, shop: Shop) -> None:
    cid = create(runtime, shop, start=False)
    assert lines(runtime, cid) == {}
    with pytest.raises(WrongCountStatus):
        enter(runtime, shop, cid, {"item_id": shop.a, "qty": "1"})
    assert n_rows(runtime, CountLine) == 0


def test_cycle_count_of_listed_items_includes_items_without_stock(runtime: Runtime, shop: Shop) -> None:
    empty = make_item(runtime, shop.tenant, "EMPTY")
    cid = create(runtime, shop, kind="cycle", item_ids=[shop.a, empty])
    got = lines(runtime, cid)
    assert {i: ln.expected_qty for i, ln in got.items()} == {shop.a: D(10), empty: D(0)}
    enter(runtime, shop, cid, {"item_id": shop.a, "qty": "10"})
    step(runtime, shop, service.submit, cid)
    step(runtime, shop, service.approve, cid)  # nothing expected of EMPTY: no zero-confirmation needed
    assert status(runtime, cid) == "approved" and lines(runtime, cid)[empty].counted_qty is None


def test_lots_are_counted_by_scanned_gs1_codes(runtime: Runtime, shop: Shop) -> None:
    d = make_item(runtime, shop.tenant, "D1", barcodes=["4006381333931"])
    post(
        runtime,
        shop.tenant,
        mv(shop.site, d, "receipt", "4", "d-l1", unit_cost=D("3"), lot_code="L1"),
        mv(shop.site, d, "receipt", "6", "d-l2", unit_cost=D("3"), lot_code="L2"),
        mv(shop.site, d, "receipt", "1", "d-l3", unit_cost=D("3"), lot_code="L3"),
    )
    post(runtime, shop.tenant, mv(shop.site, d, "sale", "-1", "d-l3-out", lot_code="L3"))  # fmt: skip
    cid = create(runtime, shop, kind="cycle", item_ids=[d])
    with runtime.session_factory() as s:
        frozen = s.execute(select(CountLine.lot_id, CountLine.expected_qty).where(CountLine.count_id == cid)).all()
    assert sorted(q for _, q in frozen) == [D(4), D(6)]  # the empty lot L3 is not frozen
    with pytest.raises(ValidationFailed) as exc:
        enter(runtime, shop, cid, {"code": "4006381333931"}, {"code": "(01)04006381333931(10)NOPE"})
    assert [e.code for e in exc.value.errors] == ["inventory.count_lot_required", "inventory.lot_not_found"]
    scans = [{"code": "(01)04006381333931(10)L1", "method": "scan"}] * 3 + [
        {"item_id": d, "lot_code": "L3", "qty": "2"}
    ]
    result = enter(runtime, shop, cid, *scans, {"code": "(01)04006381333931(10)L2", "qty": "6"})
    assert (result.accepted, result.lines_added) == (5, 1)  # L3 found although it was expected empty
    step(runtime, shop, service.submit, cid)
    with runtime.system_uow(shop.tenant.id) as uow:
        ids = [ln.id for ln in lines_of(runtime, cid) if ln.recount_required]
        service.update_lines(uow, cid, LinesUpdate(lines=[LineUpdate(line_id=i, accept=True) for i in ids]))
        service.approve(uow, cid)
        service.post(uow, cid)
        uow.commit()
    with runtime.session_factory() as s:
        got = s.execute(select(Move.lot_id, Move.quantity).where(Move.move_type == "count_variance")).all()
        assert sorted(q for _, q in got) == [D(-1), D(2)]
        assert rebuild_check(s, shop.tenant.id) == []
    assert on_hand(runtime, shop.site, d) == D(11)


def lines_of(runtime: Runtime, cid: int) -> list[CountLine]:
    with runtime.session_factory() as s:
        return list(s.scalars(select(CountLine).where(CountLine.count_id == cid)))


def test_concurrent_counters_never_lose_entries(runtime: Runtime, shop: Shop) -> None:
    cid = create(runtime, shop)

    def counter(n: int) -> int:
        who = Principal(kind="user", id=100 + n, tenant_id=shop.tenant.id, name=f"c{n}", grants={service.WRITE: None})
        with runtime.system_uow(shop.tenant.id) as uow:
            uow.principal = who
            r = service.add_entries(uow, cid, [EntryIn(item_id=shop.a, qty=D(1))] * 50)
            uow.commit()
            return r.accepted

    with ThreadPoolExecutor(max_workers=4) as pool:
        assert sum(pool.map(counter, range(8))) == 400
    assert lines(runtime, cid)[shop.a].counted_qty == D(400) and n_entries(runtime) == 400


def test_a_posted_count_cannot_be_cancelled_or_changed(runtime: Runtime, shop: Shop) -> None:
    cid = create(runtime, shop)
    enter(
        runtime, shop, cid, {"item_id": shop.a, "qty": "10"}, {"item_id": shop.b, "qty": "5"}, {"sku": "C1", "qty": "3"}
    )
    for fn in (service.submit, service.approve, service.post):
        step(runtime, shop, fn, cid)
    with pytest.raises(WrongCountStatus):
        step(runtime, shop, service.cancel, cid)
    with pytest.raises(WrongCountStatus):
        enter(runtime, shop, cid, {"item_id": shop.a, "qty": "1"})
    assert status(runtime, cid) == "posted" and n_entries(runtime) == 3 and n_variance_moves(runtime) == 0


def test_full_count_includes_carried_items_without_stock(runtime: Runtime, shop: Shop) -> None:
    carried = make_item(runtime, shop.tenant, "NEW1")
    dropped = make_item(runtime, shop.tenant, "OLD1")
    make_item(runtime, shop.tenant, "ELSEWHERE")
    make_assortment(runtime, shop.tenant, shop.site, carried)
    make_assortment(runtime, shop.tenant, shop.site, dropped, active=False)
    cid = create(runtime, shop)
    got = {i: ln.expected_qty for i, ln in lines(runtime, cid).items()}
    assert got == {shop.a: D(10), shop.b: D(5), shop.c: D(3), carried: D(0)}
    result = enter(runtime, shop, cid, {"sku": "NEW1", "qty": "2"})
    assert result.accepted == 1 and lines(runtime, cid)[carried].counted_qty == D(2)
