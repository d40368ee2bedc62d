"""A chain at work, for the today page and the daily screens: 14 days of sales and waste at every store
(posted through the ledger, dated on each past day), and today's work at the stores of the first region —
a supplier delivery due, transfers from the DC on their way, a stocktake being counted, shrink alerts and
a lot of fresh goods expiring in two days. Deterministic from the seed; idempotency keys
``demo:act:...`` make a second load a no-op for the moves."""

from __future__ import annotations

import random
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from boh.demo.inventory import opening_moves
from boh.demo.refs import CatalogRefs, OrgRefs
from boh.inventory.commitments import service as commitments
from boh.inventory.commitments.schemas import IncomingIn
from boh.inventory.counts import service as counts
from boh.inventory.counts.schemas import CountCreate, EntryIn
from boh.inventory.ingest.models import Alert
from boh.inventory.schemas import MoveIn, TransferIn
from boh.inventory.service import post_moves, transfer
from boh.kernel.clock import utcnow
from boh.kernel.uow import UnitOfWork

DAYS = 14
TZ = ZoneInfo("Asia/Shanghai")
BUSY_STORES = ("SH01", "SH02", "BJ01", "GZ01", "SZ01")  # these stores get today's work too


def _at(day: datetime, hour: int, minute: int) -> datetime:
    return datetime.combine(day.date(), time(hour, minute), tzinfo=TZ).astimezone(UTC)


def history_moves(seed: int, org: OrgRefs, catalog: CatalogRefs) -> dict[str, list[MoveIn]]:
    """Store code -> sales and waste of the last DAYS days (never later than now), small quantities of the
    store's plain (lot-less) stock so that no balance goes below what the store holds."""
    now = utcnow()
    today = now.astimezone(TZ)
    out: dict[str, list[MoveIn]] = {}
    for code, moves in opening_moves(seed, org, catalog).items():
        if code == org.dc_code:
            continue
        rng = random.Random(f"demo-history-{seed}-{code}")
        stock = [m for m in moves if m.lot_code is None and m.quantity >= 8]
        budget: dict[int, Decimal] = {m.item_id: m.quantity / 2 for m in stock}
        day_moves: list[MoveIn] = []
        for back in range(DAYS - 1, -1, -1):
            day = today - timedelta(days=back)
            busy = 1.3 if day.weekday() >= 5 else 1.0
            for n, m in enumerate(rng.sample(stock, min(len(stock), int(10 * busy) + rng.randint(0, 4)))):
                qty = Decimal(rng.randint(1, 3))
                at = _at(day, 9 + (n % 12), rng.randint(0, 59))
                if at > now or budget[m.item_id] < qty:
                    continue
                budget[m.item_id] -= qty
                day_moves.append(MoveIn(site_id=m.site_id, item_id=m.item_id, move_type="sale", quantity=-qty,
                                        source_type="demo_pos", idempotency_key=f"demo:act:sale:{code}:{back}:{n}",
                                        event_at=at))  # fmt: skip
            if stock and rng.random() < 0.7:
                m = rng.choice(stock)
                at = _at(day, 21, 30)
                if at <= now and budget[m.item_id] >= 1:
                    budget[m.item_id] -= 1
                    day_moves.append(MoveIn(site_id=m.site_id, item_id=m.item_id, move_type="waste",
                                            quantity=Decimal(-1), reason_code=rng.choice(["expired", "damaged"]),
                                            idempotency_key=f"demo:act:waste:{code}:{back}", event_at=at))  # fmt: skip
        out[code] = day_moves
    return out


def load_history(uow: UnitOfWork, seed: int, org: OrgRefs, catalog: CatalogRefs) -> int:
    posted = 0
    for moves in history_moves(seed, org, catalog).values():
        if moves:
            posted += len(moves) - post_moves(uow, moves).replayed
    return posted


def load_today(uow: UnitOfWork, seed: int, org: OrgRefs, catalog: CatalogRefs) -> None:
    """Today's work at the busy stores: a delivery due, transfers on their way, a count being counted, shrink
    alerts and a lot expiring soon."""
    rng = random.Random(f"demo-today-{seed}")
    opening = opening_moves(seed, org, catalog)
    dc = org.site_ids[org.dc_code]
    dc_stock = [m for m in opening[org.dc_code] if m.lot_code is None and m.quantity >= 10]
    today = utcnow().astimezone(TZ).date()
    busy = [c for c in BUSY_STORES if c in org.site_ids] or org.store_codes[:5]
    for i, code in enumerate(busy):
        site = org.site_ids[code]
        plain = [m for m in opening.get(code, []) if m.lot_code is None]
        bought = [m for m in plain if catalog.primary_supplier.get(m.idempotency_key.split(":")[3])]
        for n, m in enumerate(rng.sample(bought, min(4, len(bought)))):
            supplier = catalog.primary_supplier[m.idempotency_key.split(":")[3]]
            commitments.expect(uow, IncomingIn(
                site_id=site, item_id=m.item_id, quantity=Decimal(rng.randint(6, 24)), document_type="purchase_order",
                document_id=f"PO-{supplier}-{code}-{today:%m%d}", document_line=str(n + 1), expected_date=today,
                idempotency_key=f"demo:act:po:{code}:{n}",
            ))  # fmt: skip
        for n, m in enumerate(rng.sample(dc_stock, min(3, len(dc_stock)))):
            qty = Decimal(rng.randint(2, 5))
            key = f"demo:act:tr:{code}:{n}"
            data = TransferIn(from_site_id=dc, to_site_id=site, item_id=m.item_id, quantity=qty, idempotency_key=key)
            transfer(uow, data)
        _count(uow, site, [m.item_id for m in plain[:12]], rng)
        _alerts(uow, org.tenant_id, site, [m.item_id for m in plain[:3]], i)
        if plain:
            m = plain[-1]
            post_moves(uow, [MoveIn(site_id=site, item_id=m.item_id, move_type="receipt", quantity=Decimal(6),
                                    lot_code=f"F{today:%m%d}-{code}", expiry_date=today + timedelta(days=2),
                                    unit_cost=Decimal("4.50"), source_type="demo_delivery",
                                    idempotency_key=f"demo:act:fresh:{code}")])  # fmt: skip


def _count(uow: UnitOfWork, site: int, items: list[int], rng: random.Random) -> None:
    if not items:
        return
    count = counts.create_count(uow, CountCreate(site_id=site, kind="cycle", item_ids=items, note="Weekly cycle count"))
    counts.start_count(uow, count.id)
    counted = items[: len(items) // 2]
    counts.add_entries(uow, count.id, [EntryIn(item_id=i, qty=Decimal(rng.randint(1, 9))) for i in counted])


def _alerts(uow: UnitOfWork, tenant_id: int, site: int, items: list[int], i: int) -> None:
    now = utcnow()
    for n, item in enumerate(items[: 1 + i % 3]):
        uow.session.add(Alert(
            tenant_id=tenant_id, site_id=site, kind="shrink", item_id=item, epc=None,
            message="A tagged item left the shop without a sale", data={"zone": "exit"},
            occurred_at=now - timedelta(minutes=20 + 7 * n), raised_at=now - timedelta(minutes=20 + 7 * n),
        ))  # fmt: skip
    uow.flush()
