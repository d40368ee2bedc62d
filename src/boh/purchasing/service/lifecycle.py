"""The document's life: confirm (a purchase order's lines go on order at the site; a transfer's lines are
reserved at the source and expected at the destination), edit a draft, amend a confirmed order (a new
version, audited), cancel (what is on order or reserved is given back), close (what stays open will not come;
the shipping notices received against make their final comparison)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from boh.inventory.api import IncomingIn, ReleaseIn, ReservationIn, cancel_incoming, expect, release, reserve
from boh.kernel.clock import utcnow
from boh.kernel.errors import BohError, FieldError, ValidationFailed
from boh.kernel.uow import UnitOfWork
from boh.purchasing import domain
from boh.purchasing.errors import LineNotFound, NotEnoughAtSource
from boh.purchasing.events import OrderCancelled, OrderConfirmed
from boh.purchasing.models import Order, OrderLine
from boh.purchasing.service import notices
from boh.purchasing.service._common import (
    APPROVE,
    INCOMING,
    OWNER,
    RESERVE,
    WRITE,
    get_order,
    history,
    lines_of,
    on_inventory,
    receive_link,
    require,
)  # fmt: skip

ZERO = Decimal(0)


def _doc_type(order: Order) -> str:
    return "purchase_order" if order.kind == "purchase" else "transfer_order"


def _expect(uow: UnitOfWork, order: Order, line: OrderLine, quantity: Decimal, tag: str) -> int:
    data = IncomingIn(
        site_id=order.site_id, item_id=line.item_id, quantity=quantity, document_type=_doc_type(order),
        document_id=order.number, document_line=str(line.line_no), expected_date=line.expected_date,
        idempotency_key=f"purchasing:{line.id}:{tag}",
    )  # fmt: skip
    with on_inventory(uow, [INCOMING], [order.site_id]):
        return expect(uow, data, owner=OWNER, owner_link=receive_link(order)).commitment.id


def _reserve(uow: UnitOfWork, order: Order, line: OrderLine) -> int:
    assert order.from_site_id is not None
    data = ReservationIn(
        site_id=order.from_site_id, item_id=line.item_id, quantity=line.quantity, document_type="transfer_order",
        document_id=order.number, document_line=str(line.line_no), idempotency_key=f"purchasing:{line.id}:reserve",
    )  # fmt: skip
    with on_inventory(uow, [RESERVE], [order.from_site_id]):
        return reserve(uow, data, owner=OWNER, owner_link=receive_link(order)).commitment.id


def confirm(uow: UnitOfWork, order_id: int) -> Order:
    """Send a draft: its lines go on order (inventory.expect, with the expected date); a transfer's lines are
    also reserved at the source (all or nothing: a source short of stock refuses, see allocate_transfers)."""
    scope = uow.principal.scope(APPROVE)
    order = get_order(uow, scope, order_id, lock=True)
    if order.status == "confirmed":  # a retry
        return order
    require(order, "confirm")
    lines = lines_of(uow, order.id, lock=True)
    if not lines:
        raise ValidationFailed([FieldError(("lines",), "an order without lines cannot be confirmed")])
    with uow.session.begin_nested():
        for line in lines:
            if order.kind == "transfer":
                try:
                    line.reservation_id = _reserve(uow, order, line)
                except BohError as e:
                    if e.code == "inventory.insufficient_available":
                        raise NotEnoughAtSource(
                            f"line {line.line_no}: {e}", line=line.line_no, item_id=line.item_id
                        ) from e
                    raise
            line.commitment_id = _expect(uow, order, line, line.quantity, "expect")
        before, order.status, order.confirmed_at = order.status, "confirmed", utcnow()
        uow.flush()
        history(uow, order, "confirm", before)
    uow.publish(
        OrderConfirmed(tenant_id=order.tenant_id, order_id=order.id, number=order.number, kind=order.kind,
                       site_id=order.site_id, supplier_id=order.supplier_id, from_site_id=order.from_site_id,
                       expected_date=order.expected_date)
    )  # fmt: skip
    return order


def take_off_order(uow: UnitOfWork, order: Order, line: OrderLine, quantity: Decimal | None, reason: str,
                   tag: str) -> None:  # fmt: skip
    """Give back what a line still has on order at the destination (and reserved at a source)."""
    if line.commitment_id is not None:
        with on_inventory(uow, [INCOMING], [order.site_id]):
            _quiet(lambda: cancel_incoming(uow, line.commitment_id or 0,
                                           ReleaseIn(quantity=quantity, reason=reason,
                                                     idempotency_key=f"purchasing:{line.id}:{tag}"),
                                           owner=OWNER))  # fmt: skip
    if line.reservation_id is not None and order.from_site_id is not None:
        with on_inventory(uow, [RESERVE], [order.from_site_id]):
            _quiet(lambda: release(uow, line.reservation_id or 0,
                                   ReleaseIn(quantity=quantity, reason=reason,
                                             idempotency_key=f"purchasing:{line.id}:{tag}:r"),
                                   owner=OWNER))  # fmt: skip


def _quiet(fn: object) -> None:
    """Run an inventory command; a commitment already closed (received, cancelled) has nothing to give back."""
    try:
        fn()  # type: ignore[operator]
    except BohError as e:
        if e.code != "inventory.commitment_closed":
            raise


def cancel(uow: UnitOfWork, order_id: int, *, reason: str) -> Order:
    """Cancel a draft or a confirmed order nothing was received or shipped of."""
    scope = uow.principal.scope(APPROVE)
    order = get_order(uow, scope, order_id, lock=True)
    if order.status == "cancelled":  # a retry
        return order
    require(order, "cancel")
    lines = lines_of(uow, order.id, lock=True)
    if any(ln.shipped_quantity > 0 for ln in lines):
        raise ValidationFailed([FieldError(("status",), "a dispatched transfer cannot be cancelled")])
    with uow.session.begin_nested():
        for line in lines:
            if order.status != "draft":
                take_off_order(uow, order, line, None, f"order {order.number} cancelled: {reason}", "cancel")
            line.status = "cancelled"
        before, order.status, order.closed_at = order.status, "cancelled", utcnow()
        uow.flush()
        history(uow, order, "cancel", before, reason=reason)
    uow.publish(OrderCancelled(tenant_id=order.tenant_id, order_id=order.id, number=order.number, reason=reason))
    return order


def close(uow: UnitOfWork, order_id: int, *, reason: str) -> Order:
    """Close an order: what is still open on its lines will not come (taken off order)."""
    scope = uow.principal.scope(APPROVE)
    order = get_order(uow, scope, order_id, lock=True)
    if order.status == "closed":  # a retry
        return order
    require(order, "close")
    with uow.session.begin_nested():
        for line in lines_of(uow, order.id, lock=True):
            if line.status == "open":
                take_off_order(uow, order, line, None, f"order {order.number} closed: {reason}", "close")
                line.status = "closed"
        before, order.status, order.closed_at = order.status, "closed", utcnow()
        uow.flush()
        notices.settle(uow, order, order.closed_at)  # nothing more will arrive: the final comparisons
        history(uow, order, "close", before, reason=reason)
    return order


def edit_draft_line(
    uow: UnitOfWork, order_id: int, line_id: int, *, quantity: Decimal | None = None,
    unit_price: Decimal | None = None, expected_date: date | None = None, remove: bool = False,
) -> Order:  # fmt: skip
    """Change or remove a draft's line (drafts only: a confirmed order changes by amendment)."""
    order = get_order(uow, uow.principal.scope(WRITE), order_id, lock=True)
    require(order, "edit")
    line = _line(uow, order, line_id)
    before = _snapshot(line)
    if remove:
        uow.session.delete(line)
    else:
        _apply(line, quantity, unit_price, expected_date)
    uow.flush()
    history(uow, order, "edit", order.status, line=line.line_no, before=before,
            after=None if remove else _snapshot(line))  # fmt: skip
    return order


def amend_line(
    uow: UnitOfWork, order_id: int, line_id: int, *, reason: str, quantity: Decimal | None = None,
    unit_price: Decimal | None = None, expected_date: date | None = None,
) -> Order:  # fmt: skip
    """An explicit amendment of a confirmed order's line: a new version of the document, audited with the
    old and new values; what is on order follows the new quantity (never below what has arrived)."""
    order = get_order(uow, uow.principal.scope(APPROVE), order_id, lock=True)
    require(order, "amend")
    line = _line(uow, order, line_id)
    if line.status != "open":
        raise ValidationFailed([FieldError(("line_id",), f"line {line.line_no} is {line.status}")])
    done = line.received_quantity + line.rejected_quantity + line.shipped_quantity
    if quantity is not None and (quantity <= 0 or quantity < done):
        raise ValidationFailed([FieldError(("quantity",), f"must be more than 0 and at least {done} (arrived)")])
    if order.kind == "transfer" and (quantity or expected_date):
        raise ValidationFailed([FieldError(("quantity",), "a confirmed transfer changes by allocation and dispatch")])
    with uow.session.begin_nested():
        before = _snapshot(line)
        if unit_price is not None:
            _apply(line, None, unit_price, None)
        reexpect(uow, order, line, quantity or line.quantity, expected_date or line.expected_date,
                 f"amended v{order.version + 1}: {reason}")  # fmt: skip
        order.version += 1
        uow.flush()
        history(uow, order, "amend", order.status, line=line.line_no, reason=reason, before=before,
                after=_snapshot(line))  # fmt: skip
    return order


def reexpect(uow: UnitOfWork, order: Order, line: OrderLine, quantity: Decimal, expected: date | None,
             reason: str) -> None:  # fmt: skip
    """Set a confirmed line's quantity and date, and what is on order with them: the open remainder is taken
    off order and what is still to come put on order again with the new date (never below what arrived)."""
    if quantity == line.quantity and expected == line.expected_date:
        return
    tag = f"v{order.version + 1}"
    take_off_order(uow, order, line, None, reason, tag)
    line.quantity, line.expected_date = quantity, expected
    left = quantity - line.received_quantity - line.rejected_quantity
    if left > 0:
        line.commitment_id = _expect(uow, order, line, left, tag)


def _line(uow: UnitOfWork, order: Order, line_id: int) -> OrderLine:
    line = uow.session.get(OrderLine, line_id)
    if line is None or line.order_id != order.id:
        raise LineNotFound(f"line {line_id} not found on order {order.number}")
    return line


def _apply(line: OrderLine, quantity: Decimal | None, unit_price: Decimal | None, expected: date | None) -> None:
    errors = []
    if quantity is not None and quantity <= 0:
        errors.append(FieldError(("quantity",), "must be more than 0"))
    if unit_price is not None and unit_price < 0:
        errors.append(FieldError(("unit_price",), "must not be negative"))
    if errors:
        raise ValidationFailed(errors)
    if quantity is not None:
        line.quantity = quantity
    if unit_price is not None:
        line.unit_price = unit_price
    if expected is not None:
        line.expected_date = expected


def _snapshot(line: OrderLine) -> dict[str, str | None]:
    return {
        "quantity": domain.num(line.quantity),
        "unit_price": domain.num(line.unit_price),
        "expected_date": None if line.expected_date is None else line.expected_date.isoformat(),
    }


__all__ = [
    "ZERO",
    "amend_line",
    "cancel",
    "close",
    "confirm",
    "domain",
    "edit_draft_line",
    "reexpect",
    "take_off_order",
]
