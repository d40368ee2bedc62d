"""JSON API of the catalog domain under /api/v1/catalog: categories, items (units, barcodes, scan and
EPC lookup), suppliers, supplier items, site assortments, and CSV/XLSX import/export of each."""

from __future__ import annotations

from typing import Annotated

from fastapi import File, Query, Response, UploadFile

from boh.catalog import imports, queries, service
from boh.catalog.schemas import (
    AssortmentFilter,
    AssortmentRead,
    AssortmentUpdate,
    AssortmentUpsert,
    BarcodeIn,
    CategoryCreate,
    CategoryRead,
    CategoryUpdate,
    ItemCreate,
    ItemFilter,
    ItemKind,
    ItemRead,
    ItemUpdate,
    LookupRead,
    StorageClass,
    SupplierCreate,
    SupplierFilter,
    SupplierItemCreate,
    SupplierItemRead,
    SupplierItemUpdate,
    SupplierRead,
    SupplierUpdate,
    UomIn,
)
from boh.http.deps import UowDep
from boh.http.files import ExportFormat, download, read_upload_sync
from boh.http.pagination import Page, PageDep
from boh.http.routing import SecureRouter

router = SecureRouter(prefix="/api/v1")
TAGS = ["catalog"]
FormatQ = Annotated[ExportFormat, Query(description="csv or xlsx")]
UploadQ = Annotated[UploadFile, File(description="CSV or XLSX file; the first row holds the column names")]
IMPORT_SUMMARY = "Import {} from CSV or XLSX (upsert on {}; every error reported at once; all-or-nothing)"

I_READ, I_WRITE = "catalog.item.read", "catalog.item.write"
S_READ, S_WRITE = "catalog.supplier.read", "catalog.supplier.write"
A_READ, A_WRITE = "catalog.assortment.read", "catalog.assortment.write"


# ---------------------------------------------------------------- categories
@router.get(
    "/catalog/categories",
    perm=I_READ,
    tags=TAGS,
    response_model=Page[CategoryRead],
    summary="Categories in tree order (path = codes from the root)",
)
def list_categories(uow: UowDep, page: PageDep, q: str | None = None) -> Page[CategoryRead]:
    items, total = queries.list_categories(uow.session, uow.principal.scope(I_READ), q, page.limit, page.offset)
    return Page(items=items, total=total, limit=page.limit, offset=page.offset)


@router.post("/catalog/categories", perm=I_WRITE, tags=TAGS, status_code=201, response_model=CategoryRead)
def create_category(uow: UowDep, body: CategoryCreate) -> CategoryRead:
    cat = service.create_category(uow, body)
    uow.commit()
    return queries.get_category(uow.session, uow.principal.scope(I_WRITE), cat.id)


@router.get("/catalog/categories/{category_id}", perm=I_READ, tags=TAGS, response_model=CategoryRead)
def get_category(uow: UowDep, category_id: int) -> CategoryRead:
    return queries.get_category(uow.session, uow.principal.scope(I_READ), category_id)


@router.patch("/catalog/categories/{category_id}", perm=I_WRITE, tags=TAGS, response_model=CategoryRead)
def update_category(uow: UowDep, category_id: int, body: CategoryUpdate) -> CategoryRead:
    service.update_category(uow, category_id, body)
    uow.commit()
    return queries.get_category(uow.session, uow.principal.scope(I_WRITE), category_id)


# ---------------------------------------------------------------- items
@router.get(
    "/catalog/items",
    perm=I_READ,
    tags=TAGS,
    response_model=Page[ItemRead],
    summary="Items, filtered (q matches SKU, names and barcodes; category includes sub-categories)",
)
def list_items(
    uow: UowDep,
    page: PageDep,
    q: str | None = None,
    category_id: int | None = None,
    kind: ItemKind | None = None,
    storage_class: StorageClass | None = None,
    active: bool | None = None,
    supplier_id: int | None = None,
) -> Page[ItemRead]:
    f = ItemFilter(
        q=q, category_id=category_id, kind=kind, storage_class=storage_class, active=active, supplier_id=supplier_id
    )
    items, total = queries.list_items(uow.session, uow.principal.scope(I_READ), f, page.limit, page.offset)
    return Page(items=items, total=total, limit=page.limit, offset=page.offset)


@router.post("/catalog/items", perm=I_WRITE, tags=TAGS, status_code=201, response_model=ItemRead)
def create_item(uow: UowDep, body: ItemCreate) -> ItemRead:
    item = service.create_item(uow, body)
    uow.commit()
    return queries.get_item(uow.session, uow.principal.scope(I_WRITE), item.id)


@router.get(
    "/catalog/items/lookup",
    perm=I_READ,
    tags=TAGS,
    response_model=LookupRead,
    summary="The item behind a scanned code: GTIN, GS1-128 element string or SGTIN EPC (hex/URI)",
)
def lookup(uow: UowDep, code: Annotated[str, Query(min_length=1, max_length=200)]) -> LookupRead:
    return queries.lookup(uow.session, uow.principal.scope(I_READ), code)


@router.get("/catalog/items/export", perm=I_READ, tags=TAGS, summary="Export items as CSV or XLSX")
def export_items(uow: UowDep, format: FormatQ = "csv") -> Response:
    return download(imports.export_table(uow, "items", format), format, "items")


@router.post(
    "/catalog/items/import",
    perm=I_WRITE,
    tags=TAGS,
    response_model=imports.ImportResult,
    summary=IMPORT_SUMMARY.format("items", "SKU"),
)
def import_items(uow: UowDep, file: UploadQ) -> imports.ImportResult:
    name, data = read_upload_sync(file)
    result = imports.import_table(uow, "items", name, data)
    uow.commit()
    return result


@router.get("/catalog/items/{item_id}", perm=I_READ, tags=TAGS, response_model=ItemRead)
def get_item(uow: UowDep, item_id: int) -> ItemRead:
    return queries.get_item(uow.session, uow.principal.scope(I_READ), item_id)


@router.patch(
    "/catalog/items/{item_id}",
    perm=I_WRITE,
    tags=TAGS,
    response_model=ItemRead,
    summary="Change an item (SKU and base unit cannot change)",
)
def update_item(uow: UowDep, item_id: int, body: ItemUpdate) -> ItemRead:
    service.update_item(uow, item_id, body)
    uow.commit()
    return queries.get_item(uow.session, uow.principal.scope(I_WRITE), item_id)


@router.post(
    "/catalog/items/{item_id}/barcodes",
    perm=I_WRITE,
    tags=TAGS,
    status_code=201,
    response_model=ItemRead,
    summary="Add a GTIN to an item (check digit verified)",
)
def add_barcode(uow: UowDep, item_id: int, body: BarcodeIn) -> ItemRead:
    service.add_barcode(uow, item_id, body)
    uow.commit()
    return queries.get_item(uow.session, uow.principal.scope(I_WRITE), item_id)


@router.delete(
    "/catalog/items/{item_id}/barcodes/{code}",
    perm=I_WRITE,
    tags=TAGS,
    response_model=ItemRead,
    summary="Remove a GTIN from an item",
)
def remove_barcode(uow: UowDep, item_id: int, code: str) -> ItemRead:
    service.remove_barcode(uow, item_id, code)
    uow.commit()
    return queries.get_item(uow.session, uow.principal.scope(I_WRITE), item_id)


@router.post(
    "/catalog/items/{item_id}/uoms",
    perm=I_WRITE,
    tags=TAGS,
    status_code=201,
    response_model=ItemRead,
    summary="Add a unit of measure (units are add-only: their factor never changes)",
)
def add_uom(uow: UowDep, item_id: int, body: UomIn) -> ItemRead:
    service.add_uom(uow, item_id, body)
    uow.commit()
    return queries.get_item(uow.session, uow.principal.scope(I_WRITE), item_id)


@router.get(
    "/catalog/items/{item_id}/supplier-items",
    perm=S_READ,
    tags=TAGS,
    response_model=Page[SupplierItemRead],
    summary="Who sells this item, on which terms",
)
def item_supplier_items(uow: UowDep, page: PageDep, item_id: int, active: bool | None = None) -> Page[SupplierItemRead]:
    scope = uow.principal.scope(S_READ)
    queries.get_item(uow.session, scope, item_id)  # 404 for another tenant's item (or one not sold by a supplier user)
    items, total = queries.list_supplier_items(
        uow.session, scope, item_id=item_id, active=active, limit=page.limit, offset=page.offset
    )
    return Page(items=items, total=total, limit=page.limit, offset=page.offset)


# ---------------------------------------------------------------- suppliers
@router.get("/catalog/suppliers", perm=S_READ, tags=TAGS, response_model=Page[SupplierRead])
def list_suppliers(uow: UowDep, page: PageDep, q: str | None = None, active: bool | None = None) -> Page[SupplierRead]:
    items, total = queries.list_suppliers(
        uow.session, uow.principal.scope(S_READ), SupplierFilter(q=q, active=active), page.limit, page.offset
    )
    return Page(items=items, total=total, limit=page.limit, offset=page.offset)


@router.post("/catalog/suppliers", perm=S_WRITE, tags=TAGS, status_code=201, response_model=SupplierRead)
def create_supplier(uow: UowDep, body: SupplierCreate) -> SupplierRead:
    supplier = service.create_supplier(uow, body)
    uow.commit()
    return queries.get_supplier(uow.session, uow.principal.scope(S_WRITE), supplier.id)


@router.get("/catalog/suppliers/export", perm=S_READ, tags=TAGS, summary="Export suppliers as CSV or XLSX")
def export_suppliers(uow: UowDep, format: FormatQ = "csv") -> Response:
    return download(imports.export_table(uow, "suppliers", format), format, "suppliers")


@router.post(
    "/catalog/suppliers/import",
    perm=S_WRITE,
    tags=TAGS,
    response_model=imports.ImportResult,
    summary=IMPORT_SUMMARY.format("suppliers", "code"),
)
def import_suppliers(uow: UowDep, file: UploadQ) -> imports.ImportResult:
    name, data = read_upload_sync(file)
    result = imports.import_table(uow, "suppliers", name, data)
    uow.commit()
    return result


@router.get("/catalog/suppliers/{supplier_id}", perm=S_READ, tags=TAGS, response_model=SupplierRead)
def get_supplier(uow: UowDep, supplier_id: int) -> SupplierRead:
    return queries.get_supplier(uow.session, uow.principal.scope(S_READ), supplier_id)


@router.patch("/catalog/suppliers/{supplier_id}", perm=S_WRITE, tags=TAGS, response_model=SupplierRead)
def update_supplier(uow: UowDep, supplier_id: int, body: SupplierUpdate) -> SupplierRead:
    service.update_supplier(uow, supplier_id, body)
    uow.commit()
    return queries.get_supplier(uow.session, uow.principal.scope(S_WRITE), supplier_id)


@router.get(
    "/catalog/suppliers/{supplier_id}/items",
    perm=S_READ,
    tags=TAGS,
    response_model=Page[SupplierItemRead],
    summary="What this supplier sells, on which terms",
)
def supplier_items(uow: UowDep, page: PageDep, supplier_id: int, active: bool | None = None) -> Page[SupplierItemRead]:
    scope = uow.principal.scope(S_READ)
    queries.get_supplier(uow.session, scope, supplier_id)  # 404 for another tenant's or supplier's
    items, total = queries.list_supplier_items(
        uow.session, scope, supplier_id=supplier_id, active=active, limit=page.limit, offset=page.offset
    )
    return Page(items=items, total=total, limit=page.limit, offset=page.offset)


@router.post(
    "/catalog/suppliers/{supplier_id}/items",
    perm=S_WRITE,
    tags=TAGS,
    status_code=201,
    response_model=SupplierItemRead,
    summary="Add an item to what a supplier sells",
)
def create_supplier_item(uow: UowDep, supplier_id: int, body: SupplierItemCreate) -> SupplierItemRead:
    si = service.create_supplier_item(uow, supplier_id, body)
    uow.commit()
    return queries.get_supplier_item(uow.session, uow.principal.scope(S_WRITE), si.id)


# ---------------------------------------------------------------- supplier items
@router.get("/catalog/supplier-items/export", perm=S_READ, tags=TAGS, summary="Export supplier items as CSV or XLSX")
def export_supplier_items(uow: UowDep, format: FormatQ = "csv") -> Response:
    return download(imports.export_table(uow, "supplier_items", format), format, "supplier_items")


@router.post(
    "/catalog/supplier-items/import",
    perm=S_WRITE,
    tags=TAGS,
    response_model=imports.ImportResult,
    summary=IMPORT_SUMMARY.format("supplier items", "supplier code + SKU"),
)
def import_supplier_items(uow: UowDep, file: UploadQ) -> imports.ImportResult:
    name, data = read_upload_sync(file)
    result = imports.import_table(uow, "supplier_items", name, data)
    uow.commit()
    return result


@router.get("/catalog/supplier-items/{supplier_item_id}", perm=S_READ, tags=TAGS, response_model=SupplierItemRead)
def get_supplier_item(uow: UowDep, supplier_item_id: int) -> SupplierItemRead:
    return queries.get_supplier_item(uow.session, uow.principal.scope(S_READ), supplier_item_id)


@router.patch("/catalog/supplier-items/{supplier_item_id}", perm=S_WRITE, tags=TAGS, response_model=SupplierItemRead)
def update_supplier_item(uow: UowDep, supplier_item_id: int, body: SupplierItemUpdate) -> SupplierItemRead:
    service.update_supplier_item(uow, supplier_item_id, body)
    uow.commit()
    return queries.get_supplier_item(uow.session, uow.principal.scope(S_WRITE), supplier_item_id)


# ---------------------------------------------------------------- assortment
@router.get(
    "/catalog/sites/{site_id}/assortment",
    perm=A_READ,
    tags=TAGS,
    response_model=Page[AssortmentRead],
    summary="The items a site carries, with its parameters (quantities in base units)",
)
def list_assortment(
    uow: UowDep,
    page: PageDep,
    site_id: int,
    q: str | None = None,
    active: bool | None = None,
    category_id: int | None = None,
    kind: ItemKind | None = None,
    preferred_supplier_id: int | None = None,
) -> Page[AssortmentRead]:
    f = AssortmentFilter(
        q=q, active=active, category_id=category_id, kind=kind, preferred_supplier_id=preferred_supplier_id
    )
    items, total = queries.list_assortment(
        uow.session, uow.principal.scope(A_READ), site_id, f, page.limit, page.offset
    )
    return Page(items=items, total=total, limit=page.limit, offset=page.offset)


@router.get("/catalog/sites/{site_id}/assortment/{item_id}", perm=A_READ, tags=TAGS, response_model=AssortmentRead)
def get_assortment(uow: UowDep, site_id: int, item_id: int) -> AssortmentRead:
    return queries.get_assortment(uow.session, uow.principal.scope(A_READ), site_id, item_id)


@router.put(
    "/catalog/sites/{site_id}/assortment/{item_id}",
    perm=A_WRITE,
    tags=TAGS,
    response_model=AssortmentRead,
    responses={201: {"description": "Added to the site's assortment"}},
    summary="Set a site's parameters for an item (adds it to the assortment if needed)",
)
def upsert_assortment(
    uow: UowDep, response: Response, site_id: int, item_id: int, body: AssortmentUpsert
) -> AssortmentRead:
    _, created = service.upsert_assortment(uow, site_id, item_id, body)
    uow.commit()
    response.status_code = 201 if created else 200
    return queries.get_assortment(uow.session, uow.principal.scope(A_WRITE), site_id, item_id)


@router.patch("/catalog/sites/{site_id}/assortment/{item_id}", perm=A_WRITE, tags=TAGS, response_model=AssortmentRead)
def update_assortment(uow: UowDep, site_id: int, item_id: int, body: AssortmentUpdate) -> AssortmentRead:
    service.update_assortment(uow, site_id, item_id, body)
    uow.commit()
    return queries.get_assortment(uow.session, uow.principal.scope(A_WRITE), site_id, item_id)


@router.get(
    "/catalog/assortment/export",
    perm=A_READ,
    tags=TAGS,
    summary="Export the assortment of every site in your scope as CSV or XLSX",
)
def export_assortment(uow: UowDep, format: FormatQ = "csv") -> Response:
    return download(imports.export_table(uow, "assortment", format), format, "assortment")


@router.post(
    "/catalog/assortment/import",
    perm=A_WRITE,
    tags=TAGS,
    response_model=imports.ImportResult,
    summary=IMPORT_SUMMARY.format("site assortments", "site code + SKU"),
)
def import_assortment(uow: UowDep, file: UploadQ) -> imports.ImportResult:
    name, data = read_upload_sync(file)
    result = imports.import_table(uow, "assortment", name, data)
    uow.commit()
    return result
