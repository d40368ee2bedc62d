"""The purchase order as a document the supplier reads (boh.http.pdf): buyer and supplier, the ship-to site
and its address, order and delivery dates, lines with the supplier's item codes, quantities in the order unit
(cases) and in base units, prices, line amounts and the total in the order's currency, the payment terms;
in the supplier's language when it is known, else the tenant's. The same document is e-mailed to the
supplier's order address when the order is sent (``mail.py``)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal

from sqlalchemy.orm import Session

from boh.catalog.api import SupplierRef, get_supplier_ref, supplier_terms
from boh.http import i18n, pdf
from boh.http.i18n import fmt_decimal, localized_name
from boh.http.i18n import gettext_ as _
from boh.http.pages import N_, unit_label
from boh.org.api import ship_to, tenant_ref
from boh.purchasing.schemas import OrderRead

STATUSES = {
    "draft": N_("Draft"), "confirmed": N_("Sent"), "partially_received": N_("Partly received"),
    "received": N_("Received"), "closed": N_("Closed"), "cancelled": N_("Cancelled"),
}  # fmt: skip
CENT = Decimal("0.01")
MAIL_SUBJECT = N_("Purchase order %(number)s from %(buyer)s")
MAIL_BODY = N_(
    "Dear %(supplier)s,\n\nplease find our purchase order %(number)s attached (delivery date %(date)s, %(lines)s "
    "line(s)). Confirm, change or reject its lines through the supplier page or the API.\n\n%(buyer)s"
)


def document_locale(session: Session, tenant_id: int, supplier: SupplierRef | None) -> str:
    """The supplier's language when it is known, else the tenant's default."""
    wanted = supplier.language if supplier is not None and supplier.language else None
    return i18n.normalize(wanted or tenant_ref(session, tenant_id).default_locale) or "en"


@contextmanager
def in_locale(locale: str) -> Iterator[None]:
    token = i18n.current_locale.set(locale)
    try:
        yield
    finally:
        i18n.current_locale.reset(token)


def _money(value: Decimal | None) -> str:
    return "" if value is None else fmt_decimal(value, "#,##0.00##")


def order_document(session: Session, tenant_id: int, o: OrderRead) -> pdf.Document:
    """The order as a ``pdf.Document`` in the current locale (``in_locale``)."""
    supplier = get_supplier_ref(session, tenant_id, o.supplier_id) if o.supplier_id is not None else None
    buyer = tenant_ref(session, tenant_id)
    site = ship_to(session, tenant_id, o.site_id)
    fields = [(_("Buyer"), localized_name(buyer.name, buyer.name_zh))]
    if supplier is not None:
        contact = supplier.order_email or supplier.email or ""
        fields.append((_("Supplier"), f"{supplier.code} {localized_name(supplier.name, supplier.name_zh)}"
                       + (f" · {contact}" if contact else "")))  # fmt: skip
    if site is not None:
        where = ", ".join(p for p in (site.address, site.city, site.country) if p)
        fields.append((_("Ship to"), f"{site.code} {localized_name(site.name, site.name_zh)}"
                       + (f" · {where}" if where else "")))  # fmt: skip
    ordered = o.confirmed_at or o.created_at
    fields.append((_("Order date"), ordered.date().isoformat()))
    if o.expected_date is not None:
        fields.append((_("Delivery date"), o.expected_date.isoformat()))
    fields.append((_("Currency"), o.currency or ""))
    fields.append((_("Status"), f"{_(STATUSES.get(o.status, o.status))} · " + _("version %(n)s") % {"n": o.version}))
    rows: list[list[str]] = []
    total = Decimal(0)
    for ln in o.line_items:
        if ln.status == "cancelled":
            continue
        terms = supplier_terms(session, tenant_id, o.supplier_id, ln.item_id) if o.supplier_id else None
        code = terms.supplier_sku if terms is not None and terms.supplier_sku else ""
        unit = unit_label(ln.purchase_uom or ln.base_uom)
        qty = f"{fmt_decimal(ln.purchase_quantity)} {unit}"
        if ln.purchase_factor != 1:
            qty += f" = {fmt_decimal(ln.quantity)} {unit_label(ln.base_uom)}"
        rows.append([str(ln.line_no), f"{ln.sku} {localized_name(ln.name_en, ln.name_zh)}", code, qty,
                     _money(ln.unit_price), _money(ln.amount),
                     ln.expected_date.isoformat() if ln.expected_date else ""])  # fmt: skip
        total += ln.amount or Decimal(0)
    rows.append(["", _("Total"), "", "", "", f"{_money(total.quantize(CENT))} {o.currency or ''}".strip(), ""])
    notes = []
    if supplier is not None:
        days = {"days": supplier.payment_terms_days}
        notes.append(_("Payment terms: %(days)s days net from the invoice date.") % days)
    notes.append(
        _("Please deliver to the ship-to address on the delivery date and quote the order number %(number)s "
          "on the delivery note and the invoice. Confirm, change or reject the lines through the supplier "
          "page or the API; changes after confirmation need the buyer's agreement.") % {"number": o.number}
    )  # fmt: skip
    if o.note:
        notes.append(o.note)
    return pdf.Document(
        title=_("Purchase order"), number=o.number, fields=fields,
        columns=[_("Line"), _("Item"), _("Supplier code"), _("Quantity"), _("Unit price"), _("Amount"),
                 _("Delivery")],
        rows=rows, numeric=frozenset({3, 4, 5}), notes=notes, signatures=[_("Buyer")],
        widths=(0.06, 0.31, 0.13, 0.16, 0.11, 0.11, 0.12),
    )  # fmt: skip


def order_pdf(session: Session, tenant_id: int, o: OrderRead, locale: str | None = None) -> tuple[bytes, str]:
    """The order's PDF and the language it is in (``locale``, else the supplier's, else the tenant's)."""
    supplier = get_supplier_ref(session, tenant_id, o.supplier_id) if o.supplier_id is not None else None
    lang = locale or document_locale(session, tenant_id, supplier)
    with in_locale(lang):
        return pdf.render(order_document(session, tenant_id, o)), lang
