"""Stock pages: the stock list of a site (filters, htmx results), the live stock page (rows updated from
GET /api/v1/inventory/stream by static/inventory-live.js), an item's move history and floor alerts."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Annotated, Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from fastapi import Depends, Query, Request
from fastapi.responses import HTMLResponse, Response

from boh.catalog.api import find_item, get_item_ref, items_by_ids
from boh.http.deps import UowDep
from boh.http.files import ExportFormat, download
from boh.http.i18n import gettext_ as _
from boh.http.pages import N_, flash, is_htmx, pager, redirect, safe_next
from boh.http.templating import render
from boh.inventory import queries
from boh.inventory.commitments import queries as commitment_queries
from boh.inventory.commitments.schemas import CommitmentFilter, CommitmentRead
from boh.inventory.ingest import queries as ingest_queries
from boh.inventory.ingest import service as ingest_service
from boh.inventory.live.stream import last_entry_id, last_move_id
from boh.inventory.pages import _read, history, live_feed
from boh.inventory.pages._common import (
    LABELS,
    LIVE_PAGE,
    PAGE_SIZE,
    READ,
    WRITE,
    FormDep,
    int_or_none,
    pick_site,
    router,
)
from boh.inventory.schemas import BalanceFilter, BalanceRead, MoveFilter, MoveRead
from boh.kernel.tabular import MAX_ROWS, write_table
from boh.org.api import actor_names, get_site_ref


def _flag(value: str | None) -> bool:
    return value in ("1", "on", "true")


def _stock_filter(
    uow: UowDep,
    q: str | None = None,
    category_id: str | None = None,
    lot: str | None = None,
    below: str | None = None,
    negative: str | None = None,
    expiring: str | None = None,
) -> _read.StockFilter:
    """The stock list's filters from its query string (the list and its export share them). A scanned or typed
    barcode (GTIN, GS1-128 with its lot, EPC) searches for its item (and lot), like the items page."""
    q = (q or "").strip() or None
    if q and not q.isalpha():
        found = find_item(uow.session, uow.tenant_id, q)
        if found is not None and found.scanned is not None:
            q, lot = found.item.sku, found.scanned.scan.lot or lot
    return _read.StockFilter(
        q=q,
        category_id=int_or_none(category_id),
        lot=(lot or "").strip() or None,
        below_reorder=_flag(below),
        negative=_flag(negative),
        expiring=_flag(expiring),
    )


StockFilterDep = Annotated[_read.StockFilter, Depends(_stock_filter)]

STOCK_COLUMNS = [
    "site", "sku", "name_en", "name_zh", "lot_code", "expiry_date", "lot_status", "on_hand", "reserved",
    "available", "in_transit", "on_order", "unit", "value", "currency", "reorder_point",
]  # fmt: skip

ZERO = Decimal(0)


@router.get("/stock/export", perm=READ)
def stock_export(
    uow: UowDep, f: StockFilterDep, site_id: str | None = None, format: Annotated[ExportFormat, Query()] = "csv"
) -> Response:
    """The stock list of a site with the page's filters, every row, as CSV or XLSX."""
    scope = uow.principal.scope(READ)
    site = pick_site(_read.site_options(uow.session, scope), int_or_none(site_id))
    rows: list[_read.StockRow] = []
    if site is not None:
        rows = _read.stock_rows(uow.session, scope, site.id, f, MAX_ROWS, 0)[0]
    table = (
        [site.code if site else "", r.sku, r.name_en, r.name_zh, r.lot_code, r.expiry_date, r.lot_status, r.on_hand,
         r.reserved, r.available, r.in_transit, r.on_order, r.base_uom, r.value, r.currency, r.threshold]
        for r in rows
    )  # fmt: skip
    return download(write_table(format, STOCK_COLUMNS, table), format, f"stock-{site.code if site else 'none'}")


@router.get("/valuation/export", perm=READ)
def valuation_export(uow: UowDep, format: Annotated[ExportFormat, Query()] = "csv") -> Response:
    """Stock value at moving average cost of every site the user sees, per item (accounting's export)."""
    scope = uow.principal.scope(READ)
    v = queries.valuation(uow.session, scope, None, None, MAX_ROWS, 0)
    codes = {s.id: s.code for s in _read.site_options(uow.session, scope)}
    table = (
        [codes.get(i.site_id, i.site_id), i.sku, i.quantity, i.avg_unit_cost, i.value, i.currency] for i in v.items
    )
    header = ["site", "sku", "quantity", "avg_unit_cost", "value", "currency"]
    return download(write_table(format, header, table), format, "stock-valuation")


@router.get("/stock", perm=READ)
def stock_list(
    request: Request,
    uow: UowDep,
    f: StockFilterDep,
    site_id: str | None = None,
    page: Annotated[int, Query(ge=1)] = 1,
) -> HTMLResponse:
    scope = uow.principal.scope(READ)
    sites = _read.site_options(uow.session, scope)
    site = pick_site(sites, int_or_none(site_id))
    rows: list[_read.StockRow] = []
    total = 0
    if site is not None:
        rows, total = _read.stock_rows(uow.session, scope, site.id, f, PAGE_SIZE, (page - 1) * PAGE_SIZE)
    params: dict[str, Any] = {
        "site_id": site.id if site else None,
        "q": f.q,
        "category_id": f.category_id,
        "lot": f.lot,
        "below": "1" if f.below_reorder else None,
        "negative": "1" if f.negative else None,
        "expiring": "1" if f.expiring else None,
    }
    ctx = {
        "site": site,
        "sites": sites,
        "rows": rows,
        "filters": params,
        "pager": pager(total, page, PAGE_SIZE, params),
        "categories": _read.category_options(uow.session, scope.tenant_id),
        "labels": LABELS,
        "can_write": uow.principal.can(WRITE),
        "site_value": _read.site_value(uow.session, scope.tenant_id, site.id) if site else None,
        "expiring_days": _read.EXPIRING_DAYS,
        "export_query": urlencode({k: v for k, v in params.items() if v is not None}),
    }
    if is_htmx(request) and request.headers.get("hx-target") == "stock-results":
        return render(request, "inventory/_stock_results.html", ctx)
    return render(request, "inventory/stock_list.html", ctx)


@router.get("/live", perm=READ)
def live(
    request: Request, uow: UowDep, site_id: str | None = None, page: Annotated[int, Query(ge=1)] = 1
) -> HTMLResponse:
    """The newest events of the site as a feed, and a page of its stock updated in place as it moves."""
    scope = uow.principal.scope(READ)
    sites = _read.site_options(uow.session, scope)
    site = pick_site(sites, int_or_none(site_id))
    rows: list[_read.StockRow] = []
    after = after_entry = total = 0
    feed = None
    if site is not None:  # the cursors before the rows: no change is missed
        after = last_move_id(uow.session, scope.tenant_id, site.id)
        after_entry = last_entry_id(uow.session, scope.tenant_id, site.id)
        feed = live_feed.feed(uow.session, scope.tenant_id, site.id, None, None)
        f = _read.StockFilter()
        rows, total = _read.stock_rows(uow.session, scope, site.id, f, LIVE_PAGE, (page - 1) * LIVE_PAGE)
    ctx = {"site": site, "sites": sites, "rows": rows, "after": after, "after_entry": after_entry, "labels": LABELS,
           "feed": feed, "site_id": site.id if site else None, "oob": False,
           "pager": pager(total, page, LIVE_PAGE, {"site_id": site.id if site else None})}  # fmt: skip
    return render(request, "inventory/live.html", ctx)


@router.get("/items/{item_id}", perm=READ)
def item_moves(
    request: Request,
    uow: UowDep,
    item_id: int,
    site_id: str | None = None,
    page: Annotated[int, Query(ge=1)] = 1,
) -> HTMLResponse:
    scope = uow.principal.scope(READ)
    item = get_item_ref(uow.session, scope.tenant_id, item_id)
    sites = _read.site_options(uow.session, scope)
    site = pick_site(sites, int_or_none(site_id))
    moves: list[MoveRead] = []
    balances: list[BalanceRead] = []
    commitments: list[CommitmentRead] = []
    total = 0
    if site is not None:
        f = MoveFilter(site_id=site.id, item_id=item_id)
        moves, total = queries.list_moves(uow.session, scope, f, PAGE_SIZE, (page - 1) * PAGE_SIZE)
        bf = BalanceFilter(site_id=site.id, item_id=item_id)
        balances = queries.list_balances(uow.session, scope, bf, 100, 0)[0]
        cf = CommitmentFilter(site_id=site.id, item_id=item_id, status="open")
        for kind in ("reservation", "incoming"):
            commitments += commitment_queries.list_commitments(uow.session, scope, kind, cf, 50, 0)[0]
    params = {"site_id": site.id if site else None}
    ctx = {
        "item": item,
        "site": site,
        "sites": sites,
        "moves": moves,
        "history": history.history(uow.session, scope.tenant_id, site.id, item_id, moves, (page - 1) * PAGE_SIZE)
        if site is not None
        else [],
        "balances": balances,
        "commitments": commitments,
        "pager": pager(total, page, PAGE_SIZE, params),
        "labels": LABELS,
    }
    return render(request, "inventory/item_moves.html", ctx)


@router.get("/moves", perm=READ)
def moves(
    request: Request,
    uow: UowDep,
    site_id: str | None = None,
    type: str | None = None,
    since: str | None = None,
    until: str | None = None,
    page: Annotated[int, Query(ge=1)] = 1,
) -> HTMLResponse:
    """A site's moves, newest first, of one type or all, between two days of the site's calendar (the today
    page's "waste this week" opens this with the week's waste)."""
    scope = uow.principal.scope(READ)
    sites = _read.site_options(uow.session, scope)
    site = pick_site(sites, int_or_none(site_id))
    kind = type if type in LABELS["moves"] else None
    first, last = _day(since), _day(until)
    rows: list[history.LogRow] = []
    items: dict[int, Any] = {}
    total, value, currency = 0, ZERO, None
    if site is not None:
        tz = ZoneInfo(get_site_ref(uow.session, scope, site.id).timezone)
        f = MoveFilter(site_id=site.id, move_type=kind,
                       since=datetime.combine(first, time(), tz) if first else None,
                       until=datetime.combine(last + timedelta(days=1), time(), tz) if last else None)  # fmt: skip
        found, total = queries.list_moves(uow.session, scope, f, PAGE_SIZE, (page - 1) * PAGE_SIZE)
        value, currency = queries.moves_value(uow.session, scope, f)
        rows = history.log(uow.session, scope.tenant_id, found)
        items = items_by_ids(uow.session, scope.tenant_id, {m.item_id for m in found})
    params = {"site_id": site.id if site else None, "type": kind, "since": first, "until": last}
    ctx = {"site": site, "sites": sites, "rows": rows, "items": items, "kind": kind, "since": first, "until": last,
           "value": value, "currency": currency, "labels": LABELS,
           "pager": pager(total, page, PAGE_SIZE, params)}  # fmt: skip
    return render(request, "inventory/moves.html", ctx)


def _day(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


@router.get("/alerts", perm=READ)
def alerts(
    request: Request,
    uow: UowDep,
    site_id: str | None = None,
    status: str | None = "open",
    page: Annotated[int, Query(ge=1)] = 1,
) -> HTMLResponse:
    scope = uow.principal.scope(READ)
    sites = _read.site_options(uow.session, scope)
    site = pick_site(sites, int_or_none(site_id)) if site_id else None
    is_open = {"open": True, "closed": False}.get(status or "")
    rows, total = ingest_queries.list_alerts(
        uow.session,
        scope,
        site_id=site.id if site else None,
        kind=None,
        is_open=is_open,
        limit=PAGE_SIZE,
        offset=(page - 1) * PAGE_SIZE,
    )
    params = {"site_id": site.id if site else None, "status": status}
    codes = {s.id: s.code for s in sites}
    ctx = {"rows": rows, "sites": sites, "site": site, "codes": codes, "filters": params}
    ctx["pager"] = pager(total, page, PAGE_SIZE, params)
    ctx["kinds"], ctx["texts"] = ALERT_KINDS, ALERT_TEXTS
    ctx["items"] = _read.skus(uow.session, uow.tenant_id, {a.item_id for a in rows if a.item_id})
    ctx["actors"] = actor_names(uow.session, uow.tenant_id, {a.closed_by for a in rows if a.closed_by})
    ctx["can_close"] = uow.principal.can(WRITE)
    return render(request, "inventory/alerts.html", ctx)


ALERT_KINDS = {"shrink": N_("Shrink"), "negative_refused": N_("Sale refused: not enough stock")}
ALERT_TEXTS = {"shrink": N_("A tagged item left through the exit without a matching sale.")}


@router.post("/alerts/{alert_id}/close", perm=WRITE)
def close_alert(request: Request, uow: UowDep, alert_id: int, data: FormDep) -> Response:
    """Close (acknowledge) an alert with an optional note; the list stays on the same filters."""
    note = (data.get("note") or "").strip()[:300] or None
    ingest_service.close_alert(uow, alert_id, note)
    uow.commit()
    response = redirect(safe_next(data.get("next"), "/inventory/alerts"))
    flash(response, _("Alert closed."))
    return response
