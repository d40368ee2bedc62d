"""What an excursion does to the lots stored in its unit.

Where a lot is: in the unit it was placed in (``LotPlacement``), else in its site's default unit for its
item's storage class (catalog: chilled -> the fridge, frozen -> the freezer). A lot is exposed to an excursion
when it is on hand at the site while the excursion is recorded; its *cumulative* minutes beyond the limit are
the sum over every excursion it was exposed to. When they reach the unit's time-temperature limit the lot is
quarantined through the inventory's lot holds (not available, pickable or sellable) until a person decides:
release it with a reason, or waste it (a waste move of what is on hand).
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select

from boh.catalog.api import item_view
from boh.coldchain.errors import AlreadyDecided, ExposureNotFound
from boh.coldchain.models import Excursion, Exposure, LotPlacement, Unit
from boh.coldchain.service._common import DECIDE
from boh.coldchain.service.risk import site_risk
from boh.http.pages import N_
from boh.inventory import api as inventory
from boh.kernel.clock import utcnow
from boh.kernel.tenancy import system_principal
from boh.kernel.uow import UnitOfWork
from boh.notify.api import notify

_item = item_view()
EXCURSION = N_("Cold chain: %(unit)s at %(peak)s °C since %(since)s; %(lots)s lot(s) flagged")
TOO_DAMP = N_("Cold chain: %(unit)s at %(peak)s%% relative humidity since %(since)s (above %(limit)s%%)")
TOO_DRY = N_("Cold chain: %(unit)s at %(peak)s%% relative humidity since %(since)s (below %(limit)s%%)")
QUARANTINE = N_(
    "Cold chain: %(lots)s lot(s) quarantined after %(unit)s passed its time-temperature limit: release or waste them"
)
STANDING = ("flagged", "quarantined")
SOURCE, HOLD = "quarantine", "inventory.lot.hold"  # waiting for the excursion to end or for a person


def lots_in_unit(uow: UnitOfWork, unit: Unit) -> list[inventory.LotOnHand]:
    lots = inventory.lots_on_hand(uow.session, unit.tenant_id, unit.site_id)
    if not lots:
        return []
    placed = dict(uow.session.execute(
        select(LotPlacement.lot_id, LotPlacement.unit_id).where(
            LotPlacement.tenant_id == unit.tenant_id, LotPlacement.site_id == unit.site_id)
    ).all())  # fmt: skip
    classes: dict[int, str] = {}
    if unit.is_default:
        ids = sorted({lot.item_id for lot in lots})
        classes = dict(uow.session.execute(select(_item.c.id, _item.c.storage_class).where(_item.c.id.in_(ids)))
                       .all())  # fmt: skip
    return [
        lot for lot in lots
        if placed.get(lot.lot_id) == unit.id
        or (lot.lot_id not in placed and unit.is_default and classes.get(lot.item_id) == unit.storage_class)
    ]  # fmt: skip


def excursion_found(uow: UnitOfWork, unit: Unit, exc: Excursion) -> None:
    """A new excursion: the alert (once: the row is the excursion) and its lots flagged."""
    lots = lots_in_unit(uow, unit)
    for lot in lots:
        uow.session.add(Exposure(tenant_id=unit.tenant_id, site_id=unit.site_id, excursion_id=exc.id,
                                 lot_id=lot.lot_id, item_id=lot.item_id, minutes=exc.minutes_beyond,
                                 status="flagged"))  # fmt: skip
    uow.flush()
    notify(
        uow, kind="cold_chain_excursion",
        message=EXCURSION,
        params={"unit": {"en": unit.name, "zh": unit.name_zh or unit.name}, "peak": str(exc.peak_c),
                "since": exc.started_at.strftime("%Y-%m-%d %H:%M UTC"), "lots": len(lots)},
        roles=["store_manager", "regional_manager"], site_id=unit.site_id, link=f"/coldchain/excursions/{exc.id}",
        dedupe_key=f"coldchain:excursion:{exc.id}",
    )  # fmt: skip
    uow.audit("coldchain.excursion.alarm", "coldchain_excursion", exc.id,
              after={"unit": unit.id, "started_at": exc.started_at.isoformat(), "lots": len(lots)})  # fmt: skip
    _quarantine_due(uow, unit, exc, [lot.lot_id for lot in lots])
    site_risk(uow, exc)


def humidity_found(uow: UnitOfWork, unit: Unit, exc: Excursion, direction: str) -> None:
    """A new humidity excursion: told once (the row is the excursion); its lots are not flagged."""
    limit = unit.humidity_max_pct if direction == "max" else unit.humidity_min_pct
    notify(
        uow, kind="cold_chain_excursion", message=TOO_DAMP if direction == "max" else TOO_DRY,
        params={"unit": {"en": unit.name, "zh": unit.name_zh or unit.name}, "peak": str(exc.peak_c),
                "since": exc.started_at.strftime("%Y-%m-%d %H:%M UTC"), "limit": str(limit)},
        roles=["store_manager", "regional_manager"], site_id=unit.site_id, link=f"/coldchain/excursions/{exc.id}",
        dedupe_key=f"coldchain:excursion:{exc.id}",
    )  # fmt: skip
    uow.audit("coldchain.excursion.alarm", "coldchain_excursion", exc.id,
              after={"unit": unit.id, "kind": "humidity", "direction": direction,
                     "started_at": exc.started_at.isoformat()})  # fmt: skip
    site_risk(uow, exc)


def excursion_changed(uow: UnitOfWork, unit: Unit, exc: Excursion) -> None:
    rows = list(uow.session.scalars(select(Exposure).where(Exposure.excursion_id == exc.id)))
    for row in rows:
        row.minutes = exc.minutes_beyond
    uow.flush()
    _quarantine_due(uow, unit, exc, [r.lot_id for r in rows])


def cumulative(uow: UnitOfWork, tenant_id: int, lot_ids: Sequence[int]) -> dict[int, int]:
    if not lot_ids:
        return {}
    return dict(uow.session.execute(
        select(Exposure.lot_id, func.sum(Exposure.minutes))
        .where(Exposure.tenant_id == tenant_id, Exposure.lot_id.in_(sorted(set(lot_ids))))
        .group_by(Exposure.lot_id)
    ).all())  # fmt: skip


def _quarantine_due(uow: UnitOfWork, unit: Unit, exc: Excursion, lot_ids: list[int]) -> None:
    """Quarantine the flagged lots whose cumulative minutes beyond the limit reached the unit's limit."""
    totals = cumulative(uow, unit.tenant_id, lot_ids)
    due = sorted(lot for lot, minutes in totals.items() if int(minutes or 0) >= unit.tt_limit_min)
    if not due:
        return
    rows = list(
        uow.session.scalars(
            select(Exposure).where(
                Exposure.excursion_id == exc.id, Exposure.lot_id.in_(due), Exposure.status == "flagged"
            )
        )
    )
    if not rows:
        return
    lots = [r.lot_id for r in rows]
    # the rule decides, not whoever sent the reading (a device may hold no inventory permission)
    with uow.acting_as(system_principal(uow.tenant_id, [HOLD])):
        inventory.hold_lots(
            uow, lots, reason=f"cold chain: over {unit.tt_limit_min} min beyond {unit.limit_c} °C",
            source=SOURCE, source_ref=f"coldchain:excursion:{exc.id}",
        )  # fmt: skip
    for r in rows:
        r.status = "quarantined"
    uow.flush()
    notify(
        uow, kind="cold_chain_excursion",
        message=QUARANTINE,
        params={"lots": len(lots), "unit": {"en": unit.name, "zh": unit.name_zh or unit.name}},
        roles=["store_manager", "regional_manager"],
        site_id=unit.site_id, link=f"/coldchain/excursions/{exc.id}", dedupe_key=f"coldchain:quarantine:{exc.id}",
    )  # fmt: skip
    uow.audit("coldchain.lots.quarantine", "coldchain_excursion", exc.id, after={"lots": lots})


def decide(uow: UnitOfWork, exposure_id: int, *, action: str, reason: str) -> Exposure:
    """A person's decision on a quarantined (or flagged) lot: ``release`` it (with a reason) or ``waste``
    what is on hand of it. Every standing exposure of the lot is settled by it."""
    scope = uow.principal.scope(DECIDE)
    row = uow.session.scalars(
        select(Exposure).where(Exposure.tenant_id == scope.tenant_id, Exposure.id == exposure_id).with_for_update()
    ).one_or_none()
    if row is None or not scope.allows_site(row.site_id):
        raise ExposureNotFound(f"lot exposure {exposure_id} not found")
    if row.status not in STANDING:
        raise AlreadyDecided(f"the lot was already {row.status}")
    standing = list(
        uow.session.scalars(
            select(Exposure).where(
                Exposure.tenant_id == scope.tenant_id,
                Exposure.lot_id == row.lot_id,
                Exposure.site_id == row.site_id,
                Exposure.status.in_(STANDING),
            )
        )
    )
    for ref in sorted({f"coldchain:excursion:{r.excursion_id}" for r in standing if r.status == "quarantined"}):
        inventory.release_lot(uow, row.lot_id, reason=f"{action}: {reason}", source=SOURCE, source_ref=ref)
    if action == "waste":
        for lot in inventory.lots_on_hand(uow.session, uow.tenant_id, row.site_id, [row.lot_id]):
            inventory.record_waste(uow, site_id=row.site_id, item_id=lot.item_id, quantity=lot.on_hand,
                                   reason_code="cold_chain", lot_id=lot.lot_id,
                                   idempotency_key=f"coldchain-waste:{row.id}")  # fmt: skip
    now, status = utcnow(), "released" if action == "release" else "wasted"
    for r in standing:
        r.status, r.reason, r.decided_by, r.decided_at = status, reason, uow.principal.actor, now
    uow.flush()
    uow.audit(f"coldchain.lot.{action}", "coldchain_exposure", row.id, after={"lot": row.lot_id, "reason": reason})
    return row
