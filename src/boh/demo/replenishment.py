"""Replenishment in the demo chain: policies (A items at a 97 % service level, C items at 90 %), today's
sales of the forecast items at the two stores with forecasts (POS events through floor ingestion, so the
nightly run sees the stock a day of trading leaves), the suggestion run for those stores, a few lines
reviewed by the store manager (one within the tolerance band, two beyond it waiting in the approval inbox),
a dry-run automatic-ordering rule for the other store, and a sourcing rule (rice and noodles from the DC)
and budgets, so the review, inbox, rules and settings screens are filled."""

from __future__ import annotations

import random
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import select

from boh.demo.forecasting import forecast_skus
from boh.demo.refs import CatalogRefs, OrgRefs
from boh.forecasting.api import forecast_quantiles
from boh.inventory.api import stock_levels
from boh.inventory.ingest.service import ingest
from boh.kernel.clock import utcnow
from boh.kernel.uow import UnitOfWork
from boh.replenishment import models as m
from boh.replenishment import service

STORES = ("SH01", "SH02")


def load_replenishment(uow: UnitOfWork, seed: int, org: OrgRefs, catalog: CatalogRefs) -> int:
    """Policies, today's sales, one run, reviewed lines and a dry-run rule; returns the run's line count."""
    t = uow.tenant_id
    uow.session.add_all([
        m.Policy(tenant_id=t, name="A items: 97 %", item_class="A", method="order_up_to",
                 service_level=Decimal("0.97"), tolerance_pct=Decimal(15)),
        m.Policy(tenant_id=t, name="Everything else: 95 %", method="order_up_to", service_level=Decimal("0.95"),
                 tolerance_pct=Decimal(20)),
        m.Policy(tenant_id=t, name="C items: 90 %", item_class="C", method="order_up_to",
                 service_level=Decimal("0.90"), tolerance_pct=Decimal(25)),
    ])  # fmt: skip
    codes = [c for c in STORES if c in org.site_ids] or org.store_codes[:2]
    sites = [org.site_ids[c] for c in codes]
    _todays_sales(uow, seed, codes, org, {catalog.item_ids[s]: s for s in forecast_skus(catalog)})
    r = service.run.create_run(uow, order_day=utcnow().date(), site_ids=sites, idempotency_key="demo")
    n = service.run.execute_inline(uow, r)
    uow.flush()
    first = select(m.Line).where(m.Line.run_id == r.id, m.Line.site_id == sites[0])
    lines = list(uow.session.scalars(first.order_by(m.Line.suggested_qty.desc(), m.Line.id).limit(6)))
    # the manager's changes: one within the tolerance band, two beyond it (more than the shelf-capped
    # suggestion, for a promotion and for backroom space): they wait in the approval inbox
    plan = (("1.1", 0, "local_knowledge"), ("1.8", 20, "promotion"), ("1.5", 12, "shelf_space"))
    for line, (factor, floor, reason) in zip(lines, plan, strict=False):
        qty = max((line.suggested_qty * Decimal(factor)).quantize(Decimal(1)), Decimal(floor))
        service.review.change_qty(uow, line_id=line.id, qty=qty, reason_code=reason, note=None)
    service.review.accept(uow, line_ids=[ln.id for ln in lines[3:]])
    uow.session.add(m.AutoRule(tenant_id=t, site_id=sites[-1], budget=Decimal(3000), deviation_pct=Decimal(40),
                               price_band_pct=Decimal(10), dry_run=True, active=True))  # fmt: skip
    uow.flush()
    service.auto.apply_rules(uow, run_id=r.id)
    _settings(uow, org, sites)
    return n


def _todays_sales(uow: UnitOfWork, seed: int, codes: list[str], org: OrgRefs, items: dict[int, str]) -> int:
    """Today's POS sales of the forecast items at these stores, 70-110 % of today's forecast (never the whole
    shelf), sent as floor events through ingestion like a till's; the accepted count."""
    rng = random.Random(f"demo-todays-sales-{seed}")
    now = utcnow()
    events = []
    for code in codes:
        site = org.site_ids[code]
        today = forecast_quantiles(uow.session, uow.tenant_id, site, items, now.date(), now.date() + timedelta(days=1))
        stock = stock_levels(uow.session, uow.principal.scope("inventory.stock.read"), site, items)
        for item_id, days in sorted(today.items()):
            have = stock[item_id].available if item_id in stock else Decimal(0)
            qty = min(days[0][1] * Decimal(rng.uniform(0.7, 1.1)), have - 1).quantize(Decimal(1), ROUND_HALF_UP)
            if qty > 0:
                events.append({"event_id": f"demo-{code}-{item_id}", "source": f"pos:{code}:1", "site": code,
                               "kind": "sale", "sku": items[item_id], "qty": str(qty),
                               "occurred_at": (now - timedelta(minutes=rng.randint(5, 600))).isoformat()})  # fmt: skip
    return ingest(uow, events, transport="demo").accepted if events else 0


def _settings(uow: UnitOfWork, org: OrgRefs, sites: list[int]) -> None:
    """Configuration for the settings page, added after today's run (tomorrow's run follows it): the stores get
    rice, flour and noodles from the DC on Mondays and Thursdays, and the first store has a budget per run."""
    rice = service.config.category_id(uow, "RICE")
    dc = org.site_ids.get(org.dc_code)
    if rice is not None and dc is not None:
        service.config.create_sourcing(uow, {"category_id": rice, "source": "site", "from_site_id": dc,
                                             "lead_time_days": 1, "order_days": ["mon", "thu"]})  # fmt: skip
    service.config.create_budget(uow, {"site_id": sites[0], "amount": Decimal(20000), "currency": "CNY"})
    service.config.create_budget(uow, {"site_id": sites[0], "category_id": rice, "amount": Decimal(3000),
                                       "currency": "CNY"} if rice is not None else
                                 {"site_id": sites[-1], "amount": Decimal(15000), "currency": "CNY"})  # fmt: skip
