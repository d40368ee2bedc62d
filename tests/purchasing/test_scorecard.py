"""Scorecards and observed lead times from real receipts (frozen time: ordered on Dec 7, promised Dec 9)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from boh.bootstrap import Runtime
from boh.kernel.clock import clock
from boh.purchasing import api, service
from boh.purchasing.domain import mean_std
from boh.purchasing.service import ReceiptLineIn
from tests.purchasing.helpers import NOW, make_world, place, po_request


def test_mean_and_sample_spread() -> None:
    assert mean_std([]) == (Decimal(0), Decimal(0))
    assert mean_std([Decimal(2)]) == (Decimal(2), Decimal(0))
    mean, std = mean_std([Decimal(2), Decimal(4), Decimal(6)])
    assert (mean, std) == (Decimal(4), Decimal(2))


def _receive(rt: Runtime, w, order_id: int, line: ReceiptLineIn, key: str, days: int) -> None:  # type: ignore[no-untyped-def]
    clock.freeze(NOW + timedelta(days=days))
    with rt.system_uow(w.tenant.id) as uow:
        service.receive_goods(uow, order_id, lines=[line], idempotency_key=key)
        uow.commit()


def test_on_time_in_full_quality_short_price_and_lead_times(runtime: Runtime) -> None:
    w = make_world(runtime)
    a, b, c = (place(runtime, w, [po_request(w, "24")], confirm=True)[0] for _ in range(3))
    _receive(runtime, w, a.order_id, ReceiptLineIn(a.line_ids[0], Decimal(24), invoiced_price=Decimal("4.80")), "a", 2)
    _receive(runtime, w, b.order_id, ReceiptLineIn(b.line_ids[0], Decimal(12), close=True,
                                                   invoiced_price=Decimal("5.28")), "b", 4)  # fmt: skip
    _receive(runtime, w, c.order_id, ReceiptLineIn(c.line_ids[0], Decimal(22), Decimal(2), "damaged"), "c", 3)
    with runtime.session_factory() as s:
        [row] = api.scorecard(s, w.tenant.id, by_month=True)
        stats = api.observed_lead_times(s, w.tenant.id, w.supplier, [w.milk, w.bread])
        since = api.scorecard(s, w.tenant.id, since=datetime(2026, 12, 11, tzinfo=UTC))
    assert (row.supplier_id, row.month, row.lines) == (w.supplier, "2026-12", 3)
    assert (row.on_time_pct, row.in_full_pct, row.otif_pct) == (Decimal("33.3"), Decimal("33.3"), Decimal("33.3"))
    assert (row.quality_rejected_pct, row.short_pct) == (Decimal("3.3"), Decimal("16.7"))  # 2 of 60 arrived; 12 of 72
    assert row.price_variance_pct == Decimal("3.3")  # (4.80*2 + 5.28*1) vs 4.80*3 agreed
    assert (row.lead_mean_days, row.lead_std_days) == (Decimal("3.00"), Decimal("1.00"))
    assert stats == {w.milk: api.LeadTimeStats(Decimal("3.00"), Decimal("1.00"), 3)}
    assert [r.lines for r in since] == [1]
