"""Items pages: list with live search and filters, create, edit (names, category, units, storage,
shelf life, allergens, barcodes), import and export."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

from fastapi import Query, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError

from boh.catalog import imports, queries, service
from boh.catalog.codes import normalize_gtin
from boh.catalog.errors import InvalidBarcode
from boh.catalog.imports import items as item_columns
from boh.catalog.pages._common import (
    I_READ,
    I_WRITE,
    LABELS,
    PAGE_SIZE,
    S_READ,
    FileDep,
    FormDep,
    ImportSpec,
    active_filter,
    handle_import,
    import_page,
    int_or_none,
    router,
)
from boh.catalog.schemas import BarcodeIn, ItemCreate, ItemFilter, ItemRead, ItemUpdate, UomIn
from boh.http.deps import UowDep
from boh.http.files import ExportFormat, download
from boh.http.i18n import gettext_ as _
from boh.http.pages import N_, checked, field_errors, flash, form_errors, is_htmx, pager, redirect, required_errors
from boh.http.templating import render
from boh.kernel.errors import BohError, FieldError, NotFound, ValidationFailed
from boh.kernel.uow import UnitOfWork

IMPORT = ImportSpec(
    "items", N_("Import items"), "/catalog/items/import", "/catalog/items", item_columns.COLUMNS, item_columns.REQUIRED
)
_SPLIT = re.compile(r"[\n;,]+")


@router.get("/items", perm=I_READ)
def items_list(
    request: Request,
    uow: UowDep,
    q: str | None = None,
    category_id: str | None = None,
    kind: str | None = None,
    storage_class: str | None = None,
    status: str | None = None,
    page: Annotated[int, Query(ge=1)] = 1,
) -> HTMLResponse:
    scope = uow.principal.scope(I_READ)
    f = ItemFilter(
        q=(q or "").strip() or None,
        category_id=int_or_none(category_id),
        kind=kind if kind in LABELS["kinds"] else None,  # type: ignore[arg-type]
        storage_class=storage_class if storage_class in LABELS["storage"] else None,  # type: ignore[arg-type]
        active=active_filter(status),
    )
    items, total = queries.list_items(uow.session, scope, f, PAGE_SIZE, (page - 1) * PAGE_SIZE)
    params = {
        "q": f.q,
        "category_id": f.category_id,
        "kind": f.kind,
        "storage_class": f.storage_class,
        "status": status,
    }
    ctx = {
        "items": items,
        "filters": params,
        "pager": pager(total, page, PAGE_SIZE, params),
        "categories": queries.list_categories(uow.session, scope)[0],
        "labels": LABELS,
        "can_write": uow.principal.can(I_WRITE),
    }
    if is_htmx(request) and request.headers.get("hx-target") == "item-results":
        return render(request, "catalog/_items_results.html", ctx)
    return render(request, "catalog/items_list.html", ctx)


@router.get("/items/export", perm=I_READ)
def items_export(uow: UowDep, format: Annotated[ExportFormat, Query()] = "csv") -> Response:
    return download(imports.export_table(uow, "items", format), format, "items")


@router.get("/items/import", perm=I_WRITE)
def items_import_form(request: Request) -> HTMLResponse:
    return import_page(request, IMPORT)


@router.post("/items/import", perm=I_WRITE)
async def items_import(request: Request, uow: UowDep, file: FileDep = None) -> Response:
    return await handle_import(request, uow, IMPORT, file)


# --- form <-> models ----------------------------------------------------------------------------------


def _lines(text: str) -> list[str]:
    return [part.strip() for part in _SPLIT.split(text or "") if part.strip()]


def _barcodes(text: str) -> list[dict[str, str | None]]:
    """'6901234567892' or '16901234567899@case', one per line."""
    out: list[dict[str, str | None]] = []
    for line in _lines(text):
        code, _sep, uom = line.partition("@")
        out.append({"code": code.strip(), "uom": uom.strip() or None})
    return out


def _uoms(text: str) -> tuple[list[dict[str, Any]], dict[str, str]]:
    """'case=12', one per line: the unit and how many base units it holds."""
    out, errors = [], {}
    for i, line in enumerate(_lines(text)):
        uom, _sep, factor = line.partition("=")
        try:
            out.append({"uom": uom.strip(), "factor": Decimal(factor.strip())})
        except InvalidOperation:
            errors["uoms"] = f"#{i + 1}: " + _("Write each unit as unit=factor, e.g. case=12")
    return out, errors


def _fields(data: dict[str, str]) -> dict[str, Any]:
    return {
        "name_en": data.get("name_en") or None,
        "name_zh": data.get("name_zh") or None,
        "category_id": int_or_none(data.get("category_id")),
        "kind": data.get("kind") or None,
        "storage_class": data.get("storage_class") or None,
        "perishable": checked(data, "perishable"),
        "shelf_life_days": (data.get("shelf_life_days") or None) if checked(data, "perishable") else None,
        "allergens": [a for a in LABELS["allergens"] if checked(data, f"allergen_{a}")],
        "active": checked(data, "active"),
    }


def _values(item: ItemRead | None, data: dict[str, str] | None = None) -> dict[str, Any]:
    if data is not None:
        return {
            **data,
            **{k: checked(data, k) for k in ("perishable", "active")},
            "allergens": [a for a in LABELS["allergens"] if checked(data, f"allergen_{a}")],
        }
    if item is None:
        return {"kind": "grocery", "base_uom": "each", "storage_class": "ambient", "active": True, "allergens": []}
    values: dict[str, Any] = item.model_dump(exclude={"uoms", "barcodes"})
    values["barcodes"] = "\n".join(f"{b.gtin}@{b.uom}" if b.uom else b.gtin for b in item.barcodes)
    values["shelf_life_days"] = "" if item.shelf_life_days is None else str(item.shelf_life_days)
    values["category_id"] = "" if item.category_id is None else str(item.category_id)
    return values


def _form_page(
    request: Request,
    uow: UnitOfWork,
    item: ItemRead | None,
    values: dict[str, Any],
    errors: dict[str, str],
    status: int = 200,
) -> HTMLResponse:
    sources = []
    if item is not None and uow.principal.can(S_READ):
        sources = queries.list_supplier_items(uow.session, uow.principal.scope(S_READ), item_id=item.id, limit=100)[0]
    ctx = {
        "item": item,
        "values": values,
        "errors": errors,
        "categories": queries.list_categories(uow.session, uow.principal.scope(I_READ))[0],
        "labels": LABELS,
        "sources": sources,
        "can_write": uow.principal.can(I_WRITE),
    }
    return render(request, "catalog/item_form.html", ctx, status_code=status)


def _errors(exc: BohError) -> dict[str, str]:
    if isinstance(exc, ValidationFailed):
        return field_errors(exc.errors)
    field = exc.extra.get("field")
    return {str(field) if field else "__all__": exc.detail}


# --- create -------------------------------------------------------------------------------------------


@router.get("/items/new", perm=I_WRITE)
def item_new(request: Request, uow: UowDep) -> HTMLResponse:
    return _form_page(request, uow, None, _values(None), {})


def _collapse(errors: dict[str, str]) -> dict[str, str]:
    """'barcodes.code' -> 'barcodes': list fields show their errors under the one textarea."""
    out: dict[str, str] = {}
    for key, msg in errors.items():
        root = key.split(".")[0] if key.startswith(("barcodes", "uoms")) else key
        out[root] = f"{out[root]}; {msg}" if root in out else msg
    return out


@router.post("/items/new", perm=I_WRITE)
def item_create(request: Request, uow: UowDep, data: FormDep) -> Response:
    uoms, errors = _uoms(data.get("uoms", ""))
    payload = {
        **{k: v for k, v in _fields(data).items() if v is not None},
        "sku": data.get("sku", ""),
        "base_uom": data.get("base_uom", ""),
        "uoms": uoms,
        "barcodes": _barcodes(data.get("barcodes", "")),
    }
    item = None
    try:
        item = service.create_item(uow, ItemCreate.model_validate(payload)) if not errors else None
    except ValidationError as exc:
        errors = form_errors(exc)
    except BohError as exc:
        uow.rollback()
        errors = _errors(exc)
    if item is None or errors:
        return _form_page(request, uow, None, _values(None, data), _collapse(errors), 422)
    uow.commit()
    response = redirect(f"/catalog/items/{item.id}")
    flash(response, _("Item %(sku)s created.") % {"sku": item.sku})
    return response


# --- detail and edit ----------------------------------------------------------------------------------


@router.get("/items/{item_id}", perm=I_READ)
def item_detail(request: Request, uow: UowDep, item_id: int) -> HTMLResponse:
    item = queries.get_item(uow.session, uow.principal.scope(I_READ), item_id)
    return _form_page(request, uow, item, _values(item), {})


def _barcode_changes(item: ItemRead, text: str) -> tuple[dict[str, str | None], list[str], dict[str, str]]:
    """GTINs to add (with their unit) and to remove, comparing the textarea with the item's barcodes."""
    wanted: dict[str, str | None] = {}
    errors: list[FieldError] = []
    for i, entry in enumerate(_barcodes(text)):
        try:
            wanted[normalize_gtin(entry["code"] or "")] = entry["uom"]
        except InvalidBarcode as exc:
            errors.append(FieldError(("barcodes", i), exc.detail))
    current = {b.gtin: b.uom for b in item.barcodes}
    add = {g: u for g, u in wanted.items() if g not in current or current[g] != u}
    remove = [g for g in current if g not in wanted]
    return add, remove, _collapse(field_errors(errors))


def _apply_update(uow: UnitOfWork, item: ItemRead, data: dict[str, str]) -> dict[str, str]:
    """Every change of the edit form in this unit of work; the errors, if any (then nothing is kept)."""
    new_uoms, errors = _uoms(data.get("new_uoms", ""))
    add, remove, barcode_errors = _barcode_changes(item, data.get("barcodes", ""))
    errors.update(barcode_errors)
    errors.update(required_errors(data, "name_en", "kind", "storage_class"))
    try:
        update = ItemUpdate.model_validate(_fields(data))
        uoms = [UomIn.model_validate(u) for u in new_uoms]
        barcodes = [BarcodeIn(code=g, uom=u) for g, u in add.items()]
    except ValidationError as exc:
        return {**_collapse(form_errors(exc)), **errors}
    if errors:
        return errors
    try:
        service.update_item(uow, item.id, update)
        for unit in uoms:
            service.add_uom(uow, item.id, unit)
        for gtin in remove:
            service.remove_barcode(uow, item.id, gtin)
        for barcode in barcodes:
            service.add_barcode(uow, item.id, barcode)
    except (ValidationFailed, NotFound) as exc:
        return _collapse(_errors(exc))
    except BohError as exc:
        return {("barcodes" if "barcode" in exc.code or "gtin" in exc.code else "__all__"): exc.detail}
    return {}


@router.post("/items/{item_id}", perm=I_WRITE)
def item_update(request: Request, uow: UowDep, item_id: int, data: FormDep) -> Response:
    item = queries.get_item(uow.session, uow.principal.scope(I_WRITE), item_id)
    errors = _apply_update(uow, item, data)
    if errors:
        uow.rollback()
        values = {**_values(item, data), "sku": item.sku, "base_uom": item.base_uom}
        return _form_page(request, uow, item, values, errors, 422)
    uow.commit()
    response = redirect(f"/catalog/items/{item_id}")
    flash(response, _("Item %(sku)s saved.") % {"sku": item.sku})
    return response
