"""Console pages of the trace domain under /trace: the trace explorer (a lot's genealogy as a graph with a
table beside it), the recall board, the recall wizard (find, preview, start or drill) and a recall's page
(sites, confirmations, close, report as PDF and CSV)."""

from __future__ import annotations

from datetime import datetime, time
from decimal import Decimal
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, Response

from boh.http.deps import UowDep
from boh.http.i18n import gettext_ as _
from boh.http.pages import N_, NavLink, flash, form_data, page_router, redirect
from boh.http.pdf import Document, pdf_response, render
from boh.http.templating import render as render_page
from boh.kernel.errors import BohError
from boh.trace import queries, recall
from boh.trace.errors import LotNotFound
from boh.trace.genealogy import Direction
from boh.trace.recall import CONFIRM, READ, WRITE

router = page_router("/trace")
NAV = [NavLink(N_("Trace and recall"), "/trace/", READ)]
FormDep = Annotated[dict[str, str], Depends(form_data)]
DIRECTIONS = {"forward": N_("Forward (where it went)"), "backward": N_("Backward (what it came from)")}
DEPTHS = {"1": N_("One step (one-up / one-down)"), "": N_("Full trace")}
ERRORS = {
    "trace.nothing_to_recall": N_("No lot matches: check the lot code or the supplier and dates"),
    "trace.recall_closed": N_("The recall is closed"),
    "trace.lot_not_found": N_("No such lot"),
}


def _error(exc: BohError) -> str:
    return _(ERRORS[exc.code]) if exc.code in ERRORS else exc.detail


@router.get("/", perm=READ)
def explorer(request: Request, uow: UowDep, lot: str = "", lot_id: int | None = None, direction: str = "forward",
             depth: str = "") -> HTMLResponse:  # fmt: skip
    scope = uow.principal.scope(READ)
    way: Direction = "backward" if direction == "backward" else "forward"
    direction = way
    choices: list[Any] = []
    error = ""
    if lot_id is None and lot:
        found = queries.find_lots(uow.session, scope, lot)
        if len(found) == 1:
            lot_id = found[0]
        elif found:
            choices = [queries.lot_trace(uow.session, scope, i, way, 0).nodes[0] for i in found[:20]]
        else:
            error = _("No lot with this code")
    view = None
    if lot_id is not None:
        try:
            view = queries.lot_trace(uow.session, scope, lot_id, way, int(depth) if depth.isdigit() else None)
        except LotNotFound:
            error = _("No such lot")
    external = queries.supplier_events(uow.session, scope, view, str(request.base_url).rstrip("/")) if view else []
    ctx = {"external": external, "lot": lot, "lot_id": lot_id, "direction": direction, "depth": depth, "view": view,
           "choices": choices,
           "error": error, "directions": [(k, _(v)) for k, v in DIRECTIONS.items()],
           "depths": [(k, _(v)) for k, v in DEPTHS.items()], "graph": view.graph() if view else None,
           "can_recall": uow.principal.can(WRITE)}  # fmt: skip
    return render_page(request, "trace/explorer.html", ctx)


@router.get("/recalls", perm=READ)
def board(request: Request, uow: UowDep) -> HTMLResponse:
    scope = uow.principal.scope(READ)
    rows = [recall.get(uow.session, scope, r.id) for r in recall.listing(uow.session, scope, limit=30)]
    return render_page(request, "trace/board.html", {"rows": rows, "can_start": uow.principal.can(WRITE)})


def _wizard(request: Request, uow: UowDep, values: dict[str, str], error: str = "", status: int = 200) -> HTMLResponse:
    preview = None
    lots: list[int] = []
    code = values.get("lot", "").strip()
    if code and not error:
        lots = queries.find_lots(uow.session, uow.principal.scope(READ), code)
        if lots:
            t = recall.affected(uow.session, uow.tenant_id, lots)
            preview = queries.view(uow.session, uow.principal.scope(READ), t, lots[0], None)
        else:
            error = _("No lot with this code")
            status = 422
    ctx = {"values": values, "error": error, "preview": preview, "lot_ids": lots}
    return render_page(request, "trace/wizard.html", ctx, status_code=status)


@router.get("/recalls/new", perm=WRITE)
def wizard(request: Request, uow: UowDep, lot: str = "") -> HTMLResponse:
    return _wizard(request, uow, {"lot": lot})


@router.post("/recalls", perm=WRITE)
def start(request: Request, uow: UowDep, data: FormDep) -> Response:
    values = dict(data)
    mock = data.get("mode") == "mock"
    try:
        lots = tuple(int(x) for x in data.get("lot_ids", "").split(",") if x.strip().isdigit())
        origin = recall.Origin(lot_ids=lots)
        if data.get("supplier_id", "").isdigit() and data.get("start") and data.get("end"):
            first = datetime.combine(datetime.fromisoformat(data["start"]).date(), time.min).astimezone()
            last = datetime.combine(datetime.fromisoformat(data["end"]).date(), time.max).astimezone()
            origin = recall.Origin(lots, int(data["supplier_id"]), first, last)
        r = recall.start(uow, origin, reason=data.get("reason", ""), mock=mock)
    except (BohError, ValueError) as exc:
        uow.rollback()
        message = _error(exc) if isinstance(exc, BohError) else str(exc)
        if isinstance(exc, BohError) and exc.code == "boh.validation_failed":
            message = _("Give the reason of the recall")
        return _wizard(request, uow, values, message, 422)
    uow.commit()
    response = redirect(f"/trace/recalls/{r.id}")
    flash(response, _("Mock recall started: nothing was blocked.") if mock else
          _("Recall started: the lots are blocked and the stores are told."))  # fmt: skip
    return response


@router.get("/recalls/{recall_id}", perm=READ)
def detail(request: Request, uow: UowDep, recall_id: int) -> HTMLResponse:
    v = recall.get(uow.session, uow.principal.scope(READ), recall_id)
    p = uow.principal
    sites: dict[int, dict[str, Any]] = {}
    for ln in v.lines:
        s = sites.setdefault(ln.site_id, {"code": ln.site_code, "name": ln.site_name, "lines": [], "confirmed": True,
                                          "told": False, "on_hand": Decimal(0), "sold": Decimal(0),
                                          "in_transit": Decimal(0)})  # fmt: skip
        s["lines"].append(ln)
        s["confirmed"] = s["confirmed"] and ln.confirmed_at is not None
        s["told"] = s["told"] or ln.notified_at is not None
        for k in ("on_hand", "sold", "in_transit"):
            s[k] += getattr(ln, k)
    ctx = {"r": v, "sites": sites, "can_confirm": p.can(CONFIRM) and v.status == "open",
           "can_close": p.can(WRITE) and v.status == "open"}  # fmt: skip
    return render_page(request, "trace/recall.html", ctx)


@router.post("/recalls/{recall_id}/confirm", perm=CONFIRM)
def confirm(uow: UowDep, recall_id: int, data: FormDep) -> Response:
    site_id = int(data["site_id"]) if data.get("site_id", "").isdigit() else 0
    recall.confirm(uow, recall_id, site_id, note=data.get("note") or None)
    uow.commit()
    response = redirect(f"/trace/recalls/{recall_id}")
    flash(response, _("Removal confirmed."))
    return response


@router.post("/recalls/{recall_id}/close", perm=WRITE)
def close(uow: UowDep, recall_id: int, data: FormDep) -> Response:
    recall.close(uow, recall_id, note=data.get("note") or None)
    uow.commit()
    response = redirect(f"/trace/recalls/{recall_id}")
    flash(response, _("Recall closed."))
    return response


@router.get("/recalls/{recall_id}/report.pdf", perm=READ)
def report(uow: UowDep, recall_id: int) -> Response:
    v = recall.get(uow.session, uow.principal.scope(READ), recall_id)
    doc = Document(
        title=_("Mock recall report") if v.mock else _("Recall report"), number=v.number,
        fields=[(_("Reason"), v.reason), (_("Status"), _("Closed") if v.status == "closed" else _("Open")),
                (_("Started"), v.created_at.strftime("%Y-%m-%d %H:%M")), (_("Lots"), str(len(v.lots))),
                (_("Sites told"), str(len(v.told_sites))), (_("Sites confirmed"), str(len(v.confirmed_sites))),
                (_("Found and blocked in"), f"{v.seconds or '-'} s")],
        columns=[_("Site"), _("SKU"), _("Lot"), _("On hand"), _("Sold"), _("In transit"), _("Confirmed")],
        rows=[[ln.site_code, ln.sku, ln.lot_code, str(ln.on_hand), str(ln.sold), str(ln.in_transit),
               ln.confirmed_at.strftime("%Y-%m-%d %H:%M") if ln.confirmed_at else ""] for ln in v.lines],
        numeric=frozenset({3, 4, 5}),
    )  # fmt: skip
    return pdf_response(render(doc), f"recall-{v.number}.pdf")


@router.get("/recalls/{recall_id}/report.csv", perm=READ)
def report_csv(uow: UowDep, recall_id: int) -> Response:
    v = recall.get(uow.session, uow.principal.scope(READ), recall_id)
    return Response(recall.report_csv(v), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="recall-{v.number}.csv"'})  # fmt: skip
