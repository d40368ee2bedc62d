"""The demo chain: a believable company to try BOH with (``boh demo``, ``boh quickstart``).

鲜邻生活 / FreshNest Markets: four regions, 22 stores of four formats in real Chinese cities, a
distribution centre, a central kitchen and a head office; about three hundred items (grocery, fresh
with shelf lives, prepared food, kitchen supplies) named in Chinese and English with valid GTINs;
eleven suppliers with prices, MOQs, case packs and lead times; per-site assortments with stock levels;
users for every role; and opening stock at every store and the DC (dated lots of fresh goods at the
DC). Everything is generated deterministically from a seed and written through the domain services,
so audit records and events exist exactly as for real data.

One function per domain, called in order by ``load_demo``; later modules (sales history,
inspections...) add theirs here. Owns no tables.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from boh.demo import (
    activity,
    catalog,
    certificates,
    coldchain,
    forecasting,
    inspections,
    inventory,
    kitchen,
    org,
    purchasing,
    replenishment,
    replenishment_sim,
    users,
)  # fmt: skip
from boh.demo import trace as trace_drill
from boh.demo.refs import DEMO_PASSWORD, DEMO_TENANT_CODE, DEMO_URL, CatalogRefs, DemoLogin, OrgRefs, UserRefs
from boh.inspections.api import BlobStore, open_photo_store
from boh.kernel.tenancy import system_principal
from boh.kernel.uow import UnitOfWork

__all__ = ["DEMO_PASSWORD", "DEMO_TENANT_CODE", "DEMO_URL", "DemoSummary", "load_demo"]


class DemoRuntime(Protocol):
    def system_uow(self, tenant_id: int, request_id: str | None = None) -> UnitOfWork: ...


@dataclass
class DemoSummary:
    created: bool  # False: the demo tenant already existed and nothing was written
    tenant_id: int
    seed: int
    regions: int = 0
    stores: int = 0
    sites: int = 0
    categories: int = 0
    items: int = 0
    suppliers: int = 0
    supplier_items: int = 0
    assortment_rows: int = 0
    stock_moves: int = 0  # opening stock receipts
    logins: list[DemoLogin] = field(default_factory=list)
    device_key: str | None = None  # shown once: only when this call created it
    device_site: str | None = None
    seconds: float = 0.0


def _summary(seed: int, o: OrgRefs, c: CatalogRefs, u: UserRefs, moves: int, started: float) -> DemoSummary:
    return DemoSummary(
        created=True,
        tenant_id=o.tenant_id,
        seed=seed,
        regions=len(o.region_ids),
        stores=len(o.store_formats),
        sites=len(o.site_ids),
        categories=len(c.category_ids),
        items=len(c.item_ids),
        suppliers=len(c.supplier_ids),
        supplier_items=c.supplier_items,
        assortment_rows=c.assortment_rows,
        stock_moves=moves,
        logins=u.logins,
        device_key=u.device_key,
        device_site=u.device_site,
        seconds=round(time.perf_counter() - started, 2),
    )


STEPS = 17  # the calls of ``progress`` in load_demo


def _photo_store(runtime: DemoRuntime) -> BlobStore | None:
    """The inspections' photo store of a runtime with settings (the CLI's); None otherwise (photos skipped)."""
    settings = getattr(runtime, "settings", None)
    return open_photo_store(settings=settings) if settings is not None else None


def load_demo(runtime: DemoRuntime, *, seed: int = 42, progress: Callable[[str], None] | None = None) -> DemoSummary:
    """Load the demo chain in one transaction (all or nothing). Idempotent: when the DEMO tenant
    already exists nothing is written and the summary says ``created=False``. ``progress(step)`` is called
    as each of the STEPS steps starts (a progress bar)."""
    step = progress or (lambda _label: None)
    started = time.perf_counter()
    with runtime.system_uow(0, request_id=f"demo-{seed}") as uow:
        existing = org.find_demo_tenant(uow)
        if existing is not None:
            return DemoSummary(
                created=False, tenant_id=existing, seed=seed, logins=users.existing_logins(uow, existing)
            )
        with uow.audit_batch():  # thousands of audit records, appended under one lock of the chain head
            step("organisation")
            tenant_id = org.create_demo_tenant(uow)
            uow.principal = system_principal(tenant_id)  # from here on the loader acts inside the new tenant
            org_refs = org.load_org(uow, seed)
            step("catalog")
            catalog_refs = catalog.load_catalog(uow, seed, org_refs)
            step("users")
            user_refs = users.load_users(uow, seed, org_refs, catalog_refs)
            step("opening stock")
            moves = inventory.load_inventory(uow, seed, org_refs, catalog_refs)
            step("orders")
            inventory.load_commitments(uow, seed, org_refs, catalog_refs)
            step("two weeks of sales")
            moves += activity.load_history(uow, seed, org_refs, catalog_refs)
            step("today's work")
            activity.load_today(uow, seed, org_refs, catalog_refs)
            step("inspections")
            insp = inspections.load_inspections(uow, seed, org_refs, user_refs, _photo_store(runtime))
            user_refs.logins += insp.logins
            step("central kitchen")
            kitchen.load_kitchen(uow, seed, org_refs, catalog_refs)
            step("forecasts")
            forecasting.load_forecasting(uow, seed, org_refs, catalog_refs)
            step("cold chain")
            coldchain.load_coldchain(uow, seed, org_refs)
            step("recall drill")
            trace_drill.load_drill(uow, seed, org_refs, catalog_refs)
            step("replenishment simulation")
            replenishment_sim.load_simulation(uow)
            step("supplier certificates")
            certificates.load_certificates(uow, seed, catalog_refs)
            step("purchase and transfer orders")
            codes = sorted(catalog_refs.supplier_ids)  # demo.supplier acts for the first (users.py)
            demo_supplier = catalog_refs.supplier_ids[codes[0]] if codes else None
            purchasing.load_purchasing(uow, seed, org_refs, catalog_refs, demo_supplier)
            step("order suggestions")
            replenishment.load_replenishment(uow, seed, org_refs, catalog_refs)
        step("saving")
        uow.commit()
    return _summary(seed, org_refs, catalog_refs, user_refs, moves, started)
