"""The PDF report of one inspection, in the reader's language: the visit's facts (store, template version,
inspector, check-in with its distance, submission, score), every visible item with its answer and outcome,
the failed items' corrective actions and the photos' fingerprints."""

from __future__ import annotations

from sqlalchemy import select

from boh.http import i18n
from boh.http.i18n import gettext_ as _
from boh.http.pages import N_
from boh.inspections import adapters, domain, models
from boh.inspections.service.visits import answers_of, definition_of
from boh.kernel.tenancy import Scope
from boh.kernel.uow import UnitOfWork
from boh.org.api import site_points, user_names

OUTCOMES = {
    "pass": N_("Pass"), "fail": N_("Fail"), "na": N_("N/A"), "info": N_("Noted"), "missing": N_("Not answered"),
}  # fmt: skip
STATUSES = {"planned": N_("Planned"), "in_progress": N_("In progress"), "submitted": N_("Completed"),
            "cancelled": N_("Cancelled")}  # fmt: skip


def _answer_text(value: object) -> str:
    if value is None:
        return "—"
    if isinstance(value, list):
        return ", ".join(map(str, value))
    text = str(value)
    return _("(signed)") if text.startswith("data:image") else text[:300]


def _facts(uow: UnitOfWork, row: models.Visit, version: int | None) -> list[tuple[str, str]]:
    site = next(s for s in site_points(uow.session, Scope(uow.tenant_id)) if s.id == row.site_id)
    template = uow.session.get(models.Template, row.template_id)
    names = user_names(uow.session, uow.tenant_id, [i for i in (row.inspector_id,) if i])
    checkin = i18n.fmt_datetime(row.checkin_at) if row.checkin_at else "—"
    if row.checkin_distance_m is not None:
        checkin += " · " + _("%(m)s m from the store") % {"m": row.checkin_distance_m}
    if row.checkin_flagged:
        checkin += " · " + _("outside the geofence")
    score = "—" if row.score is None else f"{row.score.quantize(domain.CENT)}"
    result = "—" if row.passed is None else (_("Passed") if row.passed else _("Failed"))
    return [
        (_("Store"), f"{site.code} {i18n.localized_name(site.name, site.name_zh)}"),
        (_("Template"), f"{i18n.localized_name(template.name, template.name_zh) if template else ''} v{version or ''}"),
        (_("Inspector"), names.get(row.inspector_id or 0, "—")),
        (_("Checked in"), checkin),
        (_("Submitted"), i18n.fmt_datetime(row.submitted_at) if row.submitted_at else _(STATUSES[row.status])),
        (_("Score"), score),
        (_("Result"), result),
    ]


def visit_report(uow: UnitOfWork, row: models.Visit, lang: str) -> bytes:
    token = i18n.current_locale.set(lang)
    try:
        definition = definition_of(uow, row)
        version = None
        if row.version_id is not None:
            v = uow.session.get(models.TemplateVersion, row.version_id)
            version = v.version if v else None
        answers = answers_of(uow, row.id)
        stored = {
            a.item_key: a for a in uow.session.scalars(select(models.Answer).where(models.Answer.visit_id == row.id))
        }
        rows: list[list[str]] = []
        if definition is not None:
            result = domain.evaluate(definition, answers)
            for section in definition.sections:
                for item in section.items:
                    r = result.items[item.key]
                    if r.outcome == "hidden":
                        continue
                    note = stored[item.key].note if item.key in stored else None
                    title = item.title(lang) + (" ★" if item.critical else "")
                    photos = answers[item.key].photos if item.key in answers else 0
                    shown = _answer_text(stored[item.key].value if item.key in stored else None)
                    if photos:
                        shown += " · " + _("%(n)s photo(s)") % {"n": photos}
                    rows.append([i18n.localized_name(section.title, section.title_zh), title, shown,
                                 _(OUTCOMES[r.outcome]), note or ""])  # fmt: skip
        acts = uow.session.scalars(select(models.Action).where(models.Action.visit_id == row.id)).all()
        notes = [_("★ critical item: a failure fails the whole inspection.")]
        notes += [_("Action: %(title)s, due %(due)s (%(status)s)") % {
            "title": i18n.localized_name(a.title, a.title_zh), "due": a.due_date.isoformat(), "status": a.status}
            for a in acts]  # fmt: skip
        pics = uow.session.scalars(select(models.Photo).where(models.Photo.visit_id == row.id)).all()
        notes += [_("Photo %(id)s of %(item)s: SHA-256 %(hash)s") % {"id": p.id, "item": p.item_key, "hash": p.sha256}
                  for p in pics]  # fmt: skip
        doc = adapters.Document(
            title=_("Inspection report"), number=f"INS-{row.id:06d}", fields=_facts(uow, row, version),
            columns=[_("Section"), _("Checklist item"), _("Answer"), _("Outcome"), _("Note")], rows=rows, notes=notes,
            signatures=[_("Inspector"), _("Store manager")],
        )  # fmt: skip
        return adapters.render_pdf(doc)
    finally:
        i18n.current_locale.reset(token)
