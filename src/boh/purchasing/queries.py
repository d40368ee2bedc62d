"""Read models of purchasing for the API and the console: order lists (filtered, paginated) and one order with
its lines, history, shipping notices, receipts and discrepancies. Items and sites are read-joined."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from boh.catalog.api import get_supplier_ref, item_view
from boh.kernel.errors import BohError
from boh.kernel.paging import page
from boh.kernel.tenancy import Scope
from boh.org.api import site_view
from boh.purchasing.errors import OrderNotFound
from boh.purchasing.models import Asn, AsnLine, Discrepancy, Order, OrderEvent, OrderLine, Receipt, ReceiptLine
from boh.purchasing.schemas import (
    AsnLineRead,
    AsnRead,
    DiscrepancyRead,
    OrderEventRead,
    OrderLineRead,
    OrderRead,
    OrderSummary,
    ReceiptRead,
)  # fmt: skip
from boh.purchasing.service._common import visible

EXACT = Decimal("0.000001")


def scoped(stmt: Select[Any], scope: Scope) -> Select[Any]:
    """Only what the scope may see: a supplier user its supplier's sent purchase orders; others the orders of
    their sites (as destination or a transfer's source)."""
    stmt = stmt.where(Order.tenant_id == scope.tenant_id)
    if scope.supplier_id is not None:
        return stmt.where(Order.supplier_id == scope.supplier_id, Order.kind == "purchase", Order.status != "draft")
    if scope.site_ids is not None:
        ids = sorted(scope.site_ids)
        stmt = stmt.where(or_(Order.site_id.in_(ids), Order.from_site_id.in_(ids)))
    return stmt


def _supplier_names(session: Session, tenant_id: int, ids: set[int]) -> dict[int, tuple[str, str | None]]:
    out = {}
    for sid in sorted(ids):
        try:
            ref = get_supplier_ref(session, tenant_id, sid)
            out[sid] = (ref.name, ref.name_zh)
        except BohError:
            continue
    return out


def list_orders(
    session: Session, scope: Scope, *, status: str | None = None, kind: str | None = None,
    site_id: int | None = None, supplier_id: int | None = None, open_only: bool = False,
    expected_from: date | None = None, expected_to: date | None = None, limit: int = 50, offset: int = 0,
) -> tuple[list[OrderSummary], int]:  # fmt: skip
    stmt = scoped(select(Order), scope)
    if status is not None:
        stmt = stmt.where(Order.status == status)
    if open_only:
        stmt = stmt.where(Order.status.in_(("draft", "confirmed", "partially_received")))
    if kind is not None:
        stmt = stmt.where(Order.kind == kind)
    if site_id is not None:
        stmt = stmt.where(Order.site_id == site_id)
    if supplier_id is not None:
        stmt = stmt.where(Order.supplier_id == supplier_id)
    if expected_from is not None:
        stmt = stmt.where(Order.expected_date >= expected_from)
    if expected_to is not None:
        stmt = stmt.where(Order.expected_date <= expected_to)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    orders = list(session.scalars(page(stmt.order_by(Order.id.desc()), limit, offset)))
    return summaries(session, scope.tenant_id, orders), int(total)


def summaries(session: Session, tenant_id: int, orders: list[Order]) -> list[OrderSummary]:
    if not orders:
        return []
    ids = [o.id for o in orders]
    agg: dict[int, list[Any]] = {}  # order id -> [lines, amount, pending]; exact sums in Python (SQLite)
    for oid, qty, factor, price, status, waiting in session.execute(
        select(OrderLine.order_id, OrderLine.quantity, OrderLine.purchase_factor, OrderLine.unit_price,
               OrderLine.status, OrderLine.response_pending).where(OrderLine.order_id.in_(ids))
    ):  # fmt: skip
        a = agg.setdefault(oid, [0, None, 0])
        a[0] += 1
        if price is not None and status != "cancelled":
            a[1] = (a[1] or Decimal(0)) + qty / factor * price
        a[2] += 1 if waiting else 0
    site = site_view()
    site_ids = {o.site_id for o in orders} | {o.from_site_id for o in orders if o.from_site_id}
    stmt = select(site.c.id, site.c.code).where(site.c.id.in_(sorted(site_ids)))
    codes: dict[int, str] = {sid: code for sid, code in session.execute(stmt)}
    names = _supplier_names(session, tenant_id, {o.supplier_id for o in orders if o.supplier_id})
    out = []
    for o in orders:
        n, amt, pending = agg.get(o.id, (0, None, 0))
        out.append(OrderSummary(
            id=o.id, number=o.number, kind=o.kind, status=o.status, site_id=o.site_id,
            site_code=codes.get(o.site_id, ""),
            supplier_id=o.supplier_id, supplier_name=names[o.supplier_id][0] if o.supplier_id in names else None,
            supplier_name_zh=names[o.supplier_id][1] if o.supplier_id in names else None,
            from_site_id=o.from_site_id, from_site_code=codes.get(o.from_site_id) if o.from_site_id else None,
            currency=o.currency, needed_by=o.needed_by, expected_date=o.expected_date, version=o.version,
            lines=int(n or 0), amount=None if amt is None else Decimal(amt).quantize(Decimal("0.01")),
            pending_responses=int(pending or 0), created_at=o.created_at, confirmed_at=o.confirmed_at,
        ))  # fmt: skip
    return out


def order_read(session: Session, scope: Scope, order_id: int) -> OrderRead:
    order = session.get(Order, order_id)
    if order is None or order.tenant_id != scope.tenant_id or not visible(scope, order):
        raise OrderNotFound(f"order {order_id} not found")
    [summary] = summaries(session, scope.tenant_id, [order])
    return OrderRead(
        **summary.model_dump(), note=order.note, line_items=_lines(session, order.id),
        history=_history(session, order.id), asns=_asns(session, order.id), receipts=_receipts(session, order.id),
        discrepancies=_discrepancies(session, order.id),
    )  # fmt: skip


def _lines(session: Session, order_id: int) -> list[OrderLineRead]:
    item = item_view()
    rows = session.execute(
        select(OrderLine, item.c.sku, item.c.name_en, item.c.name_zh, item.c.base_uom)
        .join(item, item.c.id == OrderLine.item_id).where(OrderLine.order_id == order_id).order_by(OrderLine.line_no)
    )  # fmt: skip
    out = []
    for ln, sku, name_en, name_zh, base_uom in rows:
        pq = (ln.quantity / ln.purchase_factor).quantize(EXACT).normalize()
        out.append(OrderLineRead(
            id=ln.id, line_no=ln.line_no, item_id=ln.item_id, sku=sku, name_en=name_en, name_zh=name_zh,
            base_uom=base_uom, quantity=ln.quantity, purchase_uom=ln.purchase_uom, purchase_factor=ln.purchase_factor,
            purchase_quantity=pq, unit_price=ln.unit_price,
            amount=None if ln.unit_price is None else (pq * ln.unit_price).quantize(Decimal("0.01")),
            expected_date=ln.expected_date, response=ln.response, response_pending=ln.response_pending,
            confirmed_quantity=ln.confirmed_quantity, confirmed_date=ln.confirmed_date,
            confirmed_price=ln.confirmed_price, response_reason=ln.response_reason,
            received_quantity=ln.received_quantity, rejected_quantity=ln.rejected_quantity,
            shipped_quantity=ln.shipped_quantity, status=ln.status, origin_type=ln.origin_type, origin_id=ln.origin_id,
        ))  # fmt: skip
    return out


def _history(session: Session, order_id: int) -> list[OrderEventRead]:
    rows = session.scalars(select(OrderEvent).where(OrderEvent.order_id == order_id).order_by(OrderEvent.id))
    return [OrderEventRead(action=e.action, from_status=e.from_status, to_status=e.to_status, version=e.version,
                           detail=e.detail or {}, actor=e.actor, at=e.at) for e in rows]  # fmt: skip


def _asns(session: Session, order_id: int) -> list[AsnRead]:
    asns = list(session.scalars(select(Asn).where(Asn.order_id == order_id).order_by(Asn.id)))
    lines: dict[int, list[AsnLineRead]] = {}
    if asns:
        ids = [a.id for a in asns]
        arrived = {(aid, lid): q for aid, lid, q in session.execute(
            select(Receipt.asn_id, ReceiptLine.order_line_id, func.sum(ReceiptLine.received + ReceiptLine.rejected))
            .join(Receipt, Receipt.id == ReceiptLine.receipt_id)
            .where(Receipt.asn_id.in_(ids))
            .group_by(Receipt.asn_id, ReceiptLine.order_line_id)
        )}  # fmt: skip
        stmt = select(AsnLine).where(AsnLine.asn_id.in_(ids)).order_by(AsnLine.id)
        for ln in session.scalars(stmt):
            lines.setdefault(ln.asn_id, []).append(
                AsnLineRead(order_line_id=ln.order_line_id, quantity=ln.quantity, lot_code=ln.lot_code,
                            expiry_date=ln.expiry_date, arrived=arrived.get((ln.asn_id, ln.order_line_id)) or 0)
            )  # fmt: skip
    return [AsnRead(id=a.id, number=a.number, expected_arrival=a.expected_arrival, status=a.status,
                    created_at=a.created_at, lines=lines.get(a.id, [])) for a in asns]  # fmt: skip


def _receipts(session: Session, order_id: int) -> list[ReceiptRead]:
    rows = session.scalars(select(Receipt).where(Receipt.order_id == order_id).order_by(Receipt.id))
    return [ReceiptRead(id=r.id, number=r.number, asn_id=r.asn_id, received_at=r.received_at,
                        received_by=r.received_by) for r in rows]  # fmt: skip


def _discrepancies(session: Session, order_id: int) -> list[DiscrepancyRead]:
    rows = session.scalars(select(Discrepancy).where(Discrepancy.order_id == order_id).order_by(Discrepancy.id))
    return [DiscrepancyRead(receipt_id=d.receipt_id, order_line_id=d.order_line_id, kind=d.kind, expected=d.expected,
                            actual=d.actual, reason=d.reason, asn_id=d.asn_id, expected_ref=d.expected_ref,
                            actual_ref=d.actual_ref) for d in rows]  # fmt: skip
