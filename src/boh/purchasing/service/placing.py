"""Placing orders: requests (from a person or the replenishment run) grouped into one draft or confirmed
document per (kind, destination site, supplier or source site), all or nothing, idempotent on a key."""

from __future__ import annotations

import dataclasses
import hashlib
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Literal

from sqlalchemy import select

from boh.catalog.api import SupplierRef, SupplierTerms, existing_item_ids, get_supplier_ref, supplier_terms
from boh.kernel.errors import BohError, FieldError, ValidationFailed
from boh.kernel.events import canonical_json
from boh.kernel.tenancy import Scope
from boh.kernel.uow import UnitOfWork
from boh.org.api import get_site_ref
from boh.purchasing import domain
from boh.purchasing.errors import IdempotencyKeyReused
from boh.purchasing.models import Order, OrderLine, PlaceRequest
from boh.purchasing.service._common import APPROVE, WRITE, history, in_days

EXACT = Decimal("0.000001")


@dataclass(frozen=True)
class OrderRequest:
    """One line to order. ``quantity`` in the item's base unit; ``unit_price`` per base unit (None: from the
    supplier's terms, price breaks applied); ``currency`` must be the supplier's when given."""

    site_id: int
    item_id: int
    quantity: Decimal
    source: Literal["supplier", "site"]
    supplier_id: int | None = None
    from_site_id: int | None = None
    needed_by: date | None = None
    unit_price: Decimal | None = None
    currency: str | None = None
    origin_type: str = "manual"
    origin_id: str | None = None
    note: str | None = None


@dataclass(frozen=True)
class PlacedOrder:
    order_id: int
    number: str
    kind: str
    status: str
    line_ids: tuple[int, ...]


@dataclass(frozen=True)
class _Checked:
    index: int
    request: OrderRequest
    kind: str
    supplier: SupplierRef | None
    terms: SupplierTerms | None


def _fingerprint(requests: Sequence[OrderRequest], confirm: bool) -> str:
    body = canonical_json({"confirm": confirm, "requests": [dataclasses.asdict(r) for r in requests]})
    return hashlib.sha256(body.encode()).hexdigest()


def _placed(uow: UnitOfWork, order_ids: Sequence[int]) -> list[PlacedOrder]:
    orders = {o.id: o for o in uow.session.scalars(select(Order).where(Order.id.in_(order_ids)))}
    lines: dict[int, list[int]] = {}
    for oid, lid in uow.session.execute(
        select(OrderLine.order_id, OrderLine.id).where(OrderLine.order_id.in_(order_ids)).order_by(OrderLine.line_no)
    ):
        lines.setdefault(oid, []).append(lid)
    return [
        PlacedOrder(orders[i].id, orders[i].number, orders[i].kind, orders[i].status, tuple(lines.get(i, ())))
        for i in order_ids
    ]


def _check(uow: UnitOfWork, requests: Sequence[OrderRequest]) -> list[_Checked]:
    """Every request checked, every problem reported at once (loc: index, field)."""
    scope = uow.principal.scope(WRITE)
    errors: list[FieldError] = []
    items = existing_item_ids(uow.session, uow.tenant_id, [r.item_id for r in requests])
    suppliers: dict[int, SupplierRef | None] = {}
    out: list[_Checked] = []

    def err(i: int, field: str, msg: str, code: str = "invalid") -> None:
        errors.append(FieldError(("requests", i, field), msg, code))

    for i, r in enumerate(requests):
        n = len(errors)
        if r.quantity <= 0:
            err(i, "quantity", "must be more than 0")
        try:
            get_site_ref(uow.session, scope, r.site_id, cached=True)
        except BohError:
            err(i, "site_id", f"unknown site {r.site_id}", "org.site_not_found")
        if r.item_id not in items:
            err(i, "item_id", f"unknown item {r.item_id}", "catalog.item_not_found")
        supplier = terms = None
        if r.source == "supplier":
            if r.supplier_id is None or r.from_site_id is not None:
                err(i, "supplier_id", "an order from a supplier names the supplier_id and no from_site_id")
            else:
                if r.supplier_id not in suppliers:
                    try:
                        suppliers[r.supplier_id] = get_supplier_ref(uow.session, uow.tenant_id, r.supplier_id)
                    except BohError:
                        suppliers[r.supplier_id] = None
                supplier = suppliers[r.supplier_id]
                if supplier is None or not supplier.active:
                    err(i, "supplier_id", f"unknown or inactive supplier {r.supplier_id}", "catalog.supplier_not_found")
                elif r.item_id in items:
                    terms = supplier_terms(uow.session, uow.tenant_id, r.supplier_id, r.item_id)
                    if terms is None and r.unit_price is None:
                        err(i, "item_id", f"supplier {supplier.code} does not sell item {r.item_id}",
                            "purchasing.not_sold_by_supplier")  # fmt: skip
                if supplier is not None and r.currency is not None and r.currency != supplier.currency:
                    err(i, "currency", f"supplier {supplier.code} trades in {supplier.currency}")
        elif r.source == "site":
            if r.from_site_id is None or r.supplier_id is not None or r.from_site_id == r.site_id:
                err(i, "from_site_id", "a transfer names another site as from_site_id and no supplier_id")
            else:
                try:  # the source may be any site of the tenant (a DC), not only the caller's
                    get_site_ref(uow.session, Scope(uow.tenant_id), r.from_site_id, cached=True)
                except BohError:
                    err(i, "from_site_id", f"unknown site {r.from_site_id}", "org.site_not_found")
        else:
            err(i, "source", "must be supplier or site")
        if r.unit_price is not None and r.unit_price < 0:
            err(i, "unit_price", "must not be negative")
        if len(errors) == n:
            kind = "purchase" if r.source == "supplier" else "transfer"
            out.append(_Checked(i, r, kind, supplier, terms))
    if errors:
        raise ValidationFailed(errors, "Some order requests are not valid; nothing was ordered")
    return out


def _line(order: Order, no: int, c: _Checked, expected: date | None) -> OrderLine:
    r, t = c.request, c.terms
    factor = t.purchase_factor if t is not None else Decimal(1)
    price: Decimal | None = None
    if c.kind == "purchase":
        if r.unit_price is not None:
            price = (r.unit_price * factor).quantize(EXACT)
        elif t is not None:
            price = t.unit_price((r.quantity / factor).quantize(EXACT))
    return OrderLine(
        tenant_id=order.tenant_id, order_id=order.id, line_no=no, item_id=r.item_id, quantity=r.quantity,
        purchase_uom=t.purchase_uom if t is not None else None, purchase_factor=factor, unit_price=price,
        needed_by=r.needed_by, expected_date=expected, response="none", response_pending=False,
        received_quantity=Decimal(0), rejected_quantity=Decimal(0), shipped_quantity=Decimal(0), status="open",
        transfer_move_ids=[], origin_type=r.origin_type, origin_id=r.origin_id, note=r.note,
    )  # fmt: skip


def _expected(uow: UnitOfWork, c: _Checked) -> date:
    if c.request.needed_by is not None:
        return c.request.needed_by
    lead = c.terms.lead_time_days if c.terms is not None else 1
    return in_days(uow, c.request.site_id, lead)


def _create(uow: UnitOfWork, group: list[_Checked]) -> Order:
    first = group[0]
    r = first.request
    site = get_site_ref(uow.session, uow.principal.scope(WRITE), r.site_id, cached=True)
    expected = {c.index: _expected(uow, c) for c in group}
    order = Order(
        tenant_id=uow.tenant_id, number=f"new-{uuid.uuid4().hex}", kind=first.kind, status="draft",
        site_id=r.site_id, supplier_id=r.supplier_id if first.kind == "purchase" else None,
        from_site_id=r.from_site_id if first.kind == "transfer" else None,
        currency=first.supplier.currency if first.supplier is not None else None,
        needed_by=min((c.request.needed_by for c in group if c.request.needed_by), default=None),
        expected_date=max(expected.values()), version=1, created_by=uow.principal.actor,
    )  # fmt: skip
    uow.session.add(order)
    uow.session.flush()
    order.number = domain.number(order.kind, site.code, order.id)
    for no, c in enumerate(group, start=1):
        uow.session.add(_line(order, no, c, expected[c.index]))
    uow.session.flush()
    history(uow, order, "create", None, lines=len(group), origin=sorted({c.request.origin_type for c in group}))
    return order


def place_orders(
    uow: UnitOfWork, requests: Sequence[OrderRequest], *, confirm: bool = False, idempotency_key: str | None = None
) -> list[PlacedOrder]:
    """See ``boh.purchasing.api.place_orders``."""
    from boh.purchasing.service.lifecycle import confirm as confirm_order

    uow.principal.scope(APPROVE if confirm else WRITE)
    fingerprint = _fingerprint(requests, confirm)
    if idempotency_key is not None:
        done = uow.session.scalars(
            select(PlaceRequest).where(PlaceRequest.tenant_id == uow.tenant_id,
                                       PlaceRequest.idempotency_key == idempotency_key)
        ).one_or_none()  # fmt: skip
        if done is not None:
            if done.fingerprint != fingerprint:
                raise IdempotencyKeyReused(f"idempotency key '{idempotency_key}' was used for other requests")
            return _placed(uow, done.order_ids)
    if not requests:
        raise ValidationFailed([FieldError(("requests",), "nothing to order")])
    checked = _check(uow, requests)
    groups: dict[tuple[str, int, int], list[_Checked]] = {}
    for c in checked:
        r = c.request
        groups.setdefault(domain.group_key(c.kind, r.site_id, r.supplier_id, r.from_site_id), []).append(c)
    with uow.session.begin_nested():
        orders = [_create(uow, groups[k]) for k in sorted(groups)]
        if confirm:
            for order in orders:
                confirm_order(uow, order.id)
        ids = [o.id for o in orders]
        if idempotency_key is not None:
            uow.session.add(PlaceRequest(tenant_id=uow.tenant_id, idempotency_key=idempotency_key,
                                         fingerprint=fingerprint, order_ids=ids))  # fmt: skip
        uow.session.flush()
    return _placed(uow, ids)
