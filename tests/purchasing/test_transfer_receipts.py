"""Receiving a transfer from the DC with damaged, short or over quantities: the shipment arrives through the
ledger (the DC's in-transit clears), the damaged quantity is posted as waste at the store, what is missing or
extra as an adjustment with its reason, the differences are recorded for the DC and the transfer closes."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from boh.bootstrap import Runtime
from boh.inventory.models import Move
from boh.kernel.errors import ValidationFailed
from boh.notify.models import Notification
from boh.purchasing import service
from boh.purchasing.models import Discrepancy, Order, ReceiptLine
from boh.purchasing.service import ReceiptLineIn
from tests.factories import make_user
from tests.purchasing.helpers import get, levels, make_world, order_lines, place, to_request
from tests.web.helpers import page_login, post_form


def _shipped(runtime: Runtime, w, qty: str = "4") -> tuple[int, int]:  # type: ignore[no-untyped-def]
    [to] = place(runtime, w, [to_request(w, qty)], confirm=True)
    with runtime.system_uow(w.tenant.id) as uow:
        service.dispatch(uow, to.order_id, idempotency_key="d1")
        uow.commit()
    return to.order_id, to.line_ids[0]


def _moves(runtime: Runtime, site: int, types: tuple[str, ...]) -> list[tuple[str, Decimal, str | None]]:
    with runtime.session_factory() as s:
        rows = s.execute(select(Move.move_type, Move.quantity, Move.reason_code)
                         .where(Move.site_id == site, Move.move_type.in_(types)).order_by(Move.id))  # fmt: skip
        return [(t, q, r) for t, q, r in rows]


def test_a_damaged_and_a_missing_unit_are_posted_recorded_and_told_to_the_dc(runtime: Runtime) -> None:
    w = make_world(runtime)
    dc_manager = make_user(runtime, w.tenant, "dc.boss", [("store_manager", "DC1")])
    order_id, line_id = _shipped(runtime, w, "4")
    with runtime.system_uow(w.tenant.id) as uow:
        got = [ReceiptLineIn(line_id, Decimal(2), Decimal(1), "damaged", close=True)]
        service.receive_goods(uow, order_id, idempotency_key="r1", lines=got)
        uow.commit()
    # 4 arrived through the ledger, 1 thrown away as damaged, 1 never came: 2 sellable at the store
    assert levels(runtime, w, w.store, w.bread) == (Decimal(2), Decimal(0), Decimal(0), Decimal(0))
    assert levels(runtime, w, w.dc, w.bread)[:3] == (Decimal(6), Decimal(0), Decimal(0))  # DC in transit cleared
    assert _moves(runtime, w.store, ("transfer_in", "waste", "adjustment")) == [
        ("transfer_in", Decimal(4), None), ("waste", Decimal(-1), "transfer_damaged"),
        ("adjustment", Decimal(-1), "transfer_short"),
    ]  # fmt: skip
    [ln] = order_lines(runtime, order_id)
    assert (ln.shipped_quantity, ln.received_quantity, ln.rejected_quantity, ln.status) == (
        Decimal(4), Decimal(2), Decimal(1), "closed")  # fmt: skip
    assert get(runtime, Order, order_id).status == "received"
    with runtime.session_factory() as s:
        found = s.scalars(select(Discrepancy).where(Discrepancy.order_id == order_id).order_by(Discrepancy.id)).all()
        assert [(d.kind, d.expected, d.actual) for d in found] == [
            ("short", Decimal(4), Decimal(3)), ("damaged", Decimal(3), Decimal(2))]  # fmt: skip
        assert s.scalars(select(ReceiptLine.closed_short)).one() is True
        told = s.scalars(select(Notification.user_id).where(Notification.kind == "receipt_discrepancy")).all()
        assert dc_manager in told


def test_more_than_shipped_is_an_over_adjustment(runtime: Runtime) -> None:
    w = make_world(runtime)
    order_id, line_id = _shipped(runtime, w, "4")
    with runtime.system_uow(w.tenant.id) as uow:
        service.receive_goods(
            uow, order_id, idempotency_key="r1", lines=[ReceiptLineIn(line_id, Decimal(5), reason="over")]
        )
        uow.commit()
    assert levels(runtime, w, w.store, w.bread)[0] == Decimal(5)
    assert _moves(runtime, w.store, ("adjustment",)) == [("adjustment", Decimal(1), "transfer_over")]
    [ln] = order_lines(runtime, order_id)
    assert ln.status == "received" and get(runtime, Order, order_id).status == "received"
    with runtime.session_factory() as s:
        assert [(d.kind, d.expected, d.actual) for d in s.scalars(select(Discrepancy))] == [
            ("over", Decimal(4), Decimal(5))]  # fmt: skip


def test_a_difference_without_a_reason_is_refused_and_nothing_is_posted(runtime: Runtime) -> None:
    w = make_world(runtime)
    order_id, line_id = _shipped(runtime, w, "4")
    with runtime.system_uow(w.tenant.id) as uow, pytest.raises(ValidationFailed) as bad:
        service.receive_goods(uow, order_id, idempotency_key="r1", lines=[ReceiptLineIn(line_id, Decimal(3))])
    assert [e.code for e in bad.value.errors] == ["purchasing.reason_required"]
    assert levels(runtime, w, w.store, w.bread) == (Decimal(0), Decimal(0), Decimal(0), Decimal(4))


def test_the_receive_page_records_a_damaged_transfer_line(runtime: Runtime, client: TestClient) -> None:
    w = make_world(runtime)
    make_user(runtime, w.tenant, "staff", [("store_staff", "S001")])
    order_id, line_id = _shipped(runtime, w, "4")
    page_login(client, "staff")
    page = client.get(f"/purchasing/orders/{order_id}/receive").text
    key = re.search(r'name="key" value="([^"]+)"', page)
    assert key and f'name="rejected_{line_id}"' in page and "readonly" not in page
    r = post_form(client, f"/purchasing/orders/{order_id}/receive", {
        "key": key.group(1), f"received_{line_id}": "3", f"rejected_{line_id}": "1", f"reason_{line_id}": "damaged",
    })  # fmt: skip
    assert r.status_code == 303
    assert levels(runtime, w, w.store, w.bread)[0] == Decimal(3)
    assert _moves(runtime, w.store, ("waste",)) == [("waste", Decimal(-1), "transfer_damaged")]
    assert get(runtime, Order, order_id).status == "received"
