"""Receiving pages under /inventory/receiving: what a site has to receive, a receipt being filled (scan,
quantities, lots, reasons, the delivery note's photo), posting it, and its printable PDF."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from fastapi import Request, UploadFile
from fastapi.responses import HTMLResponse, Response

from boh.http.deps import UowDep
from boh.http.i18n import gettext_ as _
from boh.http.pages import NavLink, field_errors, flash, is_htmx, redirect
from boh.http.pdf import pdf_response
from boh.http.templating import render
from boh.inventory.commitments.errors import OwnedElsewhere
from boh.inventory.pages import _read
from boh.inventory.pages._common import READ, WRITE, FormDep, int_or_none, pick_site, router
from boh.inventory.receiving import documents, domain, queries, service
from boh.inventory.receiving.errors import ReceiptNotFound
from boh.kernel.blobs import open_blob_store
from boh.kernel.errors import BohError, FieldError, ValidationFailed
from boh.kernel.uow import UnitOfWork

# No menu entry of its own: store staff have one receiving entry point, purchasing's "Receive deliveries"
# (orders' deliveries, with their checks), which links here for deliveries no order owns (unannounced ones,
# transfers sent without an order).
NAV: list[NavLink] = []
PHOTO_TYPES = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp", "image/heic": "heic"}
MAX_PHOTO = 10 * 1024 * 1024


@router.get("/receiving", perm=READ)
def receiving(request: Request, uow: UowDep, site_id: str | None = None) -> HTMLResponse:
    sites = _read.site_options(uow.session, uow.principal.scope(READ))
    site = pick_site(sites, int_or_none(site_id))
    ctx: dict[str, Any] = {"sites": sites, "site": site, "expected": [], "recent": [], "key": uuid.uuid4().hex}
    if site is not None:
        ctx["expected"] = queries.to_receive(uow.session, uow.tenant_id, site.id)
        ctx["recent"] = queries.recent(uow.session, uow.tenant_id, site.id)
    ctx["sources"], ctx["statuses"] = documents.SOURCES, documents.STATUSES
    return render(request, "inventory/receiving/list.html", ctx)


@router.post("/receiving/start", perm=WRITE)
def start(request: Request, uow: UowDep, data: FormDep) -> Response:
    site_id = int_or_none(data.get("site_id"))
    if site_id is None:
        raise ValidationFailed([FieldError(("site_id",), "choose a site")])
    try:
        r = service.start(
            uow, site_id=site_id, source=data.get("source", ""), document_id=data.get("document_id") or None,
            from_site_id=int_or_none(data.get("from_site_id")), idempotency_key=data.get("key") or uuid.uuid4().hex,
        )  # fmt: skip
    except OwnedElsewhere as exc:  # an order's delivery: handed off to where the order is received
        uow.rollback()
        link = str(exc.extra.get("receive_at") or "")
        response = redirect(link if link.startswith("/") and not link.startswith("//") else "/inventory/receiving")
        flash(response, _("This delivery belongs to an order: receive it here, on the order."))
        return response
    uow.commit()
    return redirect(f"/inventory/receiving/{r.id}")


def _receipt(uow: UnitOfWork, receipt_id: int, perm: str = READ) -> Any:
    r = queries.get(uow.session, uow.principal.scope(perm), receipt_id)
    if r is None:
        raise ReceiptNotFound(f"receipt {receipt_id} not found")
    return r


def _page(request: Request, uow: UnitOfWork, r: Any, errors: dict[str, str] | None = None, status: int = 200,
          scanned: str = "", problem: str = "") -> HTMLResponse:  # fmt: skip
    lines = queries.lines(uow.session, r)
    ctx = {
        "r": r, "lines": lines, "errors": errors or {}, "scanned": scanned, "problem": problem,
        "counted": sum(1 for ln in lines if ln.counted), "reasons": documents.REASONS,
        "sources": documents.SOURCES, "statuses": documents.STATUSES, "can_write": uow.principal.can(WRITE),
        "differs": {ln.id: domain.difference(ln.expected, ln.received, ln.damaged, ln.announced) for ln in lines},
    }  # fmt: skip
    name = "inventory/receiving/_lines.html" if is_htmx(request) and scanned else "inventory/receiving/receipt.html"
    return render(request, name, ctx, status_code=status)


@router.get("/receiving/{receipt_id}", perm=READ)
def receipt(request: Request, uow: UowDep, receipt_id: int) -> HTMLResponse:
    return _page(request, uow, _receipt(uow, receipt_id))


@router.post("/receiving/{receipt_id}/scan", perm=WRITE)
def scan(request: Request, uow: UowDep, receipt_id: int, data: FormDep) -> HTMLResponse:
    r = _receipt(uow, receipt_id, WRITE)
    code = data.get("code", "")
    try:
        qty = Decimal(data.get("qty") or "1")
        if not qty.is_finite() or qty <= 0:
            raise InvalidOperation
    except InvalidOperation:
        return _page(request, uow, r, scanned=code or "?", problem=_("Enter a positive quantity"), status=422)
    try:
        service.scan(uow, r.id, code, qty)
    except ValidationFailed:
        uow.rollback()
        return _page(request, uow, r, scanned=code or "?", problem=_("No item has this SKU or barcode."), status=422)
    uow.commit()
    return _page(request, uow, r, scanned=code)


def _dec(value: str | None, key: str, errors: list[FieldError]) -> Decimal:
    try:
        d = Decimal((value or "0").strip() or "0")
        if d.is_finite():
            return d
    except InvalidOperation:
        pass
    errors.append(FieldError((key,), _("Not a number"), "decimal_parsing"))
    return Decimal(0)


def _date(value: str | None, key: str, errors: list[FieldError]) -> date | None:
    if not (value or "").strip():
        return None
    try:
        return date.fromisoformat(value.strip())  # type: ignore[union-attr]
    except ValueError:
        errors.append(FieldError((key,), _("Not a date"), "date_parsing"))
        return None


def _edits(data: dict[str, str]) -> tuple[list[service.LineEdit], list[FieldError]]:
    errors: list[FieldError] = []
    edits = []
    for key in data:
        if not key.startswith("received_") or not key.removeprefix("received_").isdigit():
            continue
        i = key.removeprefix("received_")
        edits.append(service.LineEdit(
            id=int(i), received=_dec(data.get(f"received_{i}"), f"received_{i}", errors),
            damaged=_dec(data.get(f"damaged_{i}"), f"damaged_{i}", errors), lot_code=data.get(f"lot_{i}") or None,
            expiry_date=_date(data.get(f"expiry_{i}"), f"expiry_{i}", errors), reason=data.get(f"reason_{i}") or None,
        ))  # fmt: skip
    return edits, errors


@router.post("/receiving/{receipt_id}/lines", perm=WRITE)
def save_lines(request: Request, uow: UowDep, receipt_id: int, data: FormDep) -> Response:
    """Save the lines' quantities, lots and reasons (all or nothing); ``post`` then posts the receipt."""
    r = _receipt(uow, receipt_id, WRITE)
    edits, errors = _edits(data)
    try:
        if errors:
            raise ValidationFailed(errors)
        service.update_lines(uow, r.id, edits)
        if data.get("action") == "post":
            service.post(uow, r.id)
    except ValidationFailed as exc:
        uow.rollback()
        return _page(request, uow, r, errors=field_errors(exc.errors) or {"__all__": exc.detail}, status=422)
    except BohError as exc:
        uow.rollback()
        return _page(request, uow, r, errors={"__all__": exc.detail}, status=exc.status)
    uow.commit()
    response = redirect(f"/inventory/receiving/{r.id}")
    if data.get("action") == "post":
        flash(response, _("Receipt %(number)s posted.") % {"number": r.number})
    return response


@router.post("/receiving/{receipt_id}/photo", perm=WRITE)
async def photo(request: Request, uow: UowDep, receipt_id: int) -> Response:
    r = _receipt(uow, receipt_id, WRITE)
    form = await request.form()
    upload = form.get("photo")
    if not isinstance(upload, UploadFile) or upload.content_type not in PHOTO_TYPES:
        return _page(request, uow, r, errors={"photo": _("Choose a photo (JPEG, PNG, WebP or HEIC).")}, status=422)
    content = await upload.read(MAX_PHOTO + 1)
    if not content or len(content) > MAX_PHOTO:
        return _page(request, uow, r, errors={"photo": _("The photo must be at most 10 MB.")}, status=422)
    key = f"receipts/{uow.tenant_id}/{r.id}/delivery-note-{uuid.uuid4().hex[:8]}.{PHOTO_TYPES[upload.content_type]}"
    service.set_photo(uow, r.id, key)
    store = open_blob_store(request.app.state.settings)
    store.put(key, content, upload.content_type)  # before the commit: a failed commit leaves an unused blob only
    uow.commit()
    response = redirect(f"/inventory/receiving/{r.id}")
    flash(response, _("Photo of the delivery note saved."))
    return response


@router.get("/receiving/{receipt_id}/photo", perm=READ)
def photo_file(request: Request, uow: UowDep, receipt_id: int) -> Response:
    r = _receipt(uow, receipt_id)
    if not r.photo_key:
        raise ReceiptNotFound(f"receipt {r.number} has no photo")
    store = open_blob_store(request.app.state.settings)
    ext = r.photo_key.rsplit(".", 1)[-1]
    media = next((t for t, e in PHOTO_TYPES.items() if e == ext), "application/octet-stream")
    return Response(store.get(r.photo_key), media_type=media, headers={"Cache-Control": "private, max-age=3600"})


@router.get("/receiving/{receipt_id}/pdf", perm=READ)
def receipt_pdf(request: Request, uow: UowDep, receipt_id: int) -> Response:
    r = _receipt(uow, receipt_id)
    return pdf_response(documents.receipt_pdf(uow.session, r), f"{r.number}.pdf")
