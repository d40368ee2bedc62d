"""Validation of document lines before posting: the sites (a site of another tenant or outside the
caller's scope is not found), every problem of every line reported at once by index (its own fields, its
item, its lot, its currency, its date), and the lines returned with currency and event time set."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import date, datetime, timedelta
from functools import partial
from zoneinfo import ZoneInfo

from sqlalchemy import select

from boh.catalog.api import existing_item_ids
from boh.inventory.ledger import rules
from boh.inventory.ledger.contract import Line
from boh.inventory.ledger.post import SitePolicy
from boh.inventory.models import InventorySettings, Lot
from boh.kernel.clock import utcnow
from boh.kernel.errors import FieldError, ValidationFailed
from boh.kernel.tenancy import Scope
from boh.kernel.uow import UnitOfWork
from boh.org.api import SiteStockSettings, get_site_ref, site_stock_settings

FUTURE_TOLERANCE = timedelta(minutes=5)  # device clocks drift; further ahead is a mistake


def _local_date(zone: ZoneInfo, at: datetime) -> date:
    return at.astimezone(zone).date()


def policy(s: SiteStockSettings) -> SitePolicy:
    return SitePolicy(s.id, s.currency, s.negative_stock == "refuse", partial(_local_date, ZoneInfo(s.timezone)))


def site_policies(
    uow: UnitOfWork, scope: Scope, site_ids: Iterable[int], counter_ids: Iterable[int] = ()
) -> dict[int, SitePolicy]:
    """The sites of a batch: ``site_ids`` must be visible to the caller, ``counter_ids`` (the other site
    of a transfer) only of the tenant; a missing one raises NotFound."""
    own, counter = set(site_ids), set(counter_ids)
    sites = site_stock_settings(uow.session, scope.tenant_id, own | counter)
    hidden = sorted(i for i in own if i not in sites or not scope.allows_site(i))
    missing = sorted(i for i in counter if i not in sites)
    for site_id in hidden + missing:
        get_site_ref(uow.session, scope if site_id in hidden else Scope(scope.tenant_id), site_id)  # raises
    return {i: policy(s) for i, s in sites.items()}


def _lots(uow: UnitOfWork, lines: list[Line]) -> tuple[dict[int, Lot], dict[tuple[int, str], Lot]]:
    ids = sorted({ln.lot_id for ln in lines if ln.lot_id is not None})
    pairs = sorted({(ln.item_id, ln.lot_code) for ln in lines if ln.lot_code})
    by_id: dict[int, Lot] = {}
    by_code: dict[tuple[int, str], Lot] = {}
    if ids:
        stmt = select(Lot).where(Lot.tenant_id == uow.tenant_id, Lot.id.in_(ids))
        by_id = {lot.id: lot for lot in uow.session.scalars(stmt)}
    for start in range(0, len(pairs), 500):
        chunk = pairs[start : start + 500]
        items = sorted({i for i, _ in chunk})
        codes = sorted({c for _, c in chunk})
        stmt = select(Lot).where(Lot.tenant_id == uow.tenant_id, Lot.item_id.in_(items), Lot.lot_code.in_(codes))
        by_code.update({(lot.item_id, lot.lot_code): lot for lot in uow.session.scalars(stmt)})
    return by_id, by_code


def _resolve_lot(
    ln: Line, lots: dict[int, Lot], by_code: dict[tuple[int, str], Lot]
) -> tuple[int | None, rules.MoveProblem | None]:
    """The lot of a line from its lot_id or its lot code (a scanned GS1 AI 10); None for non-lot stock and
    for a new lot code on an inflow, which posting creates."""
    if ln.lot_id is not None:
        lot = lots.get(ln.lot_id)
        if lot is None or lot.item_id != ln.item_id:
            return None, rules.MoveProblem(
                "lot_id", f"lot {ln.lot_id} is not a lot of item {ln.item_id}", "inventory.lot_not_found"
            )
        if ln.lot_code is not None and ln.lot_code != lot.lot_code:
            return None, rules.MoveProblem("lot_code", f"lot {ln.lot_id} is '{lot.lot_code}'", "inventory.lot_mismatch")
        return lot.id, None
    if ln.lot_code is None:
        return None, None
    found = by_code.get((ln.item_id, ln.lot_code))
    if found is not None:
        return found.id, None
    if ln.quantity > 0:
        return None, None
    return None, rules.MoveProblem(
        "lot_code", f"item {ln.item_id} has no lot '{ln.lot_code}'", "inventory.lot_not_found"
    )


def validate(
    uow: UnitOfWork, scope: Scope, lines: list[Line], *, internal: bool
) -> tuple[list[Line], dict[int, SitePolicy]]:
    """Every error of every line (ValidationFailed), else the lines with currency and event time set and
    their sites' policies."""
    sites = site_policies(
        uow, scope, {ln.site_id for ln in lines}, {ln.counter_site_id for ln in lines if ln.counter_site_id}
    )
    errors: list[FieldError] = []
    items = existing_item_ids(uow.session, uow.tenant_id, [ln.item_id for ln in lines])
    lots, by_code = _lots(uow, lines)
    now = utcnow()
    rule = uow.session.get(InventorySettings, uow.tenant_id)
    days = rule.max_backdate_days if rule is not None else None
    held_sales = rule.held_lot_sales if rule is not None else "refuse"
    earliest = now - timedelta(days=days) if days is not None else None
    seen: set[str] = set()
    out: list[Line] = []
    for ln in lines:

        def err(field: str, message: str, code: str, ln: Line = ln) -> None:
            errors.append(FieldError(("moves", ln.index, field), message, code))

        for p in rules.check_move(
            ln.move_type, ln.quantity, ln.reason_code, has_cost=ln.unit_cost is not None, internal=internal,
            reversal=internal and ln.source_type == "reversal",
        ):  # fmt: skip
            err(p.field, p.message, p.code)
        if ln.item_id not in items:
            err("item_id", f"unknown item {ln.item_id}", "catalog.item_not_found")
        lot_id, lot_problem = _resolve_lot(ln, lots, by_code)
        if lot_problem is not None:
            err(lot_problem.field, lot_problem.message, lot_problem.code)
        lot = lots.get(lot_id) if lot_id in lots else by_code.get((ln.item_id, ln.lot_code or ""))
        if lot is not None and lot.on_hold and rules.refuses_held(ln.move_type, ln.quantity, held_sales, internal):
            err("lot_id", f"lot '{lot.lot_code}' is on hold (a recall or a quarantine)", "inventory.lot_on_hold")
        currency = sites[ln.site_id].currency
        if ln.currency is not None and ln.currency != currency:
            err("currency", f"costs at this site are in {currency}", "inventory.wrong_currency")
        if ln.event_at is not None and ln.event_at > now + FUTURE_TOLERANCE:
            err("event_at", "event_at is in the future", "inventory.future_event")
        if earliest is not None and ln.event_at is not None and ln.event_at < earliest:
            err("event_at", f"moves may be dated at most {days} days back", "inventory.backdate_limit")
        if ln.idempotency_key in seen:
            err("idempotency_key", "used twice in this batch", "inventory.duplicate_key")
        seen.add(ln.idempotency_key)
        out.append(replace(ln, lot_id=lot_id, currency=currency, event_at=ln.event_at or now))
    if errors:
        raise ValidationFailed(errors, detail=f"{len({e.loc[1] for e in errors})} of {len(lines)} moves are invalid")
    return out, sites
