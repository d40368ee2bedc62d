"""Transfer orders from a DC or central kitchen: the source's short supply shared fairly among the draft
orders that want it (``domain.fair_allocation``, not first come first served), then dispatch (the
reservation shipped as transfer_out: in transit at the destination)."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from sqlalchemy import select

from boh.inventory.api import FulfilIn, fulfil, stock_levels
from boh.kernel.clock import utcnow
from boh.kernel.errors import FieldError, ValidationFailed
from boh.kernel.tenancy import Scope
from boh.kernel.uow import UnitOfWork
from boh.org.api import get_site_ref
from boh.purchasing import domain
from boh.purchasing.errors import WrongStatus
from boh.purchasing.models import Order, OrderLine
from boh.purchasing.service._common import (
    APPROVE,
    MOVE,
    OWNER,
    RESERVE,
    WRITE,
    get_order,
    history,
    lines_of,
    on_inventory,
)
from boh.purchasing.service.lifecycle import confirm, take_off_order

ZERO = Decimal(0)


def allocate_transfers(
    uow: UnitOfWork, from_site_id: int, *, order_ids: Iterable[int] | None = None, step: Decimal = Decimal(1)
) -> list[Order]:
    """Confirm the draft transfer orders from a source site. Where, for an item, they want more than the source
    has available, each line gets a share in proportion to what it asked for (in multiples of ``step``, the
    rest to the largest remainders); a line cut is recorded in its order's history, a line that gets nothing
    is cancelled. Returns the orders, confirmed (or cancelled when nothing was left for them)."""
    scope = uow.principal.scope(APPROVE)
    get_site_ref(uow.session, scope, from_site_id)  # the source is one of the caller's sites (else not found)
    stmt = (
        select(Order)
        .where(Order.tenant_id == uow.tenant_id, Order.kind == "transfer", Order.from_site_id == from_site_id,
               Order.status == "draft")
        .order_by(Order.id)
    )  # fmt: skip
    if order_ids is not None:
        stmt = stmt.where(Order.id.in_(sorted(set(order_ids))))
    orders = [o for o in uow.session.scalars(stmt.with_for_update()) if scope.allows_site(o.site_id)]
    if not orders:
        return []
    lines = list(uow.session.scalars(
        select(OrderLine).where(OrderLine.order_id.in_([o.id for o in orders])).order_by(OrderLine.id)
    ))  # fmt: skip
    levels = stock_levels(uow.session, Scope(uow.tenant_id), from_site_id, {ln.item_id for ln in lines})
    by_item: dict[int, dict[int, Decimal]] = {}
    for ln in lines:
        by_item.setdefault(ln.item_id, {})[ln.id] = ln.quantity
    given: dict[int, Decimal] = {}
    for item_id, needs in by_item.items():
        lv = levels.get(item_id)
        given |= domain.fair_allocation(lv.available if lv else ZERO, needs, step)
    by_order = {o.id: o for o in orders}
    with uow.session.begin_nested():
        for ln in lines:
            if given[ln.id] == ln.quantity:
                continue
            order = by_order[ln.order_id]
            history(uow, order, "allocate", order.status, line=ln.line_no, asked=domain.num(ln.quantity),
                    given=domain.num(given[ln.id]))  # fmt: skip
            if given[ln.id] > 0:
                ln.quantity = given[ln.id]
            else:
                uow.session.delete(ln)
        uow.flush()
        out = []
        for order in orders:
            if lines_of(uow, order.id):
                out.append(confirm(uow, order.id))
            else:
                order.status = "cancelled"
                uow.flush()
                history(uow, order, "cancel", "draft", reason="nothing available at the source")
                out.append(order)
    return out


def dispatch(uow: UnitOfWork, order_id: int, *, idempotency_key: str) -> Order:
    """Ship a confirmed transfer: each line's reservation leaves the source as transfer_out (in transit at the
    destination) and is taken off order there (it is in transit now). A retry returns the order."""
    scope = uow.principal.scope(WRITE)
    order = get_order(uow, Scope(uow.tenant_id), order_id, lock=True)
    if order.kind != "transfer" or order.from_site_id is None or not scope.allows_site(order.from_site_id):
        raise ValidationFailed([FieldError(("order_id",), "only the source site dispatches a transfer order")])
    if order.dispatched_at is not None:
        return order
    if order.status != "confirmed":
        raise WrongStatus(f"order {order.number} is {order.status}: only a confirmed transfer is dispatched")
    with uow.session.begin_nested():
        for line in lines_of(uow, order.id, lock=True):
            if line.status != "open" or line.reservation_id is None:
                continue
            data = FulfilIn(move_type="transfer_out", to_site_id=order.site_id,
                            idempotency_key=f"purchasing:{line.id}:dispatch:{idempotency_key}")  # fmt: skip
            with on_inventory(uow, [RESERVE, MOVE], [order.from_site_id]):
                moves = fulfil(uow, line.reservation_id, data, owner=OWNER).moves
            line.transfer_move_ids = [m.id for m in moves]
            line.shipped_quantity = sum((-m.quantity for m in moves), ZERO)
            line.reservation_id = None  # shipped: nothing left to release
            take_off_order(uow, order, line, None, f"dispatched from the source: in transit ({order.number})",
                           "dispatch")  # fmt: skip
        order.dispatched_at = utcnow()
        uow.flush()
        history(uow, order, "dispatch", order.status)
    return order
