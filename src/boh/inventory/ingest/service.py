"""Use cases of floor-event ingestion. ``ingest`` is the one entry point of the HTTP route, the MQTT
subscriber and the simulator; callers own the transaction (commit once after it returns).

Order of work for a batch (the lock order matches the ledger's, see boh.inventory.repository):
1. validate every event and resolve its codes set-based (bad events are reported by index);
2. in a savepoint: lock the (site, item) cost rows of every good event in key order; claim the event ids
   (``INSERT .. ON CONFLICT DO NOTHING RETURNING``; unclaimed ones are duplicates);
3. split sales without a lot code over the item's usable lots, first expiring first (fefo.py), and check
   sales against the balances in event-time order (a site that refuses negative stock rejects the sale
   whole with ``inventory.insufficient_stock`` and its claim is withdrawn);
4. insert the moves (one executemany) and upsert the balances (one atomic upsert per key, key order);
5. RFID tags, sessions and shrink alerts; weight shelves; one audit record, StockMoved / NegativeStock /
   ShrinkSuspected events.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any

from boh.inventory.domain import went_below_zero
from boh.inventory.events import NegativeStock, StockMoved
from boh.inventory.ingest import fefo, pgstage, prepare, rfid, stock, weight
from boh.inventory.ingest.errors import AlertNotFound, SessionNotFound
from boh.inventory.ingest.events import CycleCountReported, ShrinkSuspected
from boh.inventory.ingest.models import Alert, RfidSession
from boh.inventory.ingest.prepare import Prepared
from boh.inventory.ingest.schemas import MAX_BATCH, IngestResult, Rejected, SessionReport
from boh.kernel.clock import utcnow
from boh.kernel.errors import FieldError, ValidationFailed
from boh.kernel.uow import UnitOfWork

WRITE = "inventory.events.write"
BalanceKey = tuple[int, int, int]  # site_id, item_id, lot_key
ALERT_WRITE = "inventory.move.write"


def ingest(
    uow: UnitOfWork, events: Sequence[Any], *, default_site: str | None = None, transport: str = "http"
) -> IngestResult:
    """Validate and apply a batch of floor events (see the module docstring); never half-applies one."""
    scope = uow.principal.scope(WRITE)
    if len(events) > MAX_BATCH:
        raise ValidationFailed(
            [FieldError(("events",), f"at most {MAX_BATCH} events per batch", "inventory.batch_too_large")]
        )
    batch = prepare.prepare(uow.session, scope, events, default_site)
    if not batch.good:
        return IngestResult(accepted=0, duplicates=batch.duplicates, rejected=batch.rejected)
    with uow.session.begin_nested():
        if uow.session.get_bind().dialect.name == "postgresql":
            claimed, moves, refused_n, posted = _apply_pg(uow, batch, transport)
        else:
            claimed, moves, refused_n, posted = _apply_portable(uow, batch, transport)
        tags = rfid.apply(uow.session, scope.tenant_id, claimed)
        drops = weight.apply(uow.session, scope.tenant_id, claimed)
        alerts = _raise_shrinks(uow, tags.shrinks)
        uow.session.flush()
        _record(uow, claimed, posted, moves, (alerts, tags.settled), drops, transport)
    duplicates = batch.duplicates + len(batch.good) - len(claimed) - refused_n
    return IngestResult(accepted=len(claimed), duplicates=duplicates, rejected=batch.rejected)


def _in_order(events: Sequence[prepare.Prepared]) -> list[prepare.Prepared]:
    return sorted(events, key=lambda p: (p.event.occurred_at, p.index))


def _refuse(batch: prepare.Batch, refused: set[int], sales: list[Prepared]) -> None:
    batch.rejected.extend(_insufficient(p) for p in sales if p.index in refused)
    batch.rejected.sort(key=lambda r: r.index)


def _refused_by(
    current: Callable[[list[BalanceKey]], dict[BalanceKey, Decimal]],
) -> Callable[[list[Prepared]], set[int]]:
    """The events refused by sites that refuse negative stock, checked in order on the current balances."""

    def refused(moves: list[Prepared]) -> set[int]:
        strict = [p for p in moves if p.site.settings.negative_stock == "refuse"]
        if not strict:
            return set()
        return stock.check_flows(current(sorted({stock.balance_key(p) for p in strict})), strict)[0]

    return refused


def _apply_portable(
    uow: UnitOfWork, batch: prepare.Batch, transport: str
) -> tuple[list[Prepared], list[Prepared], int, stock.Posted]:
    tenant_id, session = uow.tenant_id, uow.session
    costs = stock.lock(session, tenant_id, batch.good)
    claimed_keys = stock.claim(session, tenant_id, batch.good, transport)
    claimed = _in_order([p for p in batch.good if p.claim_key in claimed_keys])
    sales = [p for p in claimed if p.kind in ("sale", "return")]
    moves, refused = fefo.allocate(
        session, tenant_id, sales, _refused_by(lambda k: stock.on_hand(session, tenant_id, k))
    )
    if refused:
        stock.unclaim(session, tenant_id, [p.claim_key for p in sales if p.index in refused])
        _refuse(batch, refused, sales)
        claimed = [p for p in claimed if p.index not in refused]
    _, negative = stock.check(session, tenant_id, moves)
    posted = stock.post(session, tenant_id, uow.principal.actor, moves, negative, costs)
    return claimed, moves, len(refused), posted


def _apply_pg(
    uow: UnitOfWork, batch: prepare.Batch, transport: str
) -> tuple[list[Prepared], list[Prepared], int, stock.Posted]:
    """The set-based PostgreSQL path (pgstage.py): the same steps as ``_apply_portable``."""
    tenant_id, conn, now = uow.tenant_id, uow.session.connection(), utcnow()
    pgstage.stage(conn, (stock.stage_row(p) for p in batch.good))
    pgstage.lock(conn, tenant_id, now)
    claimed_idx = pgstage.claim(conn, tenant_id, transport, now)
    claimed = _in_order([p for p in batch.good if p.index in claimed_idx])
    sales = [p for p in claimed if p.kind in ("sale", "return")]
    moves, refused = fefo.allocate(
        uow.session, tenant_id, sales, _refused_by(lambda k: pgstage.on_hand(conn, tenant_id, k))
    )
    split = {p.index for p in moves if p.part}
    if split:
        pgstage.restage(conn, sorted(split), (stock.stage_row(p) for p in moves if p.index in split))
    if refused:
        pgstage.unclaim(conn, tenant_id, sorted(refused))
        _refuse(batch, refused, sales)
        claimed = [p for p in claimed if p.index not in refused]
    done = pgstage.post(conn, tenant_id, uow.principal.actor, now)
    if len(done.move_ids) != len(moves):  # every staged move joins its locked cost row: never happens
        raise RuntimeError(f"ingestion wrote {len(done.move_ids)} moves for {len(moves)} events")
    posted = stock.Posted(done.move_ids, stock.deltas(moves), done.after, dict(done.negative))
    return claimed, moves, len(refused), posted


def _insufficient(p: prepare.Prepared) -> Rejected:
    return Rejected(
        index=p.index,
        event_id=p.event.event_id,
        code="inventory.insufficient_stock",
        message=f"site {p.site.code} refuses negative stock: not enough of the item to sell {-p.quantity}",
    )


def _raise_shrinks(uow: UnitOfWork, shrinks: Sequence[rfid.Shrink]) -> list[Alert]:
    alerts = [
        Alert(
            tenant_id=uow.tenant_id,
            site_id=s.tag.site_id,
            kind="shrink",
            item_id=s.tag.item_id,
            epc=s.tag.epc,
            message=f"tag {s.tag.epc} left through the exit ({s.reader}) without a matching sale",
            data={"reader": s.reader},
            occurred_at=s.at,
            is_open=True,
            raised_at=utcnow(),
        )
        for s in shrinks
    ]
    if alerts:
        uow.session.add_all(alerts)
        uow.session.flush()
    for a, s in zip(alerts, shrinks, strict=True):
        assert a.item_id is not None and a.epc is not None
        uow.publish(
            ShrinkSuspected(
                tenant_id=uow.tenant_id,
                alert_id=a.id,
                site_id=a.site_id,
                item_id=a.item_id,
                epc=a.epc,
                occurred_at=s.at,
            )
        )
    return alerts


def _record(
    uow: UnitOfWork,
    claimed: Sequence[prepare.Prepared],
    posted: stock.Posted,
    moves: Sequence[prepare.Prepared],
    alerts: tuple[Sequence[Alert], list[int]],
    drops: int,
    transport: str,
) -> None:
    """One audit record for the batch; StockMoved for its moves and NegativeStock per balance that went below zero.
    A batch that changed nothing (all duplicates or refused) records nothing."""
    if not claimed:
        return
    kinds: dict[str, int] = defaultdict(int)
    for p in claimed:
        kinds[p.kind] += 1
    if posted.move_ids:
        changes = tuple(
            {
                "site_id": k[0],
                "item_id": k[1],
                "lot_id": k[2] or None,
                "on_hand_delta": str(posted.deltas[k]),
                "in_transit_delta": "0",
                "on_hand": str(posted.after[k]),
            }
            for k in sorted(posted.deltas)
        )
        uow.publish(StockMoved(tenant_id=uow.tenant_id, move_ids=tuple(posted.move_ids), changes=changes))
    flagged = posted.negative
    for key in sorted(flagged):
        if not went_below_zero(posted.after[key], posted.deltas[key]):
            continue  # already below zero before this batch: published when it crossed
        uow.publish(
            NegativeStock(
                tenant_id=uow.tenant_id,
                site_id=key[0],
                item_id=key[1],
                lot_id=key[2] or None,
                on_hand=posted.after[key],
                move_ids=tuple(flagged[key]),
            )
        )
    # the audit record last, after the events are written: appending it locks the tenant's audit chain
    # head until the commit, and every writer of the tenant queues on that lock
    uow.session.flush()
    uow.audit(
        "inventory.events.ingest",
        "event_batch",
        posted.move_ids[0] if posted.move_ids else claimed[0].event.event_id,
        after={
            "transport": transport,
            "events": dict(sorted(kinds.items())),
            "move_count": len(posted.move_ids),
            "first_move_id": posted.move_ids[0] if posted.move_ids else None,
            "last_move_id": posted.move_ids[-1] if posted.move_ids else None,
            "shrink_alert_ids": [a.id for a in alerts[0]],
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
