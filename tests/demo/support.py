"""Helpers shared by the demo tests."""

from __future__ import annotations

from decimal import Decimal

import typer
from sqlalchemy import func, select

from boh.bootstrap import Runtime
from boh.catalog.models import Assortment, Item, ItemBarcode, Supplier, SupplierItem
from boh.demo.assortment_gen import build_levels
from boh.demo.catalog_gen import build_items, build_supplier_items
from boh.demo.cli import register
from boh.demo.org_data import SITES
from boh.demo.refs import CatalogRefs, OrgRefs
from boh.inventory.models import Balance, Lot, Move
from boh.kernel.audit import AuditRecord
from boh.kernel.outbox import OutboxRecord
from boh.org.models import ApiKey, Region, Site, Tenant, User


def cli_app(rt: Runtime) -> typer.Typer:
    app = typer.Typer()

    @app.command()
    def serve() -> None:  # pragma: no cover - only quickstart calls it
        raise AssertionError("not used")

    register(app, lambda: rt)
    return app


def counts(rt: Runtime) -> dict[str, int]:
    tables = (
        Tenant,
        Region,
        Site,
        User,
        ApiKey,
        Item,
        ItemBarcode,
        Supplier,
        SupplierItem,
        Assortment,
        Move,
        Balance,
        Lot,
    )
    with rt.session_factory() as s:
        out = {m.__tablename__: s.scalar(select(func.count()).select_from(m)) or 0 for m in tables}
        out["audit"] = s.scalar(select(func.count()).select_from(AuditRecord)) or 0
        out["outbox"] = s.scalar(select(func.count()).select_from(OutboxRecord)) or 0
    return out


def demo_refs(rt: Runtime, seed: int) -> tuple[OrgRefs, CatalogRefs]:
    """The references the loader handed to load_inventory, rebuilt from the database and the generators."""
    refs = CatalogRefs()
    with rt.session_factory() as s:
        tenant_id = s.scalars(select(Tenant.id).where(Tenant.code == "DEMO")).one()
        org = OrgRefs(tenant_id=tenant_id)
        for code, site_id, kind, fmt in s.execute(
            select(Site.code, Site.id, Site.kind, Site.format).where(Site.tenant_id == tenant_id)
        ):
            org.site_ids[code] = site_id
            if kind == "store":
                org.store_formats[code] = fmt or ""
            elif kind == "dc":
                org.dc_code = code
        refs.item_ids = {sku: i for sku, i in s.execute(select(Item.sku, Item.id).where(Item.tenant_id == tenant_id))}
    items = build_items(seed)
    for offer in build_supplier_items(seed, items):
        if offer.primary:
            refs.unit_costs[offer.sku] = (offer.price / offer.units_per_case).quantize(Decimal("0.000001"))
    sites = {x.code: (x.format or x.kind, x.size) for x in SITES if x.kind != "office"}
    refs.levels = build_levels(seed, sites, items)
    refs.shelf_life = {i.sku: i.shelf_life_days for i in items if i.perishable and i.shelf_life_days}
    return org, refs
