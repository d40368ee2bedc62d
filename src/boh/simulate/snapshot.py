"""What the simulator needs to know about a chain: its sites and, per site, the items it sells.

Read from the database (``snapshot_from_db``: the sites' assortments, fast set-based queries) or from a
running BOH through its API with the caller's key (``snapshot_from_api``: each site's assortment when the
key may read it, else every active item).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import httpx
from sqlalchemy import select
from sqlalchemy.orm import Session

from boh.catalog.models import Assortment, Item, ItemBarcode
from boh.org.api import site_ids_by_code, tenant_id_by_code

PAGE = 500


@dataclass(frozen=True)
class ItemSnap:
    sku: str
    gtin: str | None  # the base unit's GTIN: items without one are sold by SKU and carry no RFID tag
    base_uom: str
    price: Decimal  # shelf price per base unit (the catalog has none: derived from the SKU, stable)


@dataclass(frozen=True)
class SiteSnap:
    code: str
    items: tuple[ItemSnap, ...]
    site_id: int | None = None


@dataclass(frozen=True)
class CatalogSnapshot:
    tenant: str
    sites: tuple[SiteSnap, ...]

    def site(self, code: str) -> SiteSnap:
        for s in self.sites:
            if s.code == code:
                return s
        raise KeyError(code)


def _digest(sku: str) -> int:
    return int.from_bytes(hashlib.blake2b(sku.encode(), digest_size=4).digest(), "big")


def make_item(sku: str, gtin: str | None, base_uom: str = "each") -> ItemSnap:
    """An item with a stable, plausible shelf price (1.50-99.90) derived from its SKU."""
    price = Decimal(150 + _digest(sku) % 9841) / 100
    return ItemSnap(sku=sku, gtin=gtin, base_uom=base_uom, price=price.quantize(Decimal("0.10")))


def _site_items(session: Session, tenant_id: int, site_id: int) -> tuple[ItemSnap, ...]:
    gtins: dict[int, str] = {}
    rows = session.execute(
        select(ItemBarcode.item_id, ItemBarcode.gtin)
        .join(Assortment, Assortment.item_id == ItemBarcode.item_id)
        .where(
            ItemBarcode.tenant_id == tenant_id,
            ItemBarcode.uom.is_(None),
            Assortment.site_id == site_id,
            Assortment.tenant_id == tenant_id,
        )
        .order_by(ItemBarcode.id)
    )
    for item_id, gtin in rows:
        gtins.setdefault(item_id, gtin)
    items = session.execute(
        select(Item.id, Item.sku, Item.base_uom)
        .join(Assortment, Assortment.item_id == Item.id)
        .where(
            Assortment.tenant_id == tenant_id,
            Assortment.site_id == site_id,
            Assortment.active.is_(True),
            Item.active.is_(True),
        )
        .order_by(Item.id)
    )
    return tuple(make_item(sku, gtins.get(iid), uom) for iid, sku, uom in items)


def snapshot_from_db(session: Session, tenant_code: str, site_codes: Iterable[str]) -> CatalogSnapshot:
    """The sites' active assortments. Unknown tenant or site codes raise ValueError (the operator's typo)."""
    tenant_id = tenant_id_by_code(session, tenant_code)
    if tenant_id is None:
        raise ValueError(f"tenant '{tenant_code}' not found")
    codes = list(site_codes)
    ids = site_ids_by_code(session, tenant_id, codes)
    missing = [c for c in codes if c not in ids]
    if missing:
        raise ValueError(f"site(s) not found in tenant {tenant_code}: {', '.join(missing)}")
    sites = tuple(SiteSnap(code=c, items=_site_items(session, tenant_id, ids[c]), site_id=ids[c]) for c in codes)
    return CatalogSnapshot(tenant=tenant_code, sites=sites)


def _pages(client: httpx.Client, path: str, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    offset = 0
    while True:
        r = client.get(path, params={**(params or {}), "limit": PAGE, "offset": offset})
        r.raise_for_status()
        body = r.json()
        out.extend(body["items"])
        offset += PAGE
        if offset >= body["total"]:
            return out


def _api_item(row: dict[str, Any]) -> ItemSnap:
    base = [b["gtin"] for b in row.get("barcodes", []) if b.get("uom") in (None, row["base_uom"])]
    return make_item(row["sku"], base[0] if base else None, row["base_uom"])


def snapshot_from_api(client: httpx.Client, tenant_code: str, site_codes: Iterable[str]) -> CatalogSnapshot:
    """Items through GET /api/v1/catalog/... with the client's credentials (a device key reads every active
    item; a key with catalog.assortment.read gets each site's own assortment)."""
    items = {row["id"]: _api_item(row) for row in _pages(client, "/api/v1/catalog/items", {"active": True})}
    every = tuple(items[i] for i in sorted(items))
    site_ids: dict[str, int] = {}
    r = client.get("/api/v1/org/sites", params={"limit": PAGE})
    if r.status_code == 200:
        site_ids = {s["code"]: s["id"] for s in r.json()["items"]}
    sites: list[SiteSnap] = []
    for code in site_codes:
        sid = site_ids.get(code)
        chosen = every
        if sid is not None:
            probe = client.get(f"/api/v1/catalog/sites/{sid}/assortment", params={"limit": 1})
            if probe.status_code == 200:
                rows = _pages(client, f"/api/v1/catalog/sites/{sid}/assortment", {"active": True})
                chosen = tuple(items[a["item_id"]] for a in rows if a["item_id"] in items)
        sites.append(SiteSnap(code=code, items=chosen, site_id=sid))
    return CatalogSnapshot(tenant=tenant_code, sites=tuple(sites))
