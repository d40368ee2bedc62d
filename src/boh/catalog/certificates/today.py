"""The certificates part of the today page: supplier certificates expiring within 30 days or expired (and
not replaced by a renewal), as to-dos and a table, for people who may read certificates."""

from __future__ import annotations

from sqlalchemy.orm import Session

from boh.catalog.certificates.domain import WARN_DAYS
from boh.catalog.certificates.notices import TYPES
from boh.catalog.certificates.queries import expiring
from boh.http.i18n import gettext_ as _
from boh.http.i18n import localized_name
from boh.http.today import Cell, Column, Table, TodayPart, Todo
from boh.kernel.clock import utcnow
from boh.kernel.tenancy import Principal

READ = "catalog.certificate.read"
ROWS = 10


def today_parts(session: Session, principal: Principal, site_id: int | None) -> list[TodayPart]:
    if not principal.can(READ):
        return []
    on = utcnow().date()
    rows, total = expiring(session, principal.scope(READ), on, WARN_DAYS, limit=200)
    if not total:
        return []
    expired = sum(1 for r in rows if r.days_left < 0)
    todos = [
        Todo(_("Supplier certificates expiring within 30 days"), total - expired, "/catalog/certificates",
             testid="certificates-expiring"),
        Todo(_("Supplier certificates expired"), expired, "/catalog/certificates", tone="bad",
             testid="certificates-expired"),
    ]  # fmt: skip
    cols = [Column(_("Supplier")), Column(_("Certificate")), Column(_("Valid to")), Column(_("Days left"), True)]
    table_rows = [
        [
            Cell(
                r.supplier_code + " · " + localized_name(r.supplier_name, r.supplier_name_zh),
                href=f"/catalog/suppliers/{r.supplier_id}#certificates",
            ),
            Cell(f"{_(TYPES[r.type])} {r.number}", href=f"/catalog/certificates/{r.id}"),
            Cell(r.valid_to.isoformat()),
            Cell(str(r.days_left) if r.days_left >= 0 else _("expired"), sort=r.days_left),
        ]
        for r in rows[:ROWS]
    ]
    table = Table("certificates", _("Supplier certificates to renew"), cols, table_rows)
    return [TodayPart(title=_("Supplier certificates"), todos=todos, tables=[table])]
