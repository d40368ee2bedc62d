"""Console pages of forecasting under /forecasting/: forecast vs actual per site x item (history, forecast,
quantile band, promotions and holidays marked), the accuracy dashboard by category / site / model, and the
promotions calendar."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from decimal import Decimal
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, Response

from boh.forecasting import calendar, queries, service
from boh.forecasting.errors import NoForecast
from boh.forecasting.service import READ, RUN
from boh.http.charts import Band, Chart, Series
from boh.http.deps import UowDep
from boh.http.i18n import gettext_ as _
from boh.http.pages import N_, NavLink, form_data, page_router, redirect
from boh.http.templating import render
from boh.kernel.clock import utcnow
from boh.kernel.errors import FieldError, ValidationFailed

router = page_router("/forecasting")
FormDep = Annotated[dict[str, str], Depends(form_data)]
NAV = [NavLink(N_("Forecasts"), "/forecasting/", READ)]
DISPLAYS = {"none": N_("No display"), "shelf": N_("Shelf tag"), "endcap": N_("End cap"), "flyer": N_("Flyer"),
            "online": N_("Online")}  # fmt: skip
RUN_STATUSES = {"queued": N_("Queued"), "running": N_("Running"), "done": N_("Done"), "failed": N_("Failed")}
CLASSES = {"smooth": N_("Smooth"), "intermittent": N_("Intermittent"), "new": N_("New")}
MODELS = {"lgbm": N_("LightGBM (features)"), "dow_ses": N_("Weekday smoothing"), "combo": N_("LightGBM + smoothing"),
          "croston": N_("Croston"), "adida": N_("ADIDA"), "imapa": N_("IMAPA"), "tsb": N_("TSB"),
          "profile": N_("Category profile (new)")}  # fmt: skip


def _chart(s: Any, promos: list[Any], holidays: dict[date, str]) -> tuple[Chart, list[dict[str, Any]]]:
    days = [a.day for a in s.actual] + [f.day for f in s.forecast]
    promo_days = {d for p in promos for d in _span(p.start_day, p.end_day)}
    labels = [d.strftime("%m-%d") + (" ★" if d in promo_days else "") + (" ●" if d in holidays else "") for d in days]
    n = len(s.actual)
    pad: list[Decimal | None] = [None] * n
    chart = Chart(
        id="forecast", title=_("Forecast vs actual"), categories=labels, category_label=_("Date"),
        series=[
            Series(_("Sold"), [a.quantity for a in s.actual] + [None] * len(s.forecast)),
            Series(_("Forecast"), pad + [f.mean for f in s.forecast]),
            Series(_("10% quantile"), pad + [f.q10 for f in s.forecast]),
            Series(_("90% quantile"), pad + [f.q90 for f in s.forecast]),
        ],
        band=Band(2, 3, _("Band 10%–90%")),
    )  # fmt: skip
    marks = [{"day": d, "text": holidays[d]} for d in days if d in holidays]
    return chart, marks


def _span(a: date, b: date) -> list[date]:
    return [a + timedelta(days=i) for i in range((b - a).days + 1)]


@router.get("/", perm=READ)
def home(request: Request, uow: UowDep, site_id: int | None = None, item_id: int | None = None,
         pick: str | None = None) -> HTMLResponse:  # fmt: skip
    if pick and "-" in pick and all(p.isdigit() for p in pick.split("-", 1)):
        site_id, item_id = (int(p) for p in pick.split("-", 1))
    scope = uow.principal.scope(READ)
    options = queries.forecast_series(uow.session, scope)
    run = queries.latest_run(uow.session, uow.tenant_id)
    ctx: dict[str, Any] = {"options": options, "run": run, "site_id": site_id, "item_id": item_id, "series": None,
                           "models": MODELS, "classes": CLASSES, "can_run": uow.principal.can(RUN),
                           "key": uuid.uuid4().hex}  # fmt: skip
    if item_id is None and options:  # the first series (of the site, when one is given)
        first = next((o for o in options if site_id is None or o[0] == site_id), options[0])
        site_id, item_id = first[0], first[1]
        ctx.update(site_id=site_id, item_id=item_id)
    if site_id is not None and item_id is not None:
        try:
            s = queries.get_series(uow.session, scope, site_id, item_id)
        except NoForecast:
            s = None
        if s is not None:
            start, end = (s.actual[0].day if s.actual else s.forecast[0].day), s.forecast[-1].day
            promos = [p for p in queries.promotions(uow.session, uow.tenant_id, start, end)
                      if p.item_id == item_id and (not p.site_ids or site_id in p.site_ids)]  # fmt: skip
            hol = calendar.holiday_days("CN", start, end)
            chart, marks = _chart(s, promos, hol)
            ctx.update(series=s, chart=chart, promos=promos, holidays=marks, displays=DISPLAYS)
    return render(request, "forecasting/home.html", ctx)


@router.get("/accuracy", perm=READ)
def accuracy(request: Request, uow: UowDep) -> HTMLResponse:
    scope = uow.principal.scope(READ)
    tables = {by: queries.accuracy(uow.session, scope, by) for by in ("model", "category", "site")}
    titles = {"model": _("By model"), "category": _("By category"), "site": _("By site")}
    run = queries.latest_run(uow.session, uow.tenant_id)
    ctx = {"tables": tables, "titles": titles, "models": MODELS, "run": run,
           "categories": queries.category_names(uow.session, uow.tenant_id)}  # fmt: skip
    return render(request, "forecasting/accuracy.html", ctx)


@router.get("/promotions", perm=READ)
def promotions(request: Request, uow: UowDep, start: date | None = None) -> HTMLResponse:
    today = utcnow().date()
    start = start or today - timedelta(days=today.weekday())
    end = start + timedelta(days=27)
    promos = queries.promotions(uow.session, uow.tenant_id, start, end)
    events = queries.events(uow.session, uow.principal.scope(READ), start, end)
    weeks = [[start + timedelta(days=w * 7 + d) for d in range(7)] for w in range(4)]
    by_day = {d: [p for p in promos if p.start_day <= d <= p.end_day] for wk in weeks for d in wk}
    ev_day = {d: [e for e in events if e.start_day <= d <= e.end_day] for wk in weeks for d in wk}
    hol = calendar.holiday_days("CN", start, end)
    ctx = {"weeks": weeks, "by_day": by_day, "ev_day": ev_day, "holidays": hol, "promos": promos,
           "displays": DISPLAYS, "prev": start - timedelta(days=28), "next": end + timedelta(days=1),
           "today": today}  # fmt: skip
    return render(request, "forecasting/promotions.html", ctx)


@router.post("/runs", perm=RUN)
def start_run(request: Request, uow: UowDep, data: FormDep) -> Response:
    """The "run forecasts" button: a queued run for the worker, then its page (progress, then the result). The
    form's key makes a double click or a resent form the same run."""
    key = data.get("key") or ""
    if not (0 < len(key) <= 48 and key.replace("-", "").isalnum()):  # the form always sends one
        raise ValidationFailed([FieldError(("key",), "the form's key is missing: reload the page", "missing")])
    run, _new = service.queue_run(uow, service.RunOptions(), f"console:{key}")
    uow.commit()
    return redirect(f"/forecasting/runs/{run.id}")


def _run_ctx(uow: UowDep, run_id: int) -> dict[str, Any]:
    run = queries.get_run(uow.session, uow.tenant_id, run_id)
    return {"r": run, "statuses": RUN_STATUSES, "percent": int(run.progress * 100)}


@router.get("/runs/{forecast_run_id}", perm=READ)
def run_page(request: Request, uow: UowDep, forecast_run_id: int) -> HTMLResponse:
    return render(request, "forecasting/run.html", _run_ctx(uow, forecast_run_id))


@router.get("/runs/{forecast_run_id}/status", perm=READ)
def run_status(request: Request, uow: UowDep, forecast_run_id: int) -> HTMLResponse:
    """The run's status block, polled by the run page (htmx) until the run is done or failed."""
    return render(request, "forecasting/_run_status.html", _run_ctx(uow, forecast_run_id))
