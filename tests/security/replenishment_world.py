"""The route walk's objects of the replenishment domain (tenant A, marked 'alpha'): a finished suggestion run
with one proposed line of the world's item at site 1, and a dry-run automatic-ordering rule for site 1."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tests.security.world import World

API = "/api/v1/replenishment"


def _run(w: World) -> int:
    from boh.replenishment import models as m

    with w.rt.session_factory() as s:
        run = m.Run(tenant_id=w.a.id, order_day=date(2026, 3, 2), status="done", sites_total=1, sites_done=1,
                    lines=1, created_by="system:0", idempotency_key="alpha-run")  # fmt: skip
        s.add(run)
        s.flush()
        line = m.Line(run_id=run.id, tenant_id=w.a.id, site_id=w.site1, item_id=w.get("item_id"), method="order_up_to",
                      source="supplier", needed_by=date(2026, 3, 4), suggested_qty=Decimal(10), qty=Decimal(10),
                      forecast_qty=Decimal(8), safety_stock=Decimal(2), position=Decimal(0), unit_price=Decimal(1),
                      currency="CNY", tolerance_pct=Decimal(20), status="proposed", item_class="AX")  # fmt: skip
        s.add(line)
        s.flush()
        s.add(m.Explanation(line_id=line.id, data={"note": "alpha line"}))
        s.add(m.AutoRule(tenant_id=w.a.id, site_id=w.site1, budget=Decimal(100), dry_run=True, active=True,
                         deviation_pct=Decimal(50), price_band_pct=Decimal(10)))  # fmt: skip
        s.commit()
        return run.id


def _line(w: World) -> int:
    from sqlalchemy import select

    from boh.replenishment import models as m

    run_id = w.get("run_id")
    with w.rt.session_factory() as s:
        return int(s.scalars(select(m.Line.id).where(m.Line.run_id == run_id)).one())


def _sim_run(w: World) -> int:
    """A stored policy simulation of tenant A (the demo's small study on a generated chain)."""
    from boh.replenishment.simulation import service

    with w.rt.system_uow(w.a.id) as uow:
        run = service.demo_run(uow)
        run.label = "alpha study"
        uow.commit()
        return run.id


def _policy(w: World) -> int:
    """A policy of tenant A for site 1 (so a site-1 user may change it too)."""
    from boh.replenishment import models as m

    with w.rt.session_factory() as s:
        p = m.Policy(tenant_id=w.a.id, name="alpha fresh A items", site_id=w.site1, item_class="A",
                     method="order_up_to", service_level=Decimal("0.97"), tolerance_pct=Decimal(20), active=True,
                     shelf_life_cap=True)  # fmt: skip
        s.add(p)
        s.commit()
        return p.id


def _sourcing(w: World) -> int:
    """Site 1 gets tenant A's item from site 2."""
    from boh.replenishment import models as m

    with w.rt.session_factory() as s:
        r = m.Sourcing(tenant_id=w.a.id, site_id=w.site1, item_id=w.get("item_id"), source="site",
                       from_site_id=w.site2, lead_time_days=1, order_days=[])  # fmt: skip
        s.add(r)
        s.commit()
        return r.id


def _budget(w: World) -> int:
    from boh.replenishment import models as m

    with w.rt.session_factory() as s:
        b = m.Budget(tenant_id=w.a.id, site_id=w.site1, amount=Decimal(1000), currency="CNY")
        s.add(b)
        s.commit()
        return b.id


CREATORS: dict[str, Callable[[World], Any]] = {
    "run_id": _run,
    "suggestion_id": _line,
    "sim_run_id": _sim_run,
    "policy_id": _policy,
    "sourcing_id": _sourcing,
    "budget_id": _budget,
}
ALIASES: dict[str | tuple[str, str], str] = {}
