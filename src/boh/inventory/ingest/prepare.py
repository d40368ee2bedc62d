"""Validation of a raw batch: parse every event, resolve its site and item codes set-based, and split the
batch into good events (``Prepared``) and rejections reported by index."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy.orm import Session

from boh.catalog.api import UnitTable
from boh.inventory.ingest import domain, resolve
from boh.inventory.ingest.schemas import FloorEvent, Modifier, Rejected, SaleEvent
from boh.inventory.ledger import rules
from boh.inventory.ledger.documents import held_lot_ids
from boh.inventory.models import InventorySettings
from boh.kernel.clock import utcnow
from boh.kernel.errors import BohError
from boh.kernel.tenancy import Scope

FUTURE_TOLERANCE = timedelta(minutes=5)
QTY_Q = Decimal("0.000001")


@dataclass(slots=True)
class Prepared:
    index: int
    event: FloorEvent
    site: resolve.Site
    item: resolve.ItemInfo
    quantity: Decimal = Decimal(0)  # signed base units (sale -, return +); weight: base units on the shelf
    lot_id: int | None = None
    epc: str | None = None
    part: int = 0  # a sale split over lots (fefo.py): its parts share the event, one move each
    modifiers: tuple[tuple[int, Decimal], ...] = ()  # (item_id, base quantity per sold unit)
    # the event's, read a dozen times per event: plain attributes, not properties
    kind: str = field(init=False)
    claim_key: tuple[str, str] = field(init=False)

    def __post_init__(self) -> None:
        self.kind = self.event.kind
        self.claim_key = (self.event.source, self.event.event_id)


@dataclass
class Batch:
    good: list[Prepared] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)
    duplicates: int = 0

    def reject(self, index: int, raw_or_event: Any, code: str, message: str) -> None:
        event_id = raw_or_event.event_id if hasattr(raw_or_event, "event_id") else domain.event_id_of(raw_or_event)
        self.rejected.append(Rejected(index=index, event_id=event_id, code=code, message=message))


@dataclass
class _Codes:
    sites: dict[str, resolve.Site]
    skus: dict[str, resolve.ItemInfo]
    gtins: dict[str, resolve.ItemInfo]


def _lookup(session: Session, tenant_id: int, events: list[tuple[int, FloorEvent]]) -> tuple[_Codes, list[str | None]]:
    """The batch's codes resolved set-based, and per event the code its item is found by: its SKU, else the
    GTIN-14 of its GTIN or of its EPC; None when that code cannot be read (not a valid GTIN, not an SGTIN
    EPC). Each event's code is decoded once here (``_item`` takes it from the list)."""
    skus: set[str] = set()
    gtins: set[str] = set()
    refs: list[str | None] = []
    ref: str | None
    for _, ev in events:
        if ev.kind == "rfid_read":
            decoded = resolve.epc(ev.epc.upper())
            ref = None if decoded is None else decoded.gtin
            if ref is not None:
                gtins.add(ref)
        else:
            if ev.kind != "weight" and ev.modifiers:
                skus.update(m.sku for m in ev.modifiers)
            if ev.sku is not None:
                ref = ev.sku
                skus.add(ref)
            else:
                assert ev.gtin is not None
                ref = resolve.gtin14(ev.gtin)
                if ref is not None:
                    gtins.add(ref)
        refs.append(ref)
    codes = _Codes(
        resolve.sites(session, tenant_id, {ev.site for _, ev in events}),
        resolve.items_by_sku(session, tenant_id, skus),
        resolve.items_by_gtin(session, tenant_id, gtins),
    )
    return codes, refs


def _item(ev: FloorEvent, ref: str | None, codes: _Codes) -> resolve.ItemInfo | tuple[str, str]:
    """The event's item (``ref``: its code as ``_lookup`` read it), else (code, message) (built only then:
    this runs for every event)."""
    if ev.kind == "rfid_read":
        if ref is None:
            return "inventory.unknown_epc", f"'{ev.epc}' is not an SGTIN EPC"
        return codes.gtins.get(ref) or ("inventory.unknown_epc", f"no item has the GTIN {ref} of EPC '{ev.epc}'")
    if ev.sku is not None:
        return codes.skus.get(ev.sku) or ("inventory.unknown_sku", f"unknown SKU '{ev.sku}'")
    if ref is None:
        return "inventory.unknown_gtin", f"'{ev.gtin}' is not a valid GTIN"
    return codes.gtins.get(ref) or ("inventory.unknown_gtin", f"no item has the GTIN '{ev.gtin}'")


def _quantity(session: Session, tenant_id: int, p: Prepared, units: dict[int, UnitTable]) -> tuple[str, str] | None:
    """Set the event's base quantity; (code, message) when it cannot be had."""
    ev = p.event
    if ev.kind == "sale" or ev.kind == "return":
        qty = ev.qty  # validated to at most 6 decimals: only a conversion can give more
        if ev.uom is not None or p.item.code_uom is not None:
            try:
                qty = resolve.base_quantity(session, tenant_id, p.item, ev.qty, ev.uom, units)
            except BohError as exc:
                return "inventory.bad_quantity", exc.detail
            if qty != qty.quantize(QTY_Q):
                return "inventory.bad_quantity", f"{ev.qty} {ev.uom or ''} is more than 6 decimals in the base unit"
        p.quantity = -qty if ev.kind == "sale" else qty
    elif ev.kind == "weight":
        on_shelf = domain.weight_to_base(p.item.base_uom, ev.weight_g)
        if on_shelf is None:
            return "inventory.unsupported_weight_item", f"the item's base unit is {p.item.base_uom}, not kg or g"
        p.quantity = on_shelf.quantize(QTY_Q, rounding=ROUND_HALF_UP)
    else:
        p.epc = ev.epc.upper()
    return None


def _modifiers(p: Prepared, modifiers: list[Modifier], codes: _Codes) -> tuple[str, str] | None:
    """Resolve a sale's modifier SKUs (their quantity per sold unit, in the modifier item's base unit)."""
    found = []
    for m in modifiers:
        info = codes.skus.get(m.sku)
        if info is None:
            return "inventory.unknown_sku", f"unknown modifier SKU '{m.sku}'"
        found.append((info.item_id, m.qty))
    p.modifiers = tuple(found)
    return None


def prepare(session: Session, scope: Scope, raw: Sequence[Any], default_site: str | None) -> Batch:
    batch = Batch()
    parsed: list[tuple[int, FloorEvent]] = []
    for i, (item, ev) in enumerate(zip(raw, domain.parse_events(raw, default_site), strict=True)):
        if isinstance(ev, domain.Problem):
            batch.reject(i, item, ev.code, ev.message)
        else:
            parsed.append((i, ev))
    codes, refs = _lookup(session, scope.tenant_id, parsed)
    latest = utcnow() + FUTURE_TOLERANCE
    candidates: list[Prepared] = []
    units: dict[int, UnitTable] = {}
    sites, allowed = codes.sites, scope.allows_site
    for (i, ev), ref in zip(parsed, refs, strict=True):
        site = sites.get(ev.site)
        if site is None:
            batch.reject(i, ev, "inventory.unknown_site", f"unknown site '{ev.site}'")
        elif not allowed(site.id):
            batch.reject(i, ev, "inventory.site_not_allowed", f"you may not send events for site '{ev.site}'")
        elif ev.occurred_at > latest:
            batch.reject(i, ev, "inventory.future_event", "occurred_at is in the future")
        elif isinstance(item := _item(ev, ref, codes), tuple):
            batch.reject(i, ev, *item)
        else:
            p = Prepared(i, ev, site, item)
            problem = _quantity(session, scope.tenant_id, p, units)
            if problem is None and ev.kind != "rfid_read" and ev.kind != "weight" and ev.modifiers:
                problem = _modifiers(p, ev.modifiers, codes)
            if problem is not None:
                batch.reject(i, ev, *problem)
            else:
                candidates.append(p)
    _resolve_lots(session, scope.tenant_id, candidates, batch)
    batch.rejected.sort(key=lambda r: r.index)
    return batch


def _resolve_lots(session: Session, tenant_id: int, candidates: list[Prepared], batch: Batch) -> None:
    """Set lot ids (an unknown lot code is rejected) and drop repeats of an event id within the batch."""
    pairs = {(p.item.item_id, p.event.lot) for p in candidates if isinstance(p.event, SaleEvent) and p.event.lot}
    lots = resolve.lots(session, tenant_id, pairs)
    held = held_lot_ids(session, tenant_id, set(lots.values())) if lots else set()
    rule = session.get(InventorySettings, tenant_id) if held else None
    policy = rule.held_lot_sales if rule is not None else "refuse"
    seen: set[tuple[str, str]] = set()
    for p in candidates:
        ev = p.event
        if isinstance(ev, SaleEvent) and ev.lot:
            lot_id = lots.get((p.item.item_id, ev.lot))
            if lot_id is None:
                batch.reject(p.index, ev, "inventory.lot_not_found", f"the item has no lot '{ev.lot}'")
                continue
            if lot_id in held and rules.refuses_held(ev.kind, p.quantity, policy):
                batch.reject(
                    p.index, ev, "inventory.lot_on_hold", f"lot '{ev.lot}' is on hold (a recall or a quarantine)"
                )
                continue
            p.lot_id = lot_id
        if p.claim_key in seen:
            batch.duplicates += 1
            continue
        seen.add(p.claim_key)
        batch.good.append(p)
