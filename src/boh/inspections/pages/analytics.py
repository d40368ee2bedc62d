"""The analytics dashboard: score trends, the most-failed items, repeat failures, overdue actions, time to close,
inspector coverage and consistency, and stores beside other domains' facts, each with CSV/XLSX export.
Charts use the console's chart macro (``_charts.html``) when it is there; every figure is also a table."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import TemplateNotFound

from boh.http.deps import UowDep
from boh.http.i18n import gettext_ as _
from boh.http.pages import N_
from boh.http.templating import render, templates
from boh.inspections import analytics, queries
from boh.inspections.adapters import Chart, Series
from boh.inspections.pages._common import ACTION_STATUSES, SEVERITIES, router
from boh.inspections.service import ANALYTICS
from boh.kernel.clock import utcnow
from boh.org.api import region_refs

TITLES = {
    "trend": N_("Score trend"), "failed_items": N_("Most failed items"), "repeat_failures": N_("Repeat failures"),
    "overdue": N_("Overdue actions"), "time_to_close": N_("Time to close"), "coverage": N_("Inspector coverage"),
    "consistency": N_("Consistency between inspectors"), "stores": N_("Stores beside sales, stock and waste"),
}  # fmt: skip
HEADERS = {
    "month": N_("Month"), "region": N_("Region"), "store": N_("Store"), "template": N_("Checklist"),
    "average_score": N_("Average score"), "inspections": N_("Inspections"), "item": N_("Checklist item"),
    "text": N_("Question"),
    "failures": N_("Failures"), "failure_rate_pct": N_("Failure rate %%"), "stores": N_("Stores"),
    "failed_of_last_3": N_("Failed in last 3"), "action": N_("Action"), "severity": N_("Severity"), "due": N_("Due"),
    "days_overdue": N_("Days overdue"), "owner": N_("Owner"), "status": N_("Status"),
    "escalation_level": N_("Escalation"), "closed": N_("Closed"), "average_days": N_("Average days"),
    "longest_days": N_("Longest days"), "still_open": N_("Still open"), "inspector": N_("Inspector"),
    "planned": N_("Planned"), "done": N_("Done"), "missed": N_("Missed"), "done_pct": N_("Done %%"),
    "shared_stores": N_("Shared stores"), "bias": N_("Bias vs store average"), "spread": N_("Spread"),
    "stock_discrepancy": N_("Stock discrepancies"), "shrink": N_("Shrink alerts"), "stockout": N_("Stockouts"),
    "waste": N_("Waste"), "cold_chain": N_("Cold-chain alerts"), "sales": N_("Sales"),
}  # fmt: skip


def has_charts() -> bool:
    try:
        templates.env.get_template("_charts.html")
    except TemplateNotFound:
        return False
    return True


def _charts(tables: dict[str, analytics.Table]) -> list[Chart]:
    trend = tables["trend"]
    months = sorted({r[0] for r in trend.rows})
    groups = sorted({r[1] for r in trend.rows})
    by = {(r[0], r[1]): r[2] for r in trend.rows}
    out = [Chart("score-trend", _("Score trend"), months, [Series(g, [by.get((m, g)) for m in months]) for g in groups],
                 kind="line", category_label=_("Month"))]  # fmt: skip
    failed = tables["failed_items"].rows[:10]
    out.append(Chart("failed-items", _("Most failed items"), [str(r[2]) for r in failed],
                     [Series(_("Failures"), [Decimal(r[3]) for r in failed])], kind="bar",
                     category_label=_("Checklist item")))  # fmt: skip
    return out


def _date(v: str | None, default: date) -> date:
    try:
        return date.fromisoformat(v) if v else default
    except ValueError:
        return default


@router.get("/analytics", perm=ANALYTICS)
def dashboard(request: Request, uow: UowDep, start: str | None = None, end: str | None = None,
              region_id: str | None = None, template_id: str | None = None) -> HTMLResponse:  # fmt: skip
    today = utcnow().date()
    to = _date(end, today)
    period = analytics.Period(_date(start, to - timedelta(days=90)), to,
                              int(region_id) if region_id and region_id.isdigit() else None,
                              int(template_id) if template_id and template_id.isdigit() else None)  # fmt: skip
    tables = analytics.dashboard(uow.session, uow.principal.scope(ANALYTICS), period, today)
    query: dict[str, Any] = {"start": period.start, "end": period.end}
    query |= {k: v for k, v in (("region_id", period.region_id), ("template_id", period.template_id)) if v}
    ctx = {
        "tables": tables, "titles": TITLES, "headers": HEADERS, "period": period, "charts": _charts(tables),
        "cell_labels": {"severity": SEVERITIES, "status": ACTION_STATUSES},
        "has_charts": has_charts(), "query": urlencode(query), "regions": region_refs(uow.session, uow.tenant_id),
        "templates": queries.list_templates(uow.session, uow.tenant_id, limit=500)[0],
    }  # fmt: skip
    return render(request, "inspections/analytics.html", ctx)
