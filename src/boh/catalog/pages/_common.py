"""Shared parts of the catalog pages: the router, navigation, dashboard tiles, labels and imports."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, File, Request, UploadFile
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from boh.catalog import imports, queries
from boh.catalog.schemas import ItemFilter, SupplierFilter
from boh.http.files import read_upload
from boh.http.i18n import gettext_ as _
from boh.http.pages import N_, NavLink, Tile, flash, form_data, import_errors, page_router, redirect
from boh.http.templating import render
from boh.kernel.errors import ValidationFailed
from boh.kernel.uow import UnitOfWork

I_READ, I_WRITE = "catalog.item.read", "catalog.item.write"
S_READ, S_WRITE = "catalog.supplier.read", "catalog.supplier.write"
PAGE_SIZE = 25

router = page_router("/catalog")
NAV = [NavLink(N_("Items"), "/catalog/items", I_READ), NavLink(N_("Suppliers"), "/catalog/suppliers", S_READ)]
FormDep = Annotated[dict[str, str], Depends(form_data)]
FileDep = Annotated[UploadFile | None, File()]

ITEM_KINDS = {
    "grocery": N_("Grocery"),
    "fresh": N_("Fresh"),
    "prepared": N_("Prepared"),
    "ingredient": N_("Ingredient"),
    "packaging": N_("Packaging"),
}
STORAGE_CLASSES = {"ambient": N_("Ambient"), "chilled": N_("Chilled"), "frozen": N_("Frozen")}
BASE_UNIT_LABELS = {
    "each": N_("each (piece)"),
    "portion": N_("portion"),
    "kg": N_("kg (kilogram)"),
    "g": N_("g (gram)"),
    "L": N_("L (litre)"),
    "mL": N_("mL (millilitre)"),
    "m": N_("m (metre)"),
}
ALLERGENS = {
    "celery": N_("Celery"),
    "gluten": N_("Gluten"),
    "crustaceans": N_("Crustaceans"),
    "eggs": N_("Eggs"),
    "fish": N_("Fish"),
    "lupin": N_("Lupin"),
    "milk": N_("Milk"),
    "molluscs": N_("Molluscs"),
    "mustard": N_("Mustard"),
    "nuts": N_("Tree nuts"),
    "peanuts": N_("Peanuts"),
    "sesame": N_("Sesame"),
    "soybeans": N_("Soybeans"),
    "sulphites": N_("Sulphites"),
}
WEEKDAYS = {
    "mon": N_("Mon"),
    "tue": N_("Tue"),
    "wed": N_("Wed"),
    "thu": N_("Thu"),
    "fri": N_("Fri"),
    "sat": N_("Sat"),
    "sun": N_("Sun"),
}
LABELS = {
    "kinds": ITEM_KINDS,
    "storage": STORAGE_CLASSES,
    "units": BASE_UNIT_LABELS,
    "allergens": ALLERGENS,
    "weekdays": WEEKDAYS,
}


def tiles(uow: UnitOfWork) -> list[Tile]:
    out = []
    if uow.principal.can(I_READ):
        items = queries.list_items(uow.session, uow.principal.scope(I_READ), ItemFilter(), 1, 0)[1]
        out.append(Tile(_("Items"), items, "/catalog/items"))
    if uow.principal.can(S_READ):
        suppliers = queries.list_suppliers(uow.session, uow.principal.scope(S_READ), SupplierFilter(), 1, 0)[1]
        out.append(Tile(_("Suppliers"), suppliers, "/catalog/suppliers"))
    return out


def int_or_none(value: str | None) -> int | None:
    return int(value) if value and value.strip().isdigit() else None


def active_filter(status: str | None) -> bool | None:
    return {"active": True, "inactive": False}.get(status or "")


# --- imports ------------------------------------------------------------------------------------------


class ImportSpec:
    """One importable table: where its page lives, its columns, and the flash text after success."""

    def __init__(self, kind: str, title: str, action: str, back: str, columns: list[str], required: list[str]):
        self.kind, self.title, self.action, self.back = kind, title, action, back
        self.columns, self.required = columns, required


def import_page(
    request: Request, spec: ImportSpec, extra: dict[str, object] | None = None, status: int = 200
) -> HTMLResponse:
    ctx = {"spec": spec, "title": _(spec.title), "errors": None, **(extra or {})}
    return render(request, "catalog/import.html", ctx, status_code=status)


def _run_import(request: Request, uow: UnitOfWork, spec: ImportSpec, name: str, data: bytes) -> Response:
    try:
        result = imports.import_table(uow, spec.kind, name, data)
    except ValidationFailed as exc:
        uow.rollback()
        return import_page(request, spec, {"errors": import_errors(exc.errors), "filename": name}, 422)
    uow.commit()
    response = redirect(spec.back)
    flash(
        response,
        _("Import finished: %(created)s created, %(updated)s updated, %(unchanged)s unchanged.")
        % {"created": result.created, "updated": result.updated, "unchanged": result.unchanged},
    )
    return response


async def handle_import(request: Request, uow: UnitOfWork, spec: ImportSpec, file: UploadFile | None) -> Response:
    if file is None or not file.filename:
        return import_page(request, spec, {"missing_file": True}, 422)
    name, data = await read_upload(file)
    run: Callable[..., Response] = _run_import
    return await run_in_threadpool(run, request, uow, spec, name, data)
