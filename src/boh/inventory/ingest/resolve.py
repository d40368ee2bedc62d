"""Set-based resolution of the codes in a batch: one query for the sites, one (chunked) for the SKUs,
one for the GTINs (EPCs decode to GTINs), one for the lots. Catalog tables are read by name (a read-join
of a lower domain's tables through the read-only views the catalog's api publishes)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from typing import Any

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnClause, ColumnElement

from boh.catalog.api import (
    ITEM_CODES_CACHE,
    EpcResult,
    UnitTable,
    barcode_view,
    decode_epc,
    item_view,
    normalize_gtin,
    unit_table,
)
from boh.inventory.ledger.store import PortableStore
from boh.kernel import cache as kernel_cache
from boh.org.api import SiteStockSettings, site_stock_settings_by_code

CHUNK = 1000
_item = item_view()
_barcode = barcode_view()


@dataclass(frozen=True)
class ItemInfo:
    item_id: int
    base_uom: str
    code_uom: str | None = None  # the unit a GTIN stands for (a case GTIN); None: the base unit


@dataclass(frozen=True)
class Site:
    id: int
    code: str
    settings: SiteStockSettings


def _chunks(values: list[str]) -> Iterable[list[str]]:
    for start in range(0, len(values), CHUNK):
        yield values[start : start + CHUNK]


def sites(session: Session, tenant_id: int, codes: Iterable[str]) -> dict[str, Site]:
    settings = site_stock_settings_by_code(session, tenant_id, codes)
    return {code: Site(s.id, code, s) for code, s in settings.items()}


_SEP = "\x1f"  # the ASCII unit separator: never part of a code (codes are validated printable text)


def _among(session: Session, col: ColumnClause[Any], codes: list[str]) -> Iterable[ColumnElement[bool]]:
    """``col IN codes``, in chunks. On PostgreSQL one parameter: the codes joined by a separator and split
    by ``string_to_array`` in the database (a list of thousands of bound values costs more to send than
    the lookup itself), semi-joined to the column."""
    if session.get_bind().dialect.name == "postgresql" and codes and not any(_SEP in c for c in codes):
        # a semi-join, not ``= ANY(array)``: an array that is not a constant is searched linearly per row
        listed = select(func.unnest(func.string_to_array(bindparam("codes", _SEP.join(codes)), _SEP)))
        yield col.in_(listed.scalar_subquery())
        return
    for chunk in _chunks(codes):
        yield col.in_(chunk)


CODE_TTL = 30.0  # seconds another process may resolve a changed SKU or GTIN the old way (this one: none)
CodeKey = tuple[str, int, str]  # ("sku" | "gtin", tenant_id, code)


def items_by_sku(session: Session, tenant_id: int, skus: Iterable[str]) -> dict[str, ItemInfo]:
    """SKU -> item; unknown SKUs absent. Known codes are remembered CODE_TTL seconds per process (a batch of
    thousands of events names mostly the same codes as the last); unknown ones are looked up every time."""

    def load(wanted: list[CodeKey]) -> dict[CodeKey, ItemInfo]:
        out: dict[CodeKey, ItemInfo] = {}
        for cond in _among(session, _item.c.sku, sorted(code for _, _, code in wanted)):
            rows = session.execute(
                select(_item.c.sku, _item.c.id, _item.c.base_uom).where(_item.c.tenant_id == tenant_id, cond)
            )
            out.update({("sku", tenant_id, sku): ItemInfo(iid, uom) for sku, iid, uom in rows})
        return out

    found = kernel_cache.cached_many(
        session, ITEM_CODES_CACHE, (("sku", tenant_id, s) for s in set(skus)), CODE_TTL, load
    )
    return {code: info for (_, _, code), info in found.items()}


def items_by_gtin(session: Session, tenant_id: int, gtins: Iterable[str]) -> dict[str, ItemInfo]:
    """GTIN-14 -> item; unknown GTINs absent (remembered like ``items_by_sku``)."""

    def load(wanted: list[CodeKey]) -> dict[CodeKey, ItemInfo]:
        out: dict[CodeKey, ItemInfo] = {}
        for cond in _among(session, _barcode.c.gtin, sorted(code for _, _, code in wanted)):
            rows = session.execute(
                select(_barcode.c.gtin, _item.c.id, _item.c.base_uom, _barcode.c.uom)
                .join(_item, _item.c.id == _barcode.c.item_id)
                .where(_barcode.c.tenant_id == tenant_id, cond)
            )
            out.update({("gtin", tenant_id, gtin): ItemInfo(iid, base, uom) for gtin, iid, base, uom in rows})
        return out

    found = kernel_cache.cached_many(
        session, ITEM_CODES_CACHE, (("gtin", tenant_id, g) for g in set(gtins)), CODE_TTL, load
    )
    return {code: info for (_, _, code), info in found.items()}


@lru_cache(maxsize=65536)
def gtin14(code: str) -> str | None:
    """The GTIN-14 of a GTIN-8/12/13/14 with a valid check digit, else None."""
    try:
        return normalize_gtin(code)
    except Exception:
        return None


@lru_cache(maxsize=262144)
def epc(code: str) -> EpcResult | None:
    """The decoded SGTIN of a tag, else None (not an EPC, or not an SGTIN)."""
    try:
        return decode_epc(code)
    except Exception:
        return None


def lots(session: Session, tenant_id: int, pairs: Iterable[tuple[int, str]]) -> dict[tuple[int, str], int]:
    """(item_id, lot_code) -> lot id for the lots that exist."""
    return PortableStore(session).lot_ids(tenant_id, pairs)


def base_quantity(
    session: Session, tenant_id: int, item: ItemInfo, qty: Decimal, uom: str | None, units: dict[int, UnitTable]
) -> Decimal:
    """``qty`` of ``uom`` (or of the code's unit, or of the base unit) in base units; raises the catalog's
    UnknownUnit / InexactConversion / FractionalQuantity errors. ``units`` caches unit tables per item."""
    unit = uom or item.code_uom
    if unit is None or unit == item.base_uom:
        return qty
    if item.item_id not in units:
        units[item.item_id] = unit_table(session, tenant_id, item.item_id)
    return units[item.item_id].to_base(qty, unit)
