"""The supplier's side: answer a purchase order's lines (accept, change quantity / date / price with a reason,
reject) and send advance shipping notices; the buyer's decision on a changed or rejected line."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from sqlalchemy import select

from boh.http.pages import N_
from boh.kernel.errors import FieldError, ValidationFailed
from boh.kernel.uow import UnitOfWork
from boh.notify.api import notify
from boh.purchasing import domain
from boh.purchasing.domain import num
from boh.purchasing.errors import IdempotencyKeyReused, ResponsePending
from boh.purchasing.models import Asn, AsnLine, Order, OrderLine
from boh.purchasing.service._common import APPROVE, RESPOND, get_order, history, lines_of, require
from boh.purchasing.service.lifecycle import reexpect, take_off_order

ANSWERED = N_("Supplier answered purchase order %(number)s: %(n)s line(s) changed or rejected need your decision")
SHIPPED = N_("Supplier shipped purchase order %(number)s: notice %(asn)s, arriving %(eta)s")


@dataclass(frozen=True)
class LineResponse:
    line_id: int
    action: Literal["accept", "change", "reject"]
    quantity: Decimal | None = None  # base units
    expected_date: date | None = None
    unit_price: Decimal | None = None  # per purchase unit
    reason: str | None = None


def _check(lines: dict[int, OrderLine], responses: list[LineResponse]) -> None:
    errors: list[FieldError] = []
    for i, r in enumerate(responses):
        line = lines.get(r.line_id)
        if line is None:
            errors.append(FieldError(("lines", i, "line_id"), f"line {r.line_id} is not on this order"))
            continue
        if line.status != "open":
            errors.append(FieldError(("lines", i, "line_id"), f"line {line.line_no} is {line.status}"))
        if r.action in ("change", "reject") and not (r.reason or "").strip():
            errors.append(FieldError(("lines", i, "reason"), "a change or a rejection needs a reason"))
        if r.action == "change" and r.quantity is None and r.expected_date is None and r.unit_price is None:
            errors.append(FieldError(("lines", i, "quantity"), "a change names a quantity, date or price"))
        if r.quantity is not None and r.quantity <= 0:
            errors.append(FieldError(("lines", i, "quantity"), "must be more than 0 (reject the line instead)"))
        if r.unit_price is not None and r.unit_price < 0:
            errors.append(FieldError(("lines", i, "unit_price"), "must not be negative"))
    if errors:
        raise ValidationFailed(errors)


def respond(uow: UnitOfWork, order_id: int, responses: list[LineResponse]) -> Order:
    """The supplier's answer per line. Accepting confirms the line as ordered; a change or a rejection waits
    for the buyer (``decide``) and the buyers are told."""
    scope = uow.principal.scope(RESPOND)
    order = get_order(uow, scope, order_id, lock=True)
    require(order, "respond")
    lines = {ln.id: ln for ln in lines_of(uow, order.id, lock=True)}
    _check(lines, responses)
    pending, auto = 0, []
    for r in responses:
        line = lines[r.line_id]
        line.response, line.response_reason = (
            {"accept": "accepted", "change": "changed", "reject": "rejected"}[r.action],
            r.reason,
        )
        if r.action == "accept":
            line.confirmed_quantity, line.confirmed_date = line.quantity, line.expected_date
            line.confirmed_price, line.response_pending = line.unit_price, False
        elif r.action == "change":
            line.confirmed_quantity = r.quantity if r.quantity is not None else line.quantity
            line.confirmed_date = r.expected_date or line.expected_date
            line.confirmed_price = r.unit_price if r.unit_price is not None else line.unit_price
            if domain.change_needs_buyer(quantity=line.quantity, new_quantity=line.confirmed_quantity,
                                         price=line.unit_price, new_price=r.unit_price, needed_by=line.needed_by,
                                         new_date=r.expected_date):  # fmt: skip
                line.response_pending, pending = True, pending + 1
            else:  # within the policy: accepted at once
                auto.append(line)
        else:
            line.confirmed_quantity, line.response_pending, pending = Decimal(0), True, pending + 1
    uow.flush()
    with uow.session.begin_nested():
        for line in auto:
            _apply_change(uow, order, line)
    history(uow, order, "respond", order.status, auto_accepted=[ln.line_no for ln in auto], lines=[
        {"line": lines[r.line_id].line_no, "action": r.action, "quantity": num(r.quantity),
         "date": None if r.expected_date is None else r.expected_date.isoformat(),
         "price": num(r.unit_price), "reason": r.reason}
        for r in responses
    ])  # fmt: skip
    if pending:
        notify(uow, kind="purchase_order_response", message=ANSWERED, params={"number": order.number, "n": pending},
               link=f"/purchasing/orders/{order.id}", roles=["buyer", "store_manager"], site_id=order.site_id,
               dedupe_key=f"po-response:{order.id}:{order.version}:{len(responses)}")  # fmt: skip
    return order


def decide(uow: UnitOfWork, order_id: int, line_id: int, *, accept: bool, note: str | None = None) -> Order:
    """The buyer's decision on a changed or rejected line: accepting a change amends the line (a new version,
    on order as changed); accepting a rejection cancels the line (taken off order); declining keeps the line
    as ordered (the buyer settles it with the supplier)."""
    order = get_order(uow, uow.principal.scope(APPROVE), order_id, lock=True)
    require(order, "amend")
    line = next((ln for ln in lines_of(uow, order.id, lock=True) if ln.id == line_id), None)
    if line is None or not line.response_pending:
        raise ResponsePending(f"line {line_id} has no supplier change waiting for a decision")
    with uow.session.begin_nested():
        line.response_pending = False
        if accept and line.response == "rejected":
            take_off_order(uow, order, line, None, f"rejected by the supplier: {line.response_reason}", "rejected")
            line.status = "cancelled"
            order.version += 1
        elif accept:
            _apply_change(uow, order, line)
        uow.flush()
        history(uow, order, "decide", order.status, line=line.line_no, accept=accept, note=note)
    _after_lines_change(uow, order)
    return order


def _apply_change(uow: UnitOfWork, order: Order, line: OrderLine) -> None:
    """Amend the line to the supplier's confirmed quantity, date and price (a new version, on order as changed)."""
    before = {"quantity": num(line.quantity), "date": str(line.expected_date), "price": num(line.unit_price)}
    new_qty, new_date = line.confirmed_quantity or line.quantity, line.confirmed_date or line.expected_date
    line.unit_price = line.confirmed_price
    reexpect(uow, order, line, new_qty, new_date, f"supplier change accepted v{order.version + 1}")
    order.version += 1
    history(
        uow,
        order,
        "amend",
        order.status,
        line=line.line_no,
        reason=line.response_reason,
        before=before,
        after={"quantity": num(line.quantity), "date": str(line.expected_date), "price": num(line.unit_price)},
    )


def _after_lines_change(uow: UnitOfWork, order: Order) -> None:
    """An order whose every line was rejected and cancelled is cancelled too."""
    lines = lines_of(uow, order.id)
    if lines and all(ln.status == "cancelled" for ln in lines):
        before, order.status = order.status, "cancelled"
        uow.flush()
        history(uow, order, "cancel", before, reason="every line rejected by the supplier")


@dataclass(frozen=True)
class AsnLineIn:
    line_id: int
    quantity: Decimal
    lot_code: str | None = None
    expiry_date: date | None = None


def send_asn(uow: UnitOfWork, order_id: int, *, number: str, expected_arrival: datetime | None,
             lines: list[AsnLineIn], idempotency_key: str) -> Asn:  # fmt: skip
    """An advance shipping notice: what the supplier shipped (lines, quantities, lots and expiry dates) and
    when it arrives. A retry with the same key returns the first notice."""
    scope = uow.principal.scope(RESPOND)
    order = get_order(uow, scope, order_id, lock=True)
    done = uow.session.scalars(
        select(Asn).where(Asn.tenant_id == uow.tenant_id, Asn.idempotency_key == idempotency_key)
    ).one_or_none()
    if done is not None:
        if done.order_id != order.id or done.number != number:
            raise IdempotencyKeyReused(f"idempotency key '{idempotency_key}' was used for notice {done.number}")
        return done
    require(order, "respond")
    ours = {ln.id: ln for ln in lines_of(uow, order.id)}
    errors: list[FieldError] = []
    if not lines:
        errors.append(FieldError(("lines",), "a notice lists what was shipped"))
    for i, ln in enumerate(lines):
        if ln.line_id not in ours or ours[ln.line_id].status != "open":
            errors.append(FieldError(("lines", i, "line_id"), f"line {ln.line_id} is not open on this order"))
        if ln.quantity <= 0:
            errors.append(FieldError(("lines", i, "quantity"), "must be more than 0"))
    if errors:
        raise ValidationFailed(errors)
    asn = Asn(tenant_id=uow.tenant_id, order_id=order.id, number=number, expected_arrival=expected_arrival,
              status="open", idempotency_key=idempotency_key, created_by=uow.principal.actor)  # fmt: skip
    uow.session.add(asn)
    uow.session.flush()
    for ln in lines:
        uow.session.add(AsnLine(tenant_id=uow.tenant_id, asn_id=asn.id, order_line_id=ln.line_id,
                                quantity=ln.quantity, lot_code=ln.lot_code, expiry_date=ln.expiry_date))  # fmt: skip
    uow.flush()
    history(uow, order, "asn", order.status, asn=number, lines=len(lines),
            expected_arrival=None if expected_arrival is None else expected_arrival.isoformat())  # fmt: skip
    notify(uow, kind="purchase_order_response", message=SHIPPED,
           params={"number": order.number, "asn": number,
                   "eta": expected_arrival.date().isoformat() if expected_arrival else "-"},
           link=f"/purchasing/orders/{order.id}", roles=["store_manager"], site_id=order.site_id,
           dedupe_key=f"asn:{asn.id}")  # fmt: skip
    return asn
