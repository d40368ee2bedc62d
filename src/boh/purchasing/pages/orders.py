"""Order pages: the list (filters, pages), one order (lines, supplier answers, history, notices, receipts,
discrepancies) and the buyer's actions on it (send, cancel, close, decide on a supplier change, dispatch)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import Request
from fastapi.responses import HTMLResponse, Response

from boh.http.deps import UowDep
from boh.http.i18n import gettext_ as _
from boh.http.pages import flash, pager, redirect
from boh.http.pdf import pdf_response
from boh.http.templating import render
from boh.kernel.tenancy import Scope
from boh.org.api import actor_names, get_site_ref
from boh.purchasing import documents, mail, queries, service
from boh.purchasing.pages._common import STATUSES, FormDep, labels, router
from boh.purchasing.service import APPROVE, READ, RECEIVE, WRITE

PAGE_SIZE = 25


@router.get("/", perm=READ)
def home() -> Response:
    return redirect("/purchasing/orders")


@router.get("/orders", perm=READ)
def order_list(request: Request, uow: UowDep, status: str | None = None, kind: str | None = None,
               page: int = 1) -> HTMLResponse:  # fmt: skip
    status = status if status in STATUSES else None
    kind = kind if kind in ("purchase", "transfer") else None
    page = max(page, 1)
    items, total = queries.list_orders(uow.session, uow.principal.scope(READ), status=status, kind=kind,
                                       limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)  # fmt: skip
    ctx = {"orders": items, "status": status or "", "kind": kind or "",
           "pager": pager(total, page, PAGE_SIZE, {"status": status, "kind": kind}), **labels()}  # fmt: skip
    return render(request, "purchasing/orders.html", ctx)


def _detail(request: Request, uow: UowDep, order_id: int, status: int = 200, problem: str = "") -> HTMLResponse:
    scope = uow.principal.scope(READ)
    order = queries.order_read(uow.session, scope, order_id)
    names = actor_names(uow.session, uow.tenant_id, {h.actor for h in order.history} | {
        r.received_by for r in order.receipts})  # fmt: skip
    can = uow.principal.can
    open_ = order.status in ("confirmed", "partially_received")
    ctx: dict[str, Any] = {
        "o": order, "names": names, "problem": problem, "key": uuid.uuid4().hex,
        "can_approve": can(APPROVE) and scope.supplier_id is None,
        "can_receive": can(RECEIVE) and open_ and uow.principal.scope(RECEIVE).allows_site(order.site_id)
        and (order.kind == "purchase" or any(ln.shipped_quantity > 0 for ln in order.line_items)),
        "can_dispatch": can(WRITE) and order.kind == "transfer" and order.status == "confirmed"
        and not any(ln.shipped_quantity > 0 for ln in order.line_items)
        and uow.principal.scope(WRITE).allows_site(order.from_site_id),
        "lines_by_id": {ln.id: ln for ln in order.line_items}, "local": _local(uow, order.site_id), **labels(),
    }  # fmt: skip
    return render(request, "purchasing/order.html", ctx, status_code=status)


def _local(uow: UowDep, site_id: int) -> Callable[[datetime | None], datetime | None]:
    """Times in the order's site's timezone (what its people read)."""
    zone = ZoneInfo(get_site_ref(uow.session, Scope(uow.tenant_id), site_id, cached=True).timezone)
    return lambda dt: dt.astimezone(zone) if dt is not None else None


@router.get("/orders/{order_id}", perm=READ)
def order_page(request: Request, uow: UowDep, order_id: int) -> HTMLResponse:
    return _detail(request, uow, order_id)


@router.get("/orders/{order_id}/pdf", perm=READ)
def order_pdf(uow: UowDep, order_id: int) -> Response:
    order = queries.order_read(uow.session, uow.principal.scope(READ), order_id)
    content, _lang = documents.order_pdf(uow.session, uow.tenant_id, order)
    return pdf_response(content, f"{order.number}.pdf")


@router.post("/orders/{order_id}/resend", perm=APPROVE)
def resend(uow: UowDep, order_id: int, data: FormDep) -> Response:
    sent = mail.resend(uow, order_id, idempotency_key=(data.get("key") or uuid.uuid4().hex)[:80])
    uow.commit()
    resp = redirect(f"/purchasing/orders/{order_id}")
    flash(resp, _("The order was e-mailed to the supplier again") if sent else _("The order was already e-mailed"))
    return resp


@router.post("/orders/{order_id}/confirm", perm=APPROVE)
def confirm(uow: UowDep, order_id: int) -> Response:
    service.confirm(uow, order_id)
    uow.commit()
    resp = redirect(f"/purchasing/orders/{order_id}")
    flash(resp, _("The order was sent"))
    return resp


@router.post("/orders/{order_id}/cancel", perm=APPROVE)
def cancel(uow: UowDep, order_id: int, data: FormDep) -> Response:
    service.cancel(uow, order_id, reason=(data.get("reason") or "").strip()[:200] or _("Cancelled by the buyer"))
    uow.commit()
    resp = redirect(f"/purchasing/orders/{order_id}")
    flash(resp, _("The order was cancelled"))
    return resp


@router.post("/orders/{order_id}/close", perm=APPROVE)
def close(uow: UowDep, order_id: int, data: FormDep) -> Response:
    service.close(uow, order_id, reason=(data.get("reason") or "").strip()[:200] or _("Closed by the buyer"))
    uow.commit()
    resp = redirect(f"/purchasing/orders/{order_id}")
    flash(resp, _("The order was closed"))
    return resp


@router.post("/orders/{order_id}/lines/{order_line_id}/decision", perm=APPROVE)
def decide(uow: UowDep, order_id: int, order_line_id: int, data: FormDep) -> Response:
    accept = data.get("accept") == "yes"
    service.decide(uow, order_id, order_line_id, accept=accept, note=(data.get("note") or None))
    uow.commit()
    resp = redirect(f"/purchasing/orders/{order_id}")
    flash(resp, _("The supplier's change was accepted") if accept else _("The supplier's change was declined"))
    return resp


@router.post("/orders/{order_id}/dispatch", perm=WRITE)
def dispatch(uow: UowDep, order_id: int, data: FormDep) -> Response:
    service.dispatch(uow, order_id, idempotency_key=data.get("key") or uuid.uuid4().hex)
    uow.commit()
    resp = redirect(f"/purchasing/orders/{order_id}")
    flash(resp, _("The transfer is on its way"))
    return resp
