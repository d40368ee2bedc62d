"""Reactions of the inventory domain to events, subscribed by ``subscribe`` (the manifest's events hook,
called by ``boh.bootstrap.wire_events``) and delivered through the outbox (at least once, each delivery in
its own transaction).

``check_reorder_points`` reacts to StockMoved: for every (site, item) the batch touched it compares the
item's available stock now with the assortment's threshold (reorder_point, else safety_stock) and
publishes StockBelowReorderPoint when the item crosses from at-or-above to below. The last state is kept
in ``inventory_reorder_state`` under a row lock, so a redelivered event, a later event handled first or
two relays racing each other publish once per crossing; going back above the threshold re-arms it.
Crossings are judged on the stock when the handler runs (not at the event's instant): a dip and recovery
both posted before the relay runs is not reported, a late relay reports the crossing once.
"""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from boh.catalog.api import AssortmentParams, reorder_params
from boh.inventory.api import stock_levels
from boh.inventory.events import StockBelowReorderPoint, StockCommitted, StockMoved
from boh.inventory.models import ReorderState
from boh.kernel.clock import utcnow
from boh.kernel.events import Event
from boh.kernel.outbox import EventBus
from boh.kernel.tenancy import Scope
from boh.kernel.uow import UnitOfWork

ZERO = Decimal(0)


def reorder_threshold(params: AssortmentParams | None) -> Decimal | None:
    """The quantity below which an item needs reordering: the reorder point, else the safety stock."""
    if params is None or not params.active:
        return None
    if params.reorder_point is not None:
        return params.reorder_point
    return params.safety_stock


def _thresholds(session: Session, tenant_id: int, site_id: int, item_ids: list[int]) -> dict[int, AssortmentParams]:
    """Assortment parameters of the items that have a reorder threshold at the site."""
    rows = reorder_params(session, tenant_id, site_id, item_ids)
    return {p.item_id: p for p in rows if reorder_threshold(p) is not None}


def _locked_states(session: Session, tenant_id: int, site_id: int, item_ids: list[int]) -> dict[int, ReorderState]:
    """The state rows of these items, created if missing, locked in item order (no deadlock)."""
    now = utcnow()
    values = [
        {"tenant_id": tenant_id, "site_id": site_id, "item_id": i, "below": False, "updated_at": now} for i in item_ids
    ]
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    session.execute(dialect.insert(ReorderState).values(values).on_conflict_do_nothing())
    stmt = (
        select(ReorderState)
        .where(
            ReorderState.tenant_id == tenant_id,
            ReorderState.site_id == site_id,
            ReorderState.item_id.in_(item_ids),
        )
        .order_by(ReorderState.item_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return {s.item_id: s for s in session.scalars(stmt)}


def _check_site(uow: UnitOfWork, site_id: int, item_ids: list[int]) -> None:
    params = _thresholds(uow.session, uow.tenant_id, site_id, item_ids)
    if not params:
        return
    wanted = sorted(params)
    states = _locked_states(uow.session, uow.tenant_id, site_id, wanted)
    levels = stock_levels(uow.session, Scope(uow.tenant_id), site_id, wanted)  # read after the locks
    for item_id in wanted:
        p, state = params[item_id], states[item_id]
        threshold = reorder_threshold(p)
        assert threshold is not None
        available = levels[item_id].available if item_id in levels else ZERO
        below = available < threshold
        if below == state.below:
            continue
        state.below, state.updated_at = below, utcnow()
        if below:
            after = {"available": available, "threshold": threshold}
            uow.audit("inventory.reorder.below", "site_item", f"{site_id}:{item_id}", after=after)
            uow.publish(
                StockBelowReorderPoint(
                    tenant_id=uow.tenant_id, site_id=site_id, item_id=item_id, available=available,
                    threshold=threshold, reorder_point=p.reorder_point, safety_stock=p.safety_stock,
                )
            )  # fmt: skip
    uow.flush()


def check_reorder_points(uow: UnitOfWork, event: Event) -> None:
    """StockMoved or StockCommitted (a reservation lowers available) -> StockBelowReorderPoint for each
    (site, item) of the batch that crossed its threshold."""
    if not isinstance(event, StockMoved | StockCommitted):
        return
    by_site: dict[int, set[int]] = {}
    for c in event.changes:
        by_site.setdefault(int(c["site_id"]), set()).add(int(c["item_id"]))
    for site_id in sorted(by_site):  # key order: concurrent handlers lock the state rows the same way
        _check_site(uow, site_id, sorted(by_site[site_id]))


def subscribe(bus: EventBus) -> None:
    """The inventory domain's subscriptions (called by ``boh.bootstrap.wire_events`` from the manifest)."""
    from boh.inventory import notices
    from boh.inventory.ingest.events import ShrinkSuspected

    bus.subscribe(StockMoved.topic, check_reorder_points)
    bus.subscribe(StockCommitted.topic, check_reorder_points)
    bus.subscribe(ShrinkSuspected.topic, notices.tell_shrink)
