"""Shared parts of the purchasing use cases: permissions, loading a document in the caller's scope, its
history, acting on inventory for a document."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select

from boh.kernel.clock import utcnow
from boh.kernel.tenancy import Scope
from boh.kernel.uow import UnitOfWork
from boh.org.api import get_site_ref
from boh.purchasing import domain
from boh.purchasing.errors import OrderNotFound, WrongStatus
from boh.purchasing.models import Order, OrderEvent, OrderLine

READ = "purchasing.order.read"
WRITE = "purchasing.order.write"
APPROVE = "purchasing.order.approve"
RECEIVE = "purchasing.receive"
RESPOND = "purchasing.supplier.respond"
SCORECARD = "purchasing.scorecard.read"

INCOMING = "inventory.incoming.write"
RESERVE = "inventory.reservation.write"
MOVE = "inventory.move.write"
HOLD = "inventory.lot.hold"
# purchasing owns what its orders put on order or reserve in inventory: only purchasing's receiving receives
# it (inventory's own receiving hands it off to ``receive_link``), so every delivery of an order is seen here
OWNER = "purchasing"


def receive_link(order: Order) -> str:
    """The page where an order's deliveries are received (set on its expected receipts in inventory)."""
    return f"/purchasing/orders/{order.id}/receive"


def visible(scope: Scope, order: Order) -> bool:
    """A supplier user sees its own supplier's purchase orders once sent; others the orders of their sites
    (a transfer's source site too)."""
    if scope.supplier_id is not None:
        return order.kind == "purchase" and order.supplier_id == scope.supplier_id and order.status != "draft"
    return scope.allows_site(order.site_id) or (
        order.from_site_id is not None and scope.allows_site(order.from_site_id)
    )


def get_order(uow: UnitOfWork, scope: Scope, order_id: int, *, lock: bool = False) -> Order:
    stmt = select(Order).where(Order.tenant_id == scope.tenant_id, Order.id == order_id)
    if lock:
        stmt = stmt.with_for_update()
    order = uow.session.scalars(stmt).one_or_none()
    if order is None or not visible(scope, order):
        raise OrderNotFound(f"order {order_id} not found")
    return order


def lines_of(uow: UnitOfWork, order_id: int, *, lock: bool = False) -> list[OrderLine]:
    stmt = select(OrderLine).where(OrderLine.order_id == order_id).order_by(OrderLine.line_no)
    if lock:
        stmt = stmt.with_for_update()
    return list(uow.session.scalars(stmt))


def require(order: Order, action: str) -> None:
    if not domain.allowed(action, order.status):
        raise WrongStatus(
            f"order {order.number} is {order.status}: it cannot be {action}ed", status=order.status, action=action
        )


def history(uow: UnitOfWork, order: Order, action: str, from_status: str | None, **detail: Any) -> None:
    """One row of the document's history and its audit record (the version it made)."""
    uow.session.add(
        OrderEvent(
            tenant_id=order.tenant_id, order_id=order.id, action=action, from_status=from_status,
            to_status=order.status, version=order.version, detail=detail, actor=uow.principal.actor, at=utcnow(),
        )
    )  # fmt: skip
    uow.audit(
        f"purchasing.order.{action}", "purchasing_order", order.id,
        before={"status": from_status} if from_status else None,
        after={"status": order.status, "version": order.version, "number": order.number, **detail},
    )  # fmt: skip


def site_today(uow: UnitOfWork, site_id: int) -> date:
    tz = get_site_ref(uow.session, Scope(uow.tenant_id), site_id, cached=True).timezone
    return utcnow().astimezone(ZoneInfo(tz)).date()


def in_days(uow: UnitOfWork, site_id: int, days: int) -> date:
    return site_today(uow, site_id) + timedelta(days=days)


@contextmanager
def on_inventory(uow: UnitOfWork, perms: Iterable[str], site_ids: Iterable[int]) -> Iterator[None]:
    """Act on inventory for a document the caller may handle (checked before with a purchasing permission):
    as the same person (the ledger names them), holding only these inventory permissions at these sites.
    A receiver needs no general right to post receipts or change what is on order."""
    sites = frozenset(site_ids)
    principal = dataclasses.replace(uow.principal, grants={p: sites for p in perms})
    with uow.acting_as(principal):
        yield
