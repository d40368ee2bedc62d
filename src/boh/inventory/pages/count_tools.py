"""Stocktake helpers for people: confirm every uncounted line as zero in one action (after a confirmation
that states how many lines and what stock value that writes off), and the printable count sheet for a paper
count (lines by SKU with their barcode, the expected quantity unless the count is blind, a box to write)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from fastapi import Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select

from boh.catalog.api import barcode_view
from boh.http import pdf
from boh.http.deps import UowDep
from boh.http.i18n import fmt_decimal, localized_name
from boh.http.i18n import gettext_ as _
from boh.http.i18n import ngettext_ as ngettext
from boh.http.pages import flash, redirect
from boh.http.templating import render
from boh.inventory.counts import queries, service
from boh.inventory.counts.schemas import LinesUpdate, LineUpdate
from boh.inventory.pages._common import FormDep, router
from boh.inventory.pages.counts import KINDS, STATUSES, _site_codes
from boh.kernel.errors import BohError
from boh.kernel.uow import UnitOfWork

READ, WRITE = service.READ, service.WRITE
ZERO = Decimal(0)
MAX_LINES = 10000
_barcode = barcode_view()


@dataclass(frozen=True)
class Uncounted:
    line_ids: list[int]
    value: Decimal  # expected quantity x frozen unit cost: what confirming zero writes off


def uncounted(uow: UnitOfWork, count_id: int) -> Uncounted:
    rows, _total = queries.list_lines(uow.session, uow.principal.scope(READ), count_id, MAX_LINES, 0, counted=False)
    todo = [r for r in rows if not r.zero_confirmed and (r.expected_qty or ZERO) != 0]
    value = sum(((r.expected_qty or ZERO) * (r.unit_cost or ZERO) for r in todo), ZERO)
    return Uncounted([r.id for r in todo], value)


@router.get("/counts/{count_id}/zeros", perm=WRITE)
def zeros_confirm(request: Request, uow: UowDep, count_id: int) -> HTMLResponse:
    return _confirm_page(request, uow, count_id)


def _confirm_page(request: Request, uow: UnitOfWork, count_id: int) -> HTMLResponse:
    count = queries.get_count(uow.session, uow.principal.scope(WRITE), count_id)
    u = uncounted(uow, count_id)
    ctx = {"count": count, "n": len(u.line_ids), "value": u.value, "codes": _site_codes(uow)}
    return render(request, "inventory/count_zeros.html", ctx)


@router.post("/counts/{count_id}/zeros", perm=WRITE)
def zeros(request: Request, uow: UowDep, count_id: int, data: FormDep) -> Response:
    """Confirm every uncounted line as empty, if they are still the ``n`` lines the person confirmed."""
    u = uncounted(uow, count_id)
    if str(len(u.line_ids)) != data.get("n"):
        return _confirm_page(request, uow, count_id)  # the count changed meanwhile: confirm again
    response = redirect(f"/inventory/counts/{count_id}/review")
    if u.line_ids:
        try:
            lines = [LineUpdate(line_id=i, confirm_zero=True) for i in u.line_ids]
            service.update_lines(uow, count_id, LinesUpdate(lines=lines))
        except BohError as exc:
            uow.rollback()
            flash(response, exc.detail, "error")
            return response
        uow.commit()
    message = ngettext("%(num)s line confirmed as zero.", "%(num)s lines confirmed as zero.", len(u.line_ids))
    flash(response, message % {"num": len(u.line_ids)})
    return response


@router.get("/counts/{count_id}/sheet", perm=READ)
def count_sheet(request: Request, uow: UowDep, count_id: int) -> Response:
    scope = uow.principal.scope(READ)
    count = queries.get_count(uow.session, scope, count_id)
    rows, _total = queries.list_lines(uow.session, scope, count_id, MAX_LINES, 0)
    rows = sorted(rows, key=lambda r: (r.sku, r.lot_code or ""))
    gtins: dict[int, str] = {}
    for item_id, gtin in uow.session.execute(
        select(_barcode.c.item_id, _barcode.c.gtin).where(_barcode.c.item_id.in_({r.item_id for r in rows}))
    ):
        gtins.setdefault(item_id, gtin)
    blind = count.blind and count.status in ("draft", "counting")
    columns = [_("Item"), _("Lot"), _("Expected"), _("Counted")]
    doc = pdf.Document(
        title=_("Count sheet"), number=f"CNT-{_site_codes(uow).get(count.site_id, count.site_id)}-{count.id:06d}",
        fields=[(_("Site"), str(_site_codes(uow).get(count.site_id, count.site_id))),
                (_("Kind"), _(KINDS.get(count.kind, count.kind))), (_("Status"), _(STATUSES[count.status])),
                (_("Lines"), str(len(rows)))],
        columns=columns if not blind else [c for i, c in enumerate(columns) if i != 2],
        rows=[[f"{r.sku} {localized_name(r.item_name, r.item_name_zh)}", r.lot_code or "",
               *([] if blind else [fmt_decimal(r.expected_qty) if r.expected_qty is not None else ""]), ""]
              for r in rows],
        numeric=frozenset({2}) if not blind else frozenset(), blank_columns=frozenset({2 if blind else 3}),
        row_barcodes=[pdf.ean13(gtins[r.item_id]) if r.item_id in gtins else None for r in rows],
        signatures=[_("Counted by"), _("Checked by")],
    )  # fmt: skip
    return pdf.pdf_response(pdf.render(doc), f"count-{count.id}.pdf")
