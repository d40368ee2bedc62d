"""Supplier scorecards computed from purchasing's own documents: per supplier (and item) and month, the order
lines delivered on time (first receipt on or before the promised date) and in full (received at least what
was finally ordered), ASN accuracy (the order lines of a shipping notice that arrived as the notice said:
quantity, lot, expiry; none missing, none extra; once per notice, on its final comparison over all the
receipts made against it), what was refused on quality (damaged, failed
checks, expired) and what never came (closed short), the price variance against the agreed price, and the
lead time (order sent -> first receipt, days).

``observed_lead_times`` feeds the replenishment's safety stock (boh.purchasing.api)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from boh.purchasing.domain import ZERO, mean_std, rate
from boh.purchasing.models import Asn, AsnLine, Discrepancy, Order, OrderLine, Receipt, ReceiptLine

QUALITY = ("damaged", "quality", "expired")
TWO = Decimal("0.01")


@dataclass(frozen=True)
class LeadTimeStats:
    mean_days: Decimal
    std_days: Decimal
    samples: int


@dataclass(frozen=True)
class _Delivered:
    """One purchase order line with at least one receipt."""

    supplier_id: int
    item_id: int
    month: str  # YYYY-MM of its first receipt
    lead_days: Decimal
    on_time: bool
    in_full: bool
    done: bool  # nothing more will come (received in full, closed or cancelled)
    ordered: Decimal
    received: Decimal
    rejected_quality: Decimal
    short: Decimal  # closed short: ordered - received - rejected
    agreed_value: Decimal  # agreed price x purchase quantity received (with a known invoiced price)
    invoiced_value: Decimal


def _delivered(session: Session, tenant_id: int, *, supplier_ids: Iterable[int] | None = None,
               item_ids: Iterable[int] | None = None, since: datetime | None = None) -> list[_Delivered]:  # fmt: skip
    first = (
        select(ReceiptLine.order_line_id, func.min(Receipt.received_at).label("first_at"))
        .join(Receipt, Receipt.id == ReceiptLine.receipt_id)
        .where(Receipt.tenant_id == tenant_id)
        .group_by(ReceiptLine.order_line_id)
        .subquery()
    )
    stmt = (
        select(Order.supplier_id, Order.confirmed_at, OrderLine, first.c.first_at)
        .join(OrderLine, OrderLine.order_id == Order.id)
        .join(first, first.c.order_line_id == OrderLine.id)
        .where(Order.tenant_id == tenant_id, Order.kind == "purchase", Order.supplier_id.is_not(None))
    )
    if supplier_ids is not None:
        stmt = stmt.where(Order.supplier_id.in_(sorted(set(supplier_ids))))
    if item_ids is not None:
        stmt = stmt.where(OrderLine.item_id.in_(sorted(set(item_ids))))
    if since is not None:
        stmt = stmt.where(first.c.first_at >= since)
    rows = list(session.execute(stmt))
    prices = _prices(session, [r[2].id for r in rows])
    out = []
    for supplier_id, sent_at, ln, first_at in rows:
        promised: date | None = ln.confirmed_date or ln.expected_date
        quality = prices.get(ln.id, (ZERO, ZERO, ZERO))[2]
        closed = ln.status in ("received", "closed", "cancelled")
        agreed, invoiced = prices.get(ln.id, (ZERO, ZERO, ZERO))[:2]
        out.append(_Delivered(
            supplier_id=supplier_id, item_id=ln.item_id, month=first_at.strftime("%Y-%m"),
            lead_days=Decimal((first_at.date() - (sent_at or first_at).date()).days),
            on_time=promised is None or first_at.date() <= promised,
            in_full=ln.received_quantity >= ln.quantity, done=closed, ordered=ln.quantity,
            received=ln.received_quantity, rejected_quality=quality,
            short=_short(ln),
            agreed_value=agreed, invoiced_value=invoiced,
        ))  # fmt: skip
    return out


def _short(ln: OrderLine) -> Decimal:
    if ln.status != "closed":
        return ZERO
    return max(ln.quantity - ln.received_quantity - ln.rejected_quantity, ZERO)


def _prices(session: Session, line_ids: list[int]) -> dict[int, tuple[Decimal, Decimal, Decimal]]:
    """Per order line: agreed and invoiced value of what was received with an invoiced price, quality refusals."""
    out: dict[int, tuple[Decimal, Decimal, Decimal]] = {}
    if not line_ids:
        return out
    rows = session.execute(
        select(ReceiptLine.order_line_id, ReceiptLine.received, ReceiptLine.rejected, ReceiptLine.reason,
               ReceiptLine.invoiced_price, OrderLine.unit_price, OrderLine.confirmed_price, OrderLine.purchase_factor)
        .join(OrderLine, OrderLine.id == ReceiptLine.order_line_id)
        .where(ReceiptLine.order_line_id.in_(line_ids))
    )  # fmt: skip
    for lid, received, rejected, reason, invoiced, price, confirmed, factor in rows:
        agreed_price = confirmed if confirmed is not None else price
        a, i, q = out.get(lid, (ZERO, ZERO, ZERO))
        if invoiced is not None and agreed_price is not None:
            units = received / factor
            a, i = a + agreed_price * units, i + invoiced * units
        if reason in QUALITY:
            q += rejected
        out[lid] = (a, i, q)
    return out


def observed_lead_times(session: Session, tenant_id: int, supplier_id: int, item_ids: Iterable[int], *,
                        since: datetime | None = None) -> dict[int, LeadTimeStats]:  # fmt: skip
    """Per item, the supplier's observed lead time in days (order sent -> first receipt of the line): mean,
    sample standard deviation and the number of lines; items never received from it are absent."""
    samples: dict[int, list[Decimal]] = {}
    for d in _delivered(session, tenant_id, supplier_ids=[supplier_id], item_ids=item_ids, since=since):
        samples.setdefault(d.item_id, []).append(d.lead_days)
    out = {}
    for item_id, values in samples.items():
        mean, std = mean_std(values)
        out[item_id] = LeadTimeStats(mean.quantize(TWO), std.quantize(TWO), len(values))
    return out


@dataclass(frozen=True)
class ScoreRow:
    """One supplier (and item, or all items) over one month (or all months: ``month`` "")."""

    supplier_id: int
    item_id: int | None
    month: str
    lines: int
    on_time_pct: Decimal | None
    in_full_pct: Decimal | None
    otif_pct: Decimal | None
    quality_rejected_pct: Decimal | None  # of what arrived
    short_pct: Decimal | None  # of what was ordered
    price_variance_pct: Decimal | None  # invoiced vs agreed, of the agreed value
    lead_mean_days: Decimal | None
    lead_std_days: Decimal | None
    asn_lines: int = 0  # order lines received against a shipping notice (or announced on one)
    asn_accuracy_pct: Decimal | None = None  # of those, arrived as the notice said (quantity, lot, expiry)


@dataclass(frozen=True)
class _AsnLine:
    """One order line of a shipping notice whose comparison is final: whether it arrived as announced."""

    supplier_id: int
    item_id: int
    month: str  # YYYY-MM of the notice's last receipt
    accurate: bool


def _asn_lines(session: Session, tenant_id: int, *, supplier_ids: Iterable[int] | None = None,
               since: datetime | None = None) -> list[_AsnLine]:  # fmt: skip
    """Per shipping notice whose comparison is final (status received, at least one receipt against it), once:
    every order line it announced or its receipts received, accurate unless its final comparison has an ASN
    discrepancy (asn_*) for the line. A notice still receiving is not counted yet."""
    last = (
        select(Receipt.asn_id, func.max(Receipt.received_at).label("last_at"))
        .where(Receipt.tenant_id == tenant_id, Receipt.asn_id.is_not(None))
        .group_by(Receipt.asn_id)
        .subquery()
    )
    stmt = (
        select(Asn.id, last.c.last_at, Order.supplier_id)
        .join(last, last.c.asn_id == Asn.id)
        .join(Order, Order.id == Asn.order_id)
        .where(Asn.tenant_id == tenant_id, Asn.status == "received", Order.kind == "purchase",
               Order.supplier_id.is_not(None))
    )  # fmt: skip
    if supplier_ids is not None:
        stmt = stmt.where(Order.supplier_id.in_(sorted(set(supplier_ids))))
    if since is not None:
        stmt = stmt.where(last.c.last_at >= since)
    notices: dict[int, tuple[datetime, int]] = {aid: (at, sup) for aid, at, sup in session.execute(stmt)}
    if not notices:
        return []
    ids = sorted(notices)
    checked: dict[int, set[int]] = {aid: set() for aid in ids}
    for aid, lid in session.execute(select(AsnLine.asn_id, AsnLine.order_line_id).where(AsnLine.asn_id.in_(ids))):
        checked[aid].add(lid)
    for ref, lid in session.execute(
        select(Receipt.asn_id, ReceiptLine.order_line_id)
        .join(Receipt, Receipt.id == ReceiptLine.receipt_id)
        .where(Receipt.asn_id.in_(ids))
    ):
        if ref is not None:
            checked[ref].add(lid)
    bad = {(aid, lid) for aid, lid in session.execute(
        select(Discrepancy.asn_id, Discrepancy.order_line_id).where(Discrepancy.asn_id.in_(ids))
    )}  # fmt: skip
    line_ids = sorted({lid for lids in checked.values() for lid in lids})
    items = {lid: item for lid, item in session.execute(select(OrderLine.id, OrderLine.item_id)
                                                         .where(OrderLine.id.in_(line_ids)))}  # fmt: skip
    return [
        _AsnLine(notices[aid][1], items[lid], notices[aid][0].strftime("%Y-%m"), (aid, lid) not in bad)
        for aid in ids
        for lid in sorted(checked[aid])
        if lid in items
    ]


def _score(key: tuple[int, int | None, str], rows: list[_Delivered], asn: list[_AsnLine] | None = None) -> ScoreRow:
    done = [r for r in rows if r.done]
    arrived = sum((r.received + r.rejected_quality for r in rows), ZERO)
    agreed = sum((r.agreed_value for r in rows), ZERO)
    invoiced = sum((r.invoiced_value for r in rows), ZERO)
    mean, std = mean_std([r.lead_days for r in rows])
    return ScoreRow(
        supplier_id=key[0], item_id=key[1], month=key[2], lines=len(rows),
        on_time_pct=rate(sum(1 for r in rows if r.on_time), len(rows)),
        in_full_pct=rate(sum(1 for r in done if r.in_full), len(done)),
        otif_pct=rate(sum(1 for r in done if r.in_full and r.on_time), len(done)),
        quality_rejected_pct=rate(sum((r.rejected_quality for r in rows), ZERO), arrived),
        short_pct=rate(sum((r.short for r in rows), ZERO), sum((r.ordered for r in rows), ZERO)),
        price_variance_pct=rate(invoiced - agreed, agreed), lead_mean_days=mean.quantize(TWO) if rows else None,
        lead_std_days=std.quantize(TWO) if rows else None, asn_lines=len(asn or ()),
        asn_accuracy_pct=rate(sum(1 for a in asn or () if a.accurate), len(asn or ())),
    )  # fmt: skip


def scorecard(session: Session, tenant_id: int, *, supplier_ids: Iterable[int] | None = None,
              since: datetime | None = None, by_item: bool = False,
              by_month: bool = True) -> list[ScoreRow]:  # fmt: skip
    """Score rows per supplier (x item with ``by_item``) x month (or over the whole period), ordered."""
    groups: dict[tuple[int, int | None, str], list[_Delivered]] = {}
    for d in _delivered(session, tenant_id, supplier_ids=supplier_ids, since=since):
        key = (d.supplier_id, d.item_id if by_item else None, d.month if by_month else "")
        groups.setdefault(key, []).append(d)
    asn: dict[tuple[int, int | None, str], list[_AsnLine]] = {}
    for a in _asn_lines(session, tenant_id, supplier_ids=supplier_ids, since=since):
        asn.setdefault((a.supplier_id, a.item_id if by_item else None, a.month if by_month else ""), []).append(a)
    keys = sorted(set(groups) | set(asn), key=lambda k: (k[0], k[1] or 0, k[2]))
    return [_score(k, groups.get(k, []), asn.get(k)) for k in keys]
