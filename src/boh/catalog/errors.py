"""Errors of the catalog domain, with stable codes."""

from __future__ import annotations

from boh.kernel.errors import BohError, Conflict, NotFound


class ItemNotFound(NotFound):
    code = "catalog.item_not_found"
    title = "Item not found"


class CategoryNotFound(NotFound):
    code = "catalog.category_not_found"
    title = "Category not found"


class SupplierNotFound(NotFound):
    code = "catalog.supplier_not_found"
    title = "Supplier not found"


class SupplierItemNotFound(NotFound):
    code = "catalog.supplier_item_not_found"
    title = "Supplier item not found"


class AssortmentNotFound(NotFound):
    code = "catalog.assortment_not_found"
    title = "Item not in the site's assortment"


class DuplicateSku(Conflict):
    code = "catalog.duplicate_sku"
    title = "SKU already used"


class DuplicateCode(Conflict):
    code = "catalog.duplicate_code"
    title = "Code already used"


class DuplicateGtin(Conflict):
    code = "catalog.duplicate_gtin"
    title = "Barcode already used"


class DuplicateSupplierItem(Conflict):
    code = "catalog.duplicate_supplier_item"
    title = "Supplier item already exists"


class DuplicateUnit(Conflict):
    code = "catalog.duplicate_unit"
    title = "Unit already defined"


class UnknownUnit(BohError):
    code = "catalog.unknown_unit"
    status = 422
    title = "Unknown unit"


class InexactConversion(BohError):
    """The result of a unit conversion cannot be written exactly as a decimal (e.g. 1 of 3)."""

    code = "catalog.inexact_conversion"
    status = 422
    title = "Conversion is not exact"


class FractionalQuantity(BohError):
    """A quantity of a unit counted in whole pieces (each) would not be whole."""

    code = "catalog.fractional_quantity"
    status = 422
    title = "Quantity must be whole"


class InvalidBarcode(BohError):
    code = "catalog.invalid_barcode"
    status = 422
    title = "Invalid barcode"


class InvalidEpc(BohError):
    code = "catalog.invalid_epc"
    status = 422
    title = "Invalid EPC"


class CertificateNotFound(NotFound):
    code = "catalog.certificate_not_found"
    title = "Certificate not found"


class DuplicateCertificate(Conflict):
    code = "catalog.duplicate_certificate"
    title = "Certificate already recorded"


class InvalidDocument(BohError):
    code = "catalog.invalid_document"
    status = 422
    title = "Invalid certificate document"
