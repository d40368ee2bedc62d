"""The dead-letters page: floor events rejected for their own content (deadletters.py), by reason, with
replay (after the master data or the stock was fixed) and discard with a note."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query, Request
from fastapi.responses import HTMLResponse, Response

from boh.http.deps import UowDep
from boh.http.i18n import gettext_ as _
from boh.http.pages import N_, flash, pager, redirect
from boh.http.templating import render
from boh.inventory.ingest import deadletters
from boh.inventory.pages._common import FormDep, router

PAGE_SIZE = 50
REASONS = {
    "inventory.unknown_sku": N_("Unknown SKU"),
    "inventory.unknown_gtin": N_("Unknown barcode"),
    "inventory.unknown_epc": N_("Unknown RFID tag"),
    "inventory.unknown_site": N_("Unknown site"),
    "inventory.site_not_allowed": N_("Site not allowed for this device"),
    "inventory.insufficient_stock": N_("Not enough stock (the site refuses negative stock)"),
    "inventory.invalid_text": N_("Unreadable characters in a text"),
    "inventory.unstorable_value": N_("A value the database cannot store"),
    "inventory.malformed_event": N_("Malformed event"),
    "inventory.missing_field": N_("A required field is missing"),
    "inventory.malformed_payload": N_("Not a batch of events"),
    "inventory.site_mismatch": N_("Event of another site on this feed"),
    "inventory.kind_mismatch": N_("Event of another kind on this feed"),
    "inventory.lot_not_found": N_("Unknown lot"),
    "inventory.future_event": N_("Dated in the future"),
    "inventory.bad_quantity": N_("Quantity cannot be converted"),
    "inventory.ingest_failed": N_("The message could not be applied"),
}


@router.get("/dead-letters", perm=deadletters.READ)
def dead_letters_page(
    request: Request, uow: UowDep, status: str = "open", code: str | None = None,
    page: Annotated[int, Query(ge=1)] = 1,
) -> HTMLResponse:  # fmt: skip
    status = status if status in ("open", "replayed", "discarded") else "open"
    rows, total, by_code = deadletters.list_letters(
        uow, status=status, code=code or None, site_id=None, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE
    )
    params = {"status": status, "code": code}
    ctx = {
        "rows": rows,
        "by_code": sorted(by_code.items(), key=lambda kv: -kv[1]),
        "filters": params,
        "reasons": REASONS,
        "can_write": uow.principal.can(deadletters.WRITE),
        "pager": pager(total, page, PAGE_SIZE, params),
    }
    return render(request, "inventory/dead_letters.html", ctx)


@router.post("/dead-letters/{letter_id}/replay", perm=deadletters.WRITE)
def replay_letter(uow: UowDep, letter_id: int) -> Response:
    row, _result = deadletters.replay(uow, letter_id)
    uow.commit()
    response = redirect("/inventory/dead-letters")
    if row.status == "replayed":
        flash(response, _("Replayed: the event was applied."))
    else:
        flash(response, _("Still rejected: %(reason)s") % {"reason": _(REASONS.get(row.code, row.code))})
    return response


@router.post("/dead-letters/{letter_id}/discard", perm=deadletters.WRITE)
def discard_letter(uow: UowDep, letter_id: int, data: FormDep) -> Response:
    note = (data.get("note") or "").strip()[:300] or _("Discarded in the console")
    deadletters.discard(uow, letter_id, note)
    uow.commit()
    response = redirect("/inventory/dead-letters")
    flash(response, _("Discarded."))
    return response
