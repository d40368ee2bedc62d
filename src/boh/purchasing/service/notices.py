"""Shipping notices against what arrived. After every receipt made against a notice, the notice is compared
with everything received against it so far, over all its receipts (``domain.asn_discrepancies``), and that
comparison replaces the previous one: a difference the new receipt settles (the rest of a delivery that was
short) is gone, one it changes is recorded again on this receipt, one it leaves as it was stays on the receipt
that found it. Announced but absent is recorded only once the comparison is final (``domain.notice_final``:
the order received, closed or cancelled, or every line the notice announced done); the notice is then
``received`` and takes no more receipts, and the scorecard counts it once, on that final comparison. A notice
nothing was received against is not compared.

Notice status: ``open`` (nothing received against it yet), ``receiving`` (received against, more to come),
``received`` (final)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select

from boh.kernel.errors import FieldError, ValidationFailed
from boh.kernel.uow import UnitOfWork
from boh.purchasing import domain
from boh.purchasing.models import Asn, AsnLine, Discrepancy, Order, OrderLine, Receipt, ReceiptLine

OPEN, RECEIVING, RECEIVED = "open", "receiving", "received"
TAKES_RECEIPTS = (OPEN, RECEIVING)


def for_receipt(uow: UnitOfWork, order: Order, asn_id: int | None) -> Asn | None:
    """The notice a receipt is made against: one of the order's, not final yet (else 422 on ``asn_id``)."""
    if asn_id is None:
        return None
    asn = uow.session.get(Asn, asn_id, with_for_update=True)
    if asn is None or asn.order_id != order.id or asn.tenant_id != order.tenant_id:
        raise ValidationFailed([FieldError(("asn_id",), f"shipping notice {asn_id} is not one of this order's")])
    if asn.status not in TAKES_RECEIPTS:
        raise ValidationFailed([FieldError(("asn_id",), f"shipping notice {asn.number} is closed: its comparison "
                                           "is final", "purchasing.notice_closed")])  # fmt: skip
    return asn


def after_receipt(uow: UnitOfWork, order: Order, receipt: Receipt, now: datetime) -> list[Discrepancy]:
    """Compare the notice the receipt was made against, and settle the order's other notices that this receipt
    made final; the order's status and lines are already updated. Returns the differences new on this receipt."""
    found: list[Discrepancy] = []
    for asn in _notices(uow, order, TAKES_RECEIPTS):
        if asn.id == receipt.asn_id:
            found += compare(uow, order, asn, receipt.id, now)
        elif asn.status == RECEIVING:
            compare(uow, order, asn, _last_receipt(uow, asn), now)
    return found


def settle(uow: UnitOfWork, order: Order, now: datetime) -> None:
    """The order is closed: the notices received against make their final comparison (on their last receipt)."""
    for asn in _notices(uow, order, (RECEIVING,)):
        compare(uow, order, asn, _last_receipt(uow, asn), now)


def compare(uow: UnitOfWork, order: Order, asn: Asn, receipt_id: int, now: datetime) -> list[Discrepancy]:
    """Recompute a notice's comparison with everything received against it; differences no longer found are
    removed, new ones recorded on ``receipt_id``. Returns the new ones."""
    s = uow.session
    uow.flush()
    notice: dict[int, list[domain.Shipped]] = {}
    for a in s.scalars(select(AsnLine).where(AsnLine.asn_id == asn.id).order_by(AsnLine.id)):
        notice.setdefault(a.order_line_id, []).append(domain.Shipped(a.quantity, a.lot_code, a.expiry_date))
    arrived: dict[int, list[domain.Shipped]] = {}
    for lid, received, rejected, lot, expiry in s.execute(
        select(ReceiptLine.order_line_id, ReceiptLine.received, ReceiptLine.rejected, ReceiptLine.lot_code,
               ReceiptLine.expiry_date)
        .join(Receipt, Receipt.id == ReceiptLine.receipt_id)
        .where(Receipt.asn_id == asn.id)
        .order_by(ReceiptLine.id)
    ):  # fmt: skip
        arrived.setdefault(lid, []).append(domain.Shipped(received + rejected, lot, expiry))
    statuses = s.scalars(select(OrderLine.status).where(OrderLine.id.in_(sorted(notice)))).all() if notice else []
    final = domain.notice_final(order.status, statuses)
    checks = domain.asn_discrepancies(notice, arrived, final=final)
    asn.status = RECEIVED if final else RECEIVING
    return _replace(uow, order, asn, receipt_id, checks, now)


def _replace(uow: UnitOfWork, order: Order, asn: Asn, receipt_id: int, checks: list[domain.AsnCheck],
             now: datetime) -> list[Discrepancy]:  # fmt: skip
    def key(d: Discrepancy | domain.AsnCheck) -> tuple[object, ...]:
        return d.order_line_id, d.kind, d.expected, d.actual, d.expected_ref, d.actual_ref

    s = uow.session
    current = {key(d): d for d in s.scalars(select(Discrepancy).where(Discrepancy.asn_id == asn.id))}
    wanted = {key(c): c for c in checks}
    for k, d in current.items():
        if k not in wanted:
            s.delete(d)
    new = [
        Discrepancy(tenant_id=order.tenant_id, order_id=order.id, receipt_id=receipt_id, order_line_id=c.order_line_id,
                    kind=c.kind, expected=c.expected, actual=c.actual, asn_id=asn.id, expected_ref=c.expected_ref,
                    actual_ref=c.actual_ref, at=now)
        for k, c in wanted.items() if k not in current
    ]  # fmt: skip
    s.add_all(new)
    return new


def _notices(uow: UnitOfWork, order: Order, statuses: tuple[str, ...]) -> list[Asn]:
    stmt = select(Asn).where(Asn.order_id == order.id, Asn.status.in_(statuses)).order_by(Asn.id)
    return list(uow.session.scalars(stmt.with_for_update()))


def _last_receipt(uow: UnitOfWork, asn: Asn) -> int:
    last = uow.session.scalar(select(func.max(Receipt.id)).where(Receipt.asn_id == asn.id))
    assert last is not None  # a notice is "receiving" only once a receipt was made against it
    return int(last)
