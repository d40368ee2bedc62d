"""Replenishment in the demo chain: policies (A items at a 97 % service level, C items at 90 %), today's
suggestion run for the two stores with forecasts, a few lines reviewed by the store manager (one within the
tolerance band, two beyond it waiting in the approval inbox), a dry-run automatic-ordering rule for the
other store, and a sourcing rule (rice and noodles from the DC) and budgets, so the review, inbox, rules and
settings screens are filled."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select

from boh.demo.refs import OrgRefs
from boh.kernel.clock import utcnow
from boh.kernel.uow import UnitOfWork
from boh.replenishment import models as m
from boh.replenishment import service

STORES = ("SH01", "SH02")


def load_replenishment(uow: UnitOfWork, seed: int, org: OrgRefs) -> int:
    """Policies, one run, reviewed lines and a dry-run rule; returns the run's line count."""
    t = uow.tenant_id
    uow.session.add_all([
        m.Policy(tenant_id=t, name="A items: 97 %", item_class="A", method="order_up_to",
                 service_level=Decimal("0.97"), tolerance_pct=Decimal(15)),
        m.Policy(tenant_id=t, name="Everything else: 95 %", method="order_up_to", service_level=Decimal("0.95"),
                 tolerance_pct=Decimal(20)),
        m.Policy(tenant_id=t, name="C items: 90 %", item_class="C", method="order_up_to",
                 service_level=Decimal("0.90"), tolerance_pct=Decimal(25)),
    ])  # fmt: skip
    sites = [org.site_ids[c] for c in STORES if c in org.site_ids] or [org.site_ids[c] for c in org.store_codes[:2]]
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
