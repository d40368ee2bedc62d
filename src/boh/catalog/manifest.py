"""The catalog domain's manifest (see boh.kernel.manifest)."""

from __future__ import annotations

from boh.kernel.manifest import Manifest

_READ = ("catalog.item.read", "catalog.supplier.read", "catalog.assortment.read")
C_READ, C_WRITE, C_POLICY = "catalog.certificate.read", "catalog.certificate.write", "catalog.certificate.policy"

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
        C_READ,  # supplier certificates and the requirement policy
        C_WRITE,  # record certificates (supplier users: their own supplier's only)
        C_POLICY,  # which certificate types are required, and what an unmet requirement does at receipt
    ),
    grants={
        "regional_manager": (*_READ, "catalog.assortment.write", C_READ),
        "store_manager": (*_READ, "catalog.assortment.write", C_READ),
        "store_staff": ("catalog.item.read", "catalog.assortment.read"),
        "inspector": ("catalog.item.read", C_READ),
        "buyer": (
            *_READ,
            "catalog.item.write",
            "catalog.supplier.write",
            "catalog.assortment.write",
            C_READ,
            C_WRITE,
            C_POLICY,
        ),
        "accountant": (*_READ, C_READ),
        "supplier": ("catalog.supplier.read", "catalog.item.read", C_READ, C_WRITE),
        "device": ("catalog.item.read",),
    },
    models=("boh.catalog.models", "boh.catalog.certificates.models"),
    api_routers=("boh.catalog.routes:router", "boh.catalog.certificates.routes:router"),
    page_routers=("boh.catalog.pages:router",),
    nav="boh.catalog.pages:NAV",
    tiles="boh.catalog.pages:tiles",
    today="boh.catalog.pages:today_parts",
    jobs="boh.catalog.certificates.tasks:JOBS",
    subpackages=("certificates",),
)
