"""Goods receipt: posted through inventory line by line in one transaction, damaged quantities kept out of
stock, short lines closed, discrepancies recorded, told and published; certificates block or quarantine."""

from __future__ import annotations

import json
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select

from boh.bootstrap import Runtime
from boh.inventory.api import holds_of, lots_on_hand
from boh.kernel.errors import ValidationFailed
from boh.kernel.outbox import OutboxRecord
from boh.kernel.tenancy import Principal
from boh.notify.models import Notification
from boh.purchasing import service
from boh.purchasing.errors import OrderNotFound, ReceiptBlocked
from boh.purchasing.models import Discrepancy, Order, Receipt, ReceiptLine
from boh.purchasing.service import RECEIVE, ReceiptLineIn
from tests.factories import make_user
from tests.purchasing.helpers import NOW, count, get, levels, make_world, order_lines, place, po_request, uow_as


def _receive(rt: Runtime, w, order_id: int, lines: list[ReceiptLineIn], key: str = "r1") -> Receipt:  # type: ignore[no-untyped-def]
    with rt.system_uow(w.tenant.id) as uow:
        r = service.receive_goods(uow, order_id, lines=lines, idempotency_key=key)
        uow.commit()
        return r


def test_a_short_damaged_overpriced_delivery_is_received_recorded_told_and_published(runtime: Runtime) -> None:
    w = make_world(runtime)
    buyer = make_user(runtime, w.tenant, "buyer", [("buyer", None)])
    [po] = place(runtime, w, [po_request(w, "24")], confirm=True)
    line = ReceiptLineIn(po.line_ids[0], Decimal(20), Decimal(2), "damaged", "L-9", date(2026, 12, 20),
                         Decimal("5.00"), close=True)  # fmt: skip
    receipt = _receive(runtime, w, po.order_id, [line])
    assert receipt.number == f"GR-S001-{receipt.id:06d}"
    assert levels(runtime, w, w.store, w.milk)[:2] == (Decimal(20), Decimal(0))  # damaged not in stock, closed
    with runtime.session_factory() as s:
        [lot] = lots_on_hand(s, w.tenant.id, w.store)
        assert (lot.lot_code, lot.expiry_date, lot.on_hand) == ("L-9", date(2026, 12, 20), Decimal(20))
        found = s.scalars(select(Discrepancy).order_by(Discrepancy.id)).all()
        assert [(d.kind, d.expected, d.actual) for d in found] == [
            ("short", Decimal(24), Decimal(22)), ("damaged", Decimal(22), Decimal(20)),
            ("price", Decimal("4.80"), Decimal("5.00")),
        ]  # fmt: skip
        assert s.scalars(select(Notification.user_id).where(Notification.kind == "receipt_discrepancy")).all() == [
            buyer
        ]
        event = s.scalars(select(OutboxRecord).where(OutboxRecord.topic == "purchasing.goods_received")).one()
        payload = json.loads(event.payload)
        [ev_line] = payload["lines"]
        assert (ev_line["ordered"], ev_line["received"], ev_line["rejected"], ev_line["promised_date"],
                ev_line["agreed_price"], ev_line["invoiced_price"], ev_line["closed_short"]) == (
            "24.000000", "20", "2", "2026-12-09", "4.800000", "5.00", True)  # fmt: skip
    ln = order_lines(runtime, po.order_id)[0]
    assert (ln.received_quantity, ln.rejected_quantity, ln.status) == (Decimal(20), Decimal(2), "closed")
    assert get(runtime, Order, po.order_id).status == "received"


def test_a_partial_delivery_leaves_the_rest_on_order_and_a_retry_posts_nothing_twice(runtime: Runtime) -> None:
    w = make_world(runtime)
    [po] = place(runtime, w, [po_request(w, "24")], confirm=True)
    first = _receive(runtime, w, po.order_id, [ReceiptLineIn(po.line_ids[0], Decimal(12))], key="k")
    again = _receive(runtime, w, po.order_id, [ReceiptLineIn(po.line_ids[0], Decimal(12))], key="k")
    assert again.id == first.id and count(runtime, Receipt) == 1
    assert levels(runtime, w, w.store, w.milk)[:2] == (Decimal(12), Decimal(12))
    assert get(runtime, Order, po.order_id).status == "partially_received"
    assert count(runtime, Discrepancy) == 0
    _receive(runtime, w, po.order_id, [ReceiptLineIn(po.line_ids[0], Decimal(12))], key="k2")
    assert levels(runtime, w, w.store, w.milk)[:2] == (Decimal(24), Decimal(0))
    assert get(runtime, Order, po.order_id).status == "received"


def test_a_bad_receipt_reports_every_line_and_posts_nothing(runtime: Runtime) -> None:
    w = make_world(runtime)
    [po] = place(runtime, w, [po_request(w, "24"), po_request(w, "5", item_id=w.bread)], confirm=True)
    with runtime.system_uow(w.tenant.id) as uow:
        with pytest.raises(ValidationFailed) as e:
            service.receive_goods(uow, po.order_id, idempotency_key="bad", lines=[
                ReceiptLineIn(po.line_ids[0], Decimal(24)),
                ReceiptLineIn(po.line_ids[1], Decimal(3), Decimal(2)),
                ReceiptLineIn(999, Decimal(1)),
            ])  # fmt: skip
        uow.commit()
    assert [(err.loc, err.code) for err in e.value.errors] == [
        (("lines", 1, "reason"), "purchasing.reason_required"), (("lines", 2, "line_id"), "invalid"),
    ]  # fmt: skip
    assert levels(runtime, w, w.store, w.milk)[:2] == (Decimal(0), Decimal(24))
    assert count(runtime, Receipt) == 0 and count(runtime, ReceiptLine) == 0


def test_store_staff_receive_at_their_own_store_without_inventory_rights(runtime: Runtime) -> None:
    w = make_world(runtime)
    mine, theirs = place(runtime, w, [po_request(w, "12"), po_request(w, "12", site_id=w.store2)], confirm=True)
    staff = Principal(kind="user", id=5, tenant_id=w.tenant.id, name="staff", roles=frozenset({"store_staff"}),
                      grants={RECEIVE: frozenset({w.store})})  # fmt: skip
    with uow_as(runtime, staff) as uow:
        service.receive_goods(uow, mine.order_id, lines=[ReceiptLineIn(mine.line_ids[0], Decimal(12))],
                              idempotency_key="s1")  # fmt: skip
        uow.commit()
    with uow_as(runtime, staff) as uow, pytest.raises(OrderNotFound):
        service.receive_goods(uow, theirs.order_id, lines=[ReceiptLineIn(theirs.line_ids[0], Decimal(12))],
                              idempotency_key="s2")  # fmt: skip
    assert levels(runtime, w, w.store, w.milk)[0] == Decimal(12)
    assert levels(runtime, w, w.store2, w.milk)[0] == Decimal(0)


def _certificate(runtime: Runtime, w: Any, kind: str, action: str, valid_to: date) -> None:
    """The supplier's certificate of ``kind`` (valid until ``valid_to``) and a requirement of it with
    ``action``, through the catalog's certificate service."""
    from boh.catalog.certificates import service as certificates
    from boh.catalog.certificates.schemas import CertificateCreate, RequirementCreate

    with runtime.system_uow(w.tenant.id) as uow:
        certificates.create_certificate(uow, w.supplier, CertificateCreate(
            type=kind, number=f"{kind}-1", issuer="SAMR", valid_from=date(2025, 1, 1), valid_to=valid_to))  # fmt: skip
        certificates.create_requirement(uow, RequirementCreate(type=kind, action=action, supplier_id=w.supplier))
        uow.commit()


def test_an_expired_certificate_blocks_the_receipt(runtime: Runtime) -> None:
    w = make_world(runtime)
    [po] = place(runtime, w, [po_request(w, "12")], confirm=True)
    _certificate(runtime, w, "food_licence", "block", NOW.date() - timedelta(days=1))  # expired yesterday
    with runtime.system_uow(w.tenant.id) as uow:
        with pytest.raises(ReceiptBlocked) as e:
            service.receive_goods(uow, po.order_id, lines=[ReceiptLineIn(po.line_ids[0], Decimal(12), lot_code="B1")],
                                  idempotency_key="c1")  # fmt: skip
        uow.commit()
    assert e.value.status == 409 and e.value.extra["reasons"] == ["certificate_expired:food_licence:FRESH"]
    assert levels(runtime, w, w.store, w.milk)[:2] == (Decimal(0), Decimal(12))
    assert count(runtime, Receipt) == 0


def test_a_valid_certificate_lets_the_receipt_through(runtime: Runtime) -> None:
    w = make_world(runtime)
    [po] = place(runtime, w, [po_request(w, "12")], confirm=True)
    _certificate(runtime, w, "food_licence", "block", NOW.date())  # valid through today
    _receive(runtime, w, po.order_id, [ReceiptLineIn(po.line_ids[0], Decimal(12), lot_code="V1")])
    with runtime.session_factory() as s:
        [lot] = lots_on_hand(s, w.tenant.id, w.store)
        assert holds_of(s, w.tenant.id, [lot.lot_id]) == []
    assert levels(runtime, w, w.store, w.milk)[0] == Decimal(12)


def test_a_quarantine_verdict_receives_and_holds_the_lots(runtime: Runtime) -> None:
    w = make_world(runtime)
    [po] = place(runtime, w, [po_request(w, "12")], confirm=True)
    _certificate(runtime, w, "organic", "quarantine", NOW.date() - timedelta(days=3))
    _receive(runtime, w, po.order_id, [ReceiptLineIn(po.line_ids[0], Decimal(12), lot_code="Q1")])
    with runtime.session_factory() as s:
        [lot] = lots_on_hand(s, w.tenant.id, w.store)
        [hold] = holds_of(s, w.tenant.id, [lot.lot_id])
        assert (lot.lot_code, hold.source) == ("Q1", "certificate")
    assert levels(runtime, w, w.store, w.milk)[0] == Decimal(12)
