"""The inventory part of the today page: a store's day (to-dos, figures, charts) for one site, and the
sites side by side (sortable table with a sparkline per row, a chart across sites, the worst sites for
each figure) for people who see several."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from urllib.parse import urlencode

from sqlalchemy.orm import Session

from boh.http.charts import Chart, Series, sparkline
from boh.http.i18n import fmt_decimal, fmt_money, localized_name
from boh.http.i18n import gettext_ as _
from boh.http.today import Cell, Column, Figure, Ranking, Table, TodayPart, Todo
from boh.inventory.dashboard.queries import DAYS, ZERO, SiteFigures, site_figures, value_by_category
from boh.kernel.tenancy import Principal

READ = "inventory.stock.read"


def _pct(change: Decimal | None) -> str:
    if change is None:
        return ""
    return fmt_decimal(change, "+#,##0%;-#,##0%")


def _site_q(f: SiteFigures, **extra: str) -> str:
    return "?" + urlencode({"site_id": f.site_id, **extra})


def _week_waste_q(f: SiteFigures) -> str:
    """The moves page's query for this week's waste at the site (from Monday, the site's calendar)."""
    return _site_q(f, type="waste", since=str(f.today - timedelta(days=f.today.weekday())))


def store_todos(f: SiteFigures) -> list[Todo]:
    q = _site_q(f)
    return [
        Todo(_("Deliveries to receive"), f.deliveries_due, "/inventory/receiving" + q, testid="deliveries"),
        Todo(_("Items arriving by transfer"), f.transfers_in, "/inventory/transfers" + q, testid="transfers"),
        Todo(_("Counts to finish"), f.counts_open, "/inventory/counts" + q, testid="counts"),
        Todo(_("Items below reorder point"), f.below_reorder, "/inventory/stock" + _site_q(f, below="1"),
             testid="reorder"),
        Todo(_("Lots expiring within 3 days"), f.expiring_lots, "/inventory/stock" + _site_q(f, expiring="1"),
             detail=fmt_money(f.expiring_value, f.currency) if f.expiring_lots else "", tone="bad",
             testid="expiring"),
        Todo(_("Items with negative stock"), f.negative, "/inventory/stock" + _site_q(f, negative="1"), tone="bad",
             testid="negative"),
        Todo(_("Open alerts"), f.alerts_open, "/inventory/alerts" + q, tone="bad", testid="alerts"),
    ]  # fmt: skip


def store_figures(f: SiteFigures) -> list[Figure]:
    change = f.sales_change
    weekday = _("same day last week")
    note = f"{_pct(change)} {weekday}" if change is not None else ""
    tone = "" if change is None else ("good" if change >= 0 else "bad")
    return [
        Figure(_("Stock value"), fmt_money(f.stock_value, f.currency), "/inventory/stock" + _site_q(f),
               testid="stock-value"),
        Figure(_("Sales today (at cost)"), fmt_money(f.sales_today, f.currency), note=note, tone=tone,  # type: ignore[arg-type]
               testid="sales"),
        Figure(_("Waste this week"), fmt_money(f.waste_week, f.currency), "/inventory/moves" + _week_waste_q(f),
               testid="waste"),
        Figure(_("Shrink alerts this week"), fmt_decimal(f.shrink_week), "/inventory/alerts" + _site_q(f),
               tone="bad" if f.shrink_week else "", testid="shrink"),
        Figure(_("Items out of stock"), fmt_decimal(f.stockouts), "/inventory/stock" + _site_q(f, out="1"),
               tone="warn" if f.stockouts else "", testid="stockouts"),
    ]  # fmt: skip


def _days(f: SiteFigures) -> list[str]:
    return [(f.today - timedelta(days=DAYS - 1 - i)).strftime("%m-%d") for i in range(DAYS)]


def store_charts(session: Session, tenant_id: int, f: SiteFigures) -> list[Chart]:
    trend = Chart(
        id="sales-waste", title=_("Sales and waste, last 14 days (at cost)"), categories=_days(f),
        series=[Series(_("Sales"), f.sales_days), Series(_("Waste"), f.waste_days)], unit=f.currency,
        category_label=_("Date"),
    )  # fmt: skip
    rows = value_by_category(session, tenant_id, [f.site_id])
    top, rest = rows[:7], sum((r.value for r in rows[7:]), ZERO)
    names = [localized_name(r.name_en, r.name_zh) for r in top] + ([_("Other")] if rest else [])
    values = [r.value for r in top] + ([rest] if rest else [])
    pie = Chart(
        id="value-by-category", title=_("Stock value by category"), kind="pie", unit=f.currency,
        categories=names, series=[Series(_("Stock value"), values)], category_label=_("Category"),
    )  # fmt: skip
    return [trend, pie]


def store_part(session: Session, tenant_id: int, f: SiteFigures) -> TodayPart:
    return TodayPart(
        title=localized_name(f.name_en, f.name_zh), subtitle=f.code, todos=store_todos(f),
        figures=store_figures(f), charts=store_charts(session, tenant_id, f),
    )  # fmt: skip


def comparison_part(fs: list[SiteFigures]) -> TodayPart:
    cols = [Column(_("Site")), Column(_("Stock value"), True), Column(_("Sales today"), True),
            Column(_("vs same day last week"), True), Column(_("Sales, 14 days"), True),
            Column(_("Waste this week"), True), Column(_("Shrink alerts this week"), True),
            Column(_("Items out of stock"), True), Column(_("Open alerts"), True)]  # fmt: skip
    rows = [
        [
            Cell(f"{f.code} {localized_name(f.name_en, f.name_zh)}", f.code, "/" + _site_q(f)),
            Cell(fmt_money(f.stock_value, f.currency), f.stock_value),
            Cell(fmt_money(f.sales_today, f.currency), f.sales_today),
            Cell(_pct(f.sales_change), f.sales_change if f.sales_change is not None else Decimal(-999)),
            Cell("", sum(f.sales_days, ZERO), chart=sparkline(f"spark-{f.site_id}", _("Sales"), f.sales_days)),
            Cell(fmt_money(f.waste_week, f.currency), f.waste_week),
            Cell(fmt_decimal(f.shrink_week), f.shrink_week),
            Cell(fmt_decimal(f.stockouts), f.stockouts),
            Cell(fmt_decimal(f.alerts_open), f.alerts_open),
        ]
        for f in fs
    ]
    currency = fs[0].currency if len({f.currency for f in fs}) == 1 else ""
    totals = [Cell(_("Total"))] + (
        [Cell(fmt_money(sum((f.stock_value for f in fs), ZERO), currency)),
         Cell(fmt_money(sum((f.sales_today for f in fs), ZERO), currency))]
        if currency else [Cell(""), Cell("")]
    ) + [Cell(""), Cell(""),
         Cell(fmt_money(sum((f.waste_week for f in fs), ZERO), currency) if currency else ""),
         Cell(fmt_decimal(sum(f.shrink_week for f in fs))), Cell(fmt_decimal(sum(f.stockouts for f in fs))),
         Cell(fmt_decimal(sum(f.alerts_open for f in fs)))]  # fmt: skip
    chart = Chart(
        id="sites-sales", title=_("Sales today and the same day last week, by site (at cost)"), kind="bar",
        categories=[f.code for f in fs], links=["/" + _site_q(f) for f in fs], unit=currency,
        series=[Series(_("Today"), [f.sales_today for f in fs]),
                Series(_("Same day last week"), [f.sales_last_week for f in fs])],
        category_label=_("Site"),
    )  # fmt: skip
    return TodayPart(
        title=_("Sites side by side"),
        todos=chain_todos(fs),
        tables=[Table("sites", _("Key figures by site"), cols, rows, totals)],
        charts=[chart],
        rankings=worst(fs),
    )


def chain_todos(fs: list[SiteFigures]) -> list[Todo]:
    def total(attr: str) -> int:
        return sum(int(getattr(f, attr)) for f in fs)

    return [
        Todo(_("Deliveries to receive"), total("deliveries_due"), "/inventory/receiving", testid="deliveries"),
        Todo(_("Counts to finish"), total("counts_open"), "/inventory/counts", testid="counts"),
        Todo(_("Items with negative stock"), total("negative"), "/inventory/stock?negative=1", tone="bad",
             testid="negative"),
        Todo(_("Open alerts"), total("alerts_open"), "/inventory/alerts", tone="bad", testid="alerts"),
    ]  # fmt: skip


def worst(fs: list[SiteFigures], n: int = 3) -> list[Ranking]:
    def rank(title: str, key: str, fmt: str) -> Ranking:
        picked = sorted((f for f in fs if _value(f, key) not in (None, 0)), key=lambda f: _order(f, key))[:n]
        entries = [(_label(f), _show(f, key, fmt), "/" + _site_q(f)) for f in picked]
        return Ranking(title, entries)

    return [
        rank(_("Sales furthest below last week"), "sales_change", "pct"),
        rank(_("Most waste this week"), "waste_week", "money"),
        rank(_("Most shrink alerts this week"), "shrink_week", "n"),
        rank(_("Most items out of stock"), "stockouts", "n"),
    ]


def _label(f: SiteFigures) -> str:
    return f"{f.code} {localized_name(f.name_en, f.name_zh)}"


def _value(f: SiteFigures, key: str) -> Decimal | int | None:
    return getattr(f, key)  # type: ignore[no-any-return]


def _order(f: SiteFigures, key: str) -> Decimal:
    v = _value(f, key)
    return Decimal(v or 0) if key == "sales_change" else -Decimal(v or 0)


def _show(f: SiteFigures, key: str, fmt: str) -> str:
    v = _value(f, key)
    if fmt == "pct":
        return _pct(v)  # type: ignore[arg-type]
    if fmt == "money":
        return fmt_money(v, f.currency)  # type: ignore[arg-type]
    return fmt_decimal(v)


def today(session: Session, principal: Principal, site_id: int | None = None) -> list[TodayPart]:
    """The inventory parts of the principal's today page: one site's day when they see one site (or chose
    one), else the sites side by side."""
    if not principal.can(READ):
        return []
    scope = principal.scope(READ)
    fs = site_figures(session, scope, [site_id] if site_id is not None else None)
    if not fs:
        return []
    if len(fs) == 1:
        return [store_part(session, scope.tenant_id, fs[0])]
    stores = [f for f in fs if f.kind == "store"] or fs
    return [comparison_part(stores)]
