"""A small chain for simulator and MQTT tests: one tenant, two stores, GTIN items sold by the unit and a
weighed item without a GTIN, every item in both stores' assortments."""

from __future__ import annotations

from dataclasses import dataclass

from boh.bootstrap import Runtime
from boh.simulate.snapshot import CatalogSnapshot, snapshot_from_db
from tests.catalog.helpers import make_assortment, make_item
from tests.factories import TenantRef, make_site, make_tenant

SITES = ("SH01", "SH02")


def gtin13(n: int) -> str:
    """A valid GTIN-13 with a Chinese GS1 prefix (690...)."""
    body = f"690{n:09d}"
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(body))
    return body + str((10 - total % 10) % 10)


@dataclass
class FloorWorld:
    tenant: TenantRef
    site_ids: dict[str, int]
    item_ids: dict[str, int]  # sku -> id
    gtins: dict[str, str]  # sku -> GTIN-13 (GTIN items only)
    snapshot: CatalogSnapshot


def make_floor_world(rt: Runtime, code: str = "SIM", *, tagged: int = 6) -> FloorWorld:
    t = make_tenant(rt, code=code, name=f"Chain {code}")
    site_ids = {s: make_site(rt, t, s) for s in SITES}
    item_ids: dict[str, int] = {}
    gtins: dict[str, str] = {}
    for n in range(1, tagged + 1):
        sku = f"{code}-G{n}"
        gtins[sku] = gtin13(n)
        item_ids[sku] = make_item(rt, t, sku, barcodes=[gtins[sku]])
    item_ids[f"{code}-KG"] = make_item(rt, t, f"{code}-KG", base_uom="kg", kind="fresh")
    for sid in site_ids.values():
        for iid in item_ids.values():
            make_assortment(rt, t, sid, iid)
    with rt.session_factory() as session:
        snap = snapshot_from_db(session, code, SITES)
    return FloorWorld(t, site_ids, item_ids, gtins, snap)
