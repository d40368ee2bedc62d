"""FSMA 204 (21 CFR 1 subpart S): the Key Data Elements of the Critical Tracking Events BOH sees, and the
sortable electronic spreadsheet an authority may ask for (within 24 hours) for a product and date range.

Events from the ledger: *receiving* (a receipt from a supplier, a transfer received from another site),
*shipping* (a transfer sent) and *transformation* (a production batch: the lots it used and the lot it
made). Where the kitchen transforms food it assigns the output's traceability lot code (TLC): the output
lot's code, its TLC source the kitchen (``assign_tlc`` makes codes of the form SITE-SKU-YYMMDD-NN).
Harvesting, cooling and initial packing are events of the suppliers: they appear as the data received
(imported EPCIS events naming the product's lots), marked so. One row per event and lot, every column
filled with a value (no merged cells), so the sheet sorts and filters."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import astuple, dataclass, fields
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from boh.inventory import api as inventory
from boh.inventory.api import PostedMove
from boh.trace.epcis import Names, lot_uri, names, visible
from boh.trace.models import EpcisEvent, EpcisIdentifier

CTE_TYPES = ("receipt", "transfer_in", "transfer_out", "production_output")
SUPPLIER_STEPS = {"commissioning": "Initial packing (supplier data)", "packing": "Initial packing (supplier data)",
                  "shipping": "Shipping (supplier data)", "receiving": "Receiving (supplier data)",
                  "storing": "Cooling (supplier data)", "collecting": "Harvesting (supplier data)"}  # fmt: skip


@dataclass(frozen=True)
class KdeRow:
    event_type: str  # Receiving | Shipping | Transformation | ... (supplier data)
    event_date: str  # YYYY-MM-DD (UTC)
    event_time: str  # ISO 8601, UTC
    traceability_lot_code: str
    tlc_source: str  # where the TLC was assigned
    product: str
    sku: str
    quantity: str
    unit_of_measure: str
    location: str
    ship_from: str
    ship_to: str
    previous_source: str  # receiving: the immediate previous source
    input_tlcs: str  # transformation: the lots used, "; "-separated
    reference_document_type: str
    reference_document_number: str
    lot_uri: str


HEADERS = (
    "Event type (CTE)", "Event date", "Event time (UTC)", "Traceability lot code", "Traceability lot code source",
    "Product description", "SKU", "Quantity", "Unit of measure", "Location", "Ship-from location", "Ship-to location",
    "Immediate previous source", "Input traceability lot codes", "Reference document type",
    "Reference document number", "Lot identifier (GS1 Digital Link)",
)  # fmt: skip
assert len(HEADERS) == len(fields(KdeRow))


def _site(n: Names, site_id: int | None) -> str:
    if site_id is None:
        return ""
    s = n.sites.get(site_id)
    return f"{s.code} {s.name}" if s is not None else str(site_id)


def rows_for(session: Session, tenant_id: int, moves: Sequence[PostedMove], base: str) -> list[KdeRow]:
    """The KDE rows of these moves (those that are CTEs), by time."""
    ctes = [m for m in moves if m.move_type in CTE_TYPES and m.lot_id is not None]
    refs = {
        (m.source_type, m.source_id)
        for m in ctes
        if m.move_type == "production_output" and m.source_type and m.source_id
    }
    inputs: dict[tuple[str, str], list[PostedMove]] = {}
    batch = inventory.batch_moves(session, tenant_id, refs) if refs else []  # type: ignore[arg-type]
    for m in batch:
        if m.move_type == "production_consume":
            inputs.setdefault((m.source_type or "", m.source_id or ""), []).append(m)
    n = names(session, tenant_id, ctes, extra_lots=[m.lot_id for m in batch if m.lot_id is not None])
    out: list[KdeRow] = []
    for m in sorted(ctes, key=lambda m: (m.event_at, m.id)):
        assert m.lot_id is not None
        lot = n.lots.get(m.lot_id)
        item = n.items.get(m.item_id)
        code = lot.lot_code if lot else str(m.lot_id)
        sku = item.sku if item is not None else str(m.item_id)
        here = _site(n, m.site_id)
        kind, frm, to, prev, tlc_source, doc_type, doc_no, used = "", "", "", "", "", "", "", ""
        if m.move_type == "receipt":
            kind, prev, to, tlc_source = (
                "Receiving",
                f"supplier ({m.source_type or 'receipt'} {m.source_id or ''})".strip(),
                here,
                "supplier",
            )
            doc_type, doc_no = m.source_type or "receipt", m.source_id or ""
        elif m.move_type == "transfer_in":
            kind, frm, to, prev = "Receiving", _site(n, m.counter_site_id), here, _site(n, m.counter_site_id)
            doc_type, doc_no, tlc_source = "transfer", m.source_id or "", ""
        elif m.move_type == "transfer_out":
            kind, frm, to, doc_type, doc_no = "Shipping", here, _site(n, m.counter_site_id), "transfer", str(m.id)
        else:
            kind, tlc_source, doc_type, doc_no = "Transformation", here, m.source_type or "", m.source_id or ""
            ins = inputs.get((m.source_type or "", m.source_id or ""), [])
            used = "; ".join(sorted({n.lots[i.lot_id].lot_code if i.lot_id in n.lots else "(no lot)" for i in ins}))
        if not tlc_source and lot is not None:
            tlc_source = "see first receiving or transformation"
        out.append(KdeRow(
            kind, m.event_at.date().isoformat(), m.event_at.isoformat(), code, tlc_source,
            item.name_en if item is not None else "", sku, str(abs(m.quantity)),
            item.base_uom if item is not None else "",
            here, frm, to, prev, used, doc_type, doc_no,
            lot_uri(n.gtins.get(m.item_id), sku, code, base),
        ))  # fmt: skip
    return out


def supplier_rows(
    session: Session, tenant_id: int, uris: Iterable[str], products: dict[str, tuple[str, str]]
) -> list[KdeRow]:
    """Rows of imported supplier events naming these lot identifiers (harvesting, cooling, initial packing,
    their shipping): ``products`` maps a lot identifier to (product, sku)."""
    wanted = sorted(set(uris))
    if not wanted:
        return []
    stmt = (
        select(EpcisEvent, EpcisIdentifier.identifier)
        .join(EpcisIdentifier, EpcisIdentifier.event_id == EpcisEvent.id)
        .where(EpcisIdentifier.tenant_id == tenant_id, EpcisIdentifier.identifier.in_(wanted))
    )
    out = []
    for ev, ident in session.execute(stmt):
        step = (ev.biz_step or "").rsplit("-", 1)[-1].rsplit("/", 1)[-1]
        kind = SUPPLIER_STEPS.get(step, f"{step or ev.event_type} (supplier data)")
        at = ev.event_time
        product, sku = products.get(ident, ("", ""))
        lot = ident.rsplit("/10/", 1)[-1] if "/10/" in ident else ident
        out.append(KdeRow(kind, at.date().isoformat() if at else "", at.isoformat() if at else "", lot, "supplier",
                          product, sku, "", "", "", "", "", "", "", "epcis", ev.document, ident))  # fmt: skip
    return out


def for_product(
    session: Session, tenant_id: int, item_id: int, start: date, end: date, base: str,
    site_ids: frozenset[int] | None = None,
) -> list[KdeRow]:  # fmt: skip
    """The sheet for a product and date range (inclusive): its lots' CTEs, the transformations that used
    it, and the supplier data received for its lots, sorted by time."""
    lo = datetime.combine(start, datetime.min.time()).astimezone()
    hi = datetime.combine(end, datetime.max.time()).astimezone()
    moves = inventory.moves_between(session, tenant_id, start=lo, end=hi, move_types=(*CTE_TYPES, "production_consume"),
                                    item_ids=[item_id])  # fmt: skip
    used_in = {
        (m.source_type, m.source_id)
        for m in moves
        if m.move_type == "production_consume" and m.source_type and m.source_id
    }
    made = (
        [m for m in inventory.batch_moves(session, tenant_id, used_in) if m.move_type == "production_output"]
        if used_in
        else []
    )  # type: ignore[arg-type]
    mine = visible([m for m in moves if m.move_type != "production_consume"] + made, site_ids)
    rows = rows_for(session, tenant_id, mine, base)
    uris = {r.lot_uri: (r.product, r.sku) for r in rows if r.sku and r.traceability_lot_code}
    rows += supplier_rows(session, tenant_id, uris, uris)
    return sorted(rows, key=lambda r: (r.event_time, r.event_type, r.traceability_lot_code))


def to_csv(rows: Sequence[KdeRow]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(HEADERS)
    w.writerows(astuple(r) for r in rows)
    return buf.getvalue()


def to_xlsx(rows: Sequence[KdeRow]) -> bytes:
    """The sortable spreadsheet: one header row, frozen, with filters on every column."""
    from openpyxl import Workbook

    wb = Workbook(write_only=False)
    ws: Any = wb.active
    ws.title = "FSMA 204"
    ws.append(list(HEADERS))
    for r in rows:
        ws.append([_cell(v, i) for i, v in enumerate(astuple(r))])
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = ws.dimensions
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _cell(v: str, i: int) -> Any:
    if i == 7 and v:
        return Decimal(v)
    return v


def assign_tlc(session: Session, tenant_id: int, site_code: str, sku: str, day: date) -> str:
    """A new traceability lot code for a lot the kitchen makes: SITE-SKU-YYMMDD-NN (NN: the next free one
    of the day). The rule lives with the lots (boh.inventory.api.traceability_lot_code), which the kitchen
    uses for its batches' output lots."""
    return inventory.traceability_lot_code(session, tenant_id, site_code, sku, day)
