"""place_orders: requests grouped into documents in the supplier's terms, all or nothing, idempotent; confirmed
documents are on order through inventory."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from boh.bootstrap import Runtime
from boh.inventory.api import stock_levels
from boh.kernel.errors import ValidationFailed
from boh.kernel.tenancy import Scope
from boh.purchasing import api
from boh.purchasing.errors import IdempotencyKeyReused, NotEnoughAtSource
from boh.purchasing.models import Order, OrderEvent, OrderLine, PlaceRequest
from tests.purchasing.helpers import count, make_world, place, po_request, to_request


def _levels(rt: Runtime, tenant_id: int, site: int, item: int) -> tuple[Decimal, Decimal, Decimal]:
    with rt.session_factory() as s:
        lv = stock_levels(s, Scope(tenant_id), site, [item]).get(item)
    return (lv.on_order, lv.reserved, lv.available) if lv else (Decimal(0), Decimal(0), Decimal(0))


def test_requests_are_grouped_per_kind_site_and_source_in_the_suppliers_terms(runtime: Runtime) -> None:
    w = make_world(runtime)
    placed = place(runtime, w, [
        po_request(w, "24"), po_request(w, "5", item_id=w.bread), to_request(w, "4"),
        po_request(w, "12", site_id=w.store2), to_request(w, "3", needed_by=date(2026, 12, 9)),
    ])  # fmt: skip
    assert [(p.kind, p.status, len(p.line_ids)) for p in placed] == [
        ("purchase", "draft", 2),
        ("purchase", "draft", 1),
        ("transfer", "draft", 2),
    ]
    assert placed[0].number == f"PO-S001-{placed[0].order_id:06d}"
    assert placed[2].number == f"TO-S001-{placed[2].order_id:06d}"
    with runtime.session_factory() as s:
        po = s.get(Order, placed[0].order_id)
        assert po is not None and (po.currency, po.supplier_id, po.expected_date) == (
            "CNY",
            w.supplier,
            date(2026, 12, 9),
        )
        lines = s.scalars(select(OrderLine).where(OrderLine.order_id == po.id).order_by(OrderLine.line_no)).all()
        assert [(ln.item_id, ln.quantity, ln.purchase_uom, ln.purchase_factor, ln.unit_price, ln.expected_date)
                for ln in lines] == [
            (w.milk, Decimal("24"), "case", Decimal("12"), Decimal("4.80"), date(2026, 12, 9)),
            (w.bread, Decimal("5"), "each", Decimal("1"), Decimal("3.00"), date(2026, 12, 8)),
        ]  # fmt: skip
        to = s.get(Order, placed[2].order_id)
        assert to is not None and (to.from_site_id, to.currency, to.needed_by) == (w.dc, None, date(2026, 12, 9))
        assert s.scalars(select(OrderEvent.action).where(OrderEvent.order_id == po.id)).all() == ["create"]
    assert _levels(runtime, w.tenant.id, w.store, w.milk) == (Decimal(0), Decimal(0), Decimal(0))


def test_a_given_base_unit_price_becomes_the_purchase_unit_price(runtime: Runtime) -> None:
    w = make_world(runtime)
    placed = place(runtime, w, [po_request(w, "36", unit_price=Decimal("0.35"), currency="CNY")])
    with runtime.session_factory() as s:
        line = s.get(OrderLine, placed[0].line_ids[0])
        assert line is not None and line.unit_price == Decimal("4.20")


def test_every_bad_request_is_reported_and_nothing_is_written(runtime: Runtime) -> None:
    w = make_world(runtime)
    bad = [
        po_request(w, "24"),
        po_request(w, "0"),
        po_request(w, "1", supplier_id=None),
        po_request(w, "1", currency="EUR"),
        to_request(w, "1", from_site_id=w.store),
        po_request(w, "1", item_id=999_999),
        to_request(w, "1", site=888_888),
    ]
    with runtime.system_uow(w.tenant.id) as uow:
        with pytest.raises(ValidationFailed) as e:
            api.place_orders(uow, bad, confirm=True, idempotency_key="k1")
        uow.commit()  # what the call left behind, if anything, would be kept
    assert [(err.loc, err.code) for err in e.value.errors] == [
        (("requests", 1, "quantity"), "invalid"),
        (("requests", 2, "supplier_id"), "invalid"),
        (("requests", 3, "currency"), "invalid"),
        (("requests", 4, "from_site_id"), "invalid"),
        (("requests", 5, "item_id"), "catalog.item_not_found"),
        (("requests", 6, "site_id"), "org.site_not_found"),
    ]
    assert count(runtime, Order) == 0 and count(runtime, OrderLine) == 0 and count(runtime, PlaceRequest) == 0


def test_an_item_the_supplier_does_not_sell_needs_a_price(runtime: Runtime) -> None:
    w = make_world(runtime)
    from tests.catalog.helpers import make_item

    other = make_item(runtime, w.tenant, "SALT")
    with runtime.system_uow(w.tenant.id) as uow, pytest.raises(ValidationFailed) as e:
        api.place_orders(uow, [po_request(w, "1", item_id=other)])
    assert [err.code for err in e.value.errors] == ["purchasing.not_sold_by_supplier"]


def test_a_retry_with_the_key_returns_the_first_orders_and_other_requests_are_refused(runtime: Runtime) -> None:
    w = make_world(runtime)
    first = place(runtime, w, [po_request(w), to_request(w)], confirm=True, idempotency_key="run-1")
    again = place(runtime, w, [po_request(w), to_request(w)], confirm=True, idempotency_key="run-1")
    assert again == first and [p.status for p in first] == ["confirmed", "confirmed"]
    with runtime.system_uow(w.tenant.id) as uow, pytest.raises(IdempotencyKeyReused):
        api.place_orders(uow, [po_request(w, "48")], confirm=True, idempotency_key="run-1")
    assert count(runtime, Order) == 2
    assert _levels(runtime, w.tenant.id, w.store, w.milk)[0] == Decimal(24)


def test_confirmed_orders_are_on_order_and_a_transfer_is_reserved_at_the_source(runtime: Runtime) -> None:
    w = make_world(runtime)
    place(runtime, w, [po_request(w, "24"), to_request(w, "4")], confirm=True)
    assert _levels(runtime, w.tenant.id, w.store, w.milk) == (Decimal(24), Decimal(0), Decimal(0))
    assert _levels(runtime, w.tenant.id, w.store, w.bread)[0] == Decimal(4)
    assert _levels(runtime, w.tenant.id, w.dc, w.bread) == (Decimal(0), Decimal(4), Decimal(6))
    with runtime.session_factory() as s:  # closed at once: an open read would hold SQLite's lock
        lines = api.open_order_lines(s, w.tenant.id, site_ids=[w.store])
    assert [(ln.kind, ln.item_id, ln.open_quantity, ln.expected_date) for ln in lines] == [
        ("purchase", w.milk, Decimal(24), date(2026, 12, 9)), ("transfer", w.bread, Decimal(4), date(2026, 12, 8)),
    ]  # fmt: skip


def test_a_transfer_the_source_cannot_cover_is_refused_whole(runtime: Runtime) -> None:
    w = make_world(runtime)
    with runtime.system_uow(w.tenant.id) as uow:
        with pytest.raises(NotEnoughAtSource):
            api.place_orders(uow, [po_request(w), to_request(w, "11")], confirm=True)
        uow.commit()  # the savepoint took back what the call had written
    assert count(runtime, Order) == 0
    assert _levels(runtime, w.tenant.id, w.store, w.milk)[0] == Decimal(0)
    assert _levels(runtime, w.tenant.id, w.dc, w.bread)[1] == Decimal(0)
