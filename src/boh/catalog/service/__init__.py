"""Use cases of the catalog domain: one public function per command, ``uow`` first. They check the
principal's scope, write an audit record of what changed (old -> new) and publish events; they never
commit. Split by area: items (categories, items, units, barcodes), suppliers (suppliers and supplier
items), assortment (per-site parameters)."""

from boh.catalog.service.assortment import update_assortment, upsert_assortment
from boh.catalog.service.items import (
    add_barcode,
    add_uom,
    create_category,
    create_item,
    remove_barcode,
    update_category,
    update_item,
)
from boh.catalog.service.suppliers import (
    create_supplier,
    create_supplier_item,
    update_supplier,
    update_supplier_item,
)

__all__ = [
    "add_barcode",
    "add_uom",
    "create_category",
    "create_item",
    "create_supplier",
    "create_supplier_item",
    "remove_barcode",
    "update_assortment",
    "update_category",
    "update_item",
    "update_supplier",
    "update_supplier_item",
    "upsert_assortment",
]
