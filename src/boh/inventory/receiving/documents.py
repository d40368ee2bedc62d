"""The printable receipt (boh.http.pdf): number and barcode, site, source, lines with their GS1-128 (GTIN,
lot, expiry) or EAN-13, expected / received / damaged quantities and reasons, and signature lines."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from boh.catalog.api import barcode_view
from boh.http import pdf
from boh.http.i18n import fmt_datetime, fmt_decimal, localized_name
from boh.http.i18n import gettext_ as _
from boh.http.pages import N_
from boh.inventory.receiving import queries
from boh.inventory.receiving.models import Receipt
from boh.org.api import site_view

SOURCES = {
    "purchase_order": N_("Purchase order"),
    "transfer": N_("Transfer"),
    "unannounced": N_("Unannounced delivery"),
}
REASONS = {
    "short": N_("Short"),
    "over": N_("Over"),
    "damaged": N_("Damaged"),
    "wrong_item": N_("Not ordered"),
    "expired": N_("Expired"),
    "quality": N_("Failed quality check"),
}
STATUSES = {"draft": N_("Being received"), "posted": N_("Posted"), "cancelled": N_("Cancelled")}

_barcode = barcode_view()
_site = site_view()


def _gtins(session: Session, item_ids: list[int]) -> dict[int, str]:
    rows = session.execute(select(_barcode.c.item_id, _barcode.c.gtin).where(_barcode.c.item_id.in_(item_ids)))
    out: dict[int, str] = {}
    for item_id, gtin in rows:
        out.setdefault(item_id, gtin)
    return out


def receipt_pdf(session: Session, r: Receipt) -> bytes:
    lines = queries.lines(session, r)
    gtins = _gtins(session, [ln.item_id for ln in lines])
    sites = {
        sid: f"{code} {localized_name(name, zh)}"
        for sid, code, name, zh in session.execute(
            select(_site.c.id, _site.c.code, _site.c.name, _site.c.name_zh).where(
                _site.c.id.in_([r.site_id] + ([r.from_site_id] if r.from_site_id else []))
            )
        )
    }
    fields = [(_("Site"), sites.get(r.site_id, "")), (_("Source"), _(SOURCES.get(r.source, r.source)))]
    if r.document_id:
        fields.append((_("Document"), r.document_id))
    if r.from_site_id:
        fields.append((_("From"), sites.get(r.from_site_id, "")))
    fields.append((_("Status"), _(STATUSES.get(r.status, r.status))))
    fields.append((_("Received at"), fmt_datetime(r.posted_at or r.created_at, "short")))
    rows, barcodes = [], []
    for ln in lines:
        rows.append([
            f"{ln.sku} {localized_name(ln.name_en, ln.name_zh)}",
            ln.lot_code or "", ln.expiry_date.isoformat() if ln.expiry_date else "",
            fmt_decimal(ln.expected), fmt_decimal(ln.received), fmt_decimal(ln.damaged),
            _(REASONS[ln.reason]) if ln.reason in REASONS else "",
        ])  # fmt: skip
        gtin = gtins.get(ln.item_id)
        barcodes.append(
            None if gtin is None else pdf.gs1_128(gtin, ln.lot_code, ln.expiry_date) if ln.lot_code or ln.expiry_date
            else pdf.ean13(gtin)
        )  # fmt: skip
    doc = pdf.Document(
        title=_("Goods receipt"), number=r.number, fields=fields,
        columns=[_("Item"), _("Lot"), _("Expiry"), _("Expected"), _("Received"), _("Damaged"), _("Reason")],
        rows=rows, numeric=frozenset({3, 4, 5}), row_barcodes=barcodes, notes=[r.note] if r.note else [],
        signatures=[_("Received by"), _("Delivered by")],
    )  # fmt: skip
    return pdf.render(doc)
