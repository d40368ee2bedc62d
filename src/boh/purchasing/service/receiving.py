"""Goods receipt against an order (and its shipping notice): every line posted through inventory in one
transaction (all or nothing), damaged or refused quantities kept out of stock with their reason, short lines
closed, discrepancies recorded (against the notice: cumulative over its receipts, see ``notices``), told to
the buyers and published (GoodsReceived) for the scorecards."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy import select

from boh.catalog.api import certificate_verdict
from boh.http.pages import N_
from boh.inventory.api import (
    ReceiveIn,
    ReleaseIn,
    adjust,
    cancel_incoming,
    hold_lots,
    receive,
    receive_transfer,
    record_waste,
)
from boh.kernel.clock import utcnow
from boh.kernel.errors import FieldError, ValidationFailed
from boh.kernel.tenancy import Scope
from boh.kernel.uow import UnitOfWork
from boh.notify.api import notify
from boh.org.api import get_site_ref
from boh.purchasing import domain
from boh.purchasing.errors import IdempotencyKeyReused, ReceiptBlocked
from boh.purchasing.events import GoodsReceived, ReceivedLine
from boh.purchasing.models import Discrepancy, Order, OrderLine, Receipt, ReceiptLine
from boh.purchasing.service import notices
from boh.purchasing.service._common import (
    HOLD,
    INCOMING,
    MOVE,
    OWNER,
    RECEIVE,
    get_order,
    history,
    lines_of,
    on_inventory,
    require,
    site_today,
)

ZERO = Decimal(0)
EXACT = Decimal("0.000001")
DISCREPANCY = N_("Receipt %(number)s of order %(order)s: %(n)s difference(s) from what was ordered")


@dataclass(frozen=True)
class ReceiptLineIn:
    line_id: int
    received: Decimal  # into stock, base units
    rejected: Decimal = ZERO  # damaged or refused: not put into stock
    reason: str | None = None  # short | over | damaged | quality | expired | wrong_item
    lot_code: str | None = None
    expiry_date: date | None = None
    invoiced_price: Decimal | None = None  # per purchase unit, as on the delivery note
    close: bool = False  # what stays open will not come (a short delivery)
    note: str | None = None


@dataclass(frozen=True)
class CertificateCheck:
    action: str  # ok | block | quarantine
    reasons: tuple[str, ...] = field(default=())


def _certificate_check(uow: UnitOfWork, order: Order, item_ids: list[int], on_date: date) -> CertificateCheck:
    """Whether the supplier's certificates allow this receipt, under the tenant's certificate requirements
    (``boh.catalog.api.certificate_verdict``): ``block`` refuses the receipt (409 purchasing.receipt_blocked,
    nothing posted), ``quarantine`` receives it and puts the received lots on hold (inventory.api.hold_lots).
    Transfers between own sites are not checked (the caller only asks for purchase orders)."""
    if order.supplier_id is None:
        return CertificateCheck("ok")
    v = certificate_verdict(uow.session, uow.tenant_id, order.supplier_id, on_date, item_ids)
    return CertificateCheck(v.action, tuple(v.reasons))


def _check(order: Order, lines: dict[int, OrderLine], data: list[ReceiptLineIn]) -> None:
    errors: list[FieldError] = []
    if not data:
        errors.append(FieldError(("lines",), "a receipt lists what arrived"))
    seen: set[int] = set()
    for i, d in enumerate(data):
        line = lines.get(d.line_id)
        if line is None or line.status != "open" or d.line_id in seen:
            errors.append(FieldError(("lines", i, "line_id"), f"line {d.line_id} is not open on this order (or twice)"))
            continue
        seen.add(d.line_id)
        if d.received < 0 or d.rejected < 0:
            errors.append(FieldError(("lines", i, "received"), "quantities must not be negative"))
        if d.received == 0 and d.rejected == 0 and not d.close and order.kind != "transfer":
            errors.append(FieldError(("lines", i, "received"), "nothing received: leave the line out or close it"))
        if d.rejected > 0 and d.reason not in domain.REASONS:
            errors.append(FieldError(("lines", i, "reason"), "a rejected quantity needs a reason",
                                     "purchasing.reason_required"))  # fmt: skip
        if order.kind == "transfer" and not line.transfer_move_ids:
            errors.append(FieldError(("lines", i, "line_id"), f"line {d.line_id} has not been shipped yet",
                                     "purchasing.not_shipped"))  # fmt: skip
        elif order.kind == "transfer" and d.received + d.rejected != line.shipped_quantity and d.reason is None:
            errors.append(FieldError(("lines", i, "reason"),
                                     f"{line.shipped_quantity} were shipped: give a reason for the difference",
                                     "purchasing.reason_required"))  # fmt: skip
    if errors:
        raise ValidationFailed(errors, "The receipt is not valid; nothing was received")


def _unit_cost(order: Order, line: OrderLine, d: ReceiptLineIn, site_currency: str) -> Decimal | None:
    price = d.invoiced_price if d.invoiced_price is not None else (line.confirmed_price or line.unit_price)
    if price is None or order.currency != site_currency:
        return None  # the ledger costs it (a foreign currency is not converted here)
    return (price / line.purchase_factor).quantize(EXACT)


def _post_line(uow: UnitOfWork, order: Order, line: OrderLine, d: ReceiptLineIn, key: str, currency: str) -> tuple[
        int | None, list[int], bool]:  # fmt: skip
    """Post one line through inventory; (move id, lot ids received, closed short)."""
    due = line.quantity - line.received_quantity - line.rejected_quantity
    closes = d.close or d.received + d.rejected >= due
    if order.kind == "transfer":
        return _post_transfer_line(uow, order, line, d, key)
    assert line.commitment_id is not None
    with on_inventory(uow, [INCOMING, MOVE], [order.site_id]):
        if d.received > 0:
            data = ReceiveIn(quantity=d.received, unit_cost=_unit_cost(order, line, d, currency),
                             lot_code=d.lot_code, expiry_date=d.expiry_date, close=closes,
                             idempotency_key=f"purchasing:receipt:{key}:{line.id}")  # fmt: skip
            move = receive(uow, line.commitment_id, data, owner=OWNER).moves[0]
            return move.id, [move.lot_id] if move.lot_id else [], closes and d.received + d.rejected < due
        if closes:
            cancel_incoming(uow, line.commitment_id, ReleaseIn(
                reason=f"closed on receipt {key}" if d.close else f"rejected on receipt {key}",
                idempotency_key=f"purchasing:receipt:{key}:{line.id}"), owner=OWNER)  # fmt: skip
    return None, [], closes and d.received + d.rejected < due


def _post_transfer_line(uow: UnitOfWork, order: Order, line: OrderLine, d: ReceiptLineIn, key: str) -> tuple[
        int | None, list[int], bool]:  # fmt: skip
    """A transfer arrives whole through the ledger (transfer_in of every shipped move, so the source's in-transit
    clears); then what arrived damaged is posted as waste at the receiving site, what did not arrive as a
    negative adjustment (transfer_short) and what came on top as a positive one (transfer_over), each with the
    lot it left with, so on hand is what was counted as sellable. Returns (move, lots, closed short)."""
    short, over = domain.transfer_difference(line.shipped_quantity, d.received, d.rejected)
    tag = f"purchasing:receipt:{key}:{line.id}"
    with on_inventory(uow, [MOVE], [order.site_id]):
        moves = [receive_transfer(uow, mid, owner=OWNER) for mid in line.transfer_move_ids]
        lots = [(m.lot_id, m.quantity) for m in moves]
        for n, (lot_id, qty) in enumerate(_spread(lots, d.rejected)):
            record_waste(uow, site_id=order.site_id, item_id=line.item_id, quantity=qty, lot_id=lot_id,
                         reason_code=f"transfer_{d.reason or 'damaged'}",
                         idempotency_key=f"{tag}:waste:{n}")  # fmt: skip
        left = [(lot, q - taken) for (lot, q), taken in zip(lots, _taken(lots, d.rejected), strict=True)]
        for n, (lot_id, qty) in enumerate(_spread(left, short)):
            adjust(uow, site_id=order.site_id, item_id=line.item_id, quantity=-qty, lot_id=lot_id,
                   reason_code="transfer_short", idempotency_key=f"{tag}:short:{n}")  # fmt: skip
        if over > 0:
            adjust(uow, site_id=order.site_id, item_id=line.item_id, quantity=over,
                   lot_id=moves[0].lot_id if moves else None, reason_code="transfer_over",
                   idempotency_key=f"{tag}:over")  # fmt: skip
    return (moves[0].id if moves else None), [m.lot_id for m in moves if m.lot_id], short > 0


def _taken(lots: list[tuple[int | None, Decimal]], quantity: Decimal) -> list[Decimal]:
    """How much of ``quantity`` each lot gives, first lot first (never more than it has)."""
    out = []
    for _lot, qty in lots:
        take = min(max(qty, ZERO), quantity)
        out.append(take)
        quantity -= take
    return out


def _spread(lots: list[tuple[int | None, Decimal]], quantity: Decimal) -> list[tuple[int | None, Decimal]]:
    """``quantity`` taken from the lots in order; what is more than they hold from the last one."""
    if quantity <= 0 or not lots:
        return []
    taken = _taken(lots, quantity)
    out = [(lot, t) for (lot, _q), t in zip(lots, taken, strict=True) if t > 0]
    rest = quantity - sum(taken, ZERO)
    if rest > 0:
        out.append((lots[-1][0], rest))
    return out


def receive_goods(uow: UnitOfWork, order_id: int, *, lines: list[ReceiptLineIn], idempotency_key: str,
                  asn_id: int | None = None, note: str | None = None) -> Receipt:  # fmt: skip
    """Receive an order's goods (see the module docstring). A retry with the same key returns the receipt."""
    scope = uow.principal.scope(RECEIVE)
    order = get_order(uow, scope, order_id, lock=True)
    if not scope.allows_site(order.site_id) or scope.supplier_id is not None:
        raise ValidationFailed([FieldError(("order_id",), "only the destination site receives an order")])
    done = uow.session.scalars(
        select(Receipt).where(Receipt.tenant_id == uow.tenant_id, Receipt.idempotency_key == idempotency_key)
    ).one_or_none()
    if done is not None:
        if done.order_id != order.id:
            raise IdempotencyKeyReused(f"idempotency key '{idempotency_key}' was used for receipt {done.number}")
        return done
    require(order, "receive")
    ours = {ln.id: ln for ln in lines_of(uow, order.id, lock=True)}
    _check(order, ours, lines)
    notices.for_receipt(uow, order, asn_id)
    today = site_today(uow, order.site_id)
    verdict = _certificate_check(uow, order, sorted({ours[d.line_id].item_id for d in lines}), today) if (
        order.kind == "purchase") else CertificateCheck("ok")  # fmt: skip
    if verdict.action == "block":
        raise ReceiptBlocked(f"receipt refused: {'; '.join(verdict.reasons)}", reasons=list(verdict.reasons))
    site = get_site_ref(uow.session, Scope(uow.tenant_id), order.site_id, cached=True)
    with uow.session.begin_nested():
        receipt = _post(uow, order, ours, lines, idempotency_key, asn_id, note, site.currency, site.code, verdict)
    return receipt


def _post(uow: UnitOfWork, order: Order, ours: dict[int, OrderLine], lines: list[ReceiptLineIn], key: str,
          asn_id: int | None, note: str | None, currency: str, site_code: str,
          verdict: CertificateCheck) -> Receipt:  # fmt: skip
    now = utcnow()
    receipt = Receipt(tenant_id=uow.tenant_id, order_id=order.id, asn_id=asn_id, site_id=order.site_id,
                      number=f"new-{uuid.uuid4().hex}", idempotency_key=key, received_at=now,
                      received_by=uow.principal.actor, note=note)  # fmt: skip
    uow.session.add(receipt)
    uow.session.flush()
    receipt.number = f"GR-{site_code}-{receipt.id:06d}"
    lots: list[int] = []
    found: list[Discrepancy] = []
    published: list[ReceivedLine] = []
    for d in lines:
        line = ours[d.line_id]
        due = line.shipped_quantity if order.kind == "transfer" else (
            line.quantity - line.received_quantity - line.rejected_quantity)  # fmt: skip
        move_id, lot_ids, short = _post_line(uow, order, line, d, key, currency)
        lots += lot_ids
        checks = domain.discrepancies(due=due, received=d.received, rejected=d.rejected, closes=d.close or short,
                                      agreed_price=line.confirmed_price or line.unit_price,
                                      invoiced_price=d.invoiced_price)  # fmt: skip
        for c in checks:
            found.append(Discrepancy(tenant_id=uow.tenant_id, order_id=order.id, receipt_id=receipt.id,
                                     order_line_id=line.id, kind=c.kind, expected=c.expected, actual=c.actual,
                                     reason=d.reason or d.note, at=now))  # fmt: skip
        uow.session.add(ReceiptLine(tenant_id=uow.tenant_id, receipt_id=receipt.id, order_line_id=line.id,
                                    received=d.received, rejected=d.rejected, reason=d.reason, note=d.note,
                                    lot_code=d.lot_code, expiry_date=d.expiry_date, invoiced_price=d.invoiced_price,
                                    closed_short=short, move_id=move_id))  # fmt: skip
        line.received_quantity += d.received
        line.rejected_quantity += d.rejected
        if order.kind == "transfer":  # one shipment, received once: nothing more will come
            line.status = "closed" if short else "received"
        elif line.received_quantity + line.rejected_quantity >= line.quantity:
            line.status = "received"
        elif d.close or short:
            line.status = "closed"
        published.append(ReceivedLine(
            order_line_id=line.id, item_id=line.item_id, ordered=line.quantity, confirmed=line.confirmed_quantity,
            received=d.received, rejected=d.rejected, promised_date=line.confirmed_date or line.expected_date,
            agreed_price=line.confirmed_price or line.unit_price, invoiced_price=d.invoiced_price, closed_short=short,
        ))  # fmt: skip
    uow.session.add_all(found)
    all_lines = lines_of(uow, order.id)
    before = order.status
    order.status = domain.status_after_receipt(
        [(ln.status, ln.quantity, ln.received_quantity + ln.rejected_quantity) for ln in all_lines]
    )
    uow.flush()
    found += notices.after_receipt(uow, order, receipt, now)
    uow.flush()
    if verdict.action == "quarantine" and lots:
        with on_inventory(uow, [HOLD], [order.site_id]):
            hold_lots(uow, lots, reason="supplier certificate: " + "; ".join(verdict.reasons) or "certificate",
                      source="certificate", source_ref=f"purchasing:receipt:{receipt.id}")  # fmt: skip
    history(uow, order, "receive", before, receipt=receipt.number, lines=len(lines), discrepancies=len(found),
            quarantined=len(lots) if verdict.action == "quarantine" else 0)  # fmt: skip
    uow.publish(GoodsReceived(
        tenant_id=uow.tenant_id, receipt_id=receipt.id, order_id=order.id, number=receipt.number, kind=order.kind,
        site_id=order.site_id, supplier_id=order.supplier_id, currency=order.currency, ordered_at=order.confirmed_at,
        received_at=now, lines=tuple(published),
    ))  # fmt: skip
    if found:
        params = {"number": receipt.number, "order": order.number, "n": len(found)}
        notify(uow, kind="receipt_discrepancy", message=DISCREPANCY, params=params,
               link=f"/purchasing/orders/{order.id}", roles=["buyer", "store_manager"], site_id=order.site_id,
               dedupe_key=f"purchasing-receipt:{receipt.id}")  # fmt: skip
        if order.kind == "transfer" and order.from_site_id is not None:  # the DC sees what its shipment became
            notify(uow, kind="receipt_discrepancy", message=DISCREPANCY, params=params,
                   link=f"/purchasing/orders/{order.id}", roles=["store_manager"], site_id=order.from_site_id,
                   dedupe_key=f"purchasing-receipt:{receipt.id}:source")  # fmt: skip
    return receipt
