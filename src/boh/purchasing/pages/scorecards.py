"""Supplier scorecards: every supplier over the last six months, and one supplier's monthly trend (on time, in
full, OTIF, ASN accuracy; price variance; lead time) and its items' lead times."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from sqlalchemy import select

from boh.catalog.api import get_supplier_ref, item_view
from boh.http.charts import Chart, Series
from boh.http.deps import UowDep
from boh.http.i18n import gettext_ as _
from boh.http.i18n import localized_name
from boh.http.templating import render
from boh.kernel.clock import utcnow
from boh.kernel.errors import BohError
from boh.purchasing.pages._common import router
from boh.purchasing.scorecard import ScoreRow, scorecard
from boh.purchasing.service import SCORECARD


def _trend(rows: list[ScoreRow]) -> Chart:
    return Chart(
        id="supplier-trend", title=_("Delivery performance by month"), categories=[r.month for r in rows],
        series=[Series(_("On time"), [r.on_time_pct for r in rows]),
                Series(_("In full"), [r.in_full_pct for r in rows]),
                Series(_("On time and in full"), [r.otif_pct for r in rows]),
                Series(_("ASN accuracy"), [r.asn_accuracy_pct for r in rows])],
        unit="%", category_label=_("Month"),
    )  # fmt: skip


def _lead(rows: list[ScoreRow]) -> Chart:
    return Chart(
        id="supplier-lead", title=_("Lead time (days)"), categories=[r.month for r in rows],
        series=[Series(_("Mean"), [r.lead_mean_days for r in rows]),
                Series(_("Spread"), [r.lead_std_days for r in rows])],
        kind="bar", unit=_("days"), category_label=_("Month"),
    )  # fmt: skip


@router.get("/scorecards", perm=SCORECARD)
def scorecards(request: Request, uow: UowDep, supplier_id: int | None = None) -> HTMLResponse:
    own = uow.principal.scope(SCORECARD).supplier_id  # a supplier sees its own card only
    supplier_id = own if own is not None else supplier_id
    since = utcnow() - timedelta(days=183)
    overall = scorecard(uow.session, uow.tenant_id, since=since, by_month=False,
                        supplier_ids=None if own is None else [own])  # fmt: skip
    names: dict[int, str] = {}
    for r in overall:
        try:
            ref = get_supplier_ref(uow.session, uow.tenant_id, r.supplier_id)
            names[r.supplier_id] = localized_name(ref.name, ref.name_zh)
        except BohError:
            continue
    chosen = supplier_id if supplier_id in names else (overall[0].supplier_id if overall else None)
    ctx: dict[str, Any] = {"overall": overall, "names": names, "chosen": chosen, "trend": None, "lead": None,
                           "items": [], "item_names": {}}  # fmt: skip
    if chosen is not None:
        monthly = scorecard(uow.session, uow.tenant_id, supplier_ids=[chosen], since=since)
        ctx["trend"], ctx["lead"] = _trend(monthly), _lead(monthly)
        ctx["items"] = scorecard(uow.session, uow.tenant_id, supplier_ids=[chosen], since=since, by_item=True,
                                 by_month=False)  # fmt: skip
        item = item_view()
        ids = [r.item_id for r in ctx["items"] if r.item_id]
        ctx["item_names"] = {i: (sku, en, zh) for i, sku, en, zh in uow.session.execute(
            select(item.c.id, item.c.sku, item.c.name_en, item.c.name_zh).where(item.c.id.in_(ids)))}  # fmt: skip
    return render(request, "purchasing/scorecards.html", ctx)
