"""Suggestion runs: for an order day, every site x item of the assortment gets a line when something is
needed. Inputs are read set-based, one query per kind of input for all the items of a site (assortment,
items, stock, lots, forecasts, promotions, sales, costs) and once per run for what is tenant-wide (supplier
terms, policies, sourcing, budgets); the pure rules (``domain.compute_line``) do the rest and the lines and
their explanations are written with one executemany each per site."""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, cast

from sqlalchemy import Table, func, insert, select

from boh.catalog import api as catalog
from boh.forecasting import api as forecasting
from boh.http.pages import N_
from boh.inventory import api as inventory
from boh.kernel.clock import utcnow
from boh.kernel.db import serial_ids
from boh.kernel.tenancy import Scope
from boh.kernel.uow import UnitOfWork
from boh.notify.api import notify
from boh.org import api as org
from boh.purchasing import api as purchasing
from boh.replenishment import domain as d
from boh.replenishment import models as m
from boh.replenishment.errors import NoSuchRun, RunInputInvalid
from boh.replenishment.events import SuggestionRunCompleted

ZERO = Decimal(0)
HORIZON = 28  # forecast days read (beyond them the shelf-life cap extends the last week's mean)
HISTORY = 28  # days of sales behind the classification and the baseline


# --- lead times (one door: the lead swaps in boh.purchasing.api.observed_lead_times at merge) ----------------


MIN_SAMPLES = 3  # deliveries before the observed lead time replaces the nominal one


def lead_times(session: Any, tenant_id: int, supplier_id: int, nominal: dict[int, int]) -> dict[int, d.LeadTime]:
    """Lead time per item from one supplier (one query for all the items): the observed mean and spread of
    its past deliveries (``purchasing.api.observed_lead_times``: order sent -> first receipt) once there are
    MIN_SAMPLES of them, else the nominal lead time of its terms with no spread."""
    seen = purchasing.observed_lead_times(session, tenant_id, supplier_id, list(nominal))
    out = {}
    for item_id, days in nominal.items():
        s = seen.get(item_id)
        if s is not None and s.samples >= MIN_SAMPLES and s.mean_days > 0:
            out[item_id] = d.LeadTime(s.mean_days, s.std_days, s.samples)
        else:
            out[item_id] = d.LeadTime(Decimal(days), ZERO, 0)
    return out


# --- run lifecycle ----------------------------------------------------------------------------------------


def create_run(
    uow: UnitOfWork, *, order_day: date, site_ids: Sequence[int] | None = None, idempotency_key: str | None = None
) -> m.Run:
    """Queue a run (the same idempotency key returns the first run)."""
    if idempotency_key is not None:
        found = uow.session.scalar(select(m.Run).where(m.Run.tenant_id == uow.tenant_id,
                                                       m.Run.idempotency_key == idempotency_key))  # fmt: skip
        if found is not None:
            return found
    scope = uow.principal.scope("replenishment.run")
    sites = _sites(uow, scope, site_ids)
    run = m.Run(tenant_id=uow.tenant_id, order_day=order_day, status="queued",
                site_ids=sorted(site_ids) if site_ids else None, sites_total=len(sites), sites_done=0, lines=0,
                idempotency_key=idempotency_key, created_by=uow.principal.actor, created_at=utcnow())  # fmt: skip
    uow.session.add(run)
    uow.flush()
    uow.audit("replenishment.run.create", "replenishment_run", run.id, after={"order_day": order_day.isoformat()})
    return run


def _sites(uow: UnitOfWork, scope: Scope, site_ids: Sequence[int] | None) -> list[int]:
    all_sites = [p.id for p in org.site_points(uow.session, scope)]
    if not site_ids:
        return sorted(all_sites)
    unknown = sorted(set(site_ids) - set(all_sites))
    if unknown:
        raise RunInputInvalid(f"unknown sites: {unknown}")
    return sorted(set(site_ids))


def get_run(uow: UnitOfWork, run_id: int) -> m.Run:
    run = uow.session.get(m.Run, run_id)
    if run is None or run.tenant_id != uow.tenant_id:
        raise NoSuchRun(f"run {run_id} not found")
    return run


def run_sites(uow: UnitOfWork, run: m.Run) -> list[int]:
    return _sites(uow, Scope(uow.tenant_id), run.site_ids)


@dataclass(frozen=True)
class RunOutcome:
    id: int
    status: str
    lines: int
    seconds: Decimal


def _outcome(run: m.Run) -> RunOutcome:
    return RunOutcome(run.id, run.status, run.lines, run.seconds)


def execute(runtime: Any, tenant_id: int, run_id: int) -> RunOutcome:
    """Compute a queued run site by site, one unit of work (and commit) per site so its progress shows."""
    started = time.perf_counter()
    with runtime.system_uow(tenant_id, request_id=f"replenishment-run-{run_id}") as uow:
        run = get_run(uow, run_id)
        if run.status not in ("queued", "running"):
            return _outcome(run)
        run.status = "running"
        sites = run_sites(uow, run)
        ctx = RunContext.load(uow)
        uow.commit()
    try:
        for site_id in sites:
            with runtime.system_uow(tenant_id, request_id=f"replenishment-run-{run_id}") as uow:
                run = get_run(uow, run_id)
                if _site_done(uow, run_id, site_id):
                    continue
                n = compute_site(uow, run, site_id, ctx)
                run.lines += n
                run.sites_done += 1
                uow.commit()
    except Exception as exc:  # a failed run is marked, not left running
        with runtime.system_uow(tenant_id) as uow:
            run = get_run(uow, run_id)
            run.status, run.error = "failed", f"{type(exc).__name__}: {exc}"[:2000]
            uow.commit()
        raise
    with runtime.system_uow(tenant_id) as uow:
        run = get_run(uow, run_id)
        run.status, run.finished_at = "done", utcnow()
        run.seconds = Decimal(repr(round(time.perf_counter() - started, 3)))
        uow.audit("replenishment.run.done", "replenishment_run", run.id, after={"lines": run.lines})
        _announce(uow, run)
        out = _outcome(run)
        uow.commit()
        return out


MSG_TO_REVIEW = N_("Order suggestions for %(day)s are ready: %(n)s line(s) to review")


def _announce(uow: UnitOfWork, run: m.Run) -> None:
    """Publish the finished run and tell each site's reviewers (store managers) how many lines wait for them."""
    per_site = dict(uow.session.execute(
        select(m.Line.site_id, func.count()).where(m.Line.run_id == run.id, m.Line.status == "proposed")
        .group_by(m.Line.site_id)).all())  # fmt: skip
    uow.publish(SuggestionRunCompleted(tenant_id=uow.tenant_id, run_id=run.id, order_day=run.order_day,
                                       lines=run.lines, site_ids=tuple(sorted(per_site))))  # fmt: skip
    for site_id, n in sorted(per_site.items()):
        notify(uow, kind="replenishment_review", message=MSG_TO_REVIEW, params={"n": n, "day": str(run.order_day)},
               roles=["store_manager"], site_id=site_id, link="/replenishment",
               dedupe_key=f"replenishment:run:{run.id}:{site_id}")  # fmt: skip


def _site_done(uow: UnitOfWork, run_id: int, site_id: int) -> bool:
    """A site already computed by an interrupted attempt of this run (re-running is safe)."""
    return uow.session.scalar(select(m.Line.id).where(m.Line.run_id == run_id, m.Line.site_id == site_id)
                              .limit(1)) is not None  # fmt: skip


# --- tenant-wide inputs -----------------------------------------------------------------------------------


@dataclass
class RunContext:
    policies: list[d.PolicyRule]
    sources: list[d.SourceRule]
    budgets: dict[tuple[int, int | None], Decimal]
    regions: dict[int, int | None]
    terms: dict[int, list[catalog.SupplierTerms]] = field(default_factory=dict)
    leads: dict[tuple[int, int], d.LeadTime] = field(default_factory=dict)  # (supplier, item) -> lead time

    @classmethod
    def load(cls, uow: UnitOfWork) -> RunContext:
        s, t = uow.session, uow.tenant_id
        pol = [d.PolicyRule(p.id, p.site_id, p.category_id, p.item_class, d.Policy(
            method=p.method, service_level=p.service_level, review_days=p.review_days, fixed_qty=p.fixed_qty,
            shelf_life_cap=p.shelf_life_cap, tolerance_pct=p.tolerance_pct))
            for p in s.scalars(select(m.Policy).where(m.Policy.tenant_id == t, m.Policy.active.is_(True)))]  # fmt: skip
        src = [d.SourceRule(r.id, r.site_id, r.region_id, r.item_id, r.category_id, r.source, r.supplier_id,
                            r.from_site_id, r.lead_time_days, tuple(r.order_days or ()))
               for r in s.scalars(select(m.Sourcing).where(m.Sourcing.tenant_id == t))]  # fmt: skip
        budgets = {
            (b.site_id, b.category_id): b.amount for b in s.scalars(select(m.Budget).where(m.Budget.tenant_id == t))
        }
        regions = {p.id: p.region_id for p in org.site_points(s, Scope(t))}
        return cls(pol, src, budgets, regions)

    def terms_of(self, session: Any, tenant_id: int, item_ids: Iterable[int]) -> None:
        missing = [i for i in item_ids if i not in self.terms]
        if missing:
            found = catalog.terms_for_items(session, tenant_id, missing)
            by_supplier: dict[int, dict[int, int]] = {}
            for i in missing:
                self.terms[i] = found.get(i, [])
                for x in self.terms[i]:
                    by_supplier.setdefault(x.supplier_id, {})[i] = x.lead_time_days
            for sup, nominal in sorted(by_supplier.items()):
                for i, lt in lead_times(session, tenant_id, sup, nominal).items():
                    self.leads[(sup, i)] = lt


# --- one site --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SiteInputs:
    assortment: list[catalog.AssortmentParams]
    items: dict[int, catalog.ItemRef]
    stock: dict[int, inventory.StockLevel]
    lots: dict[int, list[tuple[date | None, Decimal]]]
    forecast: dict[int, list[d.DayForecast]]
    promos: set[int]
    sales: dict[int, list[Decimal]]
    costs: dict[int, Decimal]
    currency: str
    drafts: dict[int, Decimal]  # draft purchase/transfer orders (not yet in inventory's on order)
    receiving_days: tuple[str, ...] = ()  # weekdays the site takes deliveries (empty: every day)


def load_site(uow: UnitOfWork, ctx: RunContext, site_id: int, today: date) -> SiteInputs:
    s, t, scope = uow.session, uow.tenant_id, Scope(uow.tenant_id)
    site = org.get_site_ref(s, scope, site_id)
    assortment = catalog.site_assortment(s, t, site_id)
    ids = [a.item_id for a in assortment]
    ctx.terms_of(s, t, ids)
    lots: dict[int, list[tuple[date | None, Decimal]]] = {}
    for lot in inventory.lots_on_hand(s, t, site_id):
        lots.setdefault(lot.item_id, []).append((lot.expiry_date, lot.on_hand))
    items = catalog.items_by_ids(s, t, ids)
    DF = d.DayForecast
    end = today + timedelta(days=_horizon(ctx, ids, items))
    fc = {
        i: [DF(*row) for row in days]
        for i, days in forecasting.forecast_quantiles(s, t, site_id, ids, today, end).items()
    }
    sales: dict[int, list[Decimal]] = {}
    start = today - timedelta(days=HISTORY)
    for row in inventory.daily_sales(s, scope, start, today - timedelta(days=1), site_ids=[site_id], item_ids=ids):
        sales.setdefault(row.item_id, []).append(row.quantity)
    return SiteInputs(
        assortment=assortment, items=items,
        stock=inventory.stock_levels(s, scope, site_id, ids),
        lots=lots, forecast=fc, promos=forecasting.promoted_items(s, t, site_id, today, today + timedelta(days=14)),
        sales=sales, costs=inventory.unit_costs(s, scope, site_id, ids), currency=site.currency,
        drafts=_drafts(s, t, site_id), receiving_days=org.receiving_days(s, t, [site_id]).get(site_id, ()),
    )  # fmt: skip


def _drafts(session: Any, tenant_id: int, site_id: int) -> dict[int, Decimal]:
    out: dict[int, Decimal] = {}
    for ln in purchasing.open_order_lines(session, tenant_id, site_ids=[site_id], include_drafts=True):
        if ln.status == "draft":
            out[ln.item_id] = out.get(ln.item_id, ZERO) + ln.open_quantity
    return out


def _horizon(ctx: RunContext, ids: list[int], items: dict[int, catalog.ItemRef]) -> int:
    """Forecast days a site needs: the longest lead time + the longest of review period and shelf life (+1);
    a shelf-life window beyond it is extended at the last week's mean (``domain.demand_until``)."""
    lead = max([x.lead_time_days for i in ids for x in ctx.terms.get(i, [])[:1]] +
               [r.lead_time_days or 1 for r in ctx.sources], default=1)  # fmt: skip
    review = 7 if any(x.order_days for i in ids for x in ctx.terms.get(i, [])[:1]) else 1
    review = max([review] + [p.policy.review_days or 0 for p in ctx.policies])
    life = max([it.shelf_life_days or 0 for it in items.values() if it.perishable], default=0)
    return min(HORIZON, lead + max(review, life) + 1)


@dataclass
class Planned:
    row: dict[str, Any]
    explanation: dict[str, Any]
    case: Decimal
    daily: Decimal


def compute_site(uow: UnitOfWork, run: m.Run, site_id: int, ctx: RunContext) -> int:
    """Compute and store the lines of one site; returns how many."""
    today = run.order_day
    inp = load_site(uow, ctx, site_id, today)
    classes = d.abc_xyz({a.item_id: _padded(inp.sales.get(a.item_id, [])) for a in inp.assortment},
                        {a.item_id: inp.costs.get(a.item_id, Decimal(1)) for a in inp.assortment})  # fmt: skip
    planned: list[Planned] = []
    for a in inp.assortment:
        p = plan_item(uow, ctx, inp, a, site_id, today, classes.get(a.item_id, "CZ"))
        if p is not None:
            planned.append(p)
    _apply_budgets(ctx, site_id, planned)
    return _store(uow, run, planned)


def _padded(sales: list[Decimal]) -> list[Decimal]:
    return sales + [ZERO] * max(0, HISTORY - len(sales))


@dataclass(frozen=True)
class Source:
    kind: str  # supplier | site
    supplier_id: int | None
    from_site_id: int | None
    lead: d.LeadTime
    order_days: tuple[str, ...]
    pack: d.Pack
    unit_price: Decimal  # per base unit
    currency: str


def resolve_source(
    uow: UnitOfWork, ctx: RunContext, inp: SiteInputs, a: catalog.AssortmentParams, site_id: int, category: int | None
) -> Source | None:
    rule = d.pick_source(ctx.sources, site_id, ctx.regions.get(site_id), a.item_id, category)
    case_override = a.order_multiple if a.order_multiple and a.order_multiple > 0 else None
    if rule is not None and rule.source == "site" and rule.from_site_id is not None:
        lead = d.LeadTime(Decimal(rule.lead_time_days or 1))
        price = inp.costs.get(a.item_id, ZERO)
        return Source("site", None, rule.from_site_id, lead, rule.order_days, d.Pack(case=case_override or Decimal(1)),
                      price, inp.currency)  # fmt: skip
    terms = ctx.terms.get(a.item_id, [])
    wanted = rule.supplier_id if rule is not None else a.preferred_supplier_id
    chosen = next((x for x in terms if x.supplier_id == wanted), None) if wanted else None
    chosen = chosen or (terms[0] if terms else None)
    if chosen is None:
        return None
    lead = ctx.leads.get((chosen.supplier_id, a.item_id)) or d.LeadTime(Decimal(chosen.lead_time_days))
    f = chosen.purchase_factor
    pallet = chosen.pallet_qty * f if chosen.pallet_qty else ZERO
    pack = d.Pack(case=case_override or chosen.order_multiple * f, moq=chosen.moq * f, pallet=pallet)
    return Source(
        "supplier", chosen.supplier_id, None, lead, chosen.order_days, pack, chosen.price / f, chosen.currency
    )


def plan_item(
    uow: UnitOfWork, ctx: RunContext, inp: SiteInputs, a: catalog.AssortmentParams, site_id: int, today: date, cls: str
) -> Planned | None:
    item = inp.items.get(a.item_id)
    if item is None:
        return None
    src = resolve_source(uow, ctx, inp, a, site_id, item.category_id)
    if src is None or not d.is_order_day(today, src.order_days):
        return None
    rule = d.pick_policy(ctx.policies, site_id, item.category_id, cls)
    policy = rule.policy if rule is not None else d.Policy()
    review = policy.review_days or d.review_period(today, src.order_days)
    fc = inp.forecast.get(a.item_id, [])
    lead_days = int(src.lead.mean_days.to_integral_value(rounding="ROUND_CEILING"))
    lead, arrival = src.lead, d.arrival_day(today, lead_days, inp.receiving_days)
    moved = (arrival - today).days - lead_days  # the site cannot receive on the lead time's day: it waits
    if moved > 0:
        lead = d.LeadTime(src.lead.mean_days + moved, src.lead.std_days, src.lead.samples)
        lead_days += moved
    st = inp.stock.get(a.item_id)
    expiring = d.expiring_before(inp.lots.get(a.item_id, []), today + timedelta(days=lead_days), fc, today)
    draft = inp.drafts.get(a.item_id, ZERO)
    pos = (d.Position(st.on_hand, st.on_order + draft, st.in_transit, st.reserved, expiring) if st
           else d.Position(on_order=draft))  # fmt: skip
    sold = inp.sales.get(a.item_id, [])
    line = d.LineInput(
        today=today, position=pos, forecast=fc, lead_time=lead, review_days=review, policy=policy,
        limits=d.Limits(a.min_qty, a.max_qty, a.reorder_point, a.safety_stock), pack=src.pack,
        shelf_life_days=item.shelf_life_days if item.perishable else None,
        baseline_daily=sum(sold, ZERO) / HISTORY if sold else None, promo=a.item_id in inp.promos,
    )  # fmt: skip
    r = d.compute_line(line)
    if r.raw_need <= 0:
        return None
    expl = r.explanation | {"item_class": cls, "policy_id": rule.id if rule else None, "source": src.kind}
    if moved > 0:
        expl["delivery"] = {"arrival": arrival.isoformat(), "moved_days": moved,
                            "receiving_days": list(inp.receiving_days)}  # fmt: skip
    row = dict(
        tenant_id=uow.tenant_id, site_id=site_id, item_id=a.item_id, category_id=item.category_id, item_class=cls,
        method=policy.method, source=src.kind, supplier_id=src.supplier_id, from_site_id=src.from_site_id,
        needed_by=arrival, suggested_qty=r.qty, qty=r.qty, forecast_qty=r.forecast_cover,
        safety_stock=r.safety_stock, position=d.q(pos.value), unit_price=src.unit_price.quantize(Decimal("0.0001")),
        currency=src.currency, binding=r.binding, tolerance_pct=policy.tolerance_pct, status="proposed",
    )  # fmt: skip
    daily = r.forecast_cover / max(1, int(r.explanation["cover"]["days"]))
    return Planned(row, expl, src.pack.case, daily)


def _apply_budgets(ctx: RunContext, site_id: int, planned: list[Planned]) -> None:
    """Trim to the site's budgets (a category's first, then the site's total), explained per line."""
    keys = sorted((k for k in ctx.budgets if k[0] == site_id), key=lambda k: (k[1] is None, k[1] or 0))
    for key in keys:
        subset = [(i, p) for i, p in enumerate(planned) if key[1] is None or p.row["category_id"] == key[1]]
        lines = [d.BudgetLine(i, p.row["qty"], p.case, p.row["unit_price"], p.row["position"], p.daily,
                              p.row["item_class"][0]) for i, p in subset]  # fmt: skip
        for i, new in d.trim_to_budget(lines, ctx.budgets[key]).items():
            p = planned[i]
            p.explanation["steps"].append({"rule": "budget", "before": str(p.row["qty"]), "after": str(d.q(new)),
                                           "detail": {"budget": str(ctx.budgets[key].quantize(Decimal("0.01"))),
                                                      "category_id": key[1]}})  # fmt: skip
            p.explanation["binding"] = "budget"
            p.explanation["qty"] = str(d.q(new))
            p.row.update(qty=d.q(new), suggested_qty=d.q(new), binding="budget")


def _store(uow: UnitOfWork, run: m.Run, planned: list[Planned]) -> int:
    if not planned:
        return 0
    if uow.session.get_bind().dialect.name == "postgresql":
        return _store_pg(uow, run, planned)
    rows = [p.row | {"run_id": run.id} for p in planned]
    table = cast(Table, m.Line.__table__)
    ids = uow.session.execute(insert(table).returning(table.c.id, sort_by_parameter_order=True), rows).all()
    uow.session.execute(insert(cast(Table, m.Explanation.__table__)), [{"line_id": lid, "data": p.explanation}
                                                          for (lid,), p in zip(ids, planned, strict=True)])  # fmt: skip
    return len(rows)


def execute_inline(uow: UnitOfWork, run: m.Run) -> int:
    """Compute a run inside the caller's unit of work (the demo loader, small tenants): no commit here."""
    ctx = RunContext.load(uow)
    run.status = "running"
    for site_id in run_sites(uow, run):
        run.lines += compute_site(uow, run, site_id, ctx)
        run.sites_done += 1
    run.status, run.finished_at = "done", utcnow()
    return run.lines


LINE_COLS = ("id", "run_id", "tenant_id", "site_id", "item_id", "category_id", "item_class", "method", "source",
             "supplier_id", "from_site_id", "needed_by", "suggested_qty", "qty", "forecast_qty", "safety_stock",
             "position", "unit_price", "currency", "binding", "tolerance_pct", "status", "approval_level",
             "auto")  # fmt: skip


def _store_pg(uow: UnitOfWork, run: m.Run, planned: list[Planned]) -> int:
    """PostgreSQL: ids drawn from the sequence in one statement, then COPY of the lines and explanations
    (psycopg formats COPY rows in C; executemany of 5,000 rows with a JSON each costs several times more)."""
    import json

    conn = uow.session.connection()
    ids = serial_ids(conn, "replenishment_line", len(planned))
    base = {"run_id": run.id, "approval_level": 0, "auto": False}
    raw = conn.connection.driver_connection
    assert raw is not None
    with raw.cursor() as cur:
        with cur.copy(f"COPY replenishment_line ({', '.join(LINE_COLS)}) FROM STDIN") as cp:
            for lid, p in zip(ids, planned, strict=True):
                row = p.row | base | {"id": lid}
                cp.write_row([row[c] for c in LINE_COLS])
        with cur.copy("COPY replenishment_explanation (line_id, data) FROM STDIN") as cp:
            for lid, p in zip(ids, planned, strict=True):
                cp.write_row((lid, json.dumps(p.explanation)))
    return len(planned)
