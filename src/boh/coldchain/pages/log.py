"""The HACCP log of a unit and day: hourly low and high, excursions and dropouts, corrective actions and
sign-offs; signed off on screen, printed as a PDF."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

from fastapi import Request
from fastapi.responses import HTMLResponse, Response

from boh.coldchain import queries, service
from boh.coldchain.pages._common import EXC_KINDS, RECORD_KINDS, UNIT_KINDS, FormDep, local_time, router
from boh.coldchain.pages.dashboard import _day
from boh.coldchain.schemas import ExcursionRead, RecordIn
from boh.coldchain.service import READ, RECORD
from boh.http import i18n, pdf
from boh.http.deps import UowDep
from boh.http.i18n import gettext_ as _
from boh.http.pages import flash, redirect
from boh.http.templating import render
from boh.kernel.uow import UnitOfWork


def _log(uow: UnitOfWork, unit_id: int, day: date) -> queries.DayLog:
    scope = uow.principal.scope(READ)
    return queries.day_log(uow, scope, service.get_unit(uow, scope, unit_id), day)


def _excursion_note(e: ExcursionRead, zone: ZoneInfo) -> str:
    text = f"{_(EXC_KINDS[e.kind])}: {i18n.fmt_datetime(e.started_at.astimezone(zone))} – "
    text += i18n.fmt_datetime(e.ended_at.astimezone(zone)) if e.ended_at else _("ongoing")
    if e.kind == "temperature":
        text += (
            " · "
            + _("peak %(t)s °C") % {"t": e.peak_c}
            + " · "
            + _("%(n)s min beyond the limit") % {"n": e.minutes_beyond}
        )
    elif e.kind == "humidity":
        text += " · " + _("peak %(h)s%% relative humidity") % {"h": e.peak_c}
    return text


@router.get("/units/{unit_id}/log", perm=READ)
def unit_log(request: Request, uow: UowDep, unit_id: int, day: str | None = None) -> HTMLResponse:
    log = _log(uow, unit_id, _day(day))
    ctx = {
        "local": local_time(uow),
        "log": log,
        "unit_kinds": UNIT_KINDS,
        "exc_kinds": EXC_KINDS,
        "record_kinds": RECORD_KINDS,
        "can_sign": uow.principal.can(RECORD),
    }
    return render(request, "coldchain/log.html", ctx)


@router.post("/units/{unit_id}/signoff", perm=RECORD)
def sign_off(uow: UowDep, unit_id: int, data: FormDep) -> Response:
    day = _day(data.get("day"))
    service.add_record(uow, unit_id, RecordIn(kind="signoff", day=day, note=data.get("note", "")[:2000]))
    uow.commit()
    resp = redirect(f"/coldchain/units/{unit_id}/log?day={day.isoformat()}")
    flash(resp, _("Signed off"))
    return resp


@router.get("/units/{unit_id}/log.pdf", perm=READ)
def unit_log_pdf(uow: UowDep, unit_id: int, day: str | None = None) -> Response:
    log = _log(uow, unit_id, _day(day))
    u = log.unit
    rows: list[list[str]] = [
        [h, str(lo) if lo is not None else "—", str(hi) if hi is not None else "—"] for h, lo, hi in log.hourly
    ]
    zone = ZoneInfo(log.timezone)
    notes = [_excursion_note(e, zone) for e in log.excursions] + [
        f"{_(RECORD_KINDS[r.kind])} · {r.by_name} · {i18n.fmt_datetime(r.at.astimezone(zone))}: {r.note}"
        for r in log.records
    ]
    doc = pdf.Document(
        title=_("HACCP temperature log"),
        number=f"{u.code}-{log.day.isoformat()}",
        fields=[
            (_("Site"), f"{log.site_code} {log.site_name}"),
            (_("Unit"), f"{u.code} {u.name} ({_(UNIT_KINDS[u.kind])})"),
            (_("Day"), log.day.isoformat()),
            (_("Limit"), f"{'≤' if u.direction == 'max' else '≥'} {u.limit_c} °C"),
            (_("Readings"), str(log.readings)),
            (
                _("Low / high"),
                f"{log.low if log.low is not None else '—'} / {log.high if log.high is not None else '—'} °C",
            ),
        ],
        columns=[_("Hour"), _("Low °C"), _("High °C")],
        rows=rows,
        numeric=frozenset({1, 2}),
        notes=notes or [_("No excursion, no dropout.")],
        signatures=[_("Checked by"), _("Manager")],
    )
    return pdf.pdf_response(pdf.render(doc), f"haccp-{u.code}-{log.day.isoformat()}.pdf")
