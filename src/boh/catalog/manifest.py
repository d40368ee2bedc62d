"""The catalog domain's manifest (see boh.kernel.manifest)."""

from __future__ import annotations

from boh.kernel.manifest import Manifest

_READ = ("catalog.item.read", "catalog.supplier.read", "catalog.assortment.read")

MANIFEST = Manifest(
    name="catalog",
    summary="Items, categories, units, barcodes, suppliers and their items, site assortments.",
    rank=20,
    permissions=(
        "catalog.item.read",
        "catalog.item.write",
        "catalog.supplier.read",
        "catalog.supplier.write",
        "catalog.assortment.read",
        "catalog.assortment.write",
    ),
    grants={
        "regional_manager": (*_READ, "catalog.assortment.write"),
        "store_manager": (*_READ, "catalog.assortment.write"),
        "store_staff": ("catalog.item.read", "catalog.assortment.read"),
        "inspector": ("catalog.item.read",),
        "buyer": (*_READ, "catalog.item.write", "catalog.supplier.write", "catalog.assortment.write"),
        "accountant": _READ,
        "supplier": ("catalog.supplier.read", "catalog.item.read"),
        "device": ("catalog.item.read",),
    },
    models=("boh.catalog.models",),
    api_routers=("boh.catalog.routes:router",),
    page_routers=("boh.catalog.pages:router",),
    nav="boh.catalog.pages:NAV",
    tiles="boh.catalog.pages:tiles",
)
