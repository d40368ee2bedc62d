"""The supplier's page (phone-friendly): its open purchase orders, one order's lines to confirm, change (with a
reason) or reject, and a shipping notice (quantities, lots, expiry dates, arrival)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from decimal import InvalidOperation
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, Response

from boh.http.deps import UowDep
from boh.http.i18n import gettext_ as _
from boh.http.pages import flash, redirect
from boh.http.templating import render
from boh.kernel.errors import ValidationFailed
from boh.kernel.uow import UnitOfWork
from boh.purchasing import queries, service
from boh.purchasing.pages._common import FormDep, day, dec, labels, router
from boh.purchasing.service import RESPOND


@router.get("/supplier", perm=RESPOND)
def supplier_home(request: Request, uow: UowDep) -> HTMLResponse:
    orders, _total = queries.list_orders(uow.session, uow.principal.scope(RESPOND), open_only=True, limit=200)
    return render(request, "purchasing/supplier.html", {"orders": orders, **labels()})


def _page(request: Request, uow: UnitOfWork, order_id: int, errors: dict[str, str] | None = None,
          status: int = 200) -> HTMLResponse:  # fmt: skip
    o = queries.order_read(uow.session, uow.principal.scope(RESPOND), order_id)
    ctx: dict[str, Any] = {"o": o, "errors": errors or {}, "key": uuid.uuid4().hex,
                           "open_lines": [ln for ln in o.line_items if ln.status == "open"], **labels()}  # fmt: skip
    return render(request, "purchasing/supplier_order.html", ctx, status_code=status)


@router.get("/supplier/orders/{order_id}", perm=RESPOND)
def supplier_order(request: Request, uow: UowDep, order_id: int) -> HTMLResponse:
    return _page(request, uow, order_id)


def _problems(e: ValidationFailed, ids: list[int], prefix: str) -> dict[str, str]:
    out = {}
    for err in e.errors:
        if len(err.loc) >= 3 and isinstance(err.loc[1], int) and err.loc[1] < len(ids):
            out[f"{prefix}{err.loc[2]}_{ids[err.loc[1]]}"] = _("Check this value")
    out["__all__"] = _("Nothing was sent: correct the marked lines.")
    return out


@router.post("/supplier/orders/{order_id}/respond", perm=RESPOND)
def respond(request: Request, uow: UowDep, order_id: int, data: FormDep) -> Response:
    o = queries.order_read(uow.session, uow.principal.scope(RESPOND), order_id)
    answers, ids, errors = [], [], {}
    for ln in o.line_items:
        action = data.get(f"action_{ln.id}", "")
        if action not in ("accept", "change", "reject"):
            continue
        try:
            qty, price = dec(data.get(f"quantity_{ln.id}")), dec(data.get(f"price_{ln.id}"))
            when = day(data.get(f"date_{ln.id}"))
        except (InvalidOperation, ValueError):
            errors[f"quantity_{ln.id}"] = _("Check this value")
            continue
        change = action == "change"
        reason = (data.get(f"reason_{ln.id}") or "").strip()[:200] or None
        answers.append(service.LineResponse(ln.id, action, quantity=qty if change else None,  # type: ignore[arg-type]
                                            expected_date=when if change else None,
                                            unit_price=price if change else None, reason=reason))  # fmt: skip
        ids.append(ln.id)
    if errors or not answers:
        errors.setdefault("__all__", _("Choose an answer for at least one line."))
        return _page(request, uow, order_id, errors, 422)
    try:
        service.respond(uow, order_id, answers)
    except ValidationFailed as e:
        uow.rollback()
        return _page(request, uow, order_id, _problems(e, ids, ""), 422)
    uow.commit()
    resp = redirect(f"/purchasing/supplier/orders/{order_id}")
    flash(resp, _("Your answer was sent"))
    return resp


@router.post("/supplier/orders/{order_id}/asn", perm=RESPOND)
def asn(request: Request, uow: UowDep, order_id: int, data: FormDep) -> Response:
    o = queries.order_read(uow.session, uow.principal.scope(RESPOND), order_id)
    lines, ids, errors = [], [], {}
    for ln in o.line_items:
        try:
            qty = dec(data.get(f"ship_{ln.id}"))
            expiry = day(data.get(f"expiry_{ln.id}"))
        except (InvalidOperation, ValueError):
            errors[f"ship_{ln.id}"] = _("Check this value")
            continue
        if qty:
            lot = (data.get(f"lot_{ln.id}") or "").strip()[:60] or None
            lines.append(service.AsnLineIn(ln.id, qty, lot, expiry))
            ids.append(ln.id)
    number = (data.get("number") or "").strip()[:60]
    if not number:
        errors["number"] = _("This value is required")
    try:
        arrival_day = day(data.get("arrival"))
    except ValueError:
        errors["arrival"], arrival_day = _("Not a date"), None
    if errors or not lines:
        errors.setdefault("__all__", _("Give the delivery note number and what you ship."))
        return _page(request, uow, order_id, errors, 422)
    arrival = datetime(arrival_day.year, arrival_day.month, arrival_day.day, tzinfo=UTC) if arrival_day else None
    try:
        service.send_asn(uow, order_id, number=number, expected_arrival=arrival, lines=lines,
                         idempotency_key=data.get("key") or uuid.uuid4().hex)  # fmt: skip
    except ValidationFailed as e:
        uow.rollback()
        return _page(request, uow, order_id, _problems(e, ids, "ship_"), 422)
    uow.commit()
    resp = redirect(f"/purchasing/supplier/orders/{order_id}")
    flash(resp, _("Your shipping notice was sent"))
    return resp
