"""The document's life: confirm, edit a draft only, amend a confirmed order (versioned, on order follows),
cancel and close (what was on order is given back)."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from boh.bootstrap import Runtime
from boh.kernel.audit import AuditRecord
from boh.purchasing import service
from boh.purchasing.errors import WrongStatus
from boh.purchasing.models import Order, OrderEvent, OrderLine
from tests.purchasing.helpers import get, levels, make_world, order_lines, place, po_request, to_request


def _history(rt: Runtime, order_id: int) -> list[tuple[str, str | None, str, int]]:
    with rt.session_factory() as s:
        rows = s.scalars(select(OrderEvent).where(OrderEvent.order_id == order_id).order_by(OrderEvent.id))
        return [(e.action, e.from_status, e.to_status, e.version) for e in rows]


def test_a_draft_is_edited_then_confirmed_and_goes_on_order(runtime: Runtime) -> None:
    w = make_world(runtime)
    [po] = place(runtime, w, [po_request(w, "24"), po_request(w, "6", item_id=w.bread)])
    with runtime.system_uow(w.tenant.id) as uow:
        service.edit_draft_line(uow, po.order_id, po.line_ids[0], quantity=Decimal(36))
        service.edit_draft_line(uow, po.order_id, po.line_ids[1], remove=True)
        service.confirm(uow, po.order_id)
        service.confirm(uow, po.order_id)  # a retry changes nothing
        uow.commit()
    assert levels(runtime, w, w.store, w.milk)[1] == Decimal(36)
    assert levels(runtime, w, w.store, w.bread)[1] == Decimal(0)
    assert [ln.id for ln in order_lines(runtime, po.order_id)] == [po.line_ids[0]]
    assert _history(runtime, po.order_id) == [
        ("create", None, "draft", 1), ("edit", "draft", "draft", 1), ("edit", "draft", "draft", 1),
        ("confirm", "draft", "confirmed", 1),
    ]  # fmt: skip


def test_a_confirmed_order_is_not_edited_silently(runtime: Runtime) -> None:
    w = make_world(runtime)
    [po] = place(runtime, w, [po_request(w, "24")], confirm=True)
    with runtime.system_uow(w.tenant.id) as uow, pytest.raises(WrongStatus):
        service.edit_draft_line(uow, po.order_id, po.line_ids[0], quantity=Decimal(1))
    assert order_lines(runtime, po.order_id)[0].quantity == Decimal(24)


def test_an_amendment_is_a_new_version_and_on_order_follows_it(runtime: Runtime) -> None:
    w = make_world(runtime)
    [po] = place(runtime, w, [po_request(w, "24")], confirm=True)
    with runtime.system_uow(w.tenant.id) as uow:
        service.amend_line(uow, po.order_id, po.line_ids[0], reason="party on Friday", quantity=Decimal(36),
                           expected_date=date(2026, 12, 10))  # fmt: skip
        uow.commit()
    line = get(runtime, OrderLine, po.line_ids[0])
    assert (line.quantity, line.expected_date) == (Decimal(36), date(2026, 12, 10))
    assert get(runtime, Order, po.order_id).version == 2
    assert levels(runtime, w, w.store, w.milk)[1] == Decimal(36)
    assert _history(runtime, po.order_id)[-1] == ("amend", "confirmed", "confirmed", 2)
    with runtime.session_factory() as s:
        rec = s.scalars(select(AuditRecord).where(AuditRecord.action == "purchasing.order.amend")).one()
        after = json.loads(rec.after or "{}")
        assert (after["before"]["quantity"], after["after"]["quantity"], after["version"]) == ("24", "36", 2)
    with runtime.system_uow(w.tenant.id) as uow:
        service.amend_line(uow, po.order_id, po.line_ids[0], reason="less", quantity=Decimal(12))
        uow.commit()
    assert levels(runtime, w, w.store, w.milk)[1] == Decimal(12)


def test_cancelling_gives_back_what_was_on_order_and_reserved(runtime: Runtime) -> None:
    w = make_world(runtime)
    po, to = place(runtime, w, [po_request(w, "24"), to_request(w, "4")], confirm=True)
    with runtime.system_uow(w.tenant.id) as uow:
        service.cancel(uow, po.order_id, reason="supplier closed")
        service.cancel(uow, to.order_id, reason="not needed")
        uow.commit()
    assert levels(runtime, w, w.store, w.milk)[1] == Decimal(0)
    assert levels(runtime, w, w.store, w.bread)[1] == Decimal(0)
    assert levels(runtime, w, w.dc, w.bread)[2] == Decimal(0)
    assert [ln.status for ln in order_lines(runtime, po.order_id)] == ["cancelled"]
    assert get(runtime, Order, po.order_id).status == "cancelled"


def test_closing_takes_what_stays_open_off_order(runtime: Runtime) -> None:
    w = make_world(runtime)
    [po] = place(runtime, w, [po_request(w, "24")], confirm=True)
    with runtime.system_uow(w.tenant.id) as uow:
        service.close(uow, po.order_id, reason="season over")
        uow.commit()
    assert levels(runtime, w, w.store, w.milk)[1] == Decimal(0)
    assert get(runtime, Order, po.order_id).status == "closed"
    with runtime.system_uow(w.tenant.id) as uow, pytest.raises(WrongStatus):
        service.cancel(uow, po.order_id, reason="too late")
