"""Stock entry pages: adjustment and waste (with reason codes) and transfers (ship, list incoming,
receive). Each form carries an idempotency key minted when it is shown, so a double submit posts once."""

from __future__ import annotations

import uuid
from decimal import Decimal, InvalidOperation
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError

from boh.catalog.api import ItemRef, get_item_ref, item_by_sku
from boh.http.deps import UowDep
from boh.http.i18n import gettext_ as _
from boh.http.pages import field_errors, flash, form_errors, redirect, required_errors
from boh.http.templating import render
from boh.inventory import queries, service
from boh.inventory import repository as repo
from boh.inventory.pages import _read
from boh.inventory.pages._common import (
    ADJUST_REASONS,
    READ,
    WASTE_REASONS,
    WRITE,
    FormDep,
    int_or_none,
    router,
)
from boh.inventory.schemas import TransferIn
from boh.kernel.errors import BohError, ValidationFailed
from boh.kernel.tenancy import Scope
from boh.kernel.uow import UnitOfWork

KINDS = {"adjust": ADJUST_REASONS, "waste": WASTE_REASONS}
SITES = ("from_site_id", "to_site_id")


def _new_key() -> str:
    return uuid.uuid4().hex


def _errors(exc: Exception) -> dict[str, str]:
    if isinstance(exc, ValidationError):
        return form_errors(exc)
    if isinstance(exc, ValidationFailed):
        return {k.removeprefix("moves."): v for k, v in field_errors(exc.errors).items()}
    assert isinstance(exc, BohError)
    return {"__all__": exc.detail}


def _move_page(
    request: Request, uow: UnitOfWork, kind: str, values: dict[str, Any], errors: dict[str, str], status: int = 200
) -> HTMLResponse:
    ctx = {
        "kind": kind,
        "sites": _read.site_options(uow.session, uow.principal.scope(WRITE)),
        "reasons": KINDS[kind],
        "values": values,
        "errors": errors,
    }
    return render(request, "inventory/move_form.html", ctx, status_code=status)


def _resolve(uow: UnitOfWork, data: dict[str, str], errors: dict[str, str]) -> tuple[ItemRef | None, int | None]:
    """The item named by SKU and the lot named by code (errors are added for unknown ones)."""
    sku = (data.get("sku") or "").strip()
    item = item_by_sku(uow.session, uow.tenant_id, sku) if sku else None
    if item is None:
        errors["sku"] = _("Unknown SKU") if sku else _("This value is required")
        return None, None
    code = (data.get("lot_code") or "").strip()
    if not code:
        return item, None
    lot = repo.lots_by_code(uow.session, uow.tenant_id, [(item.id, code)]).get((item.id, code))
    if lot is None:
        errors["lot_code"] = _("This item has no lot with this code")
        return item, None
    return item, lot.id


def _quantity(data: dict[str, str], errors: dict[str, str], *, positive: bool) -> Decimal | None:
    try:
        qty = Decimal((data.get("quantity") or "").strip())
    except InvalidOperation:
        errors["quantity"] = _("Not a number")
        return None
    if not qty.is_finite() or (positive and qty <= 0) or qty == 0:
        errors["quantity"] = _("Enter a positive quantity") if positive else _("Enter a quantity other than zero")
        return None
    return qty


@router.get("/adjust", perm=WRITE)
def adjust_form(request: Request, uow: UowDep, site_id: str | None = None, sku: str | None = None) -> HTMLResponse:
    values = {"site_id": site_id or "", "sku": sku or "", "idempotency_key": _new_key()}
    return _move_page(request, uow, "adjust", values, {})


@router.get("/waste", perm=WRITE)
def waste_form(request: Request, uow: UowDep, site_id: str | None = None, sku: str | None = None) -> HTMLResponse:
    values = {"site_id": site_id or "", "sku": sku or "", "idempotency_key": _new_key()}
    return _move_page(request, uow, "waste", values, {})


def _post_move(request: Request, uow: UnitOfWork, kind: str, data: dict[str, str]) -> Response:
    errors: dict[str, str] = {}
    site_id = int_or_none(data.get("site_id"))
    if site_id is None:
        errors["site_id"] = _("This value is required")
    item, lot_id = _resolve(uow, data, errors)
    qty = _quantity(data, errors, positive=kind == "waste")
    reason = data.get("reason_code") or ""
    if reason not in KINDS[kind]:
        errors["reason_code"] = _("Choose a reason")
    key = data.get("idempotency_key") or _new_key()
    if errors or item is None or qty is None or site_id is None:
        return _move_page(request, uow, kind, {**data, "idempotency_key": key}, errors, 422)
    post = service.adjust if kind == "adjust" else service.record_waste
    try:
        post(
            uow, site_id=site_id, item_id=item.id, quantity=qty, reason_code=reason, idempotency_key=key, lot_id=lot_id
        )
    except (ValidationError, BohError) as exc:
        uow.rollback()
        return _move_page(request, uow, kind, {**data, "idempotency_key": key}, _errors(exc), 422)
    uow.commit()
    response = redirect(f"/inventory/items/{item.id}?site_id={site_id}")
    message = _("Adjustment of %(sku)s posted.") if kind == "adjust" else _("Waste of %(sku)s recorded.")
    flash(response, message % {"sku": item.sku})
    return response


@router.post("/adjust", perm=WRITE)
def adjust_post(request: Request, uow: UowDep, data: FormDep) -> Response:
    return _post_move(request, uow, "adjust", data)


@router.post("/waste", perm=WRITE)
def waste_post(request: Request, uow: UowDep, data: FormDep) -> Response:
    return _post_move(request, uow, "waste", data)


# --- transfers ----------------------------------------------------------------------------------------


def _transfer_page(
    request: Request, uow: UnitOfWork, values: dict[str, Any], errors: dict[str, str], status: int = 200
) -> HTMLResponse:
    ctx = {
        "from_sites": _read.site_options(uow.session, uow.principal.scope(WRITE)),
        "to_sites": _read.site_options(uow.session, Scope(uow.tenant_id)),
        "values": values,
        "errors": errors,
    }
    return render(request, "inventory/transfer_form.html", ctx, status_code=status)


@router.get("/transfers", perm=READ)
def transfers(request: Request, uow: UowDep) -> HTMLResponse:
    scope = uow.principal.scope(READ)
    codes = {s.id: s.code for s in _read.site_options(uow.session, Scope(uow.tenant_id))}
    ctx: dict[str, Any] = {"incoming": _read.incoming_transfers(uow.session, scope), "codes": codes}
    ctx["can_write"] = uow.principal.can(WRITE)
    from boh.inventory.transfers.pages import doc_lists

    ctx.update(doc_lists(uow))
    return render(request, "inventory/transfers.html", ctx)


@router.get("/transfers/new", perm=WRITE)
def transfer_form(request: Request, uow: UowDep, from_site_id: str | None = None) -> HTMLResponse:
    return _transfer_page(request, uow, {"from_site_id": from_site_id or "", "idempotency_key": _new_key()}, {})


@router.post("/transfers/new", perm=WRITE)
def transfer_create(request: Request, uow: UowDep, data: FormDep) -> Response:
    from_id, to_id = int_or_none(data.get("from_site_id")), int_or_none(data.get("to_site_id"))
    errors = required_errors({"from_site_id": str(from_id or ""), "to_site_id": str(to_id or "")}, *SITES)
    item, lot_id = _resolve(uow, data, errors)
    qty = _quantity(data, errors, positive=True)
    key = data.get("idempotency_key") or _new_key()
    values = {**data, "idempotency_key": key}
    if errors or item is None or qty is None or from_id is None or to_id is None:
        return _transfer_page(request, uow, values, errors, 422)
    try:
        body = TransferIn(
            from_site_id=from_id,
            to_site_id=to_id,
            item_id=item.id,
            lot_id=lot_id,
            quantity=qty,
            idempotency_key=key,
        )
        out = service.transfer(uow, body)
    except (ValidationError, BohError) as exc:
        uow.rollback()
        return _transfer_page(request, uow, values, _errors(exc), 422)
    uow.commit()
    response = redirect(f"/inventory/transfers/{out.id}")
    flash(response, _("Transfer of %(sku)s shipped.") % {"sku": item.sku})
    return response


@router.get("/transfers/{transfer_id}", perm=READ)
def transfer_detail(request: Request, uow: UowDep, transfer_id: int) -> HTMLResponse:
    t = queries.get_transfer(uow.session, uow.principal.scope(READ), transfer_id)
    codes = {s.id: s.code for s in _read.site_options(uow.session, Scope(uow.tenant_id))}
    dest = t.out_move.counter_site_id
    can_receive = t.in_move is None and uow.principal.can(WRITE) and uow.principal.scope(WRITE).allows_site(dest)
    item = get_item_ref(uow.session, uow.tenant_id, t.out_move.item_id)
    ctx = {"t": t, "codes": codes, "can_receive": can_receive, "item": item}
    return render(request, "inventory/transfer_detail.html", ctx)


@router.post("/transfers/{transfer_id}/receive", perm=WRITE)
def transfer_receive(uow: UowDep, transfer_id: int) -> Response:
    service.receive_transfer(uow, transfer_id)
    uow.commit()
    response = redirect(f"/inventory/transfers/{transfer_id}")
    flash(response, _("Transfer received."))
    return response


@router.get("/fefo-hint", perm=READ)
def fefo_hint(
    request: Request,
    uow: UowDep,
    site_id: str | None = None,
    from_site_id: str | None = None,
    sku: str | None = None,
    quantity: str | None = None,
) -> HTMLResponse:
    """The lots to take an issue from, first expiring first (an htmx partial of the waste, adjustment and
    transfer forms); empty while the form does not name a site, an item held in lots and a quantity."""
    scope = uow.principal.scope(READ)
    site = int_or_none(from_site_id or site_id)
    item = item_by_sku(uow.session, uow.tenant_id, (sku or "").strip()) if sku and sku.strip() else None
    qty = _quantity({"quantity": quantity or ""}, {}, positive=False)
    suggestion = None
    if site is not None and scope.allows_site(site) and item is not None and qty is not None:
        found = queries.suggest_fefo(uow.session, scope, site, item.id, abs(qty))
        suggestion = found if found.lines else None
    return render(request, "inventory/_fefo_hint.html", {"suggestion": suggestion})
