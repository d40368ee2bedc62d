"""The demo's purchasing: six weeks of purchase orders of a few stores and the DC with their preferred
suppliers, sent, answered and received (most on time and in full, some late, short, damaged or invoiced above
the agreed price), so the order list, the scorecards and the observed lead times show a believable history;
and today's work: orders due (one with a shipping notice), a supplier change waiting for the buyer, drafts,
transfer orders from the DC (one on its way, one received with a damaged unit). Most past deliveries came
with a shipping notice, a few with another lot, a later expiry or fewer units than it said. Past documents
are dated back in purchasing's own tables (the stock they brought in is posted today)."""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import select, update

from boh.catalog.api import supplier_terms
from boh.demo.refs import CatalogRefs, OrgRefs
from boh.inventory.api import stock_levels
from boh.kernel.clock import utcnow
from boh.kernel.tenancy import Scope
from boh.kernel.uow import UnitOfWork
from boh.purchasing import service
from boh.purchasing.api import OrderRequest, PlacedOrder, place_orders
from boh.purchasing.models import Order, OrderEvent, OrderLine, Receipt
from boh.purchasing.service import AsnLineIn, LineResponse, ReceiptLineIn

WEEKS = 6
STORES = 2  # the first stores (and the DC) buy from their suppliers
SUPPLIERS = 5  # the first suppliers (by code) that sell at least three items: a quick demo load


@dataclass(frozen=True)
class _Buy:
    site_id: int
    supplier_code: str
    supplier_id: int
    lines: list[tuple[int, Decimal]]  # item id, base quantity (whole purchase units)


def _baskets(uow: UnitOfWork, rng: random.Random, org: OrgRefs, catalog: CatalogRefs) -> list[_Buy]:
    """Per buying site, one basket per supplier that sells it at least three items (purchase units)."""
    by_supplier: dict[str, list[str]] = {}
    for sku, code in sorted(catalog.primary_supplier.items()):
        by_supplier.setdefault(code, []).append(sku)
    sites = [org.site_ids[c] for c in [*org.store_codes[:STORES], org.dc_code] if c in org.site_ids]
    out = []
    chosen = [(code, skus) for code, skus in sorted(by_supplier.items()) if len(skus) >= 3][:SUPPLIERS]
    for code, skus in chosen:
        for site in sites:
            picked = rng.sample(skus, min(4, len(skus)))
            lines = []
            for sku in picked:
                item = catalog.item_ids[sku]
                terms = supplier_terms(uow.session, uow.tenant_id, catalog.supplier_ids[code], item)
                if terms is None:
                    continue
                packs = max(Decimal(rng.randint(1, 4)), terms.moq)
                lines.append((item, packs * terms.purchase_factor))
            if lines:
                out.append(_Buy(site, code, catalog.supplier_ids[code], lines))
    return out


def _place(uow: UnitOfWork, buy: _Buy, key: str, confirm: bool = True) -> PlacedOrder:
    reqs = [OrderRequest(site_id=buy.site_id, item_id=i, quantity=q, source="supplier", supplier_id=buy.supplier_id,
                         origin_type="demo") for i, q in buy.lines]  # fmt: skip
    return place_orders(uow, reqs, confirm=confirm, idempotency_key=key)[0]


def _history(uow: UnitOfWork, rng: random.Random, buys: list[_Buy], now: datetime, late: str) -> int:
    """Past orders, received with their troubles, dated back. Returns how many."""
    made = 0
    for week in range(WEEKS, 0, -1):
        for n, buy in enumerate(buys):
            if rng.random() < 0.4:
                continue
            po = _place(uow, buy, f"demo:po:{week}:{n}")
            lead = rng.choice((1, 1, 2, 2, 3))
            delay = rng.choice((0, 1, 2)) if buy.supplier_code == late else rng.choice((0, 0, 0, 0, 0, 1))
            received, asn_id = _received(uow, rng, po), None
            notice = random.Random(f"demo-asn-{week}-{n}")  # its own draws: the rest of the history stays the same
            if notice.random() < 0.6:  # the supplier sent a shipping notice; the receipt is checked against it
                asn_id, received = _with_notice(uow, notice, po, received, f"{week}:{n}", now)
            lines = service.receive_goods(uow, po.order_id, idempotency_key=f"demo:gr:{week}:{n}",
                                          lines=received, asn_id=asn_id)  # fmt: skip
            sent = now - timedelta(weeks=week, hours=rng.randint(0, 48))
            arrived = sent + timedelta(days=lead + delay, hours=rng.randint(-3, 3))
            _date_back(uow, po.order_id, lines.id, sent, lead, arrived)
            made += 1
    return made


def _received(uow: UnitOfWork, rng: random.Random, po: PlacedOrder) -> list[ReceiptLineIn]:
    out = []
    for line in uow.session.scalars(select(OrderLine).where(OrderLine.order_id == po.order_id)):
        roll, qty, factor = rng.random(), line.quantity, line.purchase_factor
        if roll < 0.08 and qty > factor:  # short: a case missing, the rest will not come
            out.append(ReceiptLineIn(line.id, qty - factor, close=True))
        elif roll < 0.14:  # damaged on arrival
            hurt = min(factor, qty)
            out.append(ReceiptLineIn(line.id, qty - hurt, hurt, "damaged", close=True))
        elif roll < 0.20 and line.unit_price is not None:  # invoiced above the agreed price
            out.append(ReceiptLineIn(line.id, qty, invoiced_price=(line.unit_price * Decimal("1.05")).quantize(
                Decimal("0.01"))))  # fmt: skip
        else:
            out.append(ReceiptLineIn(line.id, qty, invoiced_price=line.unit_price))
    return out


def _with_notice(uow: UnitOfWork, rng: random.Random, po: PlacedOrder, received: list[ReceiptLineIn], tag: str,
                 now: datetime) -> tuple[int, list[ReceiptLineIn]]:  # fmt: skip
    """A shipping notice of every ordered line with its lot and expiry, and the receipt's lines with the lots
    scanned on arrival: now and then another lot or a later expiry than the notice said (an ASN discrepancy)."""
    ordered = {
        ln.id: ln.quantity for ln in uow.session.scalars(select(OrderLine).where(OrderLine.order_id == po.order_id))
    }
    lots = {lid: (f"L{rng.randint(10000, 99999)}", now.date() + timedelta(days=rng.randint(6, 20))) for lid in ordered}
    asn = service.send_asn(uow, po.order_id, number=f"DN{rng.randint(100000, 999999)}", expected_arrival=None,
                           idempotency_key=f"demo:asn:{tag}",
                           lines=[AsnLineIn(lid, q, *lots[lid]) for lid, q in ordered.items()])  # fmt: skip
    out = []
    for d in received:
        lot, expiry = lots[d.line_id]
        roll = rng.random()
        if roll < 0.08:
            lot = f"L{rng.randint(10000, 99999)}"  # another lot than announced
        elif roll < 0.12:
            expiry = expiry + timedelta(days=3)
        out.append(replace(d, lot_code=lot, expiry_date=expiry))
    return asn.id, out


def _date_back(uow: UnitOfWork, order_id: int, receipt_id: int, sent: datetime, lead: int, arrived: datetime) -> None:
    """A past order's dates (demo only): sent, promised (sent + lead time), received."""
    s = uow.session
    promised = sent.date() + timedelta(days=lead)
    s.execute(update(Order).where(Order.id == order_id).values(created_at=sent - timedelta(hours=1), confirmed_at=sent,
                                                              expected_date=promised))  # fmt: skip
    s.execute(update(OrderLine).where(OrderLine.order_id == order_id).values(expected_date=promised))
    s.execute(update(Receipt).where(Receipt.id == receipt_id).values(received_at=arrived))
    for ev in s.scalars(select(OrderEvent).where(OrderEvent.order_id == order_id)):
        ev.at = arrived if ev.action == "receive" else sent


def _today(uow: UnitOfWork, rng: random.Random, buys: list[_Buy], supplier_id: int | None) -> int:
    """Open orders: due in the coming days (the demo supplier's with answers and a shipping notice), drafts."""
    made = 0
    for n, buy in enumerate(buys):
        draft = n % 5 == 4
        po = _place(uow, buy, f"demo:po:open:{n}", confirm=not draft)
        made += 1
        if draft or buy.supplier_id != supplier_id:
            continue
        first, *rest = po.line_ids
        if n % 2 == 0:
            answers = [LineResponse(first, "accept")] + [LineResponse(lid, "accept") for lid in rest]
            service.respond(uow, po.order_id, answers)
            expiry = utcnow().date() + timedelta(days=10)
            shipped = [AsnLineIn(ln.id, ln.quantity, f"L{rng.randint(10000, 99999)}", expiry)
                       for ln in uow.session.scalars(select(OrderLine).where(OrderLine.order_id == po.order_id)
                                                     .order_by(OrderLine.line_no))]  # fmt: skip
            service.send_asn(uow, po.order_id, number=f"DN{2026120 + n}", idempotency_key=f"demo:asn:{n}",
                             expected_arrival=utcnow() + timedelta(days=1), lines=shipped)  # fmt: skip
        else:
            line = uow.session.get(OrderLine, first)
            assert line is not None
            fewer = max(line.quantity - line.purchase_factor, line.purchase_factor)
            why = "Short on stock this week / 本周库存不足"
            service.respond(uow, po.order_id, [LineResponse(first, "change", quantity=fewer, reason=why)])
    return made


def _transfers(uow: UnitOfWork, org: OrgRefs) -> int:
    """Stores order from the DC; one item short at the DC is shared among them; one transfer is on its way."""
    dc = org.site_ids.get(org.dc_code)
    stores = [org.site_ids[c] for c in org.store_codes[:3]]
    if dc is None or len(stores) < 2:
        return 0
    levels = stock_levels(uow.session, Scope(uow.tenant_id), dc, _dc_items(uow, dc))
    stocked = sorted((lv.available, i) for i, lv in levels.items() if lv.available >= 6)
    if not stocked:
        return 0
    short_qty, short_item = stocked[0]
    reqs = [OrderRequest(site_id=s, item_id=short_item, quantity=(short_qty / 2).to_integral_value() + 1,
                         source="site", from_site_id=dc, origin_type="demo") for s in stores]  # fmt: skip
    place_orders(uow, reqs, idempotency_key="demo:to:short")
    orders = service.allocate_transfers(uow, dc)
    confirmed = [o for o in orders if o.status == "confirmed"]
    if confirmed:
        service.dispatch(uow, confirmed[0].id, idempotency_key="demo:to:dispatch")
    if len(confirmed) > 1:  # one arrived this morning with a damaged unit: wasted at the store, the DC sees it
        service.dispatch(uow, confirmed[1].id, idempotency_key="demo:to:dispatch2")
        got = []
        for line in uow.session.scalars(select(OrderLine).where(OrderLine.order_id == confirmed[1].id)):
            hurt = min(Decimal(1), line.shipped_quantity)
            got.append(ReceiptLineIn(line.id, line.shipped_quantity - hurt, hurt, "damaged",
                                     note="Crushed case / 箱子压坏"))  # fmt: skip
        service.receive_goods(uow, confirmed[1].id, lines=got, idempotency_key="demo:to:receive")
    return len(orders)


def _dc_items(uow: UnitOfWork, dc: int) -> list[int]:
    from boh.inventory.api import lots_on_hand

    return sorted({lot.item_id for lot in lots_on_hand(uow.session, uow.tenant_id, dc)})[:40] or []


def load_purchasing(uow: UnitOfWork, seed: int, org: OrgRefs, catalog: CatalogRefs, supplier_id: int | None) -> int:
    """Returns how many orders were made."""
    rng = random.Random(f"demo-purchasing-{seed}")
    buys = _baskets(uow, rng, org, catalog)
    if not buys:
        return 0
    now = utcnow()
    codes = sorted({b.supplier_code for b in buys})
    made = _history(uow, rng, buys, now, late=codes[1] if len(codes) > 1 else "")
    made += _today(uow, rng, buys, supplier_id)
    made += _transfers(uow, org)
    uow.flush()
    return made
