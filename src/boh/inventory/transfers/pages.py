"""Transfer document pages under /inventory/transfer-docs: a draft filled by scanning or with the item
picker (search by SKU, name in either language or barcode), shipping it, the transfer note as PDF; the
transfers page lists a site's outgoing and incoming documents with their state."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from html import escape
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, Response

from boh.catalog.api import search_items
from boh.http import pdf
from boh.http.deps import UowDep
from boh.http.i18n import fmt_decimal, localized_name
from boh.http.i18n import gettext_ as _
from boh.http.pages import N_, field_errors, flash, is_htmx, redirect, unit_label
from boh.http.templating import render
from boh.inventory.pages import _read
from boh.inventory.pages._common import READ, WRITE, FormDep, int_or_none, router
from boh.inventory.transfers import queries, service
from boh.kernel.errors import BohError, ValidationFailed
from boh.kernel.tenancy import Scope
from boh.kernel.uow import UnitOfWork

STATUSES = {
    "draft": N_("Being prepared"),
    "shipped": N_("On its way"),
    "partly_received": N_("Partly received"),
    "received": N_("Received"),
    "cancelled": N_("Cancelled"),
}


def doc_lists(uow: UnitOfWork) -> dict[str, Any]:
    """The transfers page's documents: outgoing from the user's sites, incoming to them."""
    scope = uow.principal.scope(READ)
    return {
        "outgoing_docs": queries.list_docs(uow.session, scope, outgoing=True),
        "incoming_docs": queries.list_docs(uow.session, scope, outgoing=False),
        "doc_statuses": STATUSES,
        "from_sites": _read.site_options(uow.session, uow.principal.scope(WRITE)) if uow.principal.can(WRITE) else [],
        "to_sites": _read.site_options(uow.session, Scope(uow.tenant_id)),
    }


@router.post("/transfer-docs", perm=WRITE)
def create(request: Request, uow: UowDep, data: FormDep) -> Response:
    doc = service.create(uow, from_site_id=int_or_none(data.get("from_site_id")) or 0,
                         to_site_id=int_or_none(data.get("to_site_id")) or 0)  # fmt: skip
    uow.commit()
    return redirect(f"/inventory/transfer-docs/{doc.id}")


def _page(request: Request, uow: UnitOfWork, doc_id: int, *, problem: str = "", status: int = 200,
          results: list[Any] | None = None, q: str = "") -> HTMLResponse:  # fmt: skip
    doc = service.get(uow, doc_id, READ, either_side=True)
    if problem and is_htmx(request):  # the console shows a refused request's answer in its error block
        return HTMLResponse(f'<p data-testid="doc-problem">{escape(problem)}</p>', status_code=status)
    codes = {s.id: s for s in _read.site_options(uow.session, Scope(uow.tenant_id))}
    p = uow.principal
    ctx = {
        "doc": doc, "lines": queries.doc_lines(uow.session, doc), "codes": codes, "statuses": STATUSES,
        "problem": problem, "results": results or [], "q": q,
        "editable": doc.status == "draft" and p.can(WRITE) and p.scope(WRITE).allows_site(doc.from_site_id),
    }  # fmt: skip
    name = "inventory/transfer_docs/_lines.html" if is_htmx(request) else "inventory/transfer_docs/doc.html"
    return render(request, name, ctx, status_code=status)


@router.get("/transfer-docs/{doc_id}", perm=READ)
def doc_page(request: Request, uow: UowDep, doc_id: int) -> HTMLResponse:
    return _page(request, uow, doc_id)


@router.get("/transfer-docs/{doc_id}/search", perm=WRITE)
def picker(request: Request, uow: UowDep, doc_id: int, q: str = "") -> HTMLResponse:
    """The item picker's results (an htmx partial): SKU, English or Chinese name, or barcode."""
    service.get(uow, doc_id)
    items = search_items(uow.session, uow.tenant_id, q, 12)
    return render(request, "inventory/transfer_docs/_picker.html", {"items": items, "doc_id": doc_id, "q": q})


def _qty(text: str | None) -> Decimal | None:
    try:
        d = Decimal((text or "1").strip() or "1")
    except InvalidOperation:
        return None
    return d if d.is_finite() and d > 0 else None


@router.post("/transfer-docs/{doc_id}/lines", perm=WRITE)
def add_line(request: Request, uow: UowDep, doc_id: int, data: FormDep) -> Response:
    qty = _qty(data.get("qty"))
    if qty is None:
        return _page(request, uow, doc_id, problem=_("Enter a positive quantity"), status=422)
    try:
        service.add(uow, doc_id, quantity=qty, code=data.get("code", ""), item_id=int_or_none(data.get("item_id")))
    except ValidationFailed:
        uow.rollback()
        return _page(request, uow, doc_id, problem=_("No item has this SKU or barcode."), status=422)
    uow.commit()
    return _page(request, uow, doc_id) if is_htmx(request) else redirect(f"/inventory/transfer-docs/{doc_id}")


@router.post("/transfer-docs/{doc_id}/quantity", perm=WRITE)
def change_line(request: Request, uow: UowDep, doc_id: int, data: FormDep) -> Response:
    try:
        qty = Decimal(data.get("quantity") or "0")
        service.set_quantity(uow, doc_id, int_or_none(data.get("line_id")) or 0, qty)
    except (InvalidOperation, ValidationFailed):
        uow.rollback()
        return _page(request, uow, doc_id, problem=_("Enter zero or more"), status=422)
    uow.commit()
    return _page(request, uow, doc_id) if is_htmx(request) else redirect(f"/inventory/transfer-docs/{doc_id}")


@router.post("/transfer-docs/{doc_id}/ship", perm=WRITE)
def ship(request: Request, uow: UowDep, doc_id: int) -> Response:
    try:
        doc = service.ship(uow, doc_id)
    except BohError as exc:
        uow.rollback()
        detail = "; ".join(field_errors(exc.errors).values()) if isinstance(exc, ValidationFailed) else exc.detail
        return _page(request, uow, doc_id, problem=detail, status=exc.status)
    uow.commit()
    response = redirect(f"/inventory/transfer-docs/{doc_id}")
    flash(response, _("Transfer %(number)s shipped.") % {"number": doc.number})
    return response


@router.get("/transfer-docs/{doc_id}/pdf", perm=READ)
def transfer_note(request: Request, uow: UowDep, doc_id: int) -> Response:
    doc = service.get(uow, doc_id, READ, either_side=True)
    sites = {s.id: s for s in _read.site_options(uow.session, Scope(uow.tenant_id))}

    def site(sid: int) -> str:
        s = sites.get(sid)
        return f"{s.code} {localized_name(s.name, s.name_zh)}" if s else str(sid)

    lines = queries.doc_lines(uow.session, doc)
    note = pdf.Document(
        title=_("Transfer note"), number=doc.number,
        fields=[(_("From"), site(doc.from_site_id)), (_("To"), site(doc.to_site_id)),
                (_("Status"), _(STATUSES.get(doc.status, doc.status)))],
        columns=[_("Item"), _("Lot"), _("Quantity"), _("Received")],
        rows=[[f"{ln.sku} {localized_name(ln.name_en, ln.name_zh)}", ln.lot_code or "",
               f"{fmt_decimal(ln.quantity)} {unit_label(ln.uom)}", ""] for ln in lines],
        numeric=frozenset({2}), blank_columns=frozenset({3}),
        signatures=[_("Shipped by"), _("Received by")],
    )  # fmt: skip
    return pdf.pdf_response(pdf.render(note), f"{doc.number}.pdf")
