"""Public API of purchasing for the domains above it (replenishment, finance): place orders, read what is
on order, the suppliers' observed lead times and scorecards. Commands take the caller's unit of work (the
caller commits)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from boh.kernel.uow import UnitOfWork
from boh.purchasing import domain
from boh.purchasing.models import Order, OrderLine
from boh.purchasing.scorecard import LeadTimeStats, ScoreRow, observed_lead_times, scorecard
from boh.purchasing.service import placing
from boh.purchasing.service.placing import OrderRequest, PlacedOrder

__all__ = [
    "LeadTimeStats",
    "OpenOrderLine",
    "OrderRequest",
    "PlacedOrder",
    "ScoreRow",
    "observed_lead_times",
    "open_order_lines",
    "place_orders",
    "scorecard",
]


def place_orders(
    uow: UnitOfWork, requests: Sequence[OrderRequest], *, confirm: bool = False, idempotency_key: str | None = None
) -> list[PlacedOrder]:
    """Turn order requests into documents: one per (kind, destination site, supplier or source site), in the
    supplier's currency and terms (purchase unit, price with its breaks, lead time for the expected date when
    ``needed_by`` is not given); drafts, or confirmed (on order, transfers reserved at the source) with
    ``confirm``. All or nothing: ValidationFailed lists every bad request (loc ``("requests", index, field)``)
    and nothing is written. With ``idempotency_key`` a retry returns the first answer (the orders' current
    status); the same key with other requests is IdempotencyKeyReused (409).

    Needs purchasing.order.write (purchasing.order.approve with ``confirm``) at every destination site."""
    return placing.place_orders(uow, requests, confirm=confirm, idempotency_key=idempotency_key)


@dataclass(frozen=True)
class OpenOrderLine:
    """A line still to arrive: what is open of it (base units) and when it is expected."""

    order_id: int
    number: str
    kind: str
    site_id: int
    item_id: int
    supplier_id: int | None
    from_site_id: int | None
    status: str  # draft lines are proposed, not yet on order
    open_quantity: Decimal
    expected_date: date | None


def open_order_lines(
    session: Session, tenant_id: int, *, site_ids: Iterable[int] | None = None, item_ids: Iterable[int] | None = None,
    include_drafts: bool = True,
) -> list[OpenOrderLine]:  # fmt: skip
    """Lines of draft and open orders with what is still to arrive, for the replenishment run (confirmed
    lines are also in inventory's on_order / in_transit; drafts are not: avoid ordering twice)."""
    statuses = (("draft",) if include_drafts else ()) + domain.OPEN
    stmt = (
        select(Order.id, Order.number, Order.kind, Order.site_id, OrderLine.item_id, Order.supplier_id,
               Order.from_site_id, Order.status, OrderLine.quantity, OrderLine.received_quantity,
               OrderLine.rejected_quantity, OrderLine.expected_date)
        .join(OrderLine, OrderLine.order_id == Order.id)
        .where(Order.tenant_id == tenant_id, Order.status.in_(statuses), OrderLine.status == "open")
        .order_by(Order.id, OrderLine.line_no)
    )  # fmt: skip
    if site_ids is not None:
        stmt = stmt.where(Order.site_id.in_(sorted(set(site_ids))))
    if item_ids is not None:
        stmt = stmt.where(OrderLine.item_id.in_(sorted(set(item_ids))))
    out = []
    for oid, num, kind, site, item, sup, src, status, qty, rec, rej, exp in session.execute(stmt):
        left = qty - rec - rej
        if left > 0:
            out.append(OpenOrderLine(oid, num, kind, site, item, sup, src, status, left, exp))
    return out
