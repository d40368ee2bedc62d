"""Bulk count entries: up to 10,000 scans, manual quantities or RFID reads in one all-or-nothing call.

Every bad entry (unknown code or SKU, item not in the count, bad quantity, unknown unit, unknown lot) is
reported at once with loc ["entries", index, field]; nothing is written if any entry is bad. Codes and
GTINs are resolved once per distinct value through boh.catalog.api; an RFID tag (SGTIN EPC) counts one
scanned unit of its GTIN (one base unit for an item-level GTIN), and a tag counts once per line and round
however often it is read.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from boh.catalog import api as catalog
from boh.inventory import repository as inv_repo
from boh.inventory.counts import domain
from boh.inventory.counts import repository as repo
from boh.inventory.counts.models import Count
from boh.inventory.counts.schemas import EntriesResult, EntryIn
from boh.kernel.clock import utcnow
from boh.kernel.errors import BohError, FieldError, ValidationFailed
from boh.kernel.uow import UnitOfWork

ONE = Decimal(1)


@dataclass
class Resolved:
    index: int
    item_id: int
    qty: Decimal  # base units
    entered_qty: Decimal
    uom: str
    method: str
    code: str | None = None
    epc: str | None = None
    lot_code: str | None = None
    at: Any = None


@dataclass
class Resolver:
    session: Session
    tenant_id: int
    errors: list[FieldError] = field(default_factory=list)
    _codes: dict[str, catalog.ScannedItem | BohError] = field(default_factory=dict)
    _gtins: dict[str, catalog.ScannedItem | BohError] = field(default_factory=dict)
    _tables: dict[int, catalog.UnitTable | BohError] = field(default_factory=dict)

    def err(self, index: int, name: str, message: str, code: str) -> None:
        self.errors.append(FieldError(("entries", index, name), message, code))

    def scanned(self, code: str) -> catalog.ScannedItem | BohError:
        if code not in self._codes:
            try:
                self._codes[code] = catalog.resolve_code(self.session, self.tenant_id, code)
            except BohError as exc:
                self._codes[code] = exc
        return self._codes[code]

    def by_epc(self, epc: str) -> tuple[catalog.ScannedItem, str] | BohError:
        try:
            decoded = catalog.decode_epc(epc)
        except BohError as exc:
            return exc
        if decoded.gtin not in self._gtins:
            try:
                self._gtins[decoded.gtin] = catalog.item_by_gtin(self.session, self.tenant_id, decoded.gtin)
            except BohError as exc:
                self._gtins[decoded.gtin] = exc
        found = self._gtins[decoded.gtin]
        return found if isinstance(found, BohError) else (found, decoded.uri)

    def to_base(self, item_id: int, qty: Decimal, uom: str) -> Decimal | BohError:
        if item_id not in self._tables:
            try:
                self._tables[item_id] = catalog.unit_table(self.session, self.tenant_id, item_id)
            except BohError as exc:
                self._tables[item_id] = exc
        table = self._tables[item_id]
        if isinstance(table, BohError):
            return table
        try:
            return table.to_base(qty, uom)
        except BohError as exc:
            return exc


def _identify(r: Resolver, i: int, e: EntryIn, skus: dict[str, catalog.ItemRef]) -> Resolved | None:
    given = [n for n in ("item_id", "sku", "code", "epc") if getattr(e, n) is not None]
    if len(given) != 1:
        r.err(i, "item_id", "give exactly one of item_id, sku, code or epc", "inventory.count_entry_item")
        return None
    qty = e.qty if e.qty is not None else ONE
    if e.epc is not None:
        found = r.by_epc(e.epc)
        if isinstance(found, BohError):
            r.err(i, "epc", found.detail, found.code)
            return None
        item, uri = found
        return Resolved(i, item.item.id, qty * item.base_qty, qty, item.uom, "rfid", epc=uri, lot_code=e.lot_code)
    if e.code is not None:
        scan = r.scanned(e.code)
        if isinstance(scan, BohError):
            r.err(i, "code", scan.detail, scan.code)
            return None
        epc = scan.scan.epc_uri
        method = "rfid" if epc else e.method
        lot = e.lot_code or scan.scan.lot
        if e.uom is not None:
            return Resolved(i, scan.item.id, qty, qty, e.uom, method, code=e.code, epc=epc, lot_code=lot)
        return Resolved(i, scan.item.id, qty * scan.base_qty, qty, scan.uom, method, code=e.code, epc=epc, lot_code=lot)
    if e.sku is not None:
        ref = skus.get(e.sku)
        if ref is None:
            r.err(i, "sku", f"no item has the SKU '{e.sku}'", "catalog.item_not_found")
            return None
        return Resolved(i, ref.id, qty, qty, e.uom or "", e.method, lot_code=e.lot_code)
    assert e.item_id is not None
    return Resolved(i, e.item_id, qty, qty, e.uom or "", e.method, lot_code=e.lot_code)


def _convert(r: Resolver, res: Resolved, items: dict[int, repo.ItemInfo], explicit_uom: bool) -> bool:
    info = items.get(res.item_id)
    if info is None:
        r.err(res.index, "item_id", f"unknown item {res.item_id}", "catalog.item_not_found")
        return False
    if not res.uom:
        res.uom = info.base_uom
    problem = domain.entry_qty_problem(res.entered_qty, res.method)
    if problem is not None:
        r.err(res.index, "qty", problem, "inventory.count_bad_quantity")
        return False
    if explicit_uom and res.uom != info.base_uom:
        base = r.to_base(res.item_id, res.entered_qty, res.uom)
        if isinstance(base, BohError):
            r.err(res.index, "uom", base.detail, base.code)
            return False
        res.qty = base
    if res.qty != res.qty.quantize(domain.QTY_Q):
        r.err(res.index, "qty", "more than 6 decimal places in the base unit", "inventory.count_bad_quantity")
        return False
    return True


@dataclass
class Matched:
    lines: dict[int, tuple[int, int]]  # entry index -> (item_id, lot_key)
    new_keys: set[tuple[int, int]]


def _match(
    r: Resolver, resolved: list[Resolved], lines: dict[tuple[int, int], repo.LineKey], count_round: int
) -> Matched:
    items_in_count = {item for item, _ in lines}
    lot_items = {item for item, lk in lines if lk} - {item for item, lk in lines if not lk}
    wanted: list[tuple[int, str]] = [(x.item_id, x.lot_code) for x in resolved if x.lot_code is not None]
    lots = inv_repo.lots_by_code(r.session, r.tenant_id, wanted)
    out = Matched({}, set())
    for x in resolved:
        if x.item_id not in items_in_count:
            r.err(x.index, "item_id", f"item {x.item_id} is not in this count", "inventory.count_item_not_in_count")
            continue
        lot_key = 0
        if x.lot_code:
            lot = lots.get((x.item_id, x.lot_code))
            if lot is None:
                r.err(x.index, "lot_code", f"item {x.item_id} has no lot '{x.lot_code}'", "inventory.lot_not_found")
                continue
            lot_key = lot.id
        elif x.item_id in lot_items:
            r.err(x.index, "lot_code", "this item is counted by lot: give the lot", "inventory.count_lot_required")
            continue
        line = lines.get((x.item_id, lot_key))
        if line is None:
            out.new_keys.add((x.item_id, lot_key))
        elif line.round != count_round:
            r.err(x.index, "item_id", "this line is not being recounted", "inventory.count_line_not_in_recount")
            continue
        out.lines[x.index] = (x.item_id, lot_key)
    return out


def resolve(uow: UnitOfWork, count: Count, entries: list[EntryIn]) -> tuple[list[Resolved], Matched]:
    """Every entry resolved to an item, base quantity and line, or ValidationFailed with every error."""
    r = Resolver(uow.session, uow.tenant_id)
    skus = catalog.items_by_sku(uow.session, uow.tenant_id, [e.sku for e in entries if e.sku is not None])
    identified = [(res, e) for i, e in enumerate(entries) if (res := _identify(r, i, e, skus)) is not None]
    for res, e in identified:
        res.at = e.at
    items = repo.items_info(uow.session, uow.tenant_id, [res.item_id for res, _ in identified])
    converted = [res for res, e in identified if _convert(r, res, items, e.uom is not None)]
    lines = {(k.item_id, k.lot_key): k for k in repo.line_keys(uow.session, count.id)}
    matched = _match(r, converted, lines, count.round)
    if r.errors:
        r.errors.sort(key=lambda fe: int(fe.loc[1]))
        bad = len({fe.loc[1] for fe in r.errors})
        raise ValidationFailed(r.errors, detail=f"{bad} of {len(entries)} entries are invalid; nothing was recorded")
    return converted, matched


def record(uow: UnitOfWork, count: Count, entries: list[EntryIn], session_id: str | None) -> EntriesResult:
    resolved, matched = resolve(uow, count, entries)
    added = repo.add_lines(uow.session, count, sorted(matched.new_keys))
    keys = {(k.item_id, k.lot_key): k for k in repo.line_keys(uow.session, count.id)}
    seen = repo.counted_epcs(uow.session, count.id, [x.epc for x in resolved if x.epc])
    rows: list[dict[str, Any]] = []
    now = utcnow()
    duplicates = 0
    for x in resolved:
        if x.epc is not None:
            if x.epc in seen:
                duplicates += 1
                continue
            seen.add(x.epc)
        line = keys[matched.lines[x.index]]
        rows.append(
            {
                "tenant_id": uow.tenant_id,
                "count_id": count.id,
                "line_id": line.id,
                "round": line.round,
                "counter": uow.principal.actor,
                "counter_id": uow.principal.id,
                "qty": x.qty,
                "entered_qty": x.entered_qty,
                "uom": x.uom,
                "method": x.method,
                "code": x.code,
                "epc": x.epc,
                "session_id": session_id,
                "at": x.at or now,
            }
        )
    repo.insert_entries(uow.session, rows)
    repo.refresh_counted(uow.session, {r["line_id"] for r in rows})
    result = EntriesResult(accepted=len(rows), duplicates=duplicates, lines_added=len(added))
    uow.audit("inventory.count.entries", "count", count.id, after={**result.model_dump(), "session_id": session_id})
    return result
