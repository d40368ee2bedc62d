"""Receiving against a shipping notice: what arrived compared with what the supplier said it shipped (over /
short, another lot or expiry, announced but absent, arrived but not announced), recorded on the receipt, told
to the buyer and counted in the supplier's ASN accuracy on the scorecard."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from boh.bootstrap import Runtime
from boh.kernel.errors import ValidationFailed
from boh.kernel.tenancy import Scope
from boh.notify.models import Notification
from boh.purchasing import domain, queries, service
from boh.purchasing.domain import AsnCheck, Shipped
from boh.purchasing.models import Asn, Discrepancy, Order
from boh.purchasing.scorecard import scorecard
from boh.purchasing.service import AsnLineIn, ReceiptLineIn
from tests.factories import make_user
from tests.purchasing.helpers import NOW, get, make_world, place, po_request, supplier_user, uow_as
from tests.web.helpers import page_login

D1, D2 = date(2026, 12, 20), date(2026, 12, 27)


def test_each_kind_of_difference_from_the_notice() -> None:
    notice = {1: [Shipped(Decimal(24), "L1", D1)], 2: [Shipped(Decimal(5))], 3: [Shipped(Decimal(6), "L3", D1)],
              4: [Shipped(Decimal(2))], 6: [Shipped(Decimal(4), "A", D1), Shipped(Decimal(4), "B", D2)]}  # fmt: skip
    arrived = {1: [Shipped(Decimal(20), "L1", D1)], 2: [Shipped(Decimal(7))], 3: [Shipped(Decimal(6), "LX", D2)],
               5: [Shipped(Decimal(3))], 6: [Shipped(Decimal(8), "B", D2)]}  # fmt: skip
    assert domain.asn_discrepancies(notice, arrived) == [
        AsnCheck(1, "asn_short", Decimal(24), Decimal(20)),
        AsnCheck(2, "asn_over", Decimal(5), Decimal(7)),
        AsnCheck(3, "asn_lot", Decimal(6), Decimal(6), "L3", "LX"),
        AsnCheck(3, "asn_expiry", Decimal(6), Decimal(6), "2026-12-20", "2026-12-27"),
        AsnCheck(4, "asn_absent", Decimal(2), Decimal(0)),
        AsnCheck(5, "asn_extra", Decimal(0), Decimal(3)),
    ]  # line 6: two lots announced, one of them arrived, in the announced total: as said


def test_as_announced_is_no_difference_and_uncaptured_lots_are_not_compared() -> None:
    notice = {1: [Shipped(Decimal(24), "L1", D1)]}
    assert domain.asn_discrepancies(notice, {1: [Shipped(Decimal(24), "L1", D1)]}) == []
    assert domain.asn_discrepancies(notice, {1: [Shipped(Decimal(24))]}) == []
    assert domain.asn_discrepancies(notice, {1: [Shipped(Decimal(0))]}) == [
        AsnCheck(1, "asn_absent", Decimal(24), Decimal(0))
    ]


def test_several_receipts_are_summed_and_absent_waits_for_the_final_comparison() -> None:
    notice = {1: [Shipped(Decimal(24), "L1", D1)], 2: [Shipped(Decimal(5))]}
    halves = {1: [Shipped(Decimal(12), "L1", D1), Shipped(Decimal(12), "L1")]}
    assert domain.asn_discrepancies(notice, halves, final=False) == []  # the bread is still to come
    assert domain.asn_discrepancies(notice, halves) == [AsnCheck(2, "asn_absent", Decimal(5), Decimal(0))]
    other = {1: [Shipped(Decimal(12), "L1", D1), Shipped(Decimal(8), "L7", D2), Shipped(Decimal(2), "L8")]}
    assert domain.asn_discrepancies(notice, other, final=False) == [
        AsnCheck(1, "asn_short", Decimal(24), Decimal(22)),
        AsnCheck(1, "asn_lot", Decimal(24), Decimal(22), "L1", "L7, L8"),
        AsnCheck(1, "asn_expiry", Decimal(24), Decimal(22), "2026-12-20", "2026-12-27"),
    ]


def test_a_notice_is_final_once_nothing_more_can_arrive_against_it() -> None:
    assert not domain.notice_final("partially_received", ["received", "open"])
    assert domain.notice_final("partially_received", ["received", "closed"])
    assert domain.notice_final("closed", ["open"]) and domain.notice_final("received", [])


def _asn(runtime: Runtime, w, order_id: int, lines: list[AsnLineIn], key: str = "asn-1") -> int:  # type: ignore[no-untyped-def]
    with uow_as(runtime, supplier_user(w)) as uow:
        asn = service.send_asn(uow, order_id, number=f"DN-{key}", expected_arrival=NOW + timedelta(days=1),
                               idempotency_key=key, lines=lines)  # fmt: skip
        uow.commit()
        return asn.id


def test_a_delivery_that_differs_from_its_notice_is_recorded_told_and_scored(runtime: Runtime) -> None:
    w = make_world(runtime)
    buyer = make_user(runtime, w.tenant, "buyer", [("buyer", None)])
    [po] = place(runtime, w, [po_request(w, "24"), po_request(w, "5", item_id=w.bread)], confirm=True)
    milk_line, bread_line = po.line_ids
    asn_id = _asn(runtime, w, po.order_id, [AsnLineIn(milk_line, Decimal(24), "L-1", D1)])
    with runtime.system_uow(w.tenant.id) as uow:  # 12 milk of another lot and expiry; bread was not announced
        receipt = service.receive_goods(uow, po.order_id, asn_id=asn_id, idempotency_key="r1", lines=[
            ReceiptLineIn(milk_line, Decimal(12), lot_code="L-2", expiry_date=D2),
            ReceiptLineIn(bread_line, Decimal(5)),
        ])  # fmt: skip
        uow.commit()
        receipt_id = receipt.id
    with runtime.session_factory() as s:
        found = s.scalars(select(Discrepancy).where(Discrepancy.asn_id == asn_id).order_by(Discrepancy.id)).all()
        assert [(d.kind, d.order_line_id, d.expected, d.actual, d.expected_ref, d.actual_ref) for d in found] == [
            ("asn_short", milk_line, Decimal(24), Decimal(12), None, None),
            ("asn_lot", milk_line, Decimal(24), Decimal(12), "L-1", "L-2"),
            ("asn_expiry", milk_line, Decimal(24), Decimal(12), "2026-12-20", "2026-12-27"),
            ("asn_extra", bread_line, Decimal(0), Decimal(5), None, None),
        ]
        assert all(d.receipt_id == receipt_id for d in found)
        told = s.scalars(select(Notification).where(Notification.kind == "receipt_discrepancy")).all()
        assert [n.user_id for n in told] == [buyer] and told[0].params["n"] == 4
        [row] = scorecard(s, w.tenant.id, by_month=False)
        assert (row.asn_lines, row.asn_accuracy_pct) == (0, None)  # the rest of the milk may still come
    with runtime.system_uow(w.tenant.id) as uow:
        service.close(uow, po.order_id, reason="the rest will not come")
        uow.commit()
    with runtime.session_factory() as s:
        final = s.scalars(select(Discrepancy).where(Discrepancy.asn_id == asn_id).order_by(Discrepancy.id)).all()
        assert [d.id for d in final] == [d.id for d in found]  # the final comparison is the same
        [row] = scorecard(s, w.tenant.id, by_month=False)
        assert (row.asn_lines, row.asn_accuracy_pct) == (2, Decimal("0.0"))  # neither line arrived as announced


def test_an_announced_line_that_never_arrived_and_an_accurate_one(runtime: Runtime) -> None:
    w = make_world(runtime)
    [po] = place(runtime, w, [po_request(w, "24"), po_request(w, "5", item_id=w.bread)], confirm=True)
    milk_line, bread_line = po.line_ids
    asn_id = _asn(runtime, w, po.order_id, [AsnLineIn(milk_line, Decimal(24), "L-1", D1),
                                            AsnLineIn(bread_line, Decimal(5))])  # fmt: skip
    with runtime.system_uow(w.tenant.id) as uow:
        got = [ReceiptLineIn(milk_line, Decimal(24), lot_code="L-1", expiry_date=D1)]
        service.receive_goods(uow, po.order_id, asn_id=asn_id, idempotency_key="r1", lines=got)
        uow.commit()
    with runtime.session_factory() as s:  # the bread is still on order: not absent yet, nothing scored yet
        assert s.scalars(select(Discrepancy).where(Discrepancy.asn_id == asn_id)).all() == []
        [row] = scorecard(s, w.tenant.id, by_month=False)
        assert (row.asn_lines, row.asn_accuracy_pct) == (0, None)
        assert s.get(Asn, asn_id).status == "receiving"
    assert get(runtime, Order, po.order_id).status == "partially_received"
    with runtime.system_uow(w.tenant.id) as uow:
        service.close(uow, po.order_id, reason="no bread this week")
        uow.commit()
    with runtime.session_factory() as s:
        found = s.scalars(select(Discrepancy).where(Discrepancy.asn_id == asn_id)).all()
        assert [(d.kind, d.order_line_id, d.expected, d.actual) for d in found] == [
            ("asn_absent", bread_line, Decimal(5), Decimal(0))
        ]
        assert s.get(Asn, asn_id).status == "received"
        [row] = scorecard(s, w.tenant.id, by_month=False)
        assert (row.asn_lines, row.asn_accuracy_pct) == (2, Decimal("50.0"))
        [monthly] = scorecard(s, w.tenant.id)
        assert (monthly.month, monthly.asn_accuracy_pct) == ("2026-12", Decimal("50.0"))


def test_a_receipt_without_a_notice_is_not_counted_in_asn_accuracy(runtime: Runtime) -> None:
    w = make_world(runtime)
    [po] = place(runtime, w, [po_request(w, "24")], confirm=True)
    with runtime.system_uow(w.tenant.id) as uow:
        service.receive_goods(
            uow, po.order_id, idempotency_key="r1", lines=[ReceiptLineIn(po.line_ids[0], Decimal(20))]
        )
        uow.commit()
    with runtime.session_factory() as s:
        [row] = scorecard(s, w.tenant.id, by_month=False)
        assert (row.lines, row.asn_lines, row.asn_accuracy_pct) == (1, 0, None)
        assert s.scalars(select(Discrepancy)).all() == []


def test_the_order_and_the_scorecard_pages_show_them(runtime: Runtime, client: TestClient) -> None:
    w = make_world(runtime)
    make_user(runtime, w.tenant, "buyer", [("buyer", None)])
    [po] = place(runtime, w, [po_request(w, "24")], confirm=True)
    asn_id = _asn(runtime, w, po.order_id, [AsnLineIn(po.line_ids[0], Decimal(24), "L-1", D1)])
    with runtime.system_uow(w.tenant.id) as uow:
        got = [ReceiptLineIn(po.line_ids[0], Decimal(24), lot_code="L-9", expiry_date=D1)]
        service.receive_goods(uow, po.order_id, asn_id=asn_id, idempotency_key="r1", lines=got)
        uow.commit()
    page_login(client, "buyer")
    client.cookies.set("boh_lang", "en")
    order = client.get(f"/purchasing/orders/{po.order_id}").text
    assert 'data-kind="asn_lot"' in order and "Lot differs from the shipping notice" in order and "L-9" in order
    cards = client.get("/purchasing/scorecards").text
    assert "ASN accuracy" in cards and 'data-testid="asn-accuracy"><span>0.0%' in cards
    client.cookies.set("boh_lang", "zh_CN")
    zh = client.get("/purchasing/scorecards").text
    assert "ASN accuracy" not in zh and "发货通知准确率" in zh


def _receive(runtime: Runtime, w, order_id: int, asn_id: int, key: str, lines: list[ReceiptLineIn]) -> int:  # type: ignore[no-untyped-def]
    with runtime.system_uow(w.tenant.id) as uow:
        receipt = service.receive_goods(uow, order_id, asn_id=asn_id, idempotency_key=key, lines=lines)
        uow.commit()
        return receipt.id


def _against(runtime: Runtime, asn_id: int) -> list[tuple[str, Decimal, Decimal, str | None, str | None, int]]:
    with runtime.session_factory() as s:
        rows = s.scalars(select(Discrepancy).where(Discrepancy.asn_id == asn_id).order_by(Discrepancy.id)).all()
        return [(d.kind, d.expected, d.actual, d.expected_ref, d.actual_ref, d.receipt_id) for d in rows]


def _asn_score(runtime: Runtime, w) -> tuple[int, Decimal | None]:  # type: ignore[no-untyped-def]
    with runtime.session_factory() as s:
        [row] = scorecard(s, w.tenant.id, by_month=False)
        return row.asn_lines, row.asn_accuracy_pct


def test_two_receipts_that_together_match_the_notice_leave_no_difference(runtime: Runtime) -> None:
    w = make_world(runtime)
    make_user(runtime, w.tenant, "buyer", [("buyer", None)])
    [po] = place(runtime, w, [po_request(w, "24")], confirm=True)
    [milk] = po.line_ids
    asn_id = _asn(runtime, w, po.order_id, [AsnLineIn(milk, Decimal(24), "L-1", D1)])
    first = _receive(runtime, w, po.order_id, asn_id, "r1", [ReceiptLineIn(milk, Decimal(12), lot_code="L-1")])
    assert _against(runtime, asn_id) == [("asn_short", Decimal(24), Decimal(12), None, None, first)]
    assert _asn_score(runtime, w) == (0, None)  # still receiving: not scored yet
    with runtime.session_factory() as s:  # the notice shows what arrived against it so far
        [notice] = queries.order_read(s, Scope(w.tenant.id), po.order_id).asns
        assert (notice.status, notice.lines[0].quantity, notice.lines[0].arrived) == (
            "receiving", Decimal(24), Decimal(12))  # fmt: skip
    _receive(runtime, w, po.order_id, asn_id, "r2", [ReceiptLineIn(milk, Decimal(12), lot_code="L-1")])
    assert _against(runtime, asn_id) == []  # the second receipt closed the difference
    assert get(runtime, Asn, asn_id).status == "received"
    assert get(runtime, Order, po.order_id).status == "received"
    assert _asn_score(runtime, w) == (1, Decimal("100.0"))  # one notice, one line, counted once
    with runtime.session_factory() as s:  # the buyer heard of the first receipt's difference only
        told = s.scalars(select(Notification).where(Notification.kind == "receipt_discrepancy")).all()
        assert [n.params["number"] for n in told] == [f"GR-S001-{first:06d}"]


def test_two_receipts_that_together_are_short_keep_one_difference_with_the_total(runtime: Runtime) -> None:
    w = make_world(runtime)
    [po] = place(runtime, w, [po_request(w, "24")], confirm=True)
    [milk] = po.line_ids
    asn_id = _asn(runtime, w, po.order_id, [AsnLineIn(milk, Decimal(24))])
    _receive(runtime, w, po.order_id, asn_id, "r1", [ReceiptLineIn(milk, Decimal(10))])
    second = _receive(runtime, w, po.order_id, asn_id, "r2", [ReceiptLineIn(milk, Decimal(8), Decimal(2),
                                                                            "damaged", close=True)])  # fmt: skip
    assert _against(runtime, asn_id) == [("asn_short", Decimal(24), Decimal(20), None, None, second)]
    assert get(runtime, Asn, asn_id).status == "received"
    assert _asn_score(runtime, w) == (1, Decimal("0.0"))


def test_an_unannounced_lot_in_the_second_receipt(runtime: Runtime) -> None:
    w = make_world(runtime)
    [po] = place(runtime, w, [po_request(w, "24"), po_request(w, "5", item_id=w.bread)], confirm=True)
    milk, bread = po.line_ids
    asn_id = _asn(runtime, w, po.order_id, [AsnLineIn(milk, Decimal(24), "L-1", D1), AsnLineIn(bread, Decimal(5))])
    _receive(runtime, w, po.order_id, asn_id, "r1", [ReceiptLineIn(milk, Decimal(12), lot_code="L-1", expiry_date=D1),
                                                    ReceiptLineIn(bread, Decimal(5))])  # fmt: skip
    second = _receive(runtime, w, po.order_id, asn_id, "r2",
                      [ReceiptLineIn(milk, Decimal(12), lot_code="L-X", expiry_date=D1)])  # fmt: skip
    assert _against(runtime, asn_id) == [("asn_lot", Decimal(24), Decimal(24), "L-1", "L-X", second)]
    assert _asn_score(runtime, w) == (2, Decimal("50.0"))  # the bread arrived as announced, the milk did not


def test_a_final_notice_takes_no_more_receipts(runtime: Runtime) -> None:
    w = make_world(runtime)
    [po] = place(runtime, w, [po_request(w, "24"), po_request(w, "5", item_id=w.bread)], confirm=True)
    milk, bread = po.line_ids
    asn_id = _asn(runtime, w, po.order_id, [AsnLineIn(milk, Decimal(24))])
    _receive(runtime, w, po.order_id, asn_id, "r1", [ReceiptLineIn(milk, Decimal(24))])
    assert get(runtime, Asn, asn_id).status == "received"  # all it announced is in: final
    with runtime.system_uow(w.tenant.id) as uow, pytest.raises(ValidationFailed) as refused:
        service.receive_goods(uow, po.order_id, asn_id=asn_id, idempotency_key="r2",
                              lines=[ReceiptLineIn(bread, Decimal(5))])  # fmt: skip
    assert refused.value.errors[0].code == "purchasing.notice_closed"
    assert get(runtime, Order, po.order_id).status == "partially_received"  # nothing was received


def test_the_receiving_page_keeps_a_notice_being_received_and_shows_what_it_still_announces(
    runtime: Runtime, client: TestClient
) -> None:
    w = make_world(runtime)
    make_user(runtime, w.tenant, "staff", [("store_staff", "S001")])
    [po] = place(runtime, w, [po_request(w, "24")], confirm=True)
    [milk] = po.line_ids
    asn_id = _asn(runtime, w, po.order_id, [AsnLineIn(milk, Decimal(20), "L-1", D1)])
    _receive(runtime, w, po.order_id, asn_id, "r1", [ReceiptLineIn(milk, Decimal(10), lot_code="L-1")])
    page_login(client, "staff")
    client.cookies.set("boh_lang", "en")
    page = client.get(f"/purchasing/orders/{po.order_id}/receive").text
    assert f'name="asn_id" value="{asn_id}"' in page  # the next receipt is made against the same notice
    assert "Notice: 10" in page  # 14 still due, 10 of them still announced
