"""Transfer orders: a short DC shared fairly among the stores, dispatched as transfer_out (in transit),
received whole at the store."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select

from boh.bootstrap import Runtime
from boh.purchasing import service
from boh.purchasing.models import Order, OrderEvent
from boh.purchasing.service import ReceiptLineIn
from tests.purchasing.helpers import get, levels, make_world, order_lines, place, to_request


def test_a_short_dc_is_shared_in_proportion_to_need_not_first_come_first_served(runtime: Runtime) -> None:
    w = make_world(runtime)  # the DC has 10 bread
    first, second = place(runtime, w, [to_request(w, "8"), to_request(w, "4", site=w.store2)])
    with runtime.system_uow(w.tenant.id) as uow:
        orders = service.allocate_transfers(uow, w.dc)
        uow.commit()
    assert [o.status for o in orders] == ["confirmed", "confirmed"]
    assert order_lines(runtime, first.order_id)[0].quantity == Decimal(7)  # 6.67 -> 6, +1 largest remainder
    assert order_lines(runtime, second.order_id)[0].quantity == Decimal(3)  # 3.33 -> 3
    assert levels(runtime, w, w.dc, w.bread)[2] == Decimal(10)
    assert (levels(runtime, w, w.store, w.bread)[1], levels(runtime, w, w.store2, w.bread)[1]) == (
        Decimal(7),
        Decimal(3),
    )
    with runtime.session_factory() as s:
        cut = s.scalars(select(OrderEvent).where(OrderEvent.order_id == first.order_id,
                                                 OrderEvent.action == "allocate")).one()  # fmt: skip
        assert cut.detail == {"line": 1, "asked": "8", "given": "7"}


def test_dispatch_puts_the_goods_in_transit_and_the_store_receives_them(runtime: Runtime) -> None:
    w = make_world(runtime)
    [to] = place(runtime, w, [to_request(w, "4")], confirm=True)
    with runtime.system_uow(w.tenant.id) as uow:
        service.dispatch(uow, to.order_id, idempotency_key="d1")
        service.dispatch(uow, to.order_id, idempotency_key="d1")  # a retry ships nothing twice
        uow.commit()
    assert levels(runtime, w, w.dc, w.bread)[:3] == (Decimal(6), Decimal(0), Decimal(0))
    assert levels(runtime, w, w.store, w.bread) == (Decimal(0), Decimal(0), Decimal(0), Decimal(4))
    with runtime.system_uow(w.tenant.id) as uow:
        service.receive_goods(uow, to.order_id, lines=[ReceiptLineIn(to.line_ids[0], Decimal(4))],
                              idempotency_key="r1")  # fmt: skip
        uow.commit()
    assert levels(runtime, w, w.store, w.bread) == (Decimal(4), Decimal(0), Decimal(0), Decimal(0))
    assert get(runtime, Order, to.order_id).status == "received"
