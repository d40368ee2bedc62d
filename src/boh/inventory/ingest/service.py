"""Use cases of floor-event ingestion. ``ingest`` is the one entry point of the HTTP route, the MQTT
subscriber and the simulator; callers own the transaction (commit once after it returns).

Order of work for a batch (the lock order is the ledger's, see boh.inventory.ledger):
1. validate every event and resolve its codes set-based (bad events are reported by index);
2. in a savepoint: lock the (site, item) cost rows of every good event in key order; claim the event ids
   (claims.py; unclaimed ones are duplicates);
3. post the sales and returns through the ledger event by event (boh.inventory.ledger.post): sales without
   a lot code are taken from the item's usable lots first expiring first, a site that refuses negative
   stock rejects a sale whole with ``inventory.insufficient_stock`` (its claim is withdrawn), the rest is
   valued, posted and published (StockMoved, NegativeStock) like any other move;
4. RFID tags, sessions and shrink alerts; weight shelves; one audit record, ShrinkSuspected events.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Sequence
from collections.abc import Set as AbstractSet
from dataclasses import replace
from typing import Any, cast

from sqlalchemy import Table, insert

from boh.inventory.ingest import claims, deadletters, depletion, prepare, rfid, weight
from boh.inventory.ingest.errors import AlertNotFound, SessionNotFound
from boh.inventory.ingest.events import CycleCountReported, ShrinkSuspected
from boh.inventory.ingest.models import Alert, RfidSession
from boh.inventory.ingest.prepare import Prepared
from boh.inventory.ingest.schemas import MAX_BATCH, IngestResult, Rejected, SessionReport
from boh.inventory.ledger.contract import Line, Posted
from boh.inventory.ledger.documents import flag_held_sales
from boh.inventory.ledger.post import lock_items, post
from boh.inventory.ledger.validate import policy
from boh.kernel import gcpause
from boh.kernel.clock import utcnow
from boh.kernel.db import hot_statements, unstorable_value
from boh.kernel.errors import FieldError, ValidationFailed
from boh.kernel.tenancy import Scope
from boh.kernel.uow import UnitOfWork

WRITE = "inventory.events.write"
ALERT_WRITE = "inventory.move.write"
_ALERT = cast(Table, Alert.__table__)


def ingest(
    uow: UnitOfWork,
    events: Sequence[Any],
    *,
    default_site: str | None = None,
    transport: str = "http",
    topic: str | None = None,
    dead_letters: bool = True,
) -> IngestResult:
    """Validate and apply a batch of floor events (see the module docstring); never half-applies one. Every
    rejected event is also kept as a dead letter (``deadletters.py``) unless ``dead_letters`` is off (a
    replay updates its own)."""
    scope = uow.principal.scope(WRITE)
    if len(events) > MAX_BATCH:
        raise ValidationFailed(
            [FieldError(("events",), f"at most {MAX_BATCH} events per batch", "inventory.batch_too_large")]
        )
    # the batch's statements have one shape whatever the events (kernel.db); a batch's garbage is freed by
    # reference counting (kernel.gcpause)
    with hot_statements(uow.session), gcpause.paused():
        return _ingest(uow, scope, events, default_site, transport, topic, dead_letters)


def _ingest(
    uow: UnitOfWork,
    scope: Scope,
    events: Sequence[Any],
    default_site: str | None,
    transport: str,
    topic: str | None,
    dead_letters: bool,
) -> IngestResult:
    batch = prepare.prepare(uow.session, scope, events, default_site)
    accepted = _isolating(uow, batch, batch.good, transport) if batch.good else 0
    batch.rejected.sort(key=lambda r: r.index)
    if dead_letters and batch.rejected:
        deadletters.record(uow, events, batch.rejected, transport=transport, topic=topic)
    duplicates = (
        batch.duplicates
        + len(batch.good)
        - accepted
        - sum(1 for r in batch.rejected if r.index in {p.index for p in batch.good})
    )
    return IngestResult(accepted=accepted, duplicates=duplicates, rejected=batch.rejected)


def _isolating(uow: UnitOfWork, batch: prepare.Batch, good: list[Prepared], transport: str) -> int:
    """Apply the good events in a savepoint; when the database refuses a value of one of them (a data error
    no validation foresaw), split the events in halves and apply each apart, until the event that fails
    alone is rejected (``inventory.unstorable_value``) and every other one is applied. The events accepted."""
    try:
        with uow.session.begin_nested():
            return _apply_all(uow, batch, good, transport)
    except Exception as exc:
        reason = unstorable_value(exc)
        if reason is None:
            raise
        if len(good) == 1:
            batch.reject(good[0].index, good[0].event, "inventory.unstorable_value", reason)
            return 0
        half = len(good) // 2
        return _isolating(uow, batch, good[:half], transport) + _isolating(uow, batch, good[half:], transport)


def _apply_all(uow: UnitOfWork, batch: prepare.Batch, good: list[Prepared], transport: str) -> int:
    claimed, posted = _apply(uow, batch, good, transport)
    tags = rfid.apply(uow.session, uow.tenant_id, claimed)
    drops = weight.apply(uow.session, uow.tenant_id, claimed)
    alerts = _raise_shrinks(uow, tags.shrinks)
    uow.session.flush()
    _record(uow, claimed, posted, (alerts, tags.settled), drops, transport)
    return len(claimed)


def _in_order(events: Sequence[Prepared]) -> list[Prepared]:
    return sorted(events, key=lambda p: (p.event.occurred_at, p.index))


def _line(p: Prepared) -> Line:
    ev = p.event
    return Line(
        index=p.index, site_id=p.site.id, item_id=p.item.item_id, lot_id=p.lot_id, move_type=p.kind,
        quantity=p.quantity, idempotency_key=move_key(ev.source, ev.event_id), source_type=f"floor_{p.kind}",
        source_id=_source_id(p), event_at=ev.occurred_at, fefo=p.kind == "sale" and p.lot_id is None,
    )  # fmt: skip


def _apply(
    uow: UnitOfWork, batch: prepare.Batch, good: list[Prepared], transport: str
) -> tuple[list[Prepared], Posted]:
    """Lock every good event's (site, item) (the ledger's lock order: tags and shelves of these keys are
    then stable too), claim the events, post the sales and returns through the ledger event by event (a
    line the depletion rule answers for: its components' moves instead, see depletion.py), and withdraw the
    claims of the ones it refused."""
    sites = {site.id: policy(site.settings) for site in {p.site.id: p.site for p in good}.values()}
    keys = {(p.site.id, p.item.item_id): p.site.settings.currency for p in good}
    rule = depletion.current()
    has_sales = any(p.kind == "sale" or p.kind == "return" for p in good)
    plan = rule.begin(uow) if rule is not None and has_sales else None  # nothing to read for reads alone
    sold = _sold(good, sites, plan.items) if plan is not None else {}
    depleted = plan.deplete(list(sold.values())) if plan is not None and sold else {}
    for index, dep in depleted.items():
        for item_id, _ in dep.components:
            keys.setdefault((sold[index].site_id, item_id), sites[sold[index].site_id].currency)
    locked = lock_items(uow, keys)
    claimed_keys = claims.claim(uow.session, uow.tenant_id, good, transport, utcnow())
    claimed = _in_order([p for p in good if p.claim_key in claimed_keys])
    sales = [p for p in claimed if p.kind in ("sale", "return")]
    lines = [ln for p in sales for ln in _lines(p, depleted.get(p.index))] if depleted else [_line(p) for p in sales]
    # in _isolating's savepoint; the lines' events were claimed just now, so their keys are new (move_key)
    posted = post(uow, lines, sites=sites, each=True, locked=locked, savepoint=False, new_keys=True)
    flag_held_sales(uow, posted.parts)
    if plan is not None and sold:
        plan.record(uow, [sold[p.index] for p in sales if p.index in sold and p.index not in posted.refused])
    if posted.refused:
        refused = [p for p in sales if p.index in posted.refused]
        claims.unclaim(uow.session, uow.tenant_id, [p.claim_key for p in refused])
        batch.rejected.extend(_insufficient(p) for p in refused)
        claimed = [p for p in claimed if p.index not in posted.refused]
    return claimed, posted


def _sold(good: list[Prepared], sites: dict[int, Any], items: AbstractSet[int]) -> dict[int, depletion.SoldLine]:
    """The sold lines the depletion rule is given: sales and returns of the items it names, and any with
    modifiers (none at all for a chain whose rule names no item: the usual floor sale builds nothing here)."""
    return {
        p.index: depletion.SoldLine(
            index=p.index, event_id=p.event.event_id, kind=p.kind, site_id=p.site.id,
            day=sites[p.site.id].today(p.event.occurred_at), item_id=p.item.item_id, quantity=p.quantity,
            occurred_at=p.event.occurred_at, modifiers=p.modifiers,
        )
        for p in good
        if (p.item.item_id in items or p.modifiers) and p.kind in ("sale", "return")
    }  # fmt: skip


def _lines(p: Prepared, dep: depletion.Depletion | None) -> list[Line]:
    """The sale's own move, or its components' moves (same index and event; keys ``<key>:r<n>``)."""
    if dep is None:
        return [_line(p)]
    base = _line(p)
    return [
        replace(base, item_id=item_id, quantity=qty, lot_id=None, fefo=qty < 0,
                idempotency_key=_component_key(base.idempotency_key, n))
        for n, (item_id, qty) in enumerate(dep.components)
        if qty != 0
    ]  # fmt: skip


def _component_key(key: str, n: int) -> str:
    full = f"{key}:r{n}"
    return full if len(full) <= 118 else "ev:" + hashlib.sha256(full.encode()).hexdigest()


def move_key(source: str, event_id: str) -> str:
    """The idempotency key of an event's move, ``ev:<len>:<source>:<len>:<event_id>``: readable when it fits
    the column, a digest otherwise (a recipe's components append ``:r<n>``, the later parts of a sale split over
    lots ``#<part>``, see the ledger). Sources and event ids may hold ':' ("pos:SH01:1"), so each is prefixed
    with its length: two events never share a key, so a new claim's key was never posted. Keys written before
    this form began with ``evt:``; a retry of such an event is stopped by its claim before any key is made."""
    key = f"ev:{len(source)}:{source}:{len(event_id)}:{event_id}"
    return key if len(key) <= 118 else "ev:" + hashlib.sha256(key.encode()).hexdigest()


def _source_id(p: Prepared) -> str:
    ev = p.event
    if ev.kind == "rfid_read" or ev.kind == "weight":  # never posted: only sales and returns are
        return ev.event_id[:80]
    receipt, line = ev.receipt_id, ev.line
    text = f"{receipt}:{line}" if receipt and line is not None else (receipt or ev.event_id)
    return text[:80]


def _insufficient(p: prepare.Prepared) -> Rejected:
    return Rejected(
        index=p.index,
        event_id=p.event.event_id,
        code="inventory.insufficient_stock",
        message=f"site {p.site.code} refuses negative stock: not enough of the item to sell {-p.quantity}",
    )


def _raise_shrinks(uow: UnitOfWork, shrinks: Sequence[rfid.Shrink]) -> list[int]:
    """One open shrink alert per shrink and its ShrinkSuspected event; the alerts' ids, in order. One insert of
    all the rows (an executemany returning the ids in parameter order), no ORM objects to flush."""
    if not shrinks:
        return []
    rows = [
        {
            "tenant_id": uow.tenant_id,
            "site_id": s.tag.site_id,
            "kind": "shrink",
            "item_id": s.tag.item_id,
            "epc": s.tag.epc,
            "message": f"tag {s.tag.epc} left through the exit ({s.reader}) without a matching sale",
            "data": {"reader": s.reader},
            "occurred_at": s.at,
            "is_open": True,
            "raised_at": utcnow(),
        }
        for s in shrinks
    ]
    stmt = insert(_ALERT).returning(_ALERT.c.id, sort_by_parameter_order=True)
    ids = list(uow.session.execute(stmt, rows).scalars())
    for alert_id, s in zip(ids, shrinks, strict=True):
        uow.publish(
            ShrinkSuspected(
                tenant_id=uow.tenant_id,
                alert_id=alert_id,
                site_id=s.tag.site_id,
                item_id=s.tag.item_id,
                epc=s.tag.epc,
                occurred_at=s.at,
            )
        )
    return ids


def _record(
    uow: UnitOfWork,
    claimed: Sequence[prepare.Prepared],
    posted: Posted,
    alerts: tuple[list[int], list[int]],
    drops: int,
    transport: str,
) -> None:
    """One audit record for the batch (the ledger published StockMoved / NegativeStock for its moves). A batch
    that changed nothing (all duplicates or refused) records nothing."""
    if not claimed:
        return
    kinds: dict[str, int] = defaultdict(int)
    for p in claimed:
        kinds[p.kind] += 1
    move_ids = sorted(m.id for m in [*posted.true_ups, *posted.parts])
    # the audit record last, after the events are written: appending it locks the tenant's audit chain
    # head until the commit, and every writer of the tenant queues on that lock
    uow.session.flush()
    uow.audit(
        "inventory.events.ingest",
        "event_batch",
        move_ids[0] if move_ids else claimed[0].event.event_id,
        after={
            "transport": transport,
            "events": dict(sorted(kinds.items())),
            "move_count": len(move_ids),
            "first_move_id": move_ids[0] if move_ids else None,
            "last_move_id": move_ids[-1] if move_ids else None,
            "shrink_alert_ids": alerts[0],
            "settled_alert_ids": alerts[1],
            "shelf_drops": drops,
        },
    )


def close_session(uow: UnitOfWork, session_id: str) -> SessionReport:
    """Close an RFID zone session: the cycle count of its zone (missing and unexpected tags), stored."""
    scope = uow.principal.scope(WRITE)
    row = (
        uow.session.query(RfidSession)
        .filter(RfidSession.tenant_id == scope.tenant_id, RfidSession.session_id == session_id)
        .with_for_update()
        .one_or_none()
    )
    if row is None or not scope.allows_site(row.site_id):
        raise SessionNotFound(f"RFID session '{session_id}' not found")
    was_open = row.status == "open"
    report = SessionReport.model_validate(rfid.close_session(uow.session, scope.tenant_id, row))
    if was_open:
        uow.flush()
        uow.audit("inventory.rfid_session.close", "rfid_session", row.id, after=report.model_dump(mode="json"))
        uow.publish(
            CycleCountReported(
                tenant_id=scope.tenant_id,
                site_id=row.site_id,
                session_id=session_id,
                zone=row.zone,
                missing=len(report.missing),
                unexpected=len(report.unexpected),
            )
        )
    return report


def close_alert(uow: UnitOfWork, alert_id: int, note: str | None) -> Alert:
    scope = uow.principal.scope(ALERT_WRITE)
    alert = uow.session.get(Alert, alert_id, with_for_update=True)
    if alert is None or alert.tenant_id != scope.tenant_id or not scope.allows_site(alert.site_id):
        raise AlertNotFound(f"alert {alert_id} not found")
    if alert.is_open:
        alert.is_open, alert.closed_at, alert.closed_by, alert.close_note = False, utcnow(), uow.principal.actor, note
        uow.flush()
        uow.audit("inventory.alert.close", "alert", alert.id, before={"is_open": True}, after={"note": note})
    return alert
