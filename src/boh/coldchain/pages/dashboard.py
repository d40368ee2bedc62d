"""The cold-chain dashboard: per site, a chart of each unit's temperature over a day with its limit and its
excursions marked; the excursions waiting for a decision; and the excursion decision screen."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from fastapi import Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError

from boh.coldchain import queries, service
from boh.coldchain.pages._common import (
    ERROR_TITLES,
    EXC_KINDS,
    EXC_STATUSES,
    LOT_STATUSES,
    UNIT_KINDS,
    FormDep,
    local_time,
    router,
)
from boh.coldchain.schemas import DecisionIn, ExcursionRead, RecordIn, UnitRead
from boh.coldchain.service import DECIDE, READ, RECORD, WRITE
from boh.http import i18n
from boh.http.charts import Chart, Series
from boh.http.deps import UowDep
from boh.http.i18n import gettext_ as _
from boh.http.pages import flash, redirect
from boh.http.templating import render
from boh.kernel.clock import utcnow
from boh.kernel.errors import BohError
from boh.kernel.tenancy import Scope
from boh.kernel.uow import UnitOfWork
from boh.org.api import get_site_ref, site_points


def unit_chart(
    uow: UnitOfWork, unit: UnitRead, start: datetime, excursions: list[ExcursionRead], zone: ZoneInfo
) -> Chart:
    """The unit's temperature over 24 h from ``start`` (10-minute means, the site's local time), the
    excursions drawn over it (the points inside an excursion) and its limit."""
    s = queries.temperature_series(uow, unit.id, start, start + timedelta(days=1))
    spans = [(e.started_at, e.ended_at or start + timedelta(days=2)) for e in excursions if e.kind == "temperature"]
    marked: list[Decimal | None] = [
        v if any(t + timedelta(minutes=10) > a and t < b for a, b in spans) else None
        for t, v in zip(s.times, s.values, strict=True)
    ]
    return Chart(
        id=f"unit-{unit.id}",
        title=f"{unit.code} · {i18n.localized_name(unit.name, unit.name_zh)}",
        categories=[t.astimezone(zone).strftime("%H:%M") for t in s.times],
        series=[
            Series(_("Temperature"), s.values),
            Series(_("Excursion"), marked),
            Series(_("Limit"), [unit.limit_c] * len(s.times)),
        ],
        unit="°C",
        category_label=_("Time"),
    )


def humidity_chart(
    uow: UnitOfWork, unit: UnitRead, start: datetime, excursions: list[ExcursionRead], zone: ZoneInfo
) -> Chart | None:
    """The unit's relative humidity over 24 h from ``start`` like ``unit_chart`` (its humidity excursions
    marked, its limits drawn); None when it has no humidity readings that day."""
    s = queries.temperature_series(uow, unit.id, start, start + timedelta(days=1), kind="humidity")
    if not s.times:
        return None
    spans = [(e.started_at, e.ended_at or start + timedelta(days=2)) for e in excursions if e.kind == "humidity"]
    marked: list[Decimal | None] = [
        v if any(t + timedelta(minutes=10) > a and t < b for a, b in spans) else None
        for t, v in zip(s.times, s.values, strict=True)
    ]
    series = [Series(_("Humidity"), s.values), Series(_("Humidity excursion"), marked)]
    if unit.humidity_min_pct is not None:
        series.append(Series(_("Lowest humidity"), [unit.humidity_min_pct] * len(s.times)))
    if unit.humidity_max_pct is not None:
        series.append(Series(_("Highest humidity"), [unit.humidity_max_pct] * len(s.times)))
    return Chart(
        id=f"unit-{unit.id}-humidity",
        title=f"{unit.code} · {i18n.localized_name(unit.name, unit.name_zh)} · {_('Humidity')}",
        categories=[t.astimezone(zone).strftime("%H:%M") for t in s.times],
        series=series,
        unit="%",
        category_label=_("Time"),
    )


def site_timezone(uow: UnitOfWork, site_id: int) -> str:
    return get_site_ref(uow.session, Scope(uow.tenant_id), site_id, cached=True).timezone


def _day(text: str | None) -> date:
    try:
        return date.fromisoformat(text) if text else utcnow().date()
    except ValueError:
        return utcnow().date()


@router.get("/", perm=READ)
def dashboard(request: Request, uow: UowDep, site_id: int | None = None, day: str | None = None) -> HTMLResponse:
    scope = uow.principal.scope(READ)
    sites = [s for s in site_points(uow.session, scope) if s.active]
    units_all = queries.list_units(uow, scope)
    with_units = [s for s in sites if any(u.site_id == s.id for u in units_all)]
    site = next((s for s in with_units if s.id == site_id), with_units[0] if with_units else None)
    the_day = _day(day)
    zone = ZoneInfo(site.timezone if site is not None else "UTC")
    start = datetime.combine(the_day, time(0), zone).astimezone(UTC)
    units = [u for u in units_all if site is not None and u.site_id == site.id]
    charts = []
    for u in units:
        excs, _n = queries.list_excursions(uow, scope, unit_id=u.id, since=start, until=start + timedelta(days=1))
        chart = unit_chart(uow, u, start, excs, zone)
        charts.append((u, chart if chart.categories else None, excs, humidity_chart(uow, u, start, excs, zone)))
    open_excs, _n = queries.list_excursions(uow, scope, kind="temperature", limit=20)
    waiting = [e for e in open_excs if e.status == "open"]
    ctx = {
        "local": local_time(uow),
        "sites": with_units,
        "site": site,
        "day": the_day,
        "cards": charts,
        "waiting": waiting,
        "can_replay": uow.principal.can(WRITE) and uow.principal.scope(WRITE).site_ids is None,
        "unit_kinds": UNIT_KINDS,
        "exc_kinds": EXC_KINDS,
        "exc_statuses": EXC_STATUSES,
        "prev_day": the_day - timedelta(days=1),
        "next_day": the_day + timedelta(days=1),
    }
    return render(request, "coldchain/dashboard.html", ctx)


def _excursion_page(
    request: Request, uow: UnitOfWork, excursion_id: int, error: str | None = None, status: int = 200
) -> HTMLResponse:
    scope = uow.principal.scope(READ)
    exc = queries.get_excursion(uow, scope, excursion_id)
    unit = next(u for u in queries.list_units(uow, scope, exc.site_id) if u.id == exc.unit_id)
    zone = ZoneInfo(site_timezone(uow, exc.site_id))
    start = datetime.combine(exc.started_at.astimezone(zone).date(), time(0), zone).astimezone(UTC)
    chart = (humidity_chart(uow, unit, start, [exc], zone) if exc.kind == "humidity" else None) or unit_chart(
        uow, unit, start, [exc], zone
    )
    ctx = {
        "local": local_time(uow),
        "e": exc,
        "unit": unit,
        "chart": chart,
        "lot_statuses": LOT_STATUSES,
        "exc_kinds": EXC_KINDS,
        "exc_statuses": EXC_STATUSES,
        "unit_kinds": UNIT_KINDS,
        "error": error,
        "can": {"decide": uow.principal.can(DECIDE), "record": uow.principal.can(RECORD)},
    }
    return render(request, "coldchain/excursion.html", ctx, status_code=status)


@router.get("/excursions/{excursion_id}", perm=READ)
def excursion(request: Request, uow: UowDep, excursion_id: int) -> HTMLResponse:
    return _excursion_page(request, uow, excursion_id)


@router.post("/exposures/{exposure_id}/decision", perm=DECIDE)
def decide(request: Request, uow: UowDep, exposure_id: int, data: FormDep) -> Response:
    excursion_id = int(data.get("excursion_id") or 0)
    try:
        body = DecisionIn.model_validate({"action": data.get("action"), "reason": data.get("reason", "")})
        row = service.decide(uow, exposure_id, action=body.action, reason=body.reason)
        uow.commit()
    except ValidationError:
        return _excursion_page(request, uow, excursion_id, _("Give a reason (at least 3 characters)"), 422)
    except BohError as exc:
        uow.rollback()
        title = _(ERROR_TITLES[exc.code]) if exc.code in ERROR_TITLES else exc.detail
        return _excursion_page(request, uow, excursion_id, title, exc.status)
    resp = redirect(f"/coldchain/excursions/{row.excursion_id}")
    flash(resp, _("Lot released") if body.action == "release" else _("Lot wasted"))
    return resp


@router.post("/excursions/{excursion_id}/action", perm=RECORD)
def corrective_action(request: Request, uow: UowDep, excursion_id: int, data: FormDep) -> Response:
    exc = queries.get_excursion(uow, uow.principal.scope(READ), excursion_id)
    if len(data.get("note", "")) < 3:
        return _excursion_page(request, uow, excursion_id, _("Say what was done (at least 3 characters)"), 422)
    day = exc.started_at.astimezone(ZoneInfo(site_timezone(uow, exc.site_id))).date()
    service.add_record(uow, exc.unit_id, RecordIn(kind="corrective", excursion_id=exc.id, day=day, note=data["note"]))
    uow.commit()
    resp = redirect(f"/coldchain/excursions/{excursion_id}")
    flash(resp, _("Corrective action recorded"))
    return resp
