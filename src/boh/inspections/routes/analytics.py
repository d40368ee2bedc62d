"""Analytics (JSON, CSV, XLSX) and the PDF report of one inspection."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated, Any, Literal

from fastapi import Query
from fastapi.responses import Response

from boh.http.deps import UowDep
from boh.http.files import download
from boh.http.routing import SecureRouter
from boh.inspections import analytics
from boh.inspections.pages import report
from boh.inspections.service import ANALYTICS, V_READ
from boh.inspections.service._common import visit as visit_row
from boh.kernel.clock import utcnow
from boh.kernel.tabular import write_table

router = SecureRouter(prefix="/api/v1/inspections", tags=["inspections"])
ReportName = Literal["trend", "failed_items", "repeat_failures", "overdue", "time_to_close", "coverage",
                     "consistency", "stores"]  # fmt: skip


def _period(start: date | None, end: date | None, region_id: int | None, template_id: int | None) -> analytics.Period:
    end = end or utcnow().date()
    return analytics.Period(start or end - timedelta(days=90), end, region_id, template_id)


@router.get("/analytics", perm=ANALYTICS, summary="One analytics report as a table (header + rows)")
def get_report(
    uow: UowDep, report_name: Annotated[ReportName, Query(alias="report")] = "trend",
    start: date | None = None, end: date | None = None, region_id: int | None = None, template_id: int | None = None,
    by: Literal["region", "store", "template"] = "region",
) -> dict[str, Any]:  # fmt: skip
    period = _period(start, end, region_id, template_id)
    table = analytics.report(uow.session, uow.principal.scope(ANALYTICS), period, report_name, utcnow().date(), by)
    return table.as_dict()


@router.get("/analytics/export", perm=ANALYTICS, summary="One analytics report as CSV or XLSX",
            response_class=Response)  # fmt: skip
def export_report(
    uow: UowDep, report_name: Annotated[ReportName, Query(alias="report")] = "trend",
    format: Literal["csv", "xlsx"] = "csv", start: date | None = None, end: date | None = None,
    region_id: int | None = None, template_id: int | None = None, by: Literal["region", "store", "template"] = "region",
) -> Response:  # fmt: skip
    period = _period(start, end, region_id, template_id)
    table = analytics.report(uow.session, uow.principal.scope(ANALYTICS), period, report_name, utcnow().date(), by)
    return download(write_table(format, table.header, table.rows), format, f"inspections-{report_name}")


@router.get("/visits/{visit_id}/report.pdf", perm=V_READ, summary="The inspection report (PDF)",
            response_class=Response)  # fmt: skip
def visit_pdf(uow: UowDep, visit_id: int, lang: Literal["en", "zh_CN"] = "en") -> Response:
    row = visit_row(uow, visit_id, V_READ)
    pdf = report.visit_report(uow, row, lang)
    return Response(pdf, media_type="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="inspection-{row.id}.pdf"'})  # fmt: skip
