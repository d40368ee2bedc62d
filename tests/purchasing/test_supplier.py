"""The supplier answers its own purchase orders' lines and sends shipping notices; the buyer decides on
changes and rejections."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import select

from boh.bootstrap import Runtime
from boh.kernel.errors import ValidationFailed
from boh.notify.models import Notification
from boh.purchasing import service
from boh.purchasing.errors import OrderNotFound, ResponsePending
from boh.purchasing.models import Asn, AsnLine, Order, OrderLine
from boh.purchasing.service import AsnLineIn, LineResponse
from tests.catalog.helpers import make_supplier
from tests.factories import make_user
from tests.purchasing.helpers import (
    count,
    get,
    levels,
    make_world,
    order_lines,
    place,
    po_request,
    supplier_user,
    uow_as,
)  # fmt: skip


def test_the_supplier_accepts_one_line_and_changes_another_the_buyer_accepts_the_change(runtime: Runtime) -> None:
    w = make_world(runtime)
    buyer = make_user(runtime, w.tenant, "buyer", [("buyer", None)])
    [po] = place(runtime, w, [po_request(w, "24"), po_request(w, "10", item_id=w.bread)], confirm=True)
    milk_line, bread_line = po.line_ids
    with uow_as(runtime, supplier_user(w)) as uow:
        service.respond(uow, po.order_id, [
            LineResponse(milk_line, "accept"),
            LineResponse(bread_line, "change", quantity=Decimal(6), expected_date=date(2026, 12, 9),
                         reason="flour shortage"),
        ])  # fmt: skip
        uow.commit()
    milk, bread = order_lines(runtime, po.order_id)
    assert (milk.response, milk.response_pending, milk.confirmed_quantity) == ("accepted", False, Decimal(24))
    assert (bread.response, bread.response_pending, bread.confirmed_quantity, bread.quantity) == (
        "changed", True, Decimal(6), Decimal(10))  # fmt: skip
    assert levels(runtime, w, w.store, w.bread)[1] == Decimal(10)  # nothing changes before the buyer decides
    with runtime.session_factory() as s:
        assert s.scalars(select(Notification.user_id).where(Notification.kind == "purchase_order_response")).all() == [
            buyer
        ]
    with runtime.system_uow(w.tenant.id) as uow:
        service.decide(uow, po.order_id, bread_line, accept=True)
        uow.commit()
    bread = get(runtime, OrderLine, bread_line)
    assert (bread.quantity, bread.expected_date, bread.response_pending) == (Decimal(6), date(2026, 12, 9), False)
    assert levels(runtime, w, w.store, w.bread)[1] == Decimal(6)
    assert get(runtime, Order, po.order_id).version == 2
    with runtime.system_uow(w.tenant.id) as uow, pytest.raises(ResponsePending):
        service.decide(uow, po.order_id, bread_line, accept=True)


def test_a_rejected_line_accepted_by_the_buyer_is_taken_off_order(runtime: Runtime) -> None:
    w = make_world(runtime)
    [po] = place(runtime, w, [po_request(w, "24")], confirm=True)
    with uow_as(runtime, supplier_user(w)) as uow:
        service.respond(uow, po.order_id, [LineResponse(po.line_ids[0], "reject", reason="discontinued")])
        uow.commit()
    with runtime.system_uow(w.tenant.id) as uow:
        service.decide(uow, po.order_id, po.line_ids[0], accept=True)
        uow.commit()
    assert levels(runtime, w, w.store, w.milk)[1] == Decimal(0)
    assert get(runtime, OrderLine, po.line_ids[0]).status == "cancelled"
    assert get(runtime, Order, po.order_id).status == "cancelled"


def test_a_supplier_sees_only_its_own_sent_orders_and_bad_answers_are_all_reported(runtime: Runtime) -> None:
    w = make_world(runtime)
    other = make_supplier(runtime, w.tenant, "OTHER")
    [draft] = place(runtime, w, [po_request(w, "24")])
    [sent] = place(runtime, w, [po_request(w, "12")], confirm=True)
    with uow_as(runtime, supplier_user(w, other)) as uow, pytest.raises(OrderNotFound):
        service.respond(uow, sent.order_id, [LineResponse(sent.line_ids[0], "accept")])
    with uow_as(runtime, supplier_user(w)) as uow, pytest.raises(OrderNotFound):
        service.respond(uow, draft.order_id, [LineResponse(draft.line_ids[0], "accept")])
    with uow_as(runtime, supplier_user(w)) as uow, pytest.raises(ValidationFailed) as e:
        service.respond(uow, sent.order_id, [
            LineResponse(sent.line_ids[0], "change", quantity=Decimal(0)), LineResponse(999, "accept"),
        ])  # fmt: skip
    assert [err.loc for err in e.value.errors] == [("lines", 0, "reason"), ("lines", 0, "quantity"),
                                                   ("lines", 1, "line_id")]  # fmt: skip
    assert order_lines(runtime, sent.order_id)[0].response == "none"


def test_a_shipping_notice_is_kept_once(runtime: Runtime) -> None:
    w = make_world(runtime)
    [po] = place(runtime, w, [po_request(w, "24")], confirm=True)
    eta = datetime(2026, 12, 9, 1, 0, tzinfo=UTC)
    for _ in range(2):
        with uow_as(runtime, supplier_user(w)) as uow:
            lines = [AsnLineIn(po.line_ids[0], Decimal(24), "L-77", date(2026, 12, 20))]
            asn = service.send_asn(uow, po.order_id, number="DN-881", expected_arrival=eta, idempotency_key="asn-1",
                                   lines=lines)  # fmt: skip
            uow.commit()
    assert count(runtime, Asn) == 1 and count(runtime, AsnLine) == 1
    with runtime.session_factory() as s:
        line = s.scalars(select(AsnLine)).one()
        assert (line.quantity, line.lot_code, line.expiry_date) == (Decimal(24), "L-77", date(2026, 12, 20))
    assert asn.number == "DN-881"


def test_a_change_within_the_policy_is_accepted_at_once(runtime: Runtime) -> None:
    w = make_world(runtime)
    [po] = place(runtime, w, [po_request(w, "24", needed_by=date(2026, 12, 10))], confirm=True)
    with uow_as(runtime, supplier_user(w)) as uow:
        service.respond(uow, po.order_id, [LineResponse(po.line_ids[0], "change", expected_date=date(2026, 12, 8),
                                                        unit_price=Decimal("4.50"), reason="early run")])  # fmt: skip
        uow.commit()
    line = get(runtime, OrderLine, po.line_ids[0])
    assert (line.response, line.response_pending, line.expected_date, line.unit_price) == (
        "changed", False, date(2026, 12, 8), Decimal("4.50"))  # fmt: skip
    assert get(runtime, Order, po.order_id).version == 2
    assert levels(runtime, w, w.store, w.milk)[1] == Decimal(24)
