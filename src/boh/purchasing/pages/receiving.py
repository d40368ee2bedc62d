"""Receiving by scanning, on a phone: the deliveries a site expects, and one order's receipt. The page keeps
what was scanned in its own form (no draft is stored): a scan posts the form with the code, the server resolves
the code (SKU, GTIN, GS1-128 with lot and expiry), adds the scanned units to the order's line of that item and
sends the lines back; posting the form receives every line through the ledger at once."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select

from boh.catalog.api import find_item
from boh.http.deps import UowDep
from boh.http.i18n import gettext_ as _
from boh.http.pages import flash, is_htmx, redirect
from boh.http.templating import render
from boh.kernel.errors import BohError, ValidationFailed
from boh.kernel.uow import UnitOfWork
from boh.org.api import site_view
from boh.purchasing import queries, service
from boh.purchasing.pages._common import ERRORS, REASONS, FormDep, day, dec, labels, router
from boh.purchasing.schemas import OrderRead
from boh.purchasing.service import RECEIVE
from boh.purchasing.service.notices import TAKES_RECEIPTS

ZERO = Decimal(0)


@dataclass(frozen=True)
class RecvLine:
    id: int
    item_id: int
    sku: str
    name_en: str
    name_zh: str | None
    uom: str
    due: Decimal
    announced: Decimal | None  # on the latest shipping notice, less what arrived against it already
    received: Decimal = ZERO
    rejected: Decimal = ZERO
    reason: str = ""
    lot: str = ""
    expiry: date | None = None
    close: bool = False
    counted: bool = False


@router.get("/receiving", perm=RECEIVE)
def to_receive(request: Request, uow: UowDep) -> HTMLResponse:
    scope = uow.principal.scope(RECEIVE)
    orders, _total = queries.list_orders(uow.session, scope, open_only=True, limit=200)
    mine = [o for o in orders if o.status != "draft" and scope.allows_site(o.site_id)]
    mine.sort(key=lambda o: (o.expected_date or date.max, o.id))
    site = site_view()
    names = {sid: (code, name, zh) for sid, code, name, zh in uow.session.execute(
        select(site.c.id, site.c.code, site.c.name, site.c.name_zh).where(site.c.id.in_({o.site_id for o in mine}))
    )}  # fmt: skip
    return render(request, "purchasing/receiving.html", {"orders": mine, "sites": names, **labels()})


def _order(uow: UnitOfWork, order_id: int) -> OrderRead:
    return queries.order_read(uow.session, uow.principal.scope(RECEIVE), order_id)


def _lines(o: OrderRead) -> list[RecvLine]:
    asn = o.asns[-1] if o.asns else None
    announced = {ln.order_line_id: ln for ln in asn.lines} if asn and asn.status in TAKES_RECEIPTS else {}
    out = []
    for ln in o.line_items:
        if ln.status != "open":
            continue
        due = ln.shipped_quantity if o.kind == "transfer" else ln.quantity - ln.received_quantity - ln.rejected_quantity
        a = announced.get(ln.id)
        out.append(RecvLine(
            id=ln.id, item_id=ln.item_id, sku=ln.sku, name_en=ln.name_en, name_zh=ln.name_zh, uom=ln.base_uom, due=due,
            announced=max(a.quantity - a.arrived, ZERO) if a else None, received=due if o.kind == "transfer" else ZERO,
            lot=(a.lot_code or "") if a else "", expiry=a.expiry_date if a else None,
        ))  # fmt: skip
    return out


def _from_form(lines: list[RecvLine], data: dict[str, str], errors: dict[str, str]) -> list[RecvLine]:
    out = []
    for ln in lines:
        values: dict[str, Any] = {}
        for field in ("received", "rejected"):
            key = f"{field}_{ln.id}"
            if key in data:
                try:
                    values[field] = dec(data[key]) or ZERO
                except InvalidOperation:
                    errors[key] = _("Not a number")
        try:
            values["expiry"] = day(data.get(f"expiry_{ln.id}")) if f"expiry_{ln.id}" in data else ln.expiry
        except ValueError:
            errors[f"expiry_{ln.id}"] = _("Not a date")
        reason = data.get(f"reason_{ln.id}", ln.reason)
        values |= {
            "lot": data.get(f"lot_{ln.id}", ln.lot).strip()[:60], "reason": reason if reason in REASONS else "",
            "close": data.get(f"close_{ln.id}") == "on", "counted": data.get(f"counted_{ln.id}") == "1",
        }  # fmt: skip
        out.append(replace(ln, **values))
    return out


def _render(request: Request, o: OrderRead, lines: list[RecvLine], key: str, *,
            errors: dict[str, str] | None = None, scanned: str = "", problem: str = "", status: int = 200,
            fragment: bool = False) -> HTMLResponse:  # fmt: skip
    asn = o.asns[-1] if o.asns and o.asns[-1].status in TAKES_RECEIPTS else None
    ctx = {"o": o, "lines": lines, "key": key, "errors": errors or {}, "scanned": scanned, "problem": problem,
           "asn_id": asn.id if asn else "",
           "counted": sum(1 for ln in lines if ln.counted), **labels()}  # fmt: skip
    name = "purchasing/_receive_lines.html" if fragment else "purchasing/receive.html"
    return render(request, name, ctx, status_code=status)


@router.get("/orders/{order_id}/receive", perm=RECEIVE)
def receive_page(request: Request, uow: UowDep, order_id: int) -> HTMLResponse:
    o = _order(uow, order_id)
    return _render(request, o, _lines(o), uuid.uuid4().hex)


@router.post("/orders/{order_id}/receive/scan", perm=RECEIVE)
def scan(request: Request, uow: UowDep, order_id: int, data: FormDep) -> HTMLResponse:
    o = _order(uow, order_id)
    errors: dict[str, str] = {}
    lines = _from_form(_lines(o), data, errors)
    key, code, fragment = data.get("key") or uuid.uuid4().hex, (data.get("code") or "").strip(), is_htmx(request)
    try:
        per_scan = dec(data.get("qty")) or Decimal(1)
        if per_scan <= 0:
            raise InvalidOperation
    except InvalidOperation:
        return _render(request, o, lines, key, scanned=code or "?", problem=_("Enter a positive quantity"),
                       status=422, fragment=fragment)  # fmt: skip
    found = find_item(uow.session, uow.tenant_id, code) if code else None
    target = next((ln for ln in lines if found and ln.item_id == found.item.id), None)
    if found is None or target is None:
        problem = _("No item has this SKU or barcode.") if found is None else _("This item is not on the order.")
        return _render(request, o, lines, key, scanned=code or "?", problem=problem, status=422, fragment=fragment)
    s = found.scanned
    lot = (s.scan.lot if s else None) or target.lot
    expiry = ((s.scan.expiry or s.scan.best_before) if s else None) or target.expiry
    added = per_scan * (s.base_qty if s else Decimal(1))
    lines = [replace(ln, received=ln.received + added, lot=lot or "", expiry=expiry, counted=True)
             if ln.id == target.id else ln for ln in lines]  # fmt: skip
    return _render(request, o, lines, key, scanned=code, fragment=fragment)


@router.post("/orders/{order_id}/receive", perm=RECEIVE)
def post_receipt(request: Request, uow: UowDep, order_id: int, data: FormDep) -> Response:
    o = _order(uow, order_id)
    errors: dict[str, str] = {}
    lines = _from_form(_lines(o), data, errors)
    key = data.get("key") or uuid.uuid4().hex
    if errors:
        return _render(request, o, lines, key, errors=errors, status=422)
    # a shipped transfer line is always received (one shipment), even when all of it is missing
    wanted = [service.ReceiptLineIn(line_id=ln.id, received=ln.received, rejected=ln.rejected,
                                    reason=ln.reason or None, lot_code=ln.lot or None, expiry_date=ln.expiry,
                                    close=ln.close or o.kind == "transfer")
              for ln in lines if ln.received > 0 or ln.rejected > 0 or ln.close
              or (o.kind == "transfer" and ln.due > 0)]  # fmt: skip
    try:
        asn = o.asns[-1] if o.asns and o.asns[-1].status in TAKES_RECEIPTS else None
        receipt = service.receive_goods(
            uow, order_id, lines=wanted, idempotency_key=key, asn_id=asn.id if asn else None
        )
    except ValidationFailed as e:
        uow.rollback()
        by_index = {i: ln for i, ln in enumerate(wanted)}
        for err in e.errors:
            target = by_index.get(int(err.loc[1])) if len(err.loc) > 2 and isinstance(err.loc[1], int) else None
            field = {"reason": "reason", "received": "received", "line_id": "received"}.get(
                str(err.loc[-1]), "received"
            )
            msg = _(ERRORS[err.code]) if err.code in ERRORS else _("Check this value")
            errors[f"{field}_{target.line_id}" if target else "__all__"] = msg
        errors.setdefault("__all__", _("Nothing was received: correct the marked lines."))
        return _render(request, o, lines, key, errors=errors, status=422)
    except BohError as e:
        uow.rollback()
        msg = _(ERRORS[e.code]) if e.code in ERRORS else e.detail
        return _render(request, o, lines, key, errors={"__all__": msg}, status=409)
    number = receipt.number
    uow.commit()
    resp = redirect(f"/purchasing/orders/{order_id}")
    flash(resp, _("Received: %(number)s") % {"number": number})
    return resp
