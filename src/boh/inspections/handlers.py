"""Reactions of inspections to other domains' facts, kept as site signals for the risk score and analytics.

Inventory is on the same layer row as inspections, so its event classes cannot be imported here: the
handlers subscribe by topic and read the event's published fields (its payload is the contract; a test
holds these names to inventory's events). Each delivery runs in its own transaction, once per event
(the outbox's delivery record), so a redelivered event never counts twice.

  inventory.count_posted                -> stock_discrepancy (value: the count's total absolute variance)
  inventory.negative_stock              -> stock_discrepancy
  inventory.rfid_cycle_count_reported   -> stock_discrepancy when tags were missing or unexpected
  inventory.shrink_suspected            -> shrink
  inventory.stock_below_reorder_point   -> stockout when nothing is available any more
The cold chain is a layer above; its facts arrive the same way, by topic (``COLDCHAIN_TOPICS``):
  coldchain.site_risk_raised            -> cold_chain (value: the site's excursions in the window)
Waste and sales are not published by any domain yet; ``record`` takes them the same way the day those
events exist (kinds ``waste``, ``sales``).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from boh.inspections import models
from boh.kernel.clock import utcnow
from boh.kernel.events import Event
from boh.kernel.outbox import EventBus
from boh.kernel.uow import UnitOfWork

TOPICS = {
    "count_posted": "inventory.count_posted",
    "negative_stock": "inventory.negative_stock",
    "cycle_count": "inventory.rfid_cycle_count_reported",
    "shrink": "inventory.shrink_suspected",
    "below_reorder": "inventory.stock_below_reorder_point",
}
COLDCHAIN_TOPICS = {"site_risk": "coldchain.site_risk_raised"}


def record(uow: UnitOfWork, event: Event, kind: str, value: Decimal | None = None) -> None:
    site_id = getattr(event, "site_id", None)
    if site_id is None:
        return
    at = getattr(event, "occurred_at", None) or utcnow()
    uow.session.add(models.Signal(tenant_id=event.tenant_id, site_id=int(site_id), kind=kind, at=at, value=value,
                                  source=event.topic))  # fmt: skip
    uow.flush()


def _field(event: Event, name: str) -> Any:
    return getattr(event, name, None)


def on_count_posted(uow: UnitOfWork, event: Event) -> None:
    value = _field(event, "total_abs_value")
    if value is not None and Decimal(value) > 0:
        record(uow, event, "stock_discrepancy", Decimal(value))


def on_negative_stock(uow: UnitOfWork, event: Event) -> None:
    record(uow, event, "stock_discrepancy")


def on_cycle_count(uow: UnitOfWork, event: Event) -> None:
    off = int(_field(event, "missing") or 0) + int(_field(event, "unexpected") or 0)
    if off > 0:
        record(uow, event, "stock_discrepancy", Decimal(off))


def on_shrink(uow: UnitOfWork, event: Event) -> None:
    record(uow, event, "shrink")


def on_below_reorder(uow: UnitOfWork, event: Event) -> None:
    available = _field(event, "available")
    if available is not None and Decimal(available) <= 0:
        record(uow, event, "stockout")


def on_cold_chain_risk(uow: UnitOfWork, event: Event) -> None:
    """Repeated excursions at a site: a cold-chain signal, which raises the site's risk score (5 points each,
    at most 20) and so brings a risk-based inspection forward."""
    excursions = _field(event, "excursions")
    record(uow, event, "cold_chain", Decimal(excursions) if excursions is not None else None)


def subscribe(bus: EventBus) -> None:
    """The inspections domain's subscriptions (by topic: see the module's docstring)."""
    bus.subscribe(TOPICS["count_posted"], on_count_posted)
    bus.subscribe(TOPICS["negative_stock"], on_negative_stock)
    bus.subscribe(TOPICS["cycle_count"], on_cycle_count)
    bus.subscribe(TOPICS["shrink"], on_shrink)
    bus.subscribe(TOPICS["below_reorder"], on_below_reorder)
    bus.subscribe(COLDCHAIN_TOPICS["site_risk"], on_cold_chain_risk)
