"""The simulation page (/replenishment/simulation): for a stored run, both trade-off curves (turnover and
waste against the stockout rate) overall or per category, with the operating point a planner picks and saves
per category, and stock, orders and lost sales over time for the baseline and BOH at that point."""

from __future__ import annotations

import itertools
from decimal import Decimal
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, Response

from boh.http.charts import Chart, Series
from boh.http.deps import UowDep
from boh.http.i18n import gettext_ as _
from boh.http.pages import N_, NavLink, flash, form_data, page_router, redirect
from boh.http.templating import render
from boh.kernel.errors import BohError, ValidationFailed
from boh.replenishment.simulation import queries, service
from boh.replenishment.simulation.service import READ, SIMULATE

router = page_router("/replenishment")
NAV = [NavLink(N_("Policy simulation"), "/replenishment/simulation", READ)]
POLICY_NAMES = {"boh": N_("BOH policy"), "baseline": N_("Baseline (experience rule)")}
SHORT_NAMES = {"boh": N_("BOH"), "baseline": N_("Baseline")}
FormDep = Annotated[dict[str, str], Depends(form_data)]
GRID = 1  # stockout-rate grid of the curve charts, in percentage points


def _d(v: Any) -> Decimal | None:
    return None if v is None else Decimal(str(v))


def _decimals(d: dict[str, Any] | None) -> dict[str, Any]:
    return {k: (_d(v) if isinstance(v, str | int | float) and not isinstance(v, bool) else v)
            for k, v in (d or {}).items()}  # fmt: skip


def _points(run: Any, kind: str, category: str) -> list[dict[str, Any]]:
    """The swept points of one policy, for the whole run or one category: param and metrics (Decimals)."""
    out = []
    for p in run.curves.get(kind, []):
        m = p["metrics"] if category == "all" else p.get("categories", {}).get(category)
        if m:
            out.append({"param": Decimal(p["param"]), **{k: _d(v) for k, v in m.items()}})
    return out


def _interp(points: list[dict[str, Any]], x: Decimal, key: str) -> Decimal | None:
    pts = sorted((p["stockout_rate"], p[key]) for p in points if p["stockout_rate"] is not None and p[key] is not None)
    for (x0, y0), (x1, y1) in itertools.pairwise(pts):
        if x0 <= x <= x1:
            y: Decimal = y0 if x1 == x0 else (y0 + (y1 - y0) * (x - x0) / (x1 - x0)).quantize(Decimal("0.01"))
            return y
    return None


def _curve_chart(cid: str, title: str, key: str, base: list[dict[str, Any]], boh: list[dict[str, Any]],
                 chosen: dict[str, Any] | None, scale: Decimal = Decimal(1)) -> Chart:  # fmt: skip
    """``key`` against the stockout rate: both curves on one grid of stockout rates (read off each curve
    between its swept points), and the chosen point."""
    rates = [p["stockout_rate"] for p in base + boh if p["stockout_rate"] is not None]
    top = int(max(rates, default=Decimal("0.5")) * 100 / GRID) + 1
    grid = [Decimal(i * GRID) / 100 for i in range(top + 1)]
    pick: list[Decimal | None] = [None] * len(grid)
    if chosen and chosen["stockout_rate"] is not None:
        i = min(range(len(grid)), key=lambda j: abs(grid[j] - chosen["stockout_rate"]))
        pick[i] = chosen[key] * scale if chosen[key] is not None else None

    def line(pts: list[dict[str, Any]]) -> list[Decimal | None]:
        vals = [_interp(pts, x, key) for x in grid]
        return [None if v is None else (v * scale).quantize(Decimal("0.01")) for v in vals]

    return Chart(
        id=cid, title=title, categories=[f"{x * 100:.0f}%" for x in grid], category_label=_("Stockout item-days"),
        series=[Series(_("Baseline (experience rule)"), line(base)), Series(_("BOH policy"), line(boh)),
                Series(_("Chosen point"), pick)],
    )  # fmt: skip


def _trace_charts(run: Any, sample: int, base_key: str, boh_key: str) -> list[Chart]:
    days = run.summary.get("trace_days") or []
    labels = [d[5:] for d in days]
    out = []
    for field, cid, title in (("closing", "sim-stock", _("Stock at closing")), ("orders", "sim-orders", _("Orders")),
                              ("lost", "sim-lost", _("Lost sales (stockouts)"))):  # fmt: skip
        demand = [_d(v) for v in run.traces[boh_key]["demand"][sample]]
        series = []
        for key, name in ((base_key, _("Baseline (experience rule)")), (boh_key, _("BOH policy"))):
            tr = run.traces.get(key)
            if tr:
                series.append(Series(name, [_d(v) for v in tr[field][sample]]))
        if field == "lost":
            series.append(Series(_("Demand"), demand))
        out.append(Chart(id=cid, title=title, categories=labels, category_label=_("Date"), series=series))
    return out


@router.get("/simulation", perm=READ)
def home(request: Request, uow: UowDep, run_id: int | None = None, category: str = "all",
         sample: int = 0) -> HTMLResponse:  # fmt: skip
    runs = queries.runs(uow.session, uow.tenant_id)
    run = queries.get_run(uow.session, uow.tenant_id, run_id) if run_id else (runs[0] if runs else None)
    ctx: dict[str, Any] = {"runs": runs, "run": run, "category": category, "policies": POLICY_NAMES,
                           "short": SHORT_NAMES, "can_choose": uow.principal.can(SIMULATE)}  # fmt: skip
    if run is None:
        return render(request, "replenishment/simulation.html", ctx)
    cats = sorted({c for p in run.curves.get("boh", []) for c in p.get("categories", {})}, key=lambda c: int(c))
    category = category if category in cats else "all"
    base, boh = _points(run, "baseline", category), _points(run, "boh", category)
    choices = queries.choices(uow.session, run.id)
    choice = choices.get(category) or choices.get("all")
    summary = run.summary
    level = _d(summary.get("chosen_level"))
    kind, param = (choice.policy, choice.param) if choice else ("boh", level)
    chosen = next((p for p in (boh if kind == "boh" else base) if p["param"] == param), None)
    # the baseline shown beside it: the cover whose waste is nearest the chosen point's
    near = min(base, key=lambda p: abs((p["waste_rate"] or 0) - (chosen["waste_rate"] or 0)), default=None) \
        if chosen else None  # fmt: skip
    boh_key = f"boh:{param}" if kind == "boh" else f"boh:{level}"
    base_key = f"baseline:{near['param']}" if near else ""
    samples = summary.get("samples") or []
    sample = sample if 0 <= sample < len(samples) else 0
    has_traces = boh_key in run.traces or any(k.startswith("boh:") for k in run.traces)
    if boh_key not in run.traces:
        boh_key = next((k for k in run.traces if k.startswith("boh:")), "")
    ctx.update(
        cats=cats, category=category, base=base, boh=boh, chosen=chosen, choice=choice, choices=choices,
        kind=kind, param=param, summary=summary, op=_decimals(summary.get("operating")), samples=samples,
        eq=_decimals((summary.get("headline") or {}).get("equal_waste")), sample=sample,
        recorded=_decimals(summary.get("recorded")),
        wape=_d(summary.get("forecast_wape_2d")), level=level,
        curve_charts=[
            _curve_chart("sim-turnover", _("Inventory turnover (per year) against stockout item-days"), "turnover",
                         base, boh, chosen),
            _curve_chart("sim-waste", _("Waste (% of units disposed) against stockout item-days"), "waste_rate",
                         base, boh, chosen, Decimal(100)),
        ],
        trace_charts=_trace_charts(run, sample, base_key, boh_key) if has_traces and samples else [],
        near=near,
    )  # fmt: skip
    return render(request, "replenishment/simulation.html", ctx)


@router.post("/simulation/{sim_run_id}/choose", perm=SIMULATE)
def choose(uow: UowDep, sim_run_id: int, data: FormDep) -> Response:
    run_id = sim_run_id
    category = data.get("category", "all")
    target = f"/replenishment/simulation?run_id={run_id}&category={category}"
    try:
        service.choose(uow, run_id, {category: data.get("point", "")})
    except ValidationFailed:
        uow.rollback()
        response = redirect(target)
        flash(response, _("Pick one of the run's points."), "error")
        return response
    except BohError as exc:
        uow.rollback()
        if exc.status == 404:
            raise  # another tenant's run, or none: a plain not-found page, never a redirect
        response = redirect("/replenishment/simulation")
        flash(response, exc.detail, "error")
        return response
    uow.commit()
    response = redirect(target)
    flash(response, _("Operating point saved."))
    return response
