"""Stocktake pages under /inventory/counts, phone first: the list with the create form, the counter's screen
(actions of the status, a scan / entry form posting over htmx, the newest entries, a line search) and the
variance review (largest values first, flags, line resolution, approve and post). Every handler calls the
use cases of boh.inventory.counts.service (or its read models in queries) inside the request's unit of
work, exactly as the JSON API does; a blind count never shows expected quantities while counting."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Annotated, Any

from fastapi import Query, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError

from boh.http.deps import UowDep
from boh.http.i18n import gettext_ as _
from boh.http.i18n import ngettext_ as ngettext
from boh.http.pages import N_, NavLink, checked, flash, form_errors, is_htmx, pager, redirect, required_errors
from boh.http.templating import render
from boh.inventory.counts import queries, service
from boh.inventory.counts.schemas import (
    CountCreate,
    CountFilter,
    CountRead,
    EntriesResult,
    EntryIn,
    LinesUpdate,
    LineUpdate,
    RecountIn,
)
from boh.inventory.pages import _read
from boh.inventory.pages._common import FormDep, int_or_none, router
from boh.kernel.errors import BohError, ValidationFailed
from boh.kernel.uow import UnitOfWork

READ, WRITE, APPROVE = service.READ, service.WRITE, service.APPROVE
NAV = [NavLink(N_("Stocktakes"), "/inventory/counts", READ)]
PAGE_SIZE, LINE_PAGE, RECENT = 50, 100, 10

STATUSES = {
    "draft": N_("Draft"),
    "counting": N_("Counting"),
    "review": N_("In review"),
    "approved": N_("Approved"),
    "posted": N_("Posted"),
    "cancelled": N_("Cancelled"),
}
KINDS = {"full": N_("Full count"), "cycle": N_("Cycle count")}
LINE_STATES = {"": N_("All lines"), "uncounted": N_("Not counted"), "counted": N_("Counted")}


@dataclass(frozen=True)
class Action:
    name: str
    perm: str
    statuses: frozenset[str]
    label: str
    done: str  # flash message


ACTIONS = [
    Action("start", WRITE, frozenset({"draft"}), N_("Start counting"), N_("Counting started.")),
    Action("submit", WRITE, frozenset({"counting"}), N_("Submit for review"), N_("Count submitted for review.")),
    Action("recount", WRITE, frozenset({"review"}), N_("Recount open lines"), N_("Open lines sent back to counting.")),
    Action("approve", APPROVE, frozenset({"review"}), N_("Approve"), N_("Count approved.")),
    Action("post", APPROVE, frozenset({"approved"}), N_("Post variances"), N_("Count posted.")),
    Action("cancel", WRITE, frozenset({"draft", "counting", "review", "approved"}), N_("Cancel count"),
           N_("Count cancelled.")),
]  # fmt: skip
BY_NAME = {a.name: a for a in ACTIONS}

# Short translated descriptions of the errors the count services report (the exact detail follows).
ERROR_SUMMARIES = {
    "catalog.item_not_found": N_("No item has this code or SKU"),
    "catalog.invalid_barcode": N_("This is not a valid barcode"),
    "catalog.invalid_epc": N_("This is not a valid RFID tag"),
    "catalog.unknown_unit": N_("Unknown unit"),
    "inventory.count_item_not_in_count": N_("This item is not part of this count"),
    "inventory.lot_not_found": N_("This item has no lot with this code"),
    "inventory.count_lot_required": N_("This item is counted by lot: enter the lot"),
    "inventory.count_line_not_in_recount": N_("This line is not being recounted"),
    "inventory.count_bad_quantity": N_("The quantity is not valid"),
    "inventory.count_line_unresolved": N_("This line must be resolved first"),
    "inventory.count_wrong_status": N_("The count is not in a state that allows this"),
    "inventory.count_manager_approval_required": N_("A manager must approve a count with this variance value"),
    "inventory.count_not_found": N_("Count not found"),
}
STATUS_TITLES = {
    403: N_("You do not have permission to do this"),
    404: N_("Page not found"),
    409: N_("This conflicts with existing data"),
    422: N_("The request is not valid"),
}
UNKNOWN_ITEM = frozenset({"catalog.item_not_found", "catalog.invalid_barcode", "catalog.invalid_epc"})
CODE_LIKE = re.compile(r"^(urn:|\(|\]|\d{8,}|[0-9A-Fa-f]{24,}$)")


@dataclass(frozen=True)
class Problem:
    """A service error for the error block: translated title and summary, the exact detail, field errors."""

    status: int
    title: str
    detail: str
    errors: list[tuple[str, str, str]]  # (field, translated summary, exact message)


def _summary(code: str, fallback: str) -> str:
    return _(ERROR_SUMMARIES[code]) if code in ERROR_SUMMARIES else fallback


def problem_of(exc: BohError) -> Problem:
    errors = [(str(e.loc[-1]), _summary(e.code, e.message), e.message) for e in getattr(exc, "errors", [])]
    title = _summary(exc.code, _(STATUS_TITLES.get(exc.status, N_("The request is not valid"))))
    return Problem(exc.status, title, exc.detail, errors)


def _site_codes(uow: UnitOfWork) -> dict[int, str]:
    return {s.id: s.code for s in _read.site_options(uow.session, uow.principal.scope(READ))}


def allowed_actions(uow: UnitOfWork, count: CountRead, open_lines: int = 0) -> list[Action]:
    """The actions of the count's status that the caller may take at the count's site (a recount only
    when some line is open: recounting nothing would reopen counting for no line)."""
    p = uow.principal
    return [
        a
        for a in ACTIONS
        if count.status in a.statuses
        and p.can(a.perm)
        and p.scope(a.perm).allows_site(count.site_id)
        and (a.name != "recount" or open_lines > 0)
    ]


# --- list and create ------------------------------------------------------------------------------------


def _list_page(
    request: Request, uow: UnitOfWork, params: dict[str, Any], page: int, values: dict[str, Any], status: int = 200
) -> HTMLResponse:
    scope = uow.principal.scope(READ)
    f = CountFilter(site_id=params.get("site_id"), status=params.get("status"))
    rows, total = queries.list_counts(uow.session, scope, f, PAGE_SIZE, (page - 1) * PAGE_SIZE)
    can_write = uow.principal.can(WRITE)
    ctx = {
        "rows": rows,
        "sites": _read.site_options(uow.session, scope),
        "write_sites": _read.site_options(uow.session, uow.principal.scope(WRITE)) if can_write else [],
        "codes": _site_codes(uow),
        "filters": params,
        "pager": pager(total, page, PAGE_SIZE, params),
        "statuses": STATUSES,
        "kinds": KINDS,
        "can_write": can_write,
        "values": values,
        "errors": values.pop("_errors", {}),
    }
    return render(request, "inventory/count_list.html", ctx, status_code=status)


@router.get("/counts", perm=READ)
def count_list(
    request: Request,
    uow: UowDep,
    site_id: str | None = None,
    status: str | None = None,
    page: Annotated[int, Query(ge=1)] = 1,
) -> HTMLResponse:
    params = {"site_id": int_or_none(site_id), "status": status if status in STATUSES else None}
    return _list_page(request, uow, params, page, {"kind": "full", "site_id": params["site_id"] or ""})


@router.post("/counts", perm=WRITE)
def count_create(request: Request, uow: UowDep, data: FormDep) -> Response:
    classes = [c for c in "ABC" if checked(data, f"abc_{c}")]
    values: dict[str, Any] = {**data, "blind": checked(data, "blind"), "classes": classes}
    site_id = int_or_none(data.get("site_id"))
    if site_id is None:
        return _list_page(request, uow, {}, 1, {**values, "_errors": required_errors({}, "site_id")}, 422)
    try:
        body = CountCreate.model_validate(
            {
                "site_id": site_id,
                "kind": data.get("kind") or "full",
                "abc_classes": classes or None,
                "blind": values["blind"],
                "note": data.get("note") or None,
            }
        )
        count = service.create_count(uow, body)
    except ValidationError as exc:
        return _list_page(request, uow, {}, 1, {**values, "_errors": form_errors(exc)}, 422)
    except BohError as exc:
        uow.rollback()
        return _list_page(request, uow, {}, 1, {**values, "_errors": {"__all__": problem_of(exc).title}}, exc.status)
    uow.commit()
    response = redirect(f"/inventory/counts/{count.id}")
    flash(response, _("Count #%(id)s created.") % {"id": count.id})
    return response


# --- the counter's screen -------------------------------------------------------------------------------


def _recent(uow: UnitOfWork, count_id: int) -> list[dict[str, Any]]:
    """The newest entries with the item and lot of their line (no expected quantity involved)."""
    scope = uow.principal.scope(READ)
    entries = queries.list_entries(uow.session, scope, count_id, RECENT, 0, line_id=None, counter=None)[0]
    if not entries:
        return []
    lines = queries.list_lines(uow.session, scope, count_id, RECENT, 0, line_ids={e.line_id for e in entries})[0]
    by_id = {ln.id: ln for ln in lines}
    return [{"e": e, "line": by_id.get(e.line_id)} for e in entries]


def _lines_ctx(uow: UnitOfWork, count_id: int, q: str | None, state: str | None, page: int) -> dict[str, Any]:
    q = (q or "").strip() or None
    state = state if state in LINE_STATES else ""
    counted = {"counted": True, "uncounted": False}.get(state or "")
    scope = uow.principal.scope(READ)
    rows, total = queries.list_lines(
        uow.session, scope, count_id, LINE_PAGE, (page - 1) * LINE_PAGE, q=q, counted=counted
    )
    params = {"q": q, "state": state or None}
    links = pager(total, page, LINE_PAGE, params)
    base = f"/inventory/counts/{count_id}/lines"
    links.update({k: base + links[k] for k in ("prev", "next") if links[k]})
    return {"lines": rows, "line_filters": params, "line_pager": links}


def _detail_ctx(uow: UnitOfWork, count_id: int) -> dict[str, Any]:
    scope = uow.principal.scope(READ)
    count = queries.get_count(uow.session, scope, count_id)
    totals = queries.line_totals(uow.session, scope, count_id)
    open_lines = totals.unresolved if count.status == "review" else 0
    actions = allowed_actions(uow, count, open_lines)
    return {
        "count": count,
        "progress": totals,
        "codes": _site_codes(uow),
        "statuses": STATUSES,
        "kinds": KINDS,
        "actions": actions,
        "can_scan": count.status == "counting" and any(a.name == "submit" for a in actions),
        "hidden": count.blind and count.status in ("draft", "counting"),
        "line_states": LINE_STATES,
    }


def _detail_page(
    request: Request, uow: UnitOfWork, count_id: int, problem: Problem | None = None, status: int = 200
) -> HTMLResponse:
    ctx = _detail_ctx(uow, count_id)
    ctx.update(_lines_ctx(uow, count_id, None, None, 1))
    ctx.update({"recent": _recent(uow, count_id), "problem": problem, "scan": _scan_defaults()})
    return render(request, "inventory/count_detail.html", ctx, status_code=status)


@router.get("/counts/{count_id}", perm=READ)
def count_detail(request: Request, uow: UowDep, count_id: int) -> HTMLResponse:
    return _detail_page(request, uow, count_id)


@router.get("/counts/{count_id}/lines", perm=READ)
def count_lines(
    request: Request,
    uow: UowDep,
    count_id: int,
    q: str | None = None,
    state: str | None = None,
    page: Annotated[int, Query(ge=1)] = 1,
) -> HTMLResponse:
    ctx = {**_detail_ctx(uow, count_id), **_lines_ctx(uow, count_id, q, state, page)}
    if is_htmx(request):
        return render(request, "inventory/count_lines.html", ctx)
    ctx.update({"recent": _recent(uow, count_id), "problem": None, "scan": _scan_defaults()})
    return render(request, "inventory/count_detail.html", ctx)


# --- scan / entry ---------------------------------------------------------------------------------------


def _scan_defaults() -> dict[str, str]:
    return {"code": "", "qty": "1", "lot_code": ""}


def _fields(value: str) -> tuple[str, str]:
    """Which field a typed or scanned value is tried as first: scanner output as a code, else a SKU."""
    return ("code", "sku") if CODE_LIKE.match(value) else ("sku", "code")


def _only_unknown_item(exc: ValidationFailed, name: str) -> bool:
    return all(e.loc[-1] == name and e.code in UNKNOWN_ITEM for e in exc.errors)


def record_entry(uow: UnitOfWork, count_id: int, data: dict[str, str]) -> EntriesResult | Problem:
    """One entry from the scan form: the value as a GTIN / GS1 / EPC code or a SKU (the other one is
    tried when the first names no item). Nothing is written when the service reports an error."""
    value = (data.get("code") or "").strip()
    if not value:
        return Problem(422, _("Scan or type a code"), "", [("code", _("This value is required"), "")])
    first: Problem | None = None
    for name in _fields(value):
        raw = {name: value, "qty": data.get("qty") or None, "lot_code": data.get("lot_code") or None}
        try:
            entry = EntryIn.model_validate({**raw, "method": "scan" if name == "code" else "manual"})
            return service.add_entries(uow, count_id, [entry])
        except ValidationError as exc:
            errors = [(k, v, "") for k, v in form_errors(exc).items()]
            return Problem(422, _("The entry was not recorded"), "", errors)
        except ValidationFailed as exc:
            uow.rollback()
            found = replace(problem_of(exc), title=_("The entry was not recorded"))
            if not _only_unknown_item(exc, name):
                return found
            first = first or found
        except BohError as exc:
            uow.rollback()
            return problem_of(exc)
    assert first is not None
    return first


@router.post("/counts/{count_id}/entries", perm=WRITE)
def count_entry(request: Request, uow: UowDep, count_id: int, data: FormDep) -> Response:
    outcome = record_entry(uow, count_id, data)
    if isinstance(outcome, EntriesResult):
        uow.commit()
    ok = isinstance(outcome, EntriesResult)
    scan = _scan_defaults() if ok else {**_scan_defaults(), **{k: data.get(k, "") for k in ("code", "qty", "lot_code")}}
    if not is_htmx(request):
        if ok:
            response = redirect(f"/inventory/counts/{count_id}")
            flash(response, _("Entry recorded."))
            return response
        assert isinstance(outcome, Problem)
        return _detail_page(request, uow, count_id, outcome, outcome.status)
    ctx = {
        **_detail_ctx(uow, count_id),
        "result": outcome if ok else None,
        "problem": None if ok else outcome,
        "scanned": data.get("code", ""),
        "recent": _recent(uow, count_id),
        "scan": scan,
    }
    panel = render(request, "inventory/count_scan.html", ctx)  # 200 either way: htmx swaps the panel
    if ok:
        panel.headers["HX-Trigger"] = "count-changed"  # the line list reloads itself
    return panel


# --- variance review --------------------------------------------------------------------------------------


def _review_page(
    request: Request,
    uow: UnitOfWork,
    count_id: int,
    flagged: bool,
    page: int,
    problem: Problem | None = None,
    status: int = 200,
) -> HTMLResponse:
    ctx = _detail_ctx(uow, count_id)
    scope = uow.principal.scope(READ)
    rows, total = queries.list_lines(
        uow.session, scope, count_id, LINE_PAGE, (page - 1) * LINE_PAGE, flagged=flagged or None, by_value=True
    )
    count: CountRead = ctx["count"]
    p = uow.principal
    ctx.update(
        {
            "lines": rows,
            "totals": queries.line_totals(uow.session, scope, count_id),
            "flagged": flagged,
            "pager": pager(total, page, LINE_PAGE, {"flagged": "1" if flagged else None}),
            "problem": problem,
            "can_resolve": count.status == "review" and p.can(WRITE) and p.scope(WRITE).allows_site(count.site_id),
        }
    )
    return render(request, "inventory/count_review.html", ctx, status_code=status)


@router.get("/counts/{count_id}/review", perm=READ)
def count_review(
    request: Request,
    uow: UowDep,
    count_id: int,
    flagged: str | None = None,
    page: Annotated[int, Query(ge=1)] = 1,
) -> Response:
    count = queries.get_count(uow.session, uow.principal.scope(READ), count_id)  # 404 outside the scope
    if count.status in ("draft", "counting"):
        return redirect(f"/inventory/counts/{count_id}")
    return _review_page(request, uow, count_id, flagged == "1", page)


@router.post("/counts/{count_id}/lines", perm=WRITE)
def count_resolve(request: Request, uow: UowDep, count_id: int, data: FormDep) -> Response:
    line_id, how = int_or_none(data.get("line_id")), data.get("resolve")
    try:
        update = LineUpdate(line_id=line_id or 0, accept=how == "accept", confirm_zero=how == "zero")
        service.update_lines(uow, count_id, LinesUpdate(lines=[update]))
    except BohError as exc:
        uow.rollback()
        return _review_page(request, uow, count_id, False, 1, problem_of(exc), exc.status)
    uow.commit()
    response = redirect(f"/inventory/counts/{count_id}/review")
    flash(response, _("Line updated."))
    return response


# --- status actions ----------------------------------------------------------------------------------------


SIMPLE: dict[str, Callable[[UnitOfWork, int], object]] = {
    "start": service.start_count,
    "submit": service.submit,
    "approve": service.approve,
    "cancel": service.cancel,
}


def _act(request: Request, uow: UnitOfWork, count_id: int, name: str) -> Response:
    action = BY_NAME[name]
    message = _(action.done)
    try:
        if name == "post":
            count, warnings, _replayed = service.post(uow, count_id)
            message = ngettext("%(num)s stock move posted.", "%(num)s stock moves posted.", count.moves_posted) % {
                "num": count.moves_posted
            }
            if warnings:
                message += " " + _("%(num)s line(s) moved since the freeze.") % {"num": len(warnings)}
        elif name == "recount":
            service.recount(uow, count_id, RecountIn())
        else:
            SIMPLE[name](uow, count_id)
    except BohError as exc:
        uow.rollback()
        if name in ("approve", "post", "recount"):
            return _review_page(request, uow, count_id, False, 1, problem_of(exc), exc.status)
        return _detail_page(request, uow, count_id, problem_of(exc), exc.status)
    uow.commit()
    review = name in ("submit", "approve", "post")
    response = redirect(f"/inventory/counts/{count_id}" + ("/review" if review else ""))
    flash(response, message)
    return response


@router.post("/counts/{count_id}/start", perm=WRITE)
def count_start(request: Request, uow: UowDep, count_id: int) -> Response:
    return _act(request, uow, count_id, "start")


@router.post("/counts/{count_id}/submit", perm=WRITE)
def count_submit(request: Request, uow: UowDep, count_id: int) -> Response:
    return _act(request, uow, count_id, "submit")


@router.post("/counts/{count_id}/recount", perm=WRITE)
def count_recount(request: Request, uow: UowDep, count_id: int) -> Response:
    return _act(request, uow, count_id, "recount")


@router.post("/counts/{count_id}/approve", perm=APPROVE)
def count_approve(request: Request, uow: UowDep, count_id: int) -> Response:
    return _act(request, uow, count_id, "approve")


@router.post("/counts/{count_id}/post", perm=APPROVE)
def count_post(request: Request, uow: UowDep, count_id: int) -> Response:
    return _act(request, uow, count_id, "post")


@router.post("/counts/{count_id}/cancel", perm=WRITE)
def count_cancel(request: Request, uow: UowDep, count_id: int) -> Response:
    return _act(request, uow, count_id, "cancel")
